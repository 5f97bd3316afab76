// The dispute state machine's one rule book: which seller action (and sandbox action) a dispute
// allows in its current stage and status. The HATEOAS links, the 422 refusals and the docs' table
// all come from here, so a link is present exactly when the call would be accepted.
import type { DisputeRecord } from './dispute-store';

/** Seller actions with a HATEOAS link (rel = the name). */
export type SellerAction = 'provide_evidence' | 'accept_claim' | 'send_message' | 'make_offer' | 'escalate' | 'acknowledge_return_item';
/** PayPal's sandbox-only calls (no link, but the same refusal when not allowed). */
export type SandboxAction = 'require_evidence' | 'adjudicate';
export type DisputeAction = SellerAction | SandboxAction;

export const SELLER_ACTIONS: readonly SellerAction[] = ['provide_evidence', 'accept_claim', 'send_message', 'make_offer', 'escalate', 'acknowledge_return_item'];

/** The path segment of each action below /v1/customer/disputes/{id}/. */
export const ACTION_PATHS: Record<DisputeAction, string> = {
  provide_evidence: 'provide-evidence',
  accept_claim: 'accept-claim',
  send_message: 'send-message',
  make_offer: 'make-offer',
  escalate: 'escalate',
  acknowledge_return_item: 'acknowledge-return-item',
  require_evidence: 'require-evidence',
  adjudicate: 'adjudicate',
};

export function allows(d: DisputeRecord, action: DisputeAction): boolean {
  if (d.status === 'RESOLVED') return false;
  const inquiry = d.stage === 'INQUIRY';
  const sellersTurn = d.status === 'WAITING_FOR_SELLER_RESPONSE';
  // Once the buyer sent a return back, the seller's answer is to acknowledge it (or concede).
  const awaitingAcknowledgement = d.return_state === 'SHIPPED';
  switch (action) {
    case 'provide_evidence':
      return sellersTurn && !awaitingAcknowledgement;
    case 'accept_claim':
      // A seller may concede whenever it is not waiting on the buyer's return of the item.
      return (sellersTurn || d.status === 'OPEN' || d.status === 'UNDER_REVIEW') && d.return_state !== 'REQUESTED';
    case 'send_message':
      return inquiry;
    case 'make_offer':
      return inquiry && (sellersTurn || d.status === 'OPEN');
    case 'escalate':
      return inquiry;
    case 'acknowledge_return_item':
      return d.reason === 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED' && awaitingAcknowledgement && sellersTurn;
    case 'require_evidence':
    case 'adjudicate':
      return d.status === 'UNDER_REVIEW';
  }
}

/** PayPal's party-specific view of a dispute (the list's `dispute_state` filter), seen by the seller. */
export function disputeState(d: DisputeRecord): string {
  switch (d.status) {
    case 'RESOLVED':
      return 'RESOLVED';
    case 'WAITING_FOR_SELLER_RESPONSE':
      return 'REQUIRED_ACTION';
    case 'WAITING_FOR_BUYER_RESPONSE':
      return 'REQUIRED_OTHER_PARTY_ACTION';
    case 'UNDER_REVIEW':
      return 'UNDER_PAYPAL_REVIEW';
    case 'OPEN':
      return 'OPEN_INQUIRIES';
  }
}

export const DISPUTE_STATES = ['REQUIRED_ACTION', 'REQUIRED_OTHER_PARTY_ACTION', 'UNDER_PAYPAL_REVIEW', 'RESOLVED', 'OPEN_INQUIRIES', 'APPEALABLE'] as const;
