// The order saga from version 5.0: one orchestration per order, instance id = order id, as a
// short sequence of named steps. Each step does its work and records its stage on the order with
// the stage's email in one activity; each step with an effect registers its compensation right
// where it happens, and anything that ends the order early unwinds them, most recent first:
// payment voided or refunded, invoice corrected by a credit note, stock released. The order
// records what PayPal confirmed, not what was asked for. PayPal refusing our credentials, or the
// carrier being down, holds the order and retries on durable timers instead of failing it.
// Deterministic: time comes from the orchestration context, ids from the order id.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { format } from '../../domain/money';
import type { EmailStage } from '../../domain/order-events';
import type { OrderEvent } from '../../domain/order-status';
import type { Charge } from '../../domain/order';
import { formatDocumentNumber } from '../../domain/invoice';
import { chargeAfterVoid, chargeAuthorized, chargeSettled, paymentUndo, refundOwed } from '../../application/saga-decisions';
import type { OrderPatch, StageResult } from '../../application/saga-steps';
import { defaultRecoveryTimes, deliveredEvent, paymentApprovedEvent, retryNowEvent } from '../wiring/durable-workflow';
import type { SagaInput } from '../wiring/durable-workflow';
import { failureText, nextRecoveryDelay } from '../wiring/activity-retry';
import { sagaHas } from '../wiring/saga-versions';
import { eventWaits, firstOf } from '../wiring/event-waits';
import type { EventWaits } from '../wiring/event-waits';
import { call, callOnce } from './activity-contract';
import type { Activity } from './activity-contract';
import { orderActivities as a } from './order-activities';
import type { Booked, Ids, IssuedDocument, PayPalTrouble, Report } from './order-activities';
import { orderCalls, paidOut, refundUntilAccepted } from './order-calls';
import type { SagaOutcome } from './saga-outcome';

/** Why the main line stops early; `end` turns it into the order's outcome. */
class SagaStop {
  constructor(
    readonly kind: 'cancelled' | 'out-of-stock' | 'payment-declined' | 'approval-timed-out' | 'payment-expired' | 'not-shipped',
    readonly reason = '',
  ) {}
}

interface Compensation {
  name: 'release stock' | 'credit note' | 'release payment';
  undo: () => Generator<Task, void, unknown>;
}

/** PayPal's reviews and eCheck clearing take days; a week without an answer needs a person. */
const capturePendingWarningSeconds = 7 * 24 * 3600;
const deliveryWaitSeconds = 60 * 24 * 3600;

export function* orderSagaV5(context: OrchestrationContext): Generator<Task, SagaOutcome, unknown> {
  const { orderId, customerId, order: placed, approvalTimeoutSeconds, recovery = defaultRecoveryTimes } = context.df.getInput<SagaInput>();
  const ids: Ids = { orderId, customerId };
  const c = orderCalls(context, ids);
  const { now } = c;
  /** An activity of the contract for this order, with the retry policy. */
  const run = <I extends Ids, O>(activity: Activity<I, O>, input: Omit<I, keyof Ids>) => call(context, activity, { ...ids, ...input } as I);
  const runOnce = <I extends Ids, O>(activity: Activity<I, O>, input: Omit<I, keyof Ids>) => callOnce(context, activity, { ...ids, ...input } as I);
  const stock = (sku: string) => new df.EntityId('stock', sku);

  // What the steps learnt, and what compensation has to undo.
  let charge: Charge | undefined;
  let invoice: IssuedDocument | undefined;
  let creditNote: IssuedDocument | undefined;
  let authorizeTried = false;
  const compensations: Compensation[] = [];

  // ================= the main line =================
  const order = yield* run(a.openOrder, { ...(placed ? { order: placed } : {}), at: now() });
  try {
    // A vaulted payment is taken at once, so its units are reserved first; an order the buyer
    // still has to approve reserves once approved, so an unpaid order never holds units.
    if (order.vaulted) yield* reserveStock();
    yield* issueInvoice(order.vaulted ? ['stock-reserved', 'invoice-issued'] : ['invoice-issued']);
    const needsApproval = yield* startPayment();
    if (needsApproval) {
      yield* awaitApproval();
      yield* reserveStock();
      yield* recorded(yield* run(a.recordStage, { events: ['stock-reserved'], at: now() }));
      yield* authorizeApproved();
    }
    yield* capturePayment();
    yield* shipOrder();
    yield* shareTracking();
  } catch (err) {
    if (err instanceof SagaStop) return yield* end(err);
    throw err;
  }
  commitStock();
  return yield* awaitDelivery();

  // ================= the steps, each with its compensation =================

  /** Stock: one entity per SKU serializes the reservations; a shortage releases them all again. */
  function* reserveStock(): Generator<Task, void, unknown> {
    const held = (yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'reserve', { orderId, quantity: l.quantity })))) as boolean[];
    if (held.some((ok) => !ok)) {
      yield* releaseStock();
      throw new SagaStop('out-of-stock', `Out of stock: ${order.lines.filter((_, i) => !held[i]).map((l) => l.sku).join(', ')}`);
    }
    compensations.push({ name: 'release stock', undo: releaseStock });
  }
  function* releaseStock(): Generator<Task, void, unknown> {
    yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'release', { orderId })));
  }
  /** Shipped: the reserved units are taken for good. Signals: nothing waits for the answer. */
  function commitStock(): void {
    for (const l of order.lines) context.df.signalEntity(stock(l.sku), 'commit', { orderId });
  }

  /** Invoice: a gapless number per year from the sequence entity; compensated by a credit note. */
  function* issueInvoice(events: OrderEvent[]): Generator<Task, void, unknown> {
    const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `INV-${order.year}`), 'next')) as number;
    const r = yield* run(a.issueInvoice, { number: formatDocumentNumber('INV', order.year, n), at: now(), events });
    invoice = r.invoice;
    compensations.push({ name: 'credit note', undo: issueCreditNote });
    yield* recorded(r.recorded);
  }
  function* issueCreditNote(): Generator<Task, void, unknown> {
    const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `CN-${order.year}`), 'next')) as number;
    creditNote = yield* run(a.issueDocument, { number: formatDocumentNumber('CN', order.year, n), kind: 'credit-note', corrects: invoice!.number, at: now() });
  }

  /** Payment: PayPal's order, authorized at once with a vaulted method; true when the buyer must approve it first. */
  function* startPayment(): Generator<Task, boolean, unknown> {
    let invoiceEmailed = false;
    const r = yield* payPal(a.startPayment, () => ({ at: now(), ...(invoiceEmailed ? { invoiceEmailed } : {}) }), (reason) => ({ ok: false, kind: 'unavailable', reason }), {
      step: (x) => (!x.ok && x.authorizeTried ? 'authorizePayment' : 'createPayment'),
      // PayPal's order exists, so the invoice is final: its email goes out before the delay notice.
      beforeHold: function* (x) {
        if (x.ok || !x.charge) return;
        yield* publish('invoiced');
        invoiceEmailed = true;
      },
    });
    if (r.charge) paymentStarted(r.charge);
    authorizeTried = r.ok ? !r.needsApproval : r.authorizeTried === true;
    if (!r.ok) {
      yield* publish('invoiced');
      throw new SagaStop('payment-declined', r.kind === 'unavailable' ? (r.charge ? 'PayPal is unavailable; nothing was charged.' : 'PayPal is unavailable') : r.reason);
    }
    yield* recorded(r.recorded);
    return r.needsApproval;
  }
  function paymentStarted(next: Charge): void {
    if (!charge) compensations.push({ name: 'release payment', undo: releasePayment });
    charge = next;
  }
  /**
   * Whatever PayPal holds for this order is given back: an authorization whose answer was lost is
   * asked for again (same request id) so it can be voided; an open authorization is voided; a
   * capture is refunded (counted once PayPal paid it out). What PayPal refused is recorded.
   */
  function* releasePayment(): Generator<Task, void, unknown> {
    let plan = paymentUndo(charge, authorizeTried);
    if (plan.findAuthorization) {
      try {
        const again = yield* run(a.authorizePayment, { providerOrderId: charge!.providerOrderId });
        if (again.ok) charge = { ...charge!, authorizationId: again.authorizationId };
      } catch {
        // PayPal still unreachable: an unseen authorization expires unused after 29 days.
      }
      plan = paymentUndo(charge, authorizeTried);
    }
    if (plan.void) {
      const ch = charge!;
      const v = yield* orUnavailable(run(a.voidPayment, { authorizationId: ch.authorizationId!, providerOrderId: ch.providerOrderId }), (reason) => ({ outcome: 'failed' as const, reason }));
      charge = chargeAfterVoid(ch, v);
      // The capture went through after all (its answer was lost): it is refunded below.
      if (v.outcome === 'captured') c.log('warn', `order ${orderId}: authorization ${ch.authorizationId} turned out captured (${v.captureId}, ${format(v.amount)}); refunding it`);
      if (v.outcome === 'failed') c.log('error', `order ${orderId}: the void of PayPal authorization ${ch.authorizationId} failed (${v.reason}); it stays open until it expires. Void it by hand if it should not wait.`);
    }
    if (refundOwed(charge)) {
      const ch = charge!;
      const asked = yield* orUnavailable(run(a.refundPayment, { captureId: ch.captureId!, amount: ch.amount }), (reason) => ({ ok: false as const, reason }));
      const r = yield* paidOut(context, c, asked, recovery.retryDelaySeconds);
      charge = r.ok ? { ...ch, refunded: ch.amount } : { ...ch, refundFailure: { reason: r.reason, attempts: 1, lastAttemptAt: now(), retrying: true } };
    }
  }

  /** The buyer approves on PayPal's page: the webhook or the return URL raises PaymentApproved. */
  function* awaitApproval(): Generator<Task, void, unknown> {
    const deadline = c.timer(approvalTimeoutSeconds);
    const w = yield* firstOf(context, [eventWaits(context, paymentApprovedEvent), c.waits.cancelled], deadline);
    if (w.kind === 'timer') throw new SagaStop('approval-timed-out', 'The payment was not approved in time.');
    if (w.from === c.waits.cancelled) throw new SagaStop('cancelled');
  }
  function* authorizeApproved(): Generator<Task, void, unknown> {
    authorizeTried = true;
    const r = yield* payPal(a.authorizePayment, () => ({ providerOrderId: charge!.providerOrderId }), (reason) => ({ ok: false, kind: 'unavailable', reason }));
    if (!r.ok) throw new SagaStop('payment-declined', 'kind' in r && r.kind === 'unavailable' ? 'PayPal is unavailable; nothing was charged.' : r.reason);
    charge = chargeAuthorized(charge!, r);
    yield* recorded(yield* run(a.recordStage, { events: ['payment-authorized'], at: now(), patch: { charge } }));
  }

  /**
   * Capture, right before fulfilment (reauthorized first once PayPal's honour period is over),
   * recorded with the hand-over to fulfilment: from here on the customer can no longer cancel.
   */
  function* capturePayment(): Generator<Task, void, unknown> {
    const r = yield* payPal(a.takePayment, () => ({ charge: charge!, at: now() }), (reason) => ({ ok: false, kind: 'unavailable', reason, charge: charge! }), { step: () => 'capturePayment' });
    charge = r.charge;
    if (!r.ok) {
      if (r.expired) throw new SagaStop('payment-expired', r.reason);
      // Unavailable through the retries: the capture may still have happened (its answer lost);
      // compensation finds out when PayPal refuses the void of a captured authorization, and refunds.
      throw new SagaStop('payment-declined', r.kind === 'unavailable' ? 'PayPal did not confirm the payment.' : r.reason);
    }
    if (!r.pending) return yield* recorded(r.recorded);
    // Pending: a cancel meanwhile takes effect once the capture settles.
    yield* recorded(r.recorded, true);
    const settled = yield* awaitCapture(charge.captureId!, r.pending);
    charge = chargeSettled(charge, settled);
    if (!settled.ok) throw new SagaStop('payment-declined', 'PayPal declined the payment after reviewing it');
    yield* recorded(yield* run(a.recordStage, { events: ['payment-captured', 'fulfilment-started'], at: now(), patch: { charge }, email: { stage: 'paid' } }));
  }

  /**
   * PayPal took the capture but holds the money (its review, an eCheck clearing): nothing ships
   * until it completes. PayPal's webhook wakes the saga, and the saga also asks PayPal on durable
   * timers, so a lost webhook delays nothing by more than an hour.
   */
  function* awaitCapture(captureId: string, reason: string): Generator<Task, { ok: true } | { ok: false; reason: string }, unknown> {
    c.log('warn', `order ${orderId}: PayPal holds capture ${captureId} (${reason}); nothing ships until it completes`);
    const start = c.ms();
    let warned = false;
    return yield* retryOnTimers({
      wakeOn: [c.waits.captureSettled],
      status: (checks, nextAt) => ({ capturePending: reason, checks, nextCheckAt: nextAt }),
      attempt: function* (checks) {
        if (!warned && c.ms() - start > capturePendingWarningSeconds * 1000) {
          warned = true;
          c.log('error', `order ${orderId}: PayPal capture ${captureId} is still pending after ${checks} checks (${reason}); look it up in PayPal. The saga keeps checking hourly.`);
        }
        // A webhook only says that something changed: PayPal's answer decides.
        const s = yield* orUnavailable(runOnce(a.checkCapture, { captureId }), () => undefined);
        if (!s?.ok || s.status === 'pending') return undefined;
        return { done: s.status === 'completed' ? { ok: true as const } : { ok: false as const, reason: s.reason ?? `capture ${captureId} denied` } };
      },
    });
  }

  /** Shipment: booked and recorded with its email; held while the carrier is down or refuses our credentials. */
  function* shipOrder(): Generator<Task, void, unknown> {
    let r = yield* reported(a.bookShipment, { at: now() }, (reason): Booked => ({ ok: false, kind: 'unavailable', reason }));
    let held = false;
    if (!r.ok && (r.kind === 'unauthorized' || r.kind === 'unavailable')) {
      // Our configuration or the carrier, not the order, is at fault: a paid order is held, not refunded.
      held = true;
      r = yield* holdShipment(r.reason ?? `the carrier is ${r.kind}`, r.kind);
    }
    if (!r.ok) throw new SagaStop('not-shipped', `We could not ship your order: ${r.reason ?? 'carrier failure'}.`);
    if (!r.recorded.ok && held && r.recorded.status === 'cancelled') {
      c.log('warn', `order ${orderId} was cancelled while on hold, but the carrier booked shipment ${r.shipment.trackingNumber} meanwhile: cancel that label with the carrier`);
    }
    yield* recorded(r.recorded);
  }
  function* holdShipment(reason: string, cause: 'unauthorized' | 'unavailable'): Generator<Task, Booked, unknown> {
    yield* recorded(yield* run(a.recordStage, { events: ['shipment-held'], at: now(), email: { stage: 'delayed' } }));
    const remedy = cause === 'unauthorized' ? 'Fix the carrier credentials (CARRIER_API_KEY / CARRIER_API_SECRET)' : 'The carrier is unavailable';
    c.log('error', `order ${orderId} is on hold: ${reason}. ${remedy}; held shipments are retried for ${recovery.holdWindowSeconds} s, at once on ${retryNowEvent}.`);
    // Booked, or refused for a reason of the order's own (refunded like any refusal).
    return yield* retryWhileHeld<Booked>(reason, 'cancel the order to refund it', function* () {
      const x = yield* orUnavailable(runOnce(a.bookShipment, { at: now(), report: true }), (why) => ({ ok: false as const, kind: 'unavailable' as const, reason: why }));
      return !x.ok && x.kind !== 'refused' ? { held: x.reason } : { done: x };
    });
  }

  /**
   * Tracking to PayPal (sagas from 6.0): Seller Protection and "item not received" claims rest on
   * it. Nothing to compensate, and never a reason to stop the order: a failure is logged and the
   * order records it, for an operator to add the tracking by hand.
   */
  function* shareTracking(): Generator<Task, void, unknown> {
    if (!sagaHas(context.df.version, '6.0')) return;
    try {
      const r = yield* run(a.shareTracking, { at: now() });
      if (!r.ok) c.log('error', `order ${orderId}: PayPal did not take the tracking number (${r.reason}); add it to the PayPal order by hand`);
    } catch (err) {
      c.log('error', `order ${orderId}: the tracking number could not be sent to PayPal (${failureText(err)}); add it to the PayPal order by hand`);
    }
  }

  /** Delivery, reported by the carrier's tracking webhook; after 60 days the saga stops waiting. */
  function* awaitDelivery(): Generator<Task, SagaOutcome, unknown> {
    const delivered = context.df.waitForExternalEvent(deliveredEvent);
    const giveUp = c.timer(deliveryWaitSeconds);
    if ((yield context.df.Task.any([delivered, giveUp])) !== delivered) return { orderId, outcome: 'shipped' };
    giveUp.cancel();
    const scan = delivered.result as { at?: unknown } | undefined;
    const deliveredAt = typeof scan?.at === 'string' ? scan.at : now();
    yield* recorded(yield* run(a.recordStage, { events: ['delivery-confirmed'], at: now(), shipmentFacts: { deliveredAt }, email: { stage: 'delivered' } }));
    return { orderId, outcome: 'delivered' };
  }

  // ================= ending early =================

  function* end(stop: SagaStop): Generator<Task, SagaOutcome, unknown> {
    switch (stop.kind) {
      case 'cancelled':
        return yield* cancelled();
      case 'out-of-stock':
        return yield* fail('stock-unavailable', { cancellationReason: stop.reason }, 'cancelled', stop.reason, 'cancelled');
      case 'payment-declined':
      case 'approval-timed-out':
        return yield* fail(stop.kind, { cancellationReason: stop.reason }, 'payment-failed', stop.reason, 'payment-failed');
      case 'payment-expired':
        // Nothing was captured and the authorization holds nothing: there is nothing to void.
        c.log('error', `order ${orderId}: ${stop.reason}; nothing was captured. The order is payment-expired and the customer is told.`);
        charge = { ...charge!, authorizationExpired: true };
        return yield* fail('authorization-expired', { cancellationReason: 'The payment authorization expired before the payment could be taken.', charge }, 'payment-expired', undefined, 'payment-expired', stop.reason);
      case 'not-shipped': {
        const refundedReason = `${stop.reason} Your payment has been refunded.`;
        yield* undo(stop.reason);
        if (refundOwed(charge)) {
          // The refund may take days of retries: tell the customer now that the order is off and the money owed.
          yield* publish('cancelled', stop.reason);
          return { orderId, outcome: (yield* settleRefund(refundedReason)) ? 'refunded' : 'refund-pending', reason: stop.reason };
        }
        yield* run(a.recordStage, { events: ['refund-completed'], at: now(), patch: { charge, cancellationReason: refundedReason }, email: { stage: 'refunded', reason: refundedReason } });
        return { orderId, outcome: 'refunded', reason: refundedReason };
      }
    }
  }

  /** The customer cancelled (the API recorded it): undo everything, tell them, refund what was taken. */
  function* cancelled(): Generator<Task, SagaOutcome, unknown> {
    yield* undo();
    yield* publish('cancelled');
    if (refundOwed(charge)) return { orderId, outcome: (yield* settleRefund()) ? 'refunded' : 'refund-pending' };
    return { orderId, outcome: 'cancelled' };
  }

  /** Records how the order failed (unless the customer cancelled first), undoes everything, tells the customer. */
  function* fail(event: OrderEvent, patch: OrderPatch, stage: EmailStage, emailReason: string | undefined, outcome: 'cancelled' | 'payment-failed' | 'payment-expired', reason = emailReason): Generator<Task, SagaOutcome, unknown> {
    const r = yield* run(a.recordStage, { events: [event], at: now(), patch });
    if (!r.ok) return yield* cancelled();
    yield* undo();
    yield* publish(stage, emailReason);
    if (refundOwed(charge)) return { orderId, outcome: (yield* settleRefund()) ? 'refunded' : 'refund-pending', ...(reason ? { reason } : {}) };
    return { orderId, outcome, ...(reason ? { reason } : {}) };
  }

  /**
   * Runs the compensations, most recent first, then records in one write what they did (and the
   * invoice with its credit note, so an issued invoice is always retrievable from the order). A
   * refund PayPal did not accept leaves the order refund-pending, with `reason` as its cancellation reason.
   */
  function* undo(reason?: string): Generator<Task, void, unknown> {
    for (let next = compensations.pop(); next; next = compensations.pop()) yield* next.undo();
    const patch: OrderPatch = { ...(charge ? { charge } : {}), ...(invoice ? { invoice } : {}), ...(creditNote ? { creditNote } : {}) };
    if (charge && refundOwed(charge)) {
      const r = yield* run(a.recordStage, { events: ['refund-failed'], at: now(), patch: { ...patch, ...(reason ? { cancellationReason: reason } : {}) } });
      if (!r.ok) yield* run(a.patchOrder, { patch, at: now() });
      c.log('error', `order ${orderId} owes a refund of ${format(charge.amount)} on PayPal capture ${charge.captureId}: ${charge.refundFailure?.reason}. It is refund-pending and retried on durable timers for ${recovery.refundWindowSeconds} s (raise ${retryNowEvent} to retry at once).`);
    } else if (Object.keys(patch).length > 0) {
      yield* run(a.patchOrder, { patch, at: now() });
    }
  }

  /** Retries the refund the first attempt could not make; the order is refund-pending meanwhile. */
  function* settleRefund(emailReason?: string): Generator<Task, boolean, unknown> {
    if (!charge?.captureId) return true;
    charge = yield* refundUntilAccepted(context, c, { orderId, charge: { ...charge, captureId: charge.captureId }, times: recovery, attempts: 1, key: (n) => (n === 1 ? 'refund' : `refund-${n}`), emailReason, payouts: true });
    return charge.refunded !== undefined;
  }

  // ================= helpers =================

  function* publish(stage: EmailStage, reason?: string): Generator<Task, void, unknown> {
    yield* run(a.publishStage, { stage, at: now(), ...(reason ? { reason } : {}) });
  }

  /** A stage that did not land because the customer cancelled first stops the saga; any other refusal is a bug. */
  function* recorded(r: StageResult, cancelLater = false): Generator<Task, void, unknown> {
    if (r.ok) return;
    if (r.status !== 'cancelled') throw new Error(`order ${orderId} is ${r.status} and cannot take the saga's next stage`);
    if (!cancelLater) throw new SagaStop('cancelled');
  }

  /** An activity's final failure (after the retry policy) turned into an answer. */
  function* orUnavailable<T>(task: Generator<Task, T, unknown>, answer: (reason: string) => T): Generator<Task, T, unknown> {
    try {
      return yield* task;
    } catch (err) {
      return answer(`PayPal unavailable: ${failureText(err)}`);
    }
  }

  /** Retried by the policy, then asked once more to report the trouble instead of throwing it. */
  function* reported<I extends Ids & Report, O>(activity: Activity<I, O>, input: Omit<I, keyof Ids>, unavailable: (reason: string) => O): Generator<Task, O, unknown> {
    try {
      return yield* run(activity, input);
    } catch {
      // The retry policy gave up: one more call reports why.
    }
    try {
      return yield* runOnce(activity, { ...input, report: true });
    } catch (err) {
      return unavailable(failureText(err));
    }
  }

  /**
   * One PayPal step: PayPal refusing our credentials (401/403) is our configuration, not the
   * buyer's payment, so the order waits in payment-on-hold (the customer is told and may cancel)
   * while the step is retried; fixing the credentials resumes every held order.
   */
  function* payPal<I extends Ids & Report, O extends { ok: boolean; kind?: PayPalTrouble['kind']; reason?: string }>(
    activity: Activity<I, O>,
    input: () => Omit<I, keyof Ids>,
    unavailable: (reason: string) => O,
    o: { step?: (r: O) => string; beforeHold?: (r: O) => Generator<Task, void, unknown> } = {},
  ): Generator<Task, O, unknown> {
    const r = yield* reported(activity, input(), unavailable);
    if (r.ok || r.kind !== 'unauthorized') return r;
    // Named for the operator by the PayPal call that met the refusal.
    const step = o.step?.(r) ?? activity.name;
    yield* recorded(yield* run(a.advanceOrder, { event: 'payment-held', at: now(), key: `payment-held:${step}` }));
    if (o.beforeHold) yield* o.beforeHold(r);
    yield* publish('payment-delayed');
    c.log('error', `order ${orderId} is on hold: PayPal refused our credentials at ${step} (${r.reason}). Fix PAYPAL_CLIENT_ID / PAYPAL_CLIENT_SECRET; the step is retried for ${recovery.holdWindowSeconds} s, at once on ${retryNowEvent}.`);
    return yield* retryWhileHeld<O>(r.reason ?? 'PayPal refused our credentials', 'cancel the order', function* () {
      const x = yield* orUnavailable(runOnce(activity, { ...input(), report: true }), unavailable);
      return !x.ok && x.kind === 'unauthorized' ? { held: x.reason } : { done: x };
    });
  }

  /**
   * The loop of every hold: `attempt` is tried again on durable timers, from the configured delay
   * doubling up to an hour, for the hold window, then only on an operator's RetryNow; a cancel
   * ends it (the saga then compensates).
   */
  function* retryWhileHeld<T>(reason: string, afterCancel: string, attempt: () => Generator<Task, { held: string | undefined } | { done: T }, unknown>): Generator<Task, T, unknown> {
    const start = c.ms();
    let last = reason;
    let automatic = true;
    const r = yield* retryOnTimers<T>({
      wakeOn: [c.waits.cancelled, c.waits.retryNow],
      automatic: (attempts, delaySeconds) => {
        if (automatic && c.ms() + delaySeconds * 1000 > start + recovery.holdWindowSeconds * 1000) {
          automatic = false;
          c.log('error', `order ${orderId} is still on hold after ${attempts} attempts (${last}): automatic retries stopped. Fix the cause and raise ${retryNowEvent}, or ${afterCancel}.`);
        }
        return automatic;
      },
      status: (attempts, nextAt) => ({ onHold: last, attempts, nextAttemptAt: nextAt }),
      attempt: function* () {
        const x = yield* attempt();
        if ('done' in x) return x;
        last = x.held ?? last;
        return undefined;
      },
    });
    return r;
  }

  /**
   * The durable-timer retry loop: waits (from the configured delay, doubling up to an hour, while
   * `automatic` allows; otherwise only for an event), wakes early on any of `wakeOn`, and tries
   * `attempt` until it answers. A cancel among `wakeOn` stops the saga.
   */
  function* retryOnTimers<T>(o: {
    wakeOn: EventWaits<unknown>[];
    automatic?: (attempts: number, delaySeconds: number) => boolean;
    status: (attempts: number, nextAt: string | null) => unknown;
    attempt: (attempts: number) => Generator<Task, { done: T } | undefined, unknown>;
  }): Generator<Task, T, unknown> {
    let delay = recovery.retryDelaySeconds;
    for (let attempts = 1; ; attempts++) {
      const timed = o.automatic?.(attempts, delay) ?? true;
      const timer = timed ? c.timer(delay) : undefined;
      context.df.setCustomStatus(o.status(attempts, timer ? new Date(c.ms() + delay * 1000).toISOString() : null));
      const w = yield* firstOf(context, o.wakeOn, timer);
      if (w.kind === 'event' && w.from === c.waits.cancelled) {
        context.df.setCustomStatus(null);
        throw new SagaStop('cancelled');
      }
      if (w.kind === 'timer') delay = nextRecoveryDelay(delay, recovery.retryDelaySeconds);
      const r = yield* o.attempt(attempts);
      if (r) {
        context.df.setCustomStatus(null);
        return r.done;
      }
    }
  }
}
