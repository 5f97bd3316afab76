// The order saga of versions 1.0 to 4.0, kept unchanged for the sagas that started on it: they
// replay their recorded histories against exactly this code until they finish (saga-versions.ts).
// New sagas run saga/order-saga.ts. Do not change this file's calls or their order.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { format } from '../../domain/money';
import type { OrderEvent } from '../../domain/order-status';
import { formatDocumentNumber } from '../../domain/invoice';
import type { AdvanceResult, OrderPatch } from '../../application/saga-steps';
import type { CarrierFailureKind } from '../../application/ports';
import { cancelledEvent, captureSettledEvent, defaultRecoveryTimes, deliveredEvent, paymentApprovedEvent, retryNowEvent } from '../wiring/durable-workflow';
import type { SagaInput } from '../wiring/durable-workflow';
import type { Charge, Shipment } from '../../domain/order';
import type { RefundAnswer, SagaOrder, VoidAnswer } from './order-activities';
import type { SagaOutcome } from './saga-outcome';
import { sagaHas } from '../wiring/saga-versions';
import { failureText, nextRecoveryDelay } from '../wiring/activity-retry';
import { eventWaits, firstOf } from '../wiring/event-waits';
import { orderCalls, paidOut, refundUntilAccepted } from './order-calls';

type Outcome = SagaOutcome;
/** What a PayPal activity answers in report mode when the retry policy did not help. */
type PayPalTrouble = { ok: false; kind: 'unavailable' | 'unauthorized'; reason: string };
type Created = { ok: boolean; providerOrderId?: string; needsApproval?: boolean; approveUrl?: string; reason?: string };
type Authorized = { ok: boolean; authorizationId?: string; createdAt?: string; expiresAt?: string; reason?: string };
type Captured = { ok: boolean; captureId?: string; pending?: string; reason?: string; expired?: boolean; reauthorization?: { authorizationId: string; createdAt?: string; expiresAt?: string } };
/** What the createShipment activity answers (kind is absent in histories written before it existed). */
type ShipAnswer = { ok: true; shipment: Shipment } | { ok: false; kind?: CarrierFailureKind; reason?: string };
/** `held`: the shipment was booked (or refused) after the order had been on hold. */
type ShipOutcome = (ShipAnswer & { held?: boolean }) | { ok: false; kind: 'cancelled'; held: true };

/** PayPal's reviews and eCheck clearing take days; a week without an answer needs a person. */
const capturePendingWarningSeconds = 7 * 24 * 3600;

/** One order's saga, versions 1.0 to 4.0. */
export function* legacyOrderSaga(context: OrchestrationContext): Generator<Task, Outcome, unknown> {
  const { orderId, customerId, order: placed, approvalTimeoutSeconds, recovery = defaultRecoveryTimes } = context.df.getInput<SagaInput>();
  const c = orderCalls(context, { orderId, customerId });
  const { now, act } = c;
  const step = c.step;
  const publish = c.publish;
  const stock = (sku: string) => new df.EntityId('stock', sku);
  // Behaviour that sagas already running before it must not see (wiring/saga-versions.ts).
  const v2 = sagaHas(context.df.version, '2.0');
  const v3 = sagaHas(context.df.version, '3.0');
  const v4 = sagaHas(context.df.version, '4.0');

  const order = (yield act('loadOrder', placed ? { order: placed } : {})) as SagaOrder;
  // Filled in as stages complete; what compensation has to undo.
  const progress: { invoice?: { number: string; issuedAt: string } } = {};
  let charge: Charge | undefined;
  let created: Created | undefined;
  let reserved = false;
  /** An authorize call was made: its answer may have been lost, so compensation asks again to void it. */
  let authorizeTried = false;

  /** A capture is not (yet) refunded: the first refund attempt failed. */
  const refundOwed = (): boolean => charge?.captureId !== undefined && !charge.refunded;

  // ---- compensation: undo what happened, most recent first ----
  // `reason` is recorded as the cancellation reason if the order becomes refund-pending.
  function* undo(reason?: string): Generator<Task, void, unknown> {
    if (charge && !charge.captureId && !charge.authorizationId && (!v4 || authorizeTried)) {
      // An authorize call may have succeeded at PayPal although we never saw the answer (a
      // timeout). Repeating it with the same PayPal-Request-Id returns that authorization
      // instead of creating another, so it can be voided rather than left capturable.
      try {
        const again = (yield act('authorizePayment', { providerOrderId: charge.providerOrderId })) as { ok: boolean; authorizationId?: string };
        if (again.ok) charge = { ...charge, authorizationId: again.authorizationId };
      } catch {
        // PayPal still unreachable: an unseen authorization expires unused after 29 days.
      }
    }
    // A denied capture used the authorization up and took nothing, an expired one holds nothing:
    // there is nothing to void. A reauthorization is voided through the original.
    if (charge?.authorizationId && !charge.captureId && !charge.voided && !charge.captureDenied && !charge.authorizationExpired) {
      let v: VoidAnswer;
      try {
        v = (yield act('voidPayment', { authorizationId: charge.authorizationId, providerOrderId: charge.providerOrderId })) as VoidAnswer;
      } catch (err) {
        v = { outcome: 'failed', reason: `PayPal unavailable: ${failureText(err)}` };
      }
      if (v.outcome === 'voided') {
        const { voidFailure: _, ...rest } = charge;
        charge = { ...rest, voided: true };
      } else if (v.outcome === 'captured') {
        // The capture went through after all (its answer was lost): refund it below.
        c.log('warn', `order ${orderId}: authorization ${charge.authorizationId} turned out captured (${v.captureId}, ${format(v.amount)}); refunding it`);
        charge = { ...charge, captureId: v.captureId };
      } else {
        charge = { ...charge, voidFailure: v.reason };
        c.log('error', `order ${orderId}: the void of PayPal authorization ${charge.authorizationId} failed (${v.reason}); it stays open until it expires. Void it by hand if it should not wait.`);
      }
    }
    if (charge?.captureId && !charge.refunded) {
      let r: RefundAnswer;
      try {
        r = (yield act('refundPayment', { captureId: charge.captureId, amount: charge.amount })) as RefundAnswer;
      } catch (err) {
        r = { ok: false, reason: `PayPal unavailable: ${failureText(err)}` };
      }
      if (v4) r = yield* paidOut(context, c, r, recovery.retryDelaySeconds);
      charge = r.ok ? { ...charge, refunded: charge.amount } : { ...charge, refundFailure: { reason: r.reason, attempts: 1, lastAttemptAt: now(), retrying: true } };
    }
    let creditNote: { number: string; issuedAt: string } | undefined;
    if (progress.invoice) {
      const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `CN-${order.year}`), 'next')) as number;
      creditNote = (yield act('issueDocument', { number: formatDocumentNumber('CN', order.year, n), kind: 'credit-note', corrects: progress.invoice.number, at: now() })) as { number: string; issuedAt: string };
    }
    if (reserved) yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'release', { orderId })));
    reserved = false;
    // The invoice is recorded with its credit note even when a cancel beat its own stage, so an
    // issued invoice is always retrievable from the order.
    const patch: OrderPatch = { ...(charge ? { charge } : {}), ...(progress.invoice ? { invoice: progress.invoice } : {}), ...(creditNote ? { creditNote } : {}) };
    if (charge && refundOwed()) {
      const r = (yield step('refund-failed', { ...patch, ...(reason ? { cancellationReason: reason } : {}) })) as AdvanceResult;
      if (!r.ok) yield c.patch(patch);
      c.log('error', `order ${orderId} owes a refund of ${format(charge.amount)} on PayPal capture ${charge.captureId}: ${charge.refundFailure?.reason}. It is refund-pending and retried on durable timers for ${recovery.refundWindowSeconds} s (raise ${retryNowEvent} to retry at once).`);
    } else {
      yield c.patch(patch);
    }
  }

  /** Retries the refund the first attempt could not make; the order is refund-pending meanwhile. */
  function* settleRefund(emailReason?: string): Generator<Task, boolean, unknown> {
    if (!charge?.captureId) return true;
    charge = yield* refundUntilAccepted(context, c, { orderId, charge: { ...charge, captureId: charge.captureId }, times: recovery, attempts: 1, key: (n) => (n === 1 ? 'refund' : `refund-${n}`), emailReason, payouts: v4 });
    return charge.refunded !== undefined;
  }

  function* cancelled(): Generator<Task, Outcome, unknown> {
    yield* undo();
    yield publish('cancelled');
    if (refundOwed()) return { orderId, outcome: (yield* settleRefund()) ? 'refunded' : 'refund-pending' };
    return { orderId, outcome: 'cancelled' };
  }

  function* paymentFailed(event: 'payment-declined' | 'approval-timed-out', reason: string): Generator<Task, Outcome, unknown> {
    const r = (yield step(event, { cancellationReason: reason })) as AdvanceResult;
    if (!r.ok) return yield* cancelled();
    yield* undo();
    yield publish('payment-failed', reason);
    if (refundOwed()) return { orderId, outcome: (yield* settleRefund()) ? 'refunded' : 'refund-pending', reason };
    return { orderId, outcome: 'payment-failed', reason };
  }

  /** Applies a stage; false when the customer cancelled first. `key` tells apart repeats of an event (a hold at each payment step). */
  function* advance(event: OrderEvent, patch?: OrderPatch, key?: string): Generator<Task, boolean, unknown> {
    const r = (yield step(event, patch, key)) as AdvanceResult;
    if (r.ok) return true;
    if (r.status !== 'cancelled') throw new Error(`order ${orderId} is ${r.status} and cannot take ${event}`);
    return false;
  }

  /**
   * The carrier refuses our credentials (401/403) or stays unavailable even after the retry
   * policy: our configuration or the carrier, not the order, is at fault, so the paid order is
   * put on hold rather than refunded. The shipment is retried on durable timers (from the
   * configured delay doubling up to an hour) for the hold window, then only when an operator
   * raises RetryNow. Fixing the credentials, or the carrier coming back, therefore ships every
   * held order without anyone touching them. The customer (or an admin) may cancel an order on
   * hold, which refunds it.
   */
  function* hold(reason: string, cause: 'credentials' | 'outage'): Generator<Task, ShipOutcome, unknown> {
    if (!(yield* advance('shipment-held'))) return { ok: false, kind: 'cancelled', held: true };
    if (v2) yield c.publish('delayed');
    const remedy = cause === 'credentials' ? 'Fix the carrier credentials (CARRIER_API_KEY / CARRIER_API_SECRET)' : 'The carrier is unavailable';
    c.log('error', `order ${orderId} is on hold: ${reason}. ${remedy}; held shipments are retried for ${recovery.holdWindowSeconds} s, at once on ${retryNowEvent}.`);
    const r = yield* retryWhileHeld<ShipAnswer>({
      reason,
      afterCancel: 'cancel the order to refund it',
      attempt: function* () {
        try {
          return (yield c.once('createShipment', { at: now(), report: true })) as ShipAnswer;
        } catch (err) {
          return { ok: false, kind: 'unavailable', reason: failureText(err) };
        }
      },
      // Booked, or refused for a reason of the order's own (refunded like any refusal).
      stillHeld: (x) => !x.ok && x.kind !== 'refused',
      reasonOf: (x) => (x.ok ? undefined : x.reason),
    });
    return r === 'cancelled' ? { ok: false, kind: 'cancelled', held: true } : { ...r, held: true };
  }

  /**
   * The loop of every hold: `attempt` is tried again on durable timers, from the configured delay
   * doubling up to an hour, for the hold window, then only on an operator's RetryNow; a cancel
   * ends it. Returns the first answer that is no longer held, or 'cancelled'.
   */
  function* retryWhileHeld<T>(o: { reason: string; afterCancel: string; attempt: () => Generator<Task, T, unknown>; stillHeld: (r: T) => boolean; reasonOf: (r: T) => string | undefined }): Generator<Task, T | 'cancelled', unknown> {
    const start = c.ms();
    let delay = recovery.retryDelaySeconds;
    let attempts = 1;
    let last = o.reason;
    let automatic = true;
    // Sagas before 4.0 wait as they always did: their histories recorded these waits.
    const legacy = c.safeWaits ? undefined : { cancel: context.df.waitForExternalEvent(cancelledEvent), retryNow: context.df.waitForExternalEvent(retryNowEvent) };
    for (;;) {
      if (automatic && c.ms() + delay * 1000 > start + recovery.holdWindowSeconds * 1000) {
        automatic = false;
        c.log('error', `order ${orderId} is still on hold after ${attempts} attempts (${last}): automatic retries stopped. Fix the cause and raise ${retryNowEvent}, or ${o.afterCancel}.`);
      }
      const timer = automatic ? c.timer(delay) : undefined;
      context.df.setCustomStatus({ onHold: last, attempts, nextAttemptAt: timer ? new Date(c.ms() + delay * 1000).toISOString() : null });
      let woke: 'timer' | 'retry-now' | 'cancelled';
      if (legacy) {
        const w = yield context.df.Task.any(timer ? [legacy.cancel, legacy.retryNow, timer] : [legacy.cancel, legacy.retryNow]);
        if (timer && w !== timer) timer.cancel();
        woke = w === legacy.cancel ? 'cancelled' : w === legacy.retryNow ? 'retry-now' : 'timer';
        if (woke === 'retry-now') legacy.retryNow = context.df.waitForExternalEvent(retryNowEvent);
      } else {
        const w = yield* firstOf(context, [c.waits.cancelled, c.waits.retryNow], timer);
        woke = w.kind === 'timer' ? 'timer' : w.from === c.waits.cancelled ? 'cancelled' : 'retry-now';
      }
      if (woke === 'cancelled') {
        context.df.setCustomStatus(null);
        return 'cancelled';
      }
      if (woke === 'timer') delay = nextRecoveryDelay(delay, recovery.retryDelaySeconds);
      attempts++;
      const r = yield* o.attempt();
      if (!o.stillHeld(r)) {
        context.df.setCustomStatus(null);
        return r;
      }
      last = o.reasonOf(r) ?? last;
    }
  }

  /**
   * PayPal took the capture but holds the money (its review, an eCheck clearing): nothing ships
   * until it completes. The order waits in payment-pending. PayPal's webhook wakes the saga, and
   * the saga also asks PayPal on durable timers (from the configured delay, doubling up to an
   * hour), so a lost webhook delays nothing by more than an hour. A cancel meanwhile takes effect
   * once the capture settles: a completed one is then refunded, a denied one took nothing.
   */
  function* awaitCapture(captureId: string, reason: string): Generator<Task, { ok: true } | { ok: false; reason: string }, unknown> {
    charge = { ...charge!, capturePending: { reason, since: now() } };
    if (yield* advance('capture-pending', { charge })) yield publish('payment-pending');
    c.log('warn', `order ${orderId}: PayPal holds capture ${captureId} (${reason}); nothing ships until it completes`);
    const start = c.ms();
    let delay = recovery.retryDelaySeconds;
    let settled = c.safeWaits ? undefined : context.df.waitForExternalEvent(captureSettledEvent);
    let warned = false;
    for (let checks = 1; ; checks++) {
      const timer = c.timer(delay);
      context.df.setCustomStatus({ capturePending: reason, checks, nextCheckAt: new Date(c.ms() + delay * 1000).toISOString() });
      let bySettled: boolean;
      if (c.safeWaits) {
        bySettled = (yield* firstOf(context, [c.waits.captureSettled], timer)).kind === 'event';
      } else {
        const woke = yield context.df.Task.any([settled!, timer]);
        bySettled = woke === settled;
        if (bySettled) {
          timer.cancel();
          settled = context.df.waitForExternalEvent(captureSettledEvent);
        }
      }
      if (!bySettled) delay = nextRecoveryDelay(delay, recovery.retryDelaySeconds);
      // A webhook only says that something changed: PayPal's answer decides.
      let s: { ok: true; status: 'completed' | 'pending' | 'denied'; reason?: string } | { ok: false; reason: string } | undefined;
      try {
        s = (yield c.once('checkCapture', { captureId })) as typeof s;
      } catch {
        s = undefined; // PayPal unavailable: ask again at the next check
      }
      if (s?.ok && s.status !== 'pending') {
        context.df.setCustomStatus(null);
        return s.status === 'completed' ? { ok: true } : { ok: false, reason: s.reason ?? `capture ${captureId} denied` };
      }
      if (!warned && c.ms() - start > capturePendingWarningSeconds * 1000) {
        warned = true;
        c.log('error', `order ${orderId}: PayPal capture ${captureId} is still pending after ${checks} checks (${reason}); look it up in PayPal. The saga keeps checking hourly.`);
      }
    }
  }

  /** Reserves every line; on a shortage releases them all again and names the missing SKUs. */
  function* reserveStock(): Generator<Task, string | undefined, unknown> {
    const held = (yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'reserve', { orderId, quantity: l.quantity })))) as boolean[];
    reserved = true;
    if (!held.some((ok) => !ok)) return undefined;
    yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'release', { orderId })));
    reserved = false;
    return `Out of stock: ${order.lines.filter((_, i) => !held[i]).map((l) => l.sku).join(', ')}`;
  }

  /**
   * One PayPal step (v4): retried by the policy, then asked once more for the reason. PayPal
   * refusing our credentials (401/403) is our configuration, not the buyer's payment: the order is
   * held and the step retried (payPalHold) instead of failing the payment.
   */
  function* payPal<T extends { ok: boolean }>(name: string, input: Record<string, unknown>): Generator<Task, T | PayPalTrouble | 'cancelled', unknown> {
    try {
      return (yield act(name, input)) as T;
    } catch {
      // The retry policy gave up: one more call reports why instead of throwing.
    }
    let r: T | PayPalTrouble;
    try {
      r = (yield c.once(name, { ...input, report: true })) as T | PayPalTrouble;
    } catch (err) {
      r = { ok: false, kind: 'unavailable', reason: failureText(err) };
    }
    if (!r.ok && 'kind' in r && r.kind === 'unauthorized') return yield* payPalHold(name, input, r.reason);
    return r;
  }

  /**
   * PayPal refuses our credentials: the order waits in payment-on-hold (the customer is told, and
   * may cancel) while the step is retried on durable timers, from the configured delay doubling up
   * to an hour, for the hold window, then on an operator's RetryNow. Fixing the credentials
   * therefore resumes every held order. An authorization ages meanwhile: the capture step
   * reauthorizes it after the honour period, and an expired one is never captured.
   */
  function* payPalHold<T extends { ok: boolean }>(name: string, input: Record<string, unknown>, reason: string): Generator<Task, T | PayPalTrouble | 'cancelled', unknown> {
    if (!(yield* advance('payment-held', undefined, `payment-held:${name}`))) return 'cancelled';
    yield publish('payment-delayed');
    c.log('error', `order ${orderId} is on hold: PayPal refused our credentials at ${name} (${reason}). Fix PAYPAL_CLIENT_ID / PAYPAL_CLIENT_SECRET; the step is retried for ${recovery.holdWindowSeconds} s, at once on ${retryNowEvent}.`);
    const unauthorized = (x: T | PayPalTrouble): x is PayPalTrouble => !x.ok && 'kind' in x && x.kind === 'unauthorized';
    return yield* retryWhileHeld<T | PayPalTrouble>({
      reason,
      afterCancel: 'cancel the order',
      attempt: function* () {
        try {
          return (yield c.once(name, { ...input, report: true })) as T | PayPalTrouble;
        } catch (err) {
          return { ok: false, kind: 'unavailable', reason: failureText(err) } as PayPalTrouble;
        }
      },
      stillHeld: unauthorized,
      reasonOf: (x) => (unauthorized(x) ? x.reason : undefined),
    });
  }

  /** The authorization expired before the capture: nothing was charged, nothing is voided. */
  function* paymentExpired(reason: string): Generator<Task, Outcome, unknown> {
    charge = { ...charge!, authorizationExpired: true };
    c.log('error', `order ${orderId}: ${reason}; nothing was captured. The order is payment-expired and the customer is told.`);
    const r = (yield step('authorization-expired', { cancellationReason: 'The payment authorization expired before the payment could be taken.', charge })) as AdvanceResult;
    if (!r.ok) return yield* cancelled();
    yield* undo();
    yield publish('payment-expired');
    return { orderId, outcome: 'payment-expired', reason };
  }

  /** Books the shipment: retried, then held while the carrier is down or refuses our credentials. */
  function* ship(): Generator<Task, ShipOutcome, unknown> {
    try {
      return (yield act('createShipment', { at: now() })) as ShipAnswer;
    } catch {
      // The retry policy gave up; one more call reports why instead of throwing.
    }
    let r: ShipAnswer;
    try {
      r = (yield act('createShipment', { at: now(), report: true })) as ShipAnswer;
    } catch {
      r = { ok: false, kind: 'unavailable' };
    }
    if (!r.ok && r.kind === 'unauthorized') return yield* hold(r.reason ?? 'the carrier refused our credentials', 'credentials');
    // A carrier outage is not the order's fault either: a paid order is not refunded for it.
    if (!r.ok && r.kind === 'unavailable') {
      return v2 ? yield* hold(r.reason ?? 'the carrier is unavailable', 'outage') : { ok: false, kind: 'unavailable', reason: 'The carrier is unavailable.' };
    }
    return r;
  }

  yield publish('received');

  // ---- 1. stock: one entity per SKU serializes the reservations. Orders the buyer still has to
  // approve reserve once approved (v4), so an unpaid order never holds units a paying one needs ----
  const reserveFirst = !v4 || order.vaulted;
  if (reserveFirst) {
    const missing = yield* reserveStock();
    if (missing) {
      const r = (yield step('stock-unavailable', { cancellationReason: missing })) as AdvanceResult;
      yield publish('cancelled', r.ok ? missing : undefined);
      return { orderId, outcome: 'cancelled', reason: missing };
    }
    if (!(yield* advance('stock-reserved'))) return yield* cancelled();
  }

  // ---- 2. invoice: a gapless number per year from the sequence entity ----
  const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `INV-${order.year}`), 'next')) as number;
  const issued = (yield act('issueDocument', { number: formatDocumentNumber('INV', order.year, n), kind: 'invoice', at: now() })) as { number: string; issuedAt: string };
  progress.invoice = issued;
  if (!(yield* advance('invoice-issued', { invoice: issued }))) return yield* cancelled();

  // ---- 3. payment: a PayPal order, authorized with the vaulted method or after buyer approval ----
  if (v4) {
    const r = yield* payPal<Created>('createPayment', {});
    if (r === 'cancelled') return yield* cancelled();
    created = r.ok ? r : 'kind' in r && r.kind === 'unavailable' ? { ok: false, reason: 'PayPal is unavailable' } : r;
  } else {
    try {
      created = (yield act('createPayment')) as Created;
    } catch {
      created = { ok: false, reason: 'PayPal is unavailable' };
    }
  }
  if (!created.ok) {
    yield publish('invoiced');
    return yield* paymentFailed('payment-declined', created.reason ?? 'payment declined');
  }
  charge = { provider: 'paypal', providerOrderId: created.providerOrderId!, amount: order.total, ...(created.approveUrl ? { approveUrl: created.approveUrl } : {}) };
  if (created.needsApproval) {
    if (!(yield* advance('approval-requested', { charge }))) return yield* cancelled();
    yield publish('invoiced');
    const approvalDeadline = () => context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + approvalTimeoutSeconds * 1000));
    let first: 'approved' | 'cancelled' | 'deadline';
    if (c.safeWaits) {
      const w = yield* firstOf(context, [eventWaits(context, paymentApprovedEvent), c.waits.cancelled], approvalDeadline());
      first = w.kind === 'timer' ? 'deadline' : w.from === c.waits.cancelled ? 'cancelled' : 'approved';
    } else {
      const approved = context.df.waitForExternalEvent(paymentApprovedEvent);
      const cancel = context.df.waitForExternalEvent(cancelledEvent);
      const deadline = approvalDeadline();
      const w = yield context.df.Task.any([approved, cancel, deadline]);
      if (w !== deadline) deadline.cancel();
      first = w === cancel ? 'cancelled' : w === deadline ? 'deadline' : 'approved';
    }
    if (first === 'cancelled') return yield* cancelled();
    if (first === 'deadline') return yield* paymentFailed('approval-timed-out', 'The payment was not approved in time.');
  } else {
    yield publish('invoiced');
  }

  if (!reserveFirst) {
    // Approved: now the units are taken. Sold out meanwhile: nothing was authorized, so nothing is
    // charged; the invoice is reversed by a credit note.
    const missing = yield* reserveStock();
    if (missing) {
      const r = (yield step('stock-unavailable', { cancellationReason: missing })) as AdvanceResult;
      if (!r.ok) return yield* cancelled();
      yield* undo();
      yield publish('cancelled', missing);
      return { orderId, outcome: 'cancelled', reason: missing };
    }
    if (!(yield* advance('stock-reserved'))) return yield* cancelled();
  }

  let auth: Authorized;
  authorizeTried = true;
  if (v4) {
    const r = yield* payPal<Authorized>('authorizePayment', { providerOrderId: charge.providerOrderId });
    if (r === 'cancelled') return yield* cancelled();
    auth = r.ok ? r : { ok: false, reason: 'kind' in r && r.kind === 'unavailable' ? 'PayPal is unavailable; nothing was charged.' : r.reason };
  } else {
    try {
      auth = (yield act('authorizePayment', { providerOrderId: charge.providerOrderId })) as Authorized;
    } catch {
      auth = { ok: false, reason: 'PayPal is unavailable; nothing was charged.' };
    }
  }
  if (!auth.ok) return yield* paymentFailed('payment-declined', auth.reason ?? 'payment declined');
  charge = { ...charge, authorizationId: auth.authorizationId, ...(v4 && auth.createdAt ? { authorizedAt: auth.createdAt } : {}), ...(v4 && auth.expiresAt ? { authorizationExpiresAt: auth.expiresAt } : {}) };
  if (!(yield* advance('payment-authorized', { charge }))) return yield* cancelled();

  // ---- 4. capture, right before fulfilment (reauthorized first once PayPal's 3-day honour period is over) ----
  let cap: Captured;
  if (v4) {
    const r = yield* payPal<Captured>('capturePayment', {
      authorizationId: charge.authorizationId,
      amount: charge.amount,
      ...(charge.authorizedAt ? { authorizedAt: charge.authorizedAt } : {}),
      ...(charge.authorizationExpiresAt ? { expiresAt: charge.authorizationExpiresAt } : {}),
    });
    if (r === 'cancelled') return yield* cancelled();
    // Unavailable through the retries: the capture may still have happened (its answer lost);
    // compensation finds out when PayPal refuses the void of a captured authorization, and refunds.
    cap = r.ok ? r : 'kind' in r && r.kind === 'unavailable' ? { ok: false, reason: 'PayPal did not confirm the payment.' } : r;
  } else {
    try {
      cap = (yield act('capturePayment', { authorizationId: charge.authorizationId })) as Captured;
    } catch {
      cap = { ok: false, reason: 'PayPal did not confirm the payment.' };
    }
  }
  if (cap.reauthorization) {
    const re = cap.reauthorization;
    charge = { ...charge, reauthorizationId: re.authorizationId, ...(re.createdAt ? { authorizedAt: re.createdAt } : {}), ...(re.expiresAt ? { authorizationExpiresAt: re.expiresAt } : {}) };
  }
  if (!cap.ok && cap.expired) return yield* paymentExpired(cap.reason ?? 'the authorization expired');
  if (!cap.ok) return yield* paymentFailed('payment-declined', cap.reason ?? 'capture declined');
  charge = { ...charge, captureId: cap.captureId };
  if (cap.pending) {
    const settled = yield* awaitCapture(cap.captureId!, cap.pending);
    const { captureId: _, capturePending: __, ...rest } = charge;
    if (!settled.ok) {
      charge = { ...rest, captureDenied: settled.reason };
      return yield* paymentFailed('payment-declined', 'PayPal declined the payment after reviewing it');
    }
    charge = { ...rest, captureId: cap.captureId };
  }
  if (!(yield* advance('payment-captured', { charge }))) return yield* cancelled();
  yield publish('paid');

  // ---- 5. shipment: from here on the customer can no longer cancel (unless it is held) ----
  if (!(yield* advance('fulfilment-started'))) return yield* cancelled();
  const shipped = (yield* ship()) as ShipOutcome;
  if (!shipped.ok && shipped.kind === 'cancelled') return yield* cancelled();
  if (!shipped.ok) {
    const reason = `We could not ship your order: ${shipped.reason ?? 'carrier failure'}.`;
    const refundedReason = `${reason} Your payment has been refunded.`;
    yield* undo(reason);
    if (refundOwed()) {
      // The refund may take days of retries: tell the customer now that the order is off and the money owed.
      if (v3) yield publish('cancelled', reason);
      return { orderId, outcome: (yield* settleRefund(refundedReason)) ? 'refunded' : 'refund-pending', reason };
    }
    yield* advance('refund-completed', { charge, cancellationReason: refundedReason });
    yield publish('refunded', refundedReason);
    return { orderId, outcome: 'refunded', reason: refundedReason };
  }
  const commitStock = function* (): Generator<Task, void, unknown> {
    yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'commit', { orderId })));
    reserved = false;
  };
  if (shipped.held) {
    // A held order may be cancelled while the shipment is booked: check before taking the stock.
    if (!(yield* advance('shipment-created', { shipment: shipped.shipment }))) {
      c.log('warn', `order ${orderId} was cancelled while on hold, but the carrier booked shipment ${shipped.shipment.trackingNumber} meanwhile: cancel that label with the carrier`);
      return yield* cancelled();
    }
    yield* commitStock();
  } else {
    yield* commitStock();
    yield* advance('shipment-created', { shipment: shipped.shipment });
  }
  yield publish('shipped');

  // ---- 6. delivery, reported by the carrier's tracking webhook ----
  const delivered = context.df.waitForExternalEvent(deliveredEvent);
  const giveUp = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60 * 24 * 3600 * 1000));
  const first = yield context.df.Task.any([delivered, giveUp]);
  if (first !== delivered) return { orderId, outcome: 'shipped' };
  giveUp.cancel();
  yield* advance('delivery-confirmed');
  yield publish('delivered');
  return { orderId, outcome: 'delivered' };
}
