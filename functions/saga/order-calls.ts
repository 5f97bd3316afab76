// What every saga of an order shares: its activity calls bound to the order, its event waits, and
// the refund that is retried on durable timers until PayPal accepts it (used by the order saga of
// every version and by the operator's retryRefund). Deterministic: time from the context only.
import type { OrchestrationContext, Task, TimerTask } from 'durable-functions';
import { format } from '../../domain/money';
import type { EmailStage } from '../../domain/order-events';
import type { OrderEvent } from '../../domain/order-status';
import type { AdvanceResult, OrderPatch } from '../../application/saga-steps';
import type { Charge } from '../../domain/order';
import { cancelledEvent, captureSettledEvent, retryNowEvent } from '../wiring/durable-workflow';
import type { RecoveryTimes } from '../wiring/durable-workflow';
import { sagaHas } from '../wiring/saga-versions';
import { activityRetry as retry, failureText, nextRecoveryDelay } from '../wiring/activity-retry';
import { refundPayout } from '../wiring/refund-payout';
import { eventWaits, firstOf } from '../wiring/event-waits';
import type { RefundAnswer } from './order-activities';

/** Activity calls and helpers bound to one order, shared by the saga and the refund retry. */
export function orderCalls(context: OrchestrationContext, ids: { orderId: string; customerId: string }) {
  const now = () => context.df.currentUtcDateTime.toISOString();
  const ms = () => context.df.currentUtcDateTime.getTime();
  return {
    now,
    ms,
    /** With the retry policy. */
    act: (name: string, input: Record<string, unknown> = {}) => context.df.callActivityWithRetry(name, retry, { ...ids, ...input }),
    /** One attempt: for calls repeated on durable timers anyway. */
    once: (name: string, input: Record<string, unknown> = {}) => context.df.callActivity(name, { ...ids, ...input }),
    step: (event: OrderEvent, patch?: OrderPatch, key?: string) => context.df.callActivityWithRetry('advanceOrder', retry, { ...ids, event, at: now(), patch, ...(key ? { key } : {}) }),
    patch: (patch: OrderPatch) => context.df.callActivityWithRetry('patchOrder', retry, { ...ids, at: now(), patch }),
    publish: (stage: EmailStage, reason?: string) => context.df.callActivityWithRetry('publishStage', retry, { ...ids, stage, at: now(), reason }),
    timer: (seconds: number): TimerTask => context.df.createTimer(new Date(ms() + seconds * 1000)),
    /**
     * From saga version 4.0 every wait for an event goes through one EventWaits per name, shared by
     * all loops of this run, so no event raised between two waits is lost (wiring/event-waits.ts).
     */
    safeWaits: sagaHas(context.df.version, '4.0'),
    waits: { retryNow: eventWaits(context, retryNowEvent), cancelled: eventWaits(context, cancelledEvent), captureSettled: eventWaits(context, captureSettledEvent) },
    /** Logged once, not again on every replay. */
    log: (level: 'error' | 'warn', message: string) => {
      if (!context.df.isReplaying) context[level](message);
    },
  };
}
export type OrderCalls = ReturnType<typeof orderCalls>;

/** A refund PayPal holds (PENDING) counts only once it is paid out; a payout that fails is a refused refund. */
export function* paidOut(context: OrchestrationContext, c: OrderCalls, r: RefundAnswer, retryDelaySeconds: number): Generator<Task, RefundAnswer, unknown> {
  if (!r.ok || !r.pending || !r.refundId) return r;
  const p = yield* refundPayout(context, { providerRefundId: r.refundId, reason: r.pending, retryDelaySeconds, check: (id) => c.act('checkRefund', { providerRefundId: id }), what: `order ${context.df.instanceId}` });
  return p.ok ? { ok: true, refundId: r.refundId } : { ok: false, reason: p.reason };
}

/**
 * Retries a refund PayPal has not accepted, after `attempts` failed ones (the order is already
 * refund-pending, with `charge.refundFailure`). Waits on durable timers, from the configured delay
 * doubling up to an hour, for the refund window, or tries at once on RetryNow. Each attempt uses a
 * new request id from `key`, because PayPal answers a repeated id with its stored refusal; the
 * refund is of the whole capture, so PayPal itself rules out a second one. Success: the order
 * becomes refunded and the customer gets the refunded email. Still failing at the end: the order
 * stays refund-pending with `retrying: false`, logged as an error, for an operator.
 */
export function* refundUntilAccepted(
  context: OrchestrationContext,
  c: OrderCalls,
  o: { orderId: string; charge: Charge & { captureId: string }; times: RecoveryTimes; attempts: number; key: (attempt: number) => string; emailReason?: string; payouts: boolean },
): Generator<Task, Charge, unknown> {
  let charge: Charge = o.charge;
  const start = c.ms();
  const windowEnd = start + o.times.refundWindowSeconds * 1000;
  let delay = o.times.retryDelaySeconds;
  let total = charge.refundFailure?.attempts ?? o.attempts;
  let retryNow = c.safeWaits ? undefined : context.df.waitForExternalEvent(retryNowEvent);
  for (let attempt = o.attempts + 1; ; attempt++) {
    if (attempt > 1) {
      if (c.ms() + delay * 1000 > windowEnd) {
        charge = { ...charge, refundFailure: { ...(charge.refundFailure ?? { reason: 'refund failed', attempts: total, lastAttemptAt: c.now() }), retrying: false } };
        yield c.patch({ charge });
        context.df.setCustomStatus({ refund: 'gave-up', attempts: total, lastError: charge.refundFailure?.reason });
        c.log('error', `REFUND NEEDS AN OPERATOR: order ${o.orderId} still owes ${format(charge.amount)} on PayPal capture ${o.charge.captureId} after ${total} attempts (${charge.refundFailure?.reason}). Fix the cause, then start the retryRefund orchestration with {"orderId","customerId"}, or refund by hand.`);
        return charge;
      }
      const timer = c.timer(delay);
      context.df.setCustomStatus({ refund: 'pending', attempts: total, lastError: charge.refundFailure?.reason, nextAttemptAt: new Date(c.ms() + delay * 1000).toISOString() });
      if (c.safeWaits) {
        yield* firstOf(context, [c.waits.retryNow], timer);
      } else {
        const woke = yield context.df.Task.any([timer, retryNow!]);
        if (woke !== timer) {
          timer.cancel();
          retryNow = context.df.waitForExternalEvent(retryNowEvent);
        }
      }
      delay = nextRecoveryDelay(delay, o.times.retryDelaySeconds);
    }
    total++;
    let r: RefundAnswer;
    try {
      r = (yield c.once('refundPayment', { captureId: o.charge.captureId, amount: charge.amount, requestKey: o.key(attempt) })) as RefundAnswer;
    } catch (err) {
      r = { ok: false, reason: `PayPal unavailable: ${failureText(err)}` };
    }
    if (o.payouts) r = yield* paidOut(context, c, r, o.times.retryDelaySeconds);
    if (r.ok) {
      const { refundFailure: _, ...rest } = charge;
      charge = { ...rest, refunded: charge.amount };
      const done = (yield c.step('refund-completed', { charge })) as AdvanceResult;
      if (!done.ok) yield c.patch({ charge });
      yield c.publish('refunded', o.emailReason);
      context.df.setCustomStatus(null);
      return charge;
    }
    charge = { ...charge, refundFailure: { reason: r.reason, attempts: total, lastAttemptAt: c.now(), retrying: true } };
    yield c.patch({ charge });
  }
}

