// The order aggregate: created from a server-side quote, then changed only through the status
// state machine, each change stamped on the timeline. Pure: ids and times come from the caller.
import type { Money } from './money';
import type { Quote } from './pricing';
import type { InvoiceLine } from './document-line';
import { OrderEvent, OrderStatus, transition } from './order-status';

export interface Customer {
  id: string;
  email: string;
  name: string;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country: string;
  state?: string;
}

export interface TimelineEntry {
  status: OrderStatus;
  at: string;
  /** What caused it, e.g. "payment-captured". */
  event: OrderEvent | 'order-received';
  /** Set when an event can happen more than once (a hold at each payment step): what makes this one the same on a repeat. */
  key?: string;
}

export interface InvoiceRef {
  number: string;
  issuedAt: string;
}

/** A refund after shipment (a return), recorded on the order; domain/refund.ts plans them. */
/** What is refunded of one invoice line (an item's SKU, or SHIPPING for the shipping fee). */
export type RefundLine = InvoiceLine;

export interface Refund {
  id: string;
  /** requested → completed (PayPal refunded it, credit note issued) or failed (PayPal refused). */
  status: 'requested' | 'completed' | 'failed';
  lines: RefundLine[];
  amount: Money;
  reason: string;
  requestedAt: string;
  /** Who asked for it (the admin's id). */
  requestedBy: string;
  /** Returned units that go back into stock once the refund is completed. */
  restock?: { sku: string; quantity: number }[];
  completedAt?: string;
  providerRefundId?: string;
  creditNote?: InvoiceRef;
  failure?: string;
}

export interface Charge {
  provider: 'paypal';
  providerOrderId: string;
  /** The authorization PayPal granted; voids always name it (a reauthorization is voided through it). */
  authorizationId?: string;
  /** PayPal's create_time and expiration_time of the authorization to capture. */
  authorizedAt?: string;
  authorizationExpiresAt?: string;
  /** The reauthorization made once the honour period was over: what the capture takes. */
  reauthorizationId?: string;
  /** The authorization expired before it could be captured: nothing to void, nothing charged. */
  authorizationExpired?: boolean;
  /** PayPal confirmed the void (or had voided the authorization already). */
  voided?: boolean;
  /** Why the authorization could not be voided; it then stays open until it expires (29 days). */
  voidFailure?: string;
  captureId?: string;
  /** The capture is PENDING at PayPal (why, and since when): the money is not ours yet. */
  capturePending?: { reason: string; since: string };
  /** PayPal denied the pending capture: nothing was taken, and the authorization is used up. */
  captureDenied?: string;
  /** Where the buyer approves the payment when no vaulted method was given. */
  approveUrl?: string;
  amount: Money;
  refunded?: Money;
  /** While a refund is owed (status refund-pending): the last failed attempt. */
  refundFailure?: RefundFailure;
  /** PayPal's payer, and the shipping address PayPal shows on the transaction (Seller Protection's address). */
  payer?: { id?: string; email?: string };
  payPalShippingAddress?: ShippingAddress;
  capturedAt?: string;
  /** PayPal's Seller Protection of the capture, as PayPal stated it when capturing. */
  sellerProtection?: { status: string; disputeCategories: string[] };
}

export interface RefundFailure {
  reason: string;
  /** Refund attempts so far (each after the activity's own retries). */
  attempts: number;
  lastAttemptAt: string;
  /** false once the automatic retries have stopped: an operator must act. */
  retrying: boolean;
}

export interface Shipment {
  carrier: string;
  trackingNumber: string;
  trackingUrl: string;
  shippedAt: string;
  /** When the carrier scanned it delivered. */
  deliveredAt?: string;
  /** The tracker on the PayPal order (Seller Protection and "item not received" claims rest on it). */
  payPalTracker?: { id: string; status: 'SHIPPED' | 'CANCELLED'; carrier: string; at: string };
  /** PayPal did not take the tracking number (after the retries): an operator adds it by hand. */
  payPalTrackerFailure?: string;
}

/** How the buyer checked out: what a dispute answer cites to show who ordered and on which terms. */
export interface CheckoutContext {
  ip?: string;
  userAgent?: string;
  /** The policies in force at checkout (terms, returns, shipping), by name and version. */
  policies: { name: string; version: string; url?: string }[];
  /** The client stated that the buyer accepted them (the version it showed). */
  termsAccepted: boolean;
  at: string;
}

/** A PayPal dispute on one of the order's captures, as last read from PayPal. */
export interface OrderDispute {
  disputeId: string;
  reason: string;
  stage: string;
  status: string;
  amount: Money;
  dueAt?: string;
  outcome?: string;
  updatedAt: string;
}

export interface Order {
  id: string;
  customer: Customer;
  shippingAddress: ShippingAddress;
  quote: Quote;
  payment: { method: 'paypal'; vaultId?: string };
  status: OrderStatus;
  timeline: TimelineEntry[];
  createdAt: string;
  updatedAt: string;
  /** Filled in by the saga as the stages complete. */
  invoice?: InvoiceRef;
  /** Issued when a charged or invoiced order is cancelled, fails or is refunded. */
  creditNote?: InvoiceRef;
  charge?: Charge;
  shipment?: Shipment;
  cancellationReason?: string;
  /** Refunds after shipment (returns), each with its own credit note. */
  refunds?: Refund[];
  checkout?: CheckoutContext;
  /** PayPal disputes on this order's capture; an open one blocks manual refunds (a lost claim would pay twice). */
  disputes?: OrderDispute[];
}

export interface NewOrder {
  id: string;
  customer: Customer;
  shippingAddress: ShippingAddress;
  quote: Quote;
  payment: { method: 'paypal'; vaultId?: string };
  at: string;
  checkout?: CheckoutContext;
}

export function createOrder(o: NewOrder): Order {
  return {
    id: o.id,
    customer: o.customer,
    shippingAddress: o.shippingAddress,
    quote: o.quote,
    payment: o.payment,
    ...(o.checkout ? { checkout: o.checkout } : {}),
    status: 'received',
    timeline: [{ status: 'received', at: o.at, event: 'order-received' }],
    createdAt: o.at,
    updatedAt: o.at,
  };
}

/** Returns the order after `event`; throws IllegalTransitionError if the status does not allow it. */
/** A dispute PayPal has not settled yet. */
export const disputeOpen = (d: Pick<OrderDispute, 'status'>): boolean => d.status !== 'RESOLVED';

/** Whether the order's capture is under an open dispute: refunds wait for PayPal's decision. */
export const underDispute = (o: Pick<Order, 'disputes'>): boolean => (o.disputes ?? []).some(disputeOpen);

export function applyEvent(order: Order, event: OrderEvent, at: string, key?: string): Order {
  const status = transition(order.status, event);
  return { ...order, status, timeline: [...order.timeline, { status, at, event, ...(key ? { key } : {}) }], updatedAt: at };
}
