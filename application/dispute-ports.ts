// What the dispute handling needs from PayPal's Disputes API, in our terms: camelCase, Money in
// minor units, allowed actions as a list of link rels. adapters/paypal/paypal-disputes-client.ts
// implements it over HTTP; tests and the simulator may implement it in memory.
import type { Money } from '../domain/money';
import type { DisputeChannel, DisputeReason, DisputeStage, PayPalEvidence } from '../domain/evidence-pack';

export const disputeStatuses = ['OPEN', 'WAITING_FOR_BUYER_RESPONSE', 'WAITING_FOR_SELLER_RESPONSE', 'UNDER_REVIEW', 'RESOLVED', 'OTHER'] as const;
export type DisputeStatus = (typeof disputeStatuses)[number];

/** PayPal's dispute_state filter of the list call (the seller's view of whose turn it is). */
export type DisputeState = 'OPEN_INQUIRIES' | 'REQUIRED_ACTION' | 'REQUIRED_OTHER_PARTY_ACTION' | 'UNDER_PAYPAL_REVIEW' | 'APPEALABLE' | 'RESOLVED';

/** The actions PayPal offers through HATEOAS links; one is allowed only while its link is present. */
export type DisputeAction = 'provide_evidence' | 'accept_claim' | 'send_message' | 'make_offer' | 'acknowledge_return_item' | 'escalate' | 'appeal';

/** A dispute as the list call returns it. */
export interface DisputeSummary {
  disputeId: string;
  createdAt: string;
  updatedAt: string;
  reason: DisputeReason;
  status: DisputeStatus;
  stage: DisputeStage;
  channel: DisputeChannel;
  amount: Money;
  sellerResponseDueDate?: string;
}

export interface PayPalDispute extends DisputeSummary {
  transactions: { captureId: string; custom?: string; invoiceNumber?: string }[];
  evidences: { type: string; notes?: string; documents: string[]; date?: string }[];
  outcome?: { code: string; amountRefunded?: Money };
  moneyMovements: { affectedParty: string; type: string; amount: Money; reason?: string; initiatedAt?: string }[];
  /** The rels of the action links present, e.g. ['provide_evidence', 'accept_claim']. */
  allowed: DisputeAction[];
}

export interface DisputeFailure {
  ok: false;
  /**
   * not-found: no such dispute for us. refused: PayPal's business or validation refusal (4xx,
   * `issue` says why), final for this request. unauthorized: our credentials or the app's Disputes
   * permission, an operator's problem. unavailable: 5xx, timeout, network; retryable.
   */
  kind: 'not-found' | 'refused' | 'unauthorized' | 'unavailable';
  status?: number;
  /** details[0].issue (or the error name), e.g. MISSING_TRACKING_INFO. */
  issue?: string;
  message: string;
  debugId?: string;
}

export type Done = { ok: true } | DisputeFailure;

export interface DisputeListQuery {
  /** PayPal takes this or startTime, not both. */
  disputedTransactionId?: string;
  /** ISO 8601, at most 180 days back. */
  startTime?: string;
  states?: DisputeState[];
  pageSize?: number;
  pageToken?: string;
}

export interface EvidenceFile {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

/** Sent as PayPal-Request-Id on a POST, so a retried call is not taken twice where PayPal honours it. */
export interface PostOptions {
  requestId?: string;
}

export type AcceptClaimType = 'REFUND' | 'REFUND_WITH_RETURN' | 'PARTIAL_REFUND' | 'REFUND_WITH_RETURN_SHIPMENT_LABEL';
export type OfferType = 'REFUND' | 'REFUND_WITH_RETURN' | 'REFUND_WITH_REPLACEMENT' | 'REPLACEMENT_WITHOUT_REFUND';
export type AcknowledgementType = 'ITEM_RECEIVED' | 'ITEM_NOT_RECEIVED' | 'DAMAGED' | 'EMPTY_PACKAGE_OR_DIFFERENT' | 'MISSING_ITEMS';

export interface DisputeGateway {
  get(disputeId: string): Promise<{ ok: true; dispute: PayPalDispute } | DisputeFailure>;
  list(query: DisputeListQuery): Promise<{ ok: true; items: DisputeSummary[]; nextPageToken?: string } | DisputeFailure>;
  provideEvidence(disputeId: string, evidence: { evidences: PayPalEvidence[]; files: EvidenceFile[] }, options?: PostOptions): Promise<Done>;
  acceptClaim(disputeId: string, claim: { note: string; acceptClaimType?: AcceptClaimType; refundAmount?: Money }, options?: PostOptions): Promise<Done>;
  /** Only in the INQUIRY stage. */
  sendMessage(disputeId: string, message: string, options?: PostOptions): Promise<Done>;
  /** Only in the INQUIRY stage. */
  makeOffer(disputeId: string, offer: { note: string; offerType: OfferType; offerAmount?: Money }, options?: PostOptions): Promise<Done>;
  acknowledgeReturnItem(disputeId: string, ack: { note: string; acknowledgementType: AcknowledgementType }, options?: PostOptions): Promise<Done>;
}
