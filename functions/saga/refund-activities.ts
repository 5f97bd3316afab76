// The refund saga's own activities (it also calls the order saga's issueDocument, checkRefund and
// publishStage): name, input and answer, shared by refund-saga.ts and saga-activities.ts.
import type { recordRefundOutcome } from '../../application/saga-steps';
import type { Refund } from '../../domain/order';
import { activity } from './activity-contract';
import type { Ids } from './order-activities';

/** `completed`: the refund was recorded as completed by an earlier run of the saga (restarted after a failure). */
export type RefundPaid = { ok: true; providerRefundId: string; pending?: string; completed?: boolean } | { ok: false; reason: string };

export const refundActivities = {
  refundReturn: activity<Ids & { refundId: string }, RefundPaid>('refundReturn'),
  recordRefundOutcome: activity<Parameters<typeof recordRefundOutcome>[1], Refund>('recordRefundOutcome'),
} as const;
