// A PayPal dispute as the shop keeps it: what PayPal last said (reason, stage, status, amount,
// deadline), which order it concerns, what the shop decided and did (evidence pack, submission,
// accepted claim) and how it ended. Pure: the decision per reason is a function of the order's
// facts, unit-tested without PayPal.
import type { Money } from './money';
import type { InvoiceRef, Order } from './order';

export type DisputeAction =
  /** Item not received, but shipped: prove fulfilment with the tracking. */
  | 'prove-fulfilment'
  /** Credit not processed, but refunded: prove the refund. */
  | 'prove-refund'
  /** Nothing shipped yet (or the parcel never left): stop the shipment and accept the claim. */
  | 'accept-claim'
  /** Unauthorised, not as described, anything else: build the pack, a person decides. */
  | 'review';

export interface DisputeDecision {
  action: DisputeAction;
  why: string;
}

export interface Dispute {
  /** PayPal's dispute id. */
  id: string;
  /** Unknown until the capture is matched to an order ("pending correlation"). */
  orderId?: string;
  customerId?: string;
  captureIds: string[];
  reason: string;
  stage: string;
  status: string;
  channel: string;
  amount: Money;
  /** PayPal's seller_response_due_date. */
  dueAt?: string;
  /** The link rels PayPal offers now (provide_evidence, accept_claim, ...). */
  allowed: string[];
  createdAt: string;
  updatedAt: string;
  /** When the shop first saw it. */
  receivedAt: string;
  decision?: DisputeDecision & { at: string };
  pack?: EvidencePackRef;
  submission?: { at: string; by: string; evidenceTypes: string[]; document: string };
  accepted?: { at: string; by: string; note: string };
  /** The message sent to the buyer in the inquiry stage (the tracking, before any claim). */
  messageSent?: { at: string; text: string };
  outcome?: { code: string; at: string; amountRefunded?: Money };
  /** PayPal's money movements of the dispute (e.g. the seller DEBIT of a buyer's win). */
  moneyMovements?: { party: string; type: string; amount: Money; reason?: string; at?: string }[];
  creditNote?: InvoiceRef;
  /** The merchant alerts sent (opened, review, deadline, resolved, uncorrelated), once each. */
  alerts: { kind: DisputeAlert; at: string }[];
  /** Webhook events seen, by id (PayPal's WH-… ids). */
  events: { id: string; type: string; at: string }[];
}

export type DisputeAlert = 'opened' | 'review' | 'deadline' | 'resolved' | 'uncorrelated';

export interface EvidencePackRef {
  /** Where the PDF is stored (blob name). */
  document: string;
  sha256: string;
  bytes: number;
  pages: number;
  builtAt: string;
  /** Facts the pack lacks that PayPal requires for its evidence type (e.g. tracking). */
  missing: string[];
}

export const disputeResolved = (d: Pick<Dispute, 'status'>): boolean => d.status === 'RESOLVED';

/** The buyer won (or the claim was accepted): PayPal took the money back from the seller. */
export const buyerWon = (code: string | undefined): boolean => code === 'RESOLVED_BUYER_FAVOUR' || code === 'ACCEPTED' || code === 'RESOLVED_WITH_PAYOUT';

/** Whether the parcel left: a carrier scan after the label, or delivery. */
export interface FulfilmentFacts {
  shipped: boolean;
  /** The carrier scanned it (picked up, in transit, delivered). */
  scanned: boolean;
  delivered: boolean;
  /** PayPal refund ids of refunds that went through. */
  refundIds: string[];
}

export function fulfilmentFacts(order: Order, scans: number): FulfilmentFacts {
  const refundIds = (order.refunds ?? []).filter((r) => r.status === 'completed' && r.providerRefundId).map((r) => r.providerRefundId!);
  const delivered = order.status === 'delivered' || order.shipment?.deliveredAt !== undefined;
  return { shipped: order.shipment !== undefined, scanned: scans > 0 || delivered, delivered, refundIds };
}

/**
 * What to answer, by PayPal's reason and the order's facts. Not received but shipped and on its
 * way (or delivered): the tracking wins it. Not shipped, or only labelled: accepting costs the
 * amount either way and saves the dispute fee and a lost case on record. Credit not processed
 * with a refund made: the refund id wins it. Anything else needs a person's judgement.
 */
export function decideResponse(reason: string, f: FulfilmentFacts): DisputeDecision {
  switch (reason) {
    case 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED':
      if (f.delivered) return { action: 'prove-fulfilment', why: 'The carrier confirmed delivery.' };
      if (f.scanned) return { action: 'prove-fulfilment', why: 'The parcel is with the carrier and tracked.' };
      return { action: 'accept-claim', why: f.shipped ? 'Only a label exists: the parcel never reached the carrier.' : 'The order has not shipped.' };
    case 'CREDIT_NOT_PROCESSED':
      if (f.refundIds.length > 0) return { action: 'prove-refund', why: `Refunded through PayPal (${f.refundIds.join(', ')}).` };
      return { action: 'review', why: 'No refund was made: check whether one is owed.' };
    default:
      return { action: 'review', why: `Disputes for ${reason} need the merchant's judgement; the evidence pack is ready.` };
  }
}

/** What the seller tells the buyer in an inquiry about an order the carrier has: where it is. */
export function trackingMessage(shipment: { carrier: string; trackingNumber: string; trackingUrl: string; deliveredAt?: string }): string {
  const where = shipment.deliveredAt ? `The carrier delivered it on ${shipment.deliveredAt.slice(0, 10)}.` : 'It is on its way.';
  return `Your order was shipped with ${shipment.carrier}, tracking number ${shipment.trackingNumber} (${shipment.trackingUrl}). ${where} Please check with your household or neighbours, and reply here if it still has not arrived.`;
}

/** When the merchant is warned that the answer is due: 48 hours before PayPal's deadline. */
export const deadlineWarningMs = 48 * 3600 * 1000;
/** A pack awaiting review is submitted by itself this long before the deadline, so no case is lost by silence. */
export const autoSubmitBeforeMs = 24 * 3600 * 1000;
