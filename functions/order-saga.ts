// The order saga: one orchestration per order, instance id = order id. Stock, invoice, payment
// (authorize, then capture right before fulfilment), shipment, delivery; each stage recorded on
// the order (with the state machine deciding) and published for the customer's email. Whatever
// goes wrong after a step had an effect is compensated: stock released, authorization voided or
// capture refunded, invoice corrected by a credit note. Deterministic: time comes from the
// orchestration context, ids from the order id.
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { Money } from '../domain/money';
import type { EmailStage } from '../domain/order-events';
import type { OrderEvent } from '../domain/order-status';
import { formatDocumentNumber } from '../domain/invoice';
import type { AdvanceResult, OrderPatch } from '../application/saga-steps';
import { cancelledEvent, deliveredEvent, paymentApprovedEvent } from './wiring/durable-workflow';
import type { SagaInput } from './wiring/durable-workflow';
import type { Charge, Shipment } from '../domain/order';


/** What the saga needs to know about the order, loaded once. */
export interface SagaOrder {
  lines: { sku: string; quantity: number }[];
  total: Money;
  vaulted: boolean;
  year: number;
}

type Outcome = { orderId: string; outcome: 'delivered' | 'shipped' | 'cancelled' | 'payment-failed' | 'refunded'; reason?: string };

// Transient failures (PayPal 5xx, carrier down, Cosmos throttling) are retried with backoff;
// what is still failing after that is handled as a failure of the stage.
const retry = new df.RetryOptions(1000, 5);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 30_000;

df.app.orchestration('orderSaga', function* (context: OrchestrationContext): Generator<Task, Outcome, unknown> {
  const { orderId, customerId, approvalTimeoutSeconds } = context.df.getInput<SagaInput>();
  const now = () => context.df.currentUtcDateTime.toISOString();
  const act = <T>(name: string, input: Record<string, unknown>) => context.df.callActivityWithRetry(name, retry, { orderId, customerId, ...input }) as Task & { result: T };
  const step = (event: OrderEvent, patch?: OrderPatch) => act<AdvanceResult>('advanceOrder', { event, at: now(), patch });
  const publish = (stage: EmailStage, reason?: string) => act<void>('publishStage', { stage, at: now(), reason });
  const stock = (sku: string) => new df.EntityId('stock', sku);

  const order = (yield act<SagaOrder>('loadOrder', {})) as SagaOrder;
  // Filled in as stages complete; what compensation has to undo.
  const progress: { invoice?: { number: string } } = {};
  let charge: Charge | undefined;
  let created: { ok: boolean; providerOrderId?: string; needsApproval?: boolean; approveUrl?: string; reason?: string } | undefined;
  let reserved = false;

  // ---- compensation: undo what happened, most recent first ----
  function* undo(): Generator<Task, void, unknown> {
    if (charge?.captureId) {
      const r = (yield act<{ ok: boolean; reason?: string }>('refundPayment', { captureId: charge.captureId, amount: charge.amount })) as { ok: boolean; reason?: string };
      if (!r.ok) throw new Error(`refund of ${charge.captureId} failed: ${r.reason}`);
      charge = { ...charge, refunded: charge.amount };
    } else if (charge && !charge.authorizationId) {
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
    if (charge?.authorizationId && !charge.captureId) {
      yield act('voidPayment', { authorizationId: charge.authorizationId });
      charge = { ...charge, voided: true };
    }
    let creditNote: { number: string; issuedAt: string } | undefined;
    if (progress.invoice) {
      const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `CN-${order.year}`), 'next')) as number;
      creditNote = (yield act('issueDocument', { number: formatDocumentNumber('CN', order.year, n), kind: 'credit-note', corrects: progress.invoice.number, at: now() })) as { number: string; issuedAt: string };
    }
    if (reserved) yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'release', { orderId })));
    yield act('patchOrder', { at: now(), patch: { ...(charge ? { charge } : {}), ...(creditNote ? { creditNote } : {}) } });
  }

  function* cancelled(): Generator<Task, Outcome, unknown> {
    yield* undo();
    yield publish('cancelled');
    return { orderId, outcome: 'cancelled' };
  }

  function* paymentFailed(event: 'payment-declined' | 'approval-timed-out', reason: string): Generator<Task, Outcome, unknown> {
    const r = (yield step(event, { cancellationReason: reason })) as AdvanceResult;
    if (!r.ok) return yield* cancelled();
    yield* undo();
    yield publish('payment-failed', reason);
    return { orderId, outcome: 'payment-failed', reason };
  }

  /** Applies a stage; false when the customer cancelled first. */
  function* advance(event: OrderEvent, patch?: OrderPatch): Generator<Task, boolean, unknown> {
    const r = (yield step(event, patch)) as AdvanceResult;
    if (r.ok) return true;
    if (r.status !== 'cancelled') throw new Error(`order ${orderId} is ${r.status} and cannot take ${event}`);
    return false;
  }

  yield publish('received');

  // ---- 1. stock: one entity per SKU serializes the reservations ----
  const held = (yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'reserve', { orderId, quantity: l.quantity })))) as boolean[];
  reserved = true;
  if (held.some((ok) => !ok)) {
    const missing = order.lines.filter((_, i) => !held[i]).map((l) => l.sku).join(', ');
    const reason = `Out of stock: ${missing}`;
    yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'release', { orderId })));
    const r = (yield step('stock-unavailable', { cancellationReason: reason })) as AdvanceResult;
    yield publish('cancelled', r.ok ? reason : undefined);
    return { orderId, outcome: 'cancelled', reason };
  }
  if (!(yield* advance('stock-reserved'))) return yield* cancelled();

  // ---- 2. invoice: a gapless number per year from the sequence entity ----
  const n = (yield context.df.callEntity(new df.EntityId('documentNumber', `INV-${order.year}`), 'next')) as number;
  const issued = (yield act('issueDocument', { number: formatDocumentNumber('INV', order.year, n), kind: 'invoice', at: now() })) as { number: string; issuedAt: string };
  progress.invoice = issued;
  if (!(yield* advance('invoice-issued', { invoice: issued }))) return yield* cancelled();

  // ---- 3. payment: a PayPal order, authorized with the vaulted method or after buyer approval ----
  try {
    created = (yield act('createPayment', {})) as NonNullable<typeof created>;
  } catch {
    created = { ok: false, reason: 'PayPal is unavailable' };
  }
  if (!created.ok) {
    yield publish('invoiced');
    return yield* paymentFailed('payment-declined', created.reason ?? 'payment declined');
  }
  charge = { provider: 'paypal', providerOrderId: created.providerOrderId!, amount: order.total, ...(created.approveUrl ? { approveUrl: created.approveUrl } : {}) };
  if (created.needsApproval) {
    if (!(yield* advance('approval-requested', { charge }))) return yield* cancelled();
    yield publish('invoiced');
    const approved = context.df.waitForExternalEvent(paymentApprovedEvent);
    const cancel = context.df.waitForExternalEvent(cancelledEvent);
    const deadline = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + approvalTimeoutSeconds * 1000));
    const first = yield context.df.Task.any([approved, cancel, deadline]);
    if (first !== deadline) deadline.cancel();
    if (first === cancel) return yield* cancelled();
    if (first === deadline) return yield* paymentFailed('approval-timed-out', 'The payment was not approved in time.');
  } else {
    yield publish('invoiced');
  }

  let auth: { ok: boolean; authorizationId?: string; reason?: string };
  try {
    auth = (yield act('authorizePayment', { providerOrderId: charge.providerOrderId })) as typeof auth;
  } catch {
    auth = { ok: false, reason: 'PayPal is unavailable; nothing was charged.' };
  }
  if (!auth.ok) return yield* paymentFailed('payment-declined', auth.reason ?? 'payment declined');
  charge = { ...charge, authorizationId: auth.authorizationId };
  if (!(yield* advance('payment-authorized', { charge }))) return yield* cancelled();

  // ---- 4. capture, right before fulfilment ----
  let cap: { ok: boolean; captureId?: string; reason?: string };
  try {
    cap = (yield act('capturePayment', { authorizationId: charge.authorizationId })) as typeof cap;
  } catch {
    cap = { ok: false, reason: 'PayPal is unavailable; nothing was charged.' };
  }
  if (!cap.ok) return yield* paymentFailed('payment-declined', cap.reason ?? 'capture declined');
  charge = { ...charge, captureId: cap.captureId };
  if (!(yield* advance('payment-captured', { charge }))) return yield* cancelled();
  yield publish('paid');

  // ---- 5. shipment: from here on the customer can no longer cancel ----
  if (!(yield* advance('fulfilment-started'))) return yield* cancelled();
  let shipped: { ok: boolean; shipment?: Shipment; reason?: string };
  try {
    shipped = (yield act('createShipment', { at: now() })) as typeof shipped;
  } catch {
    shipped = { ok: false, reason: 'The carrier is unavailable.' };
  }
  if (!shipped.ok) {
    const reason = `We could not ship your order: ${shipped.reason ?? 'carrier failure'}. Your payment has been refunded.`;
    yield* undo();
    yield* advance('refund-completed', { charge, cancellationReason: reason });
    yield publish('refunded', reason);
    return { orderId, outcome: 'refunded', reason };
  }
  yield context.df.Task.all(order.lines.map((l) => context.df.callEntity(stock(l.sku), 'commit', { orderId })));
  reserved = false;
  yield* advance('shipment-created', { shipment: shipped.shipment });
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
});
