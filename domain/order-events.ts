// The stage events an order publishes (Service Bus topic `order-events`, messageId
// `<orderId>:<stage>`), and the facts each carries for the customer's email.
import type { Money } from './money';

export const emailStages = ['received', 'invoiced', 'payment-pending', 'payment-delayed', 'paid', 'delayed', 'shipped', 'delivered', 'cancelled', 'payment-failed', 'payment-expired', 'refunded'] as const;
export type EmailStage = (typeof emailStages)[number];

export interface OrderStageEvent {
  orderId: string;
  stage: EmailStage;
  /** RFC 3339 UTC. */
  occurredAt: string;
  /** When the order was placed (RFC 3339 UTC): the emails show it, time-to-ship starts there. */
  placedAt?: string;
  customer: { id: string; email: string; name: string };
  total: Money;
  /** The priced totals between the lines and the total (absent in events published before they were carried). */
  totals?: { subtotal: Money; discount: Money; shipping: Money; tax: Money; total: Money };
  lines: { sku: string; name: string; quantity: number; lineTotal: Money }[];
  invoiceNumber?: string;
  /** Where the buyer approves the payment (received/invoiced, when not vaulted). */
  approveUrl?: string;
  carrier?: string;
  trackingNumber?: string;
  trackingUrl?: string;
  refunded?: Money;
  /** Charged, and a refund is owed that has not gone through yet (status refund-pending). */
  refundPending?: Money;
  /** Why: the decline, the cancellation reason, the carrier failure. */
  reason?: string;
  /** A refund after shipment (an order may have several): `refunded` is its amount. */
  refundId?: string;
}

/** Deduplication key on the topic and idempotency key of the email: one per order and stage, and per refund after shipment. */
export const stageEventId = (e: Pick<OrderStageEvent, 'orderId' | 'stage' | 'refundId'>): string => `${e.orderId}:${e.stage}${e.refundId ? `:${e.refundId}` : ''}`;
