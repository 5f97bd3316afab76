// Waiting for a refund PayPal accepted but holds (PENDING, e.g. an eCheck-funded refund): nothing
// counts as refunded until PayPal pays it out. Asked on durable timers, from the configured delay
// doubling up to an hour; shared by the order saga's compensation and the refund saga.
import type { OrchestrationContext, Task } from 'durable-functions';
import { nextRecoveryDelay } from './activity-retry';

export type Payout = { ok: true } | { ok: false; reason: string };

export function* refundPayout(
  context: OrchestrationContext,
  o: { providerRefundId: string; reason: string; retryDelaySeconds: number; check: (providerRefundId: string) => Task; what: string },
): Generator<Task, Payout, unknown> {
  if (!context.df.isReplaying) context.warn(`${o.what}: PayPal holds refund ${o.providerRefundId} (${o.reason}); it counts once it is paid out`);
  let wait = o.retryDelaySeconds;
  for (let checks = 1; ; checks++) {
    const next = new Date(context.df.currentUtcDateTime.getTime() + wait * 1000);
    context.df.setCustomStatus({ refundPending: o.reason, checks, nextCheckAt: next.toISOString() });
    yield context.df.createTimer(next);
    wait = nextRecoveryDelay(wait, o.retryDelaySeconds);
    let s: { ok: true; status: 'completed' | 'pending' | 'failed'; reason?: string } | undefined;
    try {
      s = (yield o.check(o.providerRefundId)) as typeof s;
    } catch {
      s = undefined; // PayPal unavailable: ask again at the next check
    }
    if (s?.status === 'completed') {
      context.df.setCustomStatus(null);
      return { ok: true };
    }
    if (s?.status === 'failed') {
      context.df.setCustomStatus(null);
      return { ok: false, reason: `PayPal could not pay out refund ${o.providerRefundId}: ${s.reason ?? 'failed'}` };
    }
  }
}
