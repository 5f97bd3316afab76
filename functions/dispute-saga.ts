// One orchestration per PayPal dispute (instance id `dispute:<disputeId>`), started by the first
// webhook about it; later webhooks (and the admin API's actions) raise DisputeUpdated, and every
// wake-up reads the dispute from PayPal again, so duplicate or reordered webhooks change nothing.
// The steps: match the dispute to its order (retried while no order matches), record it, decide
// per reason, then answer: evidence pack submitted once PayPal takes evidence, or the shipment
// stopped and the claim accepted, or the pack left for the merchant's review (submitted by itself
// a day before the deadline). The merchant is alerted on opening, 48 hours before the deadline and
// on resolution; a buyer's win is recorded on the order with a credit note.
// Deterministic: time from the orchestration context, ids from the dispute id.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { autoSubmitBeforeMs, deadlineWarningMs, disputeResolved } from '../domain/dispute';
import type { Dispute, DisputeAlert } from '../domain/dispute';
import { formatDocumentNumber } from '../domain/invoice';
import { call } from './saga/activity-contract';
import type { Activity } from './saga/activity-contract';
import { disputeActivities as a } from './saga/dispute-activities';
import type { DisputeIds } from './saga/dispute-activities';
import { eventWaits, firstOf } from './wiring/event-waits';
import { disputeUpdatedEvent } from './wiring/dispute-workflow';
import type { DisputeSagaInput, DisputeUpdate } from './wiring/dispute-workflow';

export interface DisputeOutcome {
  disputeId: string;
  outcome: 'resolved' | 'unknown-to-paypal';
  code?: string;
  reason?: string;
}

const maxRetryDelaySeconds = 3600;

export function* disputeSaga(context: OrchestrationContext): Generator<Task, DisputeOutcome, unknown> {
  const input = context.df.getInput<DisputeSagaInput>();
  const { disputeId } = input;
  const now = () => context.df.currentUtcDateTime.toISOString();
  const ms = () => context.df.currentUtcDateTime.getTime();
  const timer = (atMs: number) => context.df.createTimer(new Date(Math.max(atMs, ms() + 1000)));
  const run = <I extends DisputeIds, O>(activity: Activity<I, O>, rest: Omit<I, keyof DisputeIds>) => call(context, activity, { disputeId, ...rest } as I);
  const log = (level: 'error' | 'warn', message: string) => {
    if (!context.df.isReplaying) context[level](message);
  };
  const updated = eventWaits<DisputeUpdate>(context, disputeUpdatedEvent);

  // ================= the main line =================
  const first = yield* run(a.syncDispute, { at: now(), ...(input.event ? { event: input.event } : {}) });
  if (!first.ok) return { disputeId, outcome: 'unknown-to-paypal', reason: first.reason };
  let d = yield* awaitOrder(first.dispute);
  if (!disputeResolved(d)) {
    yield* alert('opened');
    const decision = yield* run(a.decideDispute, { at: now() });
    switch (decision.action) {
      case 'accept-claim':
        yield* acceptAndStop(d);
        break;
      case 'prove-fulfilment':
        // An inquiry takes no evidence yet: the buyer is told where the parcel is, which often settles it.
        if (d.stage === 'INQUIRY' && d.allowed.includes('send_message')) yield* run(a.sendTrackingMessage, { at: now() });
        yield* run(a.buildEvidencePack, { at: now() });
        d = yield* answer(d, 'now');
        break;
      case 'prove-refund':
        yield* run(a.buildEvidencePack, { at: now() });
        d = yield* answer(d, 'now');
        break;
      case 'review':
        yield* run(a.buildEvidencePack, { at: now() });
        yield* alert('review');
        d = yield* answer(d, 'before-deadline');
        break;
    }
  }
  d = yield* awaitResolution(d);
  const settled = yield* run(a.settleDispute, { at: now() });
  if (settled.creditNote) {
    const year = new Date(ms()).getUTCFullYear();
    const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `CN-${year}`), 'next')) as number;
    yield* run(a.creditDispute, { number: formatDocumentNumber('CN', year, n), at: now() });
  }
  yield* alert('resolved');
  return { disputeId, outcome: 'resolved', ...(d.outcome ? { code: d.outcome.code } : {}) };

  // ================= the steps =================

  /** Reads the dispute again (after a webhook, an admin action or a timer). */
  function* sync(update?: DisputeUpdate): Generator<Task, Dispute, unknown> {
    const s = yield* run(a.syncDispute, { at: now(), ...(update?.event ? { event: update.event } : {}) });
    if (!s.ok) throw new Error(`dispute ${disputeId} disappeared at PayPal: ${s.reason}`);
    return s.dispute;
  }

  /** Waits for an update or until `untilMs`, then reads the dispute again. */
  function* wake(untilMs: number): Generator<Task, Dispute, unknown> {
    const w = yield* firstOf(context, [updated], timer(untilMs));
    return yield* sync(w.kind === 'event' ? (w.value as DisputeUpdate) : undefined);
  }

  /**
   * Pending correlation: no order has the disputed capture (yet: a capture recorded late, an
   * order store being restored). The merchant is told once; PayPal is asked again on durable
   * timers, from the retry delay doubling up to an hour, or at once on a webhook.
   */
  function* awaitOrder(current: Dispute): Generator<Task, Dispute, unknown> {
    let delay = input.retryDelaySeconds;
    let x = current;
    while (!x.orderId && !disputeResolved(x)) {
      yield* alert('uncorrelated');
      log('error', `dispute ${disputeId} (captures ${x.captureIds.join(', ')}) matches no order; retrying in ${delay} s`);
      x = yield* wake(ms() + delay * 1000);
      delay = Math.min(delay * 2, maxRetryDelaySeconds);
    }
    return x;
  }

  /**
   * Not shipped (or the parcel never left): the tracker is cancelled, the claim accepted (PayPal
   * refunds the buyer), then an order that can still be cancelled is cancelled: its saga's refund
   * then finds the capture refunded already, so the buyer is never paid twice.
   */
  function* acceptAndStop(x: Dispute): Generator<Task, void, unknown> {
    const ids = { orderId: x.orderId!, customerId: x.customerId!, at: now() };
    const stopped = yield* run(a.stopShipment, ids);
    const accepted = yield* run(a.acceptClaim, { at: now(), by: 'saga', note: 'The order had not shipped: we accept the claim and refund the buyer.' });
    if (!accepted.ok) {
      log('error', `dispute ${disputeId}: accepting the claim failed (${accepted.reason}); the merchant must answer it`);
      yield* alert('review');
      return;
    }
    if (stopped.cancellable) yield* run(a.cancelDisputedOrder, { ...ids, at: now() });
    else if (stopped.status === 'shipped' || stopped.status === 'packing') log('warn', `dispute ${disputeId}: order ${x.orderId} is ${stopped.status}; stop its parcel with the carrier`);
  }

  /**
   * Submits the evidence once PayPal takes it: 'now', or for a pack awaiting the merchant's review
   * only a day before the deadline (the merchant may submit or accept earlier through the API).
   * The merchant is warned 48 hours before the deadline while nothing is submitted. Done once
   * submitted, accepted or resolved.
   */
  function* answer(current: Dispute, when: 'now' | 'before-deadline'): Generator<Task, Dispute, unknown> {
    let x = current;
    let refused = false;
    for (;;) {
      if (disputeResolved(x) || x.submission || x.accepted) return x;
      const due = x.dueAt ? Date.parse(x.dueAt) : undefined;
      if (due !== undefined && ms() >= due - deadlineWarningMs) yield* alert('deadline');
      const submitAt = when === 'now' ? ms() : due !== undefined ? due - autoSubmitBeforeMs : undefined;
      if (!refused && submitAt !== undefined && ms() >= submitAt) {
        const r = yield* run(a.submitEvidence, { at: now(), by: when === 'now' ? 'saga' : 'saga, before the deadline' });
        if (r.ok) {
          x = r.dispute;
          continue;
        }
        if (r.kind === 'refused') {
          // PayPal will refuse the same evidence again: a person has to act.
          refused = true;
          log('error', `dispute ${disputeId}: PayPal refused the evidence (${r.reason}); the merchant must answer it`);
          yield* alert('review');
        }
      }
      const wakeAt = [ms() + input.resyncSeconds * 1000, ...(due !== undefined && ms() < due - deadlineWarningMs ? [due - deadlineWarningMs] : []), ...(!refused && submitAt !== undefined && ms() < submitAt ? [submitAt] : [])];
      x = yield* wake(Math.min(...wakeAt));
    }
  }

  /** PayPal decides (or the buyer withdraws): read on every webhook, and on a timer in case one is lost. */
  function* awaitResolution(current: Dispute): Generator<Task, Dispute, unknown> {
    let x = current;
    while (!disputeResolved(x)) {
      const due = x.dueAt ? Date.parse(x.dueAt) : undefined;
      const unanswered = !x.submission && !x.accepted && x.status === 'WAITING_FOR_SELLER_RESPONSE';
      if (unanswered && due !== undefined && ms() >= due - deadlineWarningMs) yield* alert('deadline');
      x = yield* wake(ms() + input.resyncSeconds * 1000);
    }
    return x;
  }

  function* alert(kind: DisputeAlert): Generator<Task, void, unknown> {
    try {
      yield* run(a.alertMerchant, { kind, at: now() });
    } catch (err) {
      // An alert that cannot be sent must not stop the answer; the log says so.
      log('error', `dispute ${disputeId}: the ${kind} alert could not be sent: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

df.app.orchestration('disputeSaga', disputeSaga);
