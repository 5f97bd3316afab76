// One orchestration per refund after shipment (instance `<orderId>:refund:<refundId>`): PayPal
// refunds the amount recorded on the order, then a credit note for exactly the refunded lines is
// issued, the refund is recorded as completed and the customer is emailed. Money first: a credit
// note is issued only for money that moved. PayPal refusing leaves the refund failed, with
// nothing refunded and its units free to be refunded again by a new request. PayPal not answering
// is not a refusal: the refund may have been made, so it is asked again, with the same request id,
// on durable timers until PayPal answers; the refund stays requested and its units stay taken.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { formatDocumentNumber } from '../domain/invoice';
import { refundInstanceId } from './wiring/durable-workflow';
import type { RefundOrderInput } from './wiring/durable-workflow';
import { sagaHas } from './wiring/saga-versions';
import { failureText, nextRecoveryDelay } from './wiring/activity-retry';
import { call, task } from './saga/activity-contract';
import { orderActivities } from './saga/order-activities';
import type { IssuedDocument } from './saga/order-activities';
import { refundActivities } from './saga/refund-activities';
import type { RefundPaid } from './saga/refund-activities';
import { refundPayout } from './wiring/refund-payout';

type Outcome = { orderId: string; refundId: string; outcome: 'refunded' | 'failed'; reason?: string };

/** One refund's saga (exported for replay tests of recorded histories). */
export function* refundOrder(context: OrchestrationContext): Generator<Task, Outcome, unknown> {
  const { orderId, customerId, refundId, retryDelaySeconds = 60, restock = [] } = context.df.getInput<RefundOrderInput>();
  const now = () => context.df.currentUtcDateTime.toISOString();
  const ids = { orderId, customerId };

  type Paid = RefundPaid;
  const v4 = sagaHas(context.df.version, '4.0');
  const nextDelay = (d: number) => nextRecoveryDelay(d, retryDelaySeconds);

  /** PayPal accepted the refund but has not paid it out (e.g. an eCheck-funded refund): ask until it has, or failed. */
  function* payout(providerRefundId: string, reason: string): Generator<Task, Paid, unknown> {
    const p = yield* refundPayout(context, { providerRefundId, reason, retryDelaySeconds, check: (id) => task(context, orderActivities.checkRefund, { ...ids, providerRefundId: id }), what: `refund ${refundId} of order ${orderId}` });
    return p.ok ? { ok: true, providerRefundId } : p;
  }

  let paid: Paid;
  let delay = retryDelaySeconds;
  for (let attempt = 1; ; attempt++) {
    try {
      paid = yield* call(context, refundActivities.refundReturn, { ...ids, refundId });
      break;
    } catch (err) {
      const next = new Date(context.df.currentUtcDateTime.getTime() + delay * 1000);
      if (!context.df.isReplaying) context.error(`refund ${refundId} of order ${orderId}: PayPal did not answer (${failureText(err)}); asking again with the same request id at ${next.toISOString()}`);
      context.df.setCustomStatus({ refundUnconfirmed: failureText(err), attempts: attempt, nextAttemptAt: next.toISOString() });
      yield context.df.createTimer(next);
      delay = nextDelay(delay);
    }
  }
  if (paid.ok && paid.pending) paid = yield* payout(paid.providerRefundId, paid.pending);
  context.df.setCustomStatus(null);
  if (!paid.ok) {
    if (!context.df.isReplaying) context.error(`refund ${refundId} of order ${orderId} failed: ${paid.reason}. Nothing was refunded; request a new refund once the cause is fixed.`);
    yield* call(context, refundActivities.recordRefundOutcome, { ...ids, refundId, outcome: 'failed', reason: paid.reason, at: now() });
    return { orderId, refundId, outcome: 'failed', reason: paid.reason };
  }

  // A saga restarted after it had recorded the refund (it failed later) only sends the email.
  if (!(v4 && paid.completed)) {
    const year = context.df.currentUtcDateTime.getUTCFullYear();
    const series = new df.EntityId('documentNumber', `CN-${year}`);
    // Drawn for this refund: a restarted saga gets the same number, so no number is skipped.
    const key = refundInstanceId(orderId, refundId);
    const n = (yield context.df.callEntity(series, 'next', v4 ? { key } : undefined)) as number;
    const creditNote: IssuedDocument = yield* call(context, orderActivities.issueDocument, { ...ids, refundId, number: formatDocumentNumber('CN', year, n), kind: 'credit-note', at: now() });
    yield* call(context, refundActivities.recordRefundOutcome, { ...ids, refundId, outcome: 'completed', providerRefundId: paid.providerRefundId, creditNote, at: now() });
    if (v4) context.df.signalEntity(series, 'issued', { key });
    if (restock.length > 0) yield context.df.Task.all(restock.map((r) => context.df.callEntity(new df.EntityId('stock', r.sku), 'restock', { quantity: r.quantity })));
  }
  yield* call(context, orderActivities.publishStage, { ...ids, refundId, stage: 'refunded', at: now() });
  return { orderId, refundId, outcome: 'refunded' };
}
df.app.orchestration('refundOrder', refundOrder);
