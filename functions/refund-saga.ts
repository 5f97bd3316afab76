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
import type { RefundOrderInput } from './wiring/durable-workflow';
import { activityRetry, failureText, nextRecoveryDelay } from './wiring/activity-retry';

type Outcome = { orderId: string; refundId: string; outcome: 'refunded' | 'failed'; reason?: string };

df.app.orchestration('refundOrder', function* (context: OrchestrationContext): Generator<Task, Outcome, unknown> {
  const { orderId, customerId, refundId, retryDelaySeconds = 60, restock = [] } = context.df.getInput<RefundOrderInput>();
  const now = () => context.df.currentUtcDateTime.toISOString();
  const act = (name: string, input: Record<string, unknown> = {}) => context.df.callActivityWithRetry(name, activityRetry, { orderId, customerId, refundId, ...input });

  type Paid = { ok: true; providerRefundId: string; pending?: string } | { ok: false; reason: string };
  const nextDelay = (d: number) => nextRecoveryDelay(d, retryDelaySeconds);

  /** PayPal accepted the refund but has not paid it out (e.g. an eCheck-funded refund): ask until it has, or failed. */
  function* payout(providerRefundId: string, reason: string): Generator<Task, Paid, unknown> {
    if (!context.df.isReplaying) context.warn(`refund ${refundId} of order ${orderId}: PayPal holds refund ${providerRefundId} (${reason}); the credit note waits until it is paid out`);
    let wait = retryDelaySeconds;
    for (let checks = 1; ; checks++) {
      const next = new Date(context.df.currentUtcDateTime.getTime() + wait * 1000);
      context.df.setCustomStatus({ refundPending: reason, checks, nextCheckAt: next.toISOString() });
      yield context.df.createTimer(next);
      wait = nextDelay(wait);
      let s: { ok: true; status: 'completed' | 'pending' | 'failed'; reason?: string } | undefined;
      try {
        s = (yield act('checkRefund', { providerRefundId })) as typeof s;
      } catch {
        s = undefined; // PayPal unavailable: ask again at the next check
      }
      if (s?.status === 'completed') return { ok: true, providerRefundId };
      if (s?.status === 'failed') return { ok: false, reason: `PayPal could not pay out refund ${providerRefundId}: ${s.reason ?? 'failed'}` };
    }
  }

  let paid: Paid;
  let delay = retryDelaySeconds;
  for (let attempt = 1; ; attempt++) {
    try {
      paid = (yield act('refundReturn')) as typeof paid;
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
    yield act('recordRefundOutcome', { outcome: 'failed', reason: paid.reason, at: now() });
    return { orderId, refundId, outcome: 'failed', reason: paid.reason };
  }

  const year = context.df.currentUtcDateTime.getUTCFullYear();
  const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `CN-${year}`), 'next')) as number;
  const creditNote = (yield act('issueDocument', { number: formatDocumentNumber('CN', year, n), kind: 'credit-note', at: now() })) as { number: string; issuedAt: string };
  yield act('recordRefundOutcome', { outcome: 'completed', providerRefundId: paid.providerRefundId, creditNote, at: now() });
  if (restock.length > 0) yield context.df.Task.all(restock.map((r) => context.df.callEntity(new df.EntityId('stock', r.sku), 'restock', { quantity: r.quantity })));
  yield act('publishStage', { stage: 'refunded', at: now() });
  return { orderId, refundId, outcome: 'refunded' };
});
