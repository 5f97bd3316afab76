// The dispute orchestration's activities: name, input and answer of each, shared by the
// orchestrator (dispute-saga.ts) and their implementations (dispute-activities.ts).
import type { Dispute, DisputeAlert, DisputeDecision } from '../../domain/dispute';
import type { Synced } from '../../application/sync-dispute';
import type { Submitted } from '../../application/dispute-evidence';
import type { Accepted, Stopped } from '../../application/dispute-answers';
import { activity } from './activity-contract';

export interface DisputeIds {
  disputeId: string;
}

export const disputeActivities = {
  /** Reads the dispute from PayPal, matches it to its order, records both. */
  syncDispute: activity<DisputeIds & { at: string; event?: { id: string; type: string } }, Synced>('syncDispute'),
  decideDispute: activity<DisputeIds & { at: string }, DisputeDecision>('decideDispute'),
  buildEvidencePack: activity<DisputeIds & { at: string }, Dispute>('buildEvidencePack'),
  submitEvidence: activity<DisputeIds & { at: string; by: string }, Submitted>('submitEvidence'),
  stopShipment: activity<DisputeIds & { orderId: string; customerId: string; at: string }, Stopped>('stopDisputedShipment'),
  /** Cancels the order (its saga then voids or refunds, and credits the invoice). */
  cancelDisputedOrder: activity<DisputeIds & { orderId: string; customerId: string; at: string }, { cancelled: boolean; status: string }>('cancelDisputedOrder'),
  /** In an inquiry: the tracking, told to the buyer once. */
  sendTrackingMessage: activity<DisputeIds & { at: string }, { sent: boolean }>('sendDisputeTrackingMessage'),
  acceptClaim: activity<DisputeIds & { at: string; by: string; note: string }, Accepted>('acceptDisputeClaim'),
  /** Records PayPal's settlement on the order; says whether a credit note is due. */
  settleDispute: activity<DisputeIds & { at: string }, { buyerWon: boolean; creditNote: boolean; orderId?: string; customerId?: string }>('settleDispute'),
  /** The credit note for a dispute the buyer won, under a number drawn by the orchestrator. */
  creditDispute: activity<DisputeIds & { number: string; at: string }, void>('creditDispute'),
  alertMerchant: activity<DisputeIds & { kind: DisputeAlert; at: string }, boolean>('alertMerchant'),
} as const;
