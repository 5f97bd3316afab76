// PayPal's webhook envelope (event v1.0 around a v2 resource).
import { randomUUID } from 'node:crypto';

export type WebhookEventType =
  | 'CHECKOUT.ORDER.APPROVED'
  | 'PAYMENT.AUTHORIZATION.CREATED'
  | 'PAYMENT.AUTHORIZATION.VOIDED'
  | 'PAYMENT.CAPTURE.COMPLETED'
  | 'PAYMENT.CAPTURE.DECLINED'
  | 'PAYMENT.CAPTURE.DENIED'
  | 'PAYMENT.CAPTURE.PENDING'
  | 'PAYMENT.CAPTURE.REFUNDED'
  | 'CUSTOMER.DISPUTE.CREATED'
  | 'CUSTOMER.DISPUTE.UPDATED'
  | 'CUSTOMER.DISPUTE.RESOLVED';

export interface WebhookEvent {
  id: string;
  event_version: '1.0';
  create_time: string;
  resource_type: 'checkout-order' | 'authorization' | 'capture' | 'refund' | 'dispute';
  /** 2.0 for the v2 payment resources; 1.0 for disputes (Disputes API v1). */
  resource_version: '1.0' | '2.0';
  event_type: WebhookEventType;
  summary: string;
  resource: Record<string, unknown>;
}

export function webhookEvent(
  eventType: WebhookEventType,
  resourceType: WebhookEvent['resource_type'],
  resource: Record<string, unknown>,
  summary: string,
  createTime: string,
): WebhookEvent {
  return {
    id: `WH-${randomUUID().replace(/-/g, '').slice(0, 17).toUpperCase()}`,
    event_version: '1.0',
    create_time: createTime,
    resource_type: resourceType,
    resource_version: resourceType === 'dispute' ? '1.0' : '2.0',
    event_type: eventType,
    summary,
    resource,
  };
}
