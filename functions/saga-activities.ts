// The order saga's activities: thin bindings from the activity contract (saga/order-activities.ts)
// to the use cases and gateways. Each is idempotent (PayPal-Request-Id and carrier references
// derive from the order id, documents are keyed by number, stage events by `<orderId>:<stage>`).
// A transient failure throws, so the orchestration's retry policy retries it; a final answer
// (declined) is returned, and with `report` so is PayPal or carrier trouble, for the saga to decide.
import { capturePayment } from '../application/capture-payment';
import { createPayPalOrder, startPayment, takePayment } from '../application/payment-steps';
import { bookShipment, shipOrder } from '../application/ship-order';
import { shareTracking } from '../application/share-tracking';
import { advanceOrder, ensureOrder, issueDocument, knownOrder, mustLoad, openOrder, patchOrder, publishStage, recordRefundOutcome, recordRefundPaid, recordStage, refundOf } from '../application/saga-steps';
import type { PaymentFailure } from '../application/ports';
import type { Order } from '../domain/order';
import { recoveryTimesFrom } from './wiring/durable-workflow';
import { settings } from './wiring/settings';
import { renderInvoicePdf } from '../adapters/invoice/invoice-pdf';
import { getSagaServices } from './wiring/saga-services';
import { getServices } from './wiring/services';
import { registerActivity } from './saga/activity-contract';
import { orderActivities as a } from './saga/order-activities';
import type { Ids, SagaOrder, VoidAnswer } from './saga/order-activities';
import { refundActivities as r } from './saga/refund-activities';
import type { RefundPaid } from './saga/refund-activities';

const load = async ({ orderId, customerId }: Ids) => (await mustLoad(getServices().orders, orderId, customerId)).value;
const stageDeps = () => ({ orders: getServices().orders, publisher: getSagaServices().publisher });
const documentDeps = () => {
  const s = getSagaServices();
  return { orders: getServices().orders, invoices: s.invoices, documents: s.documents, seller: s.seller, renderPdf: renderInvoicePdf };
};
const returnUrl = (orderId: string) => `${getSagaServices().publicBaseUrl}/api/v1/payments/paypal/return?orderId=${encodeURIComponent(orderId)}`;

/**
 * PayPal or the carrier being unavailable, or refusing our credentials, throws for the retry
 * policy; with `report` it is answered instead, for the saga to decide (it holds the order when
 * our credentials are refused, instead of failing the buyer's payment or refunding the order).
 */
function troubleThrows<R extends { ok: boolean; kind?: string; reason?: string }>(r: R, report: boolean | undefined, who = 'PayPal'): R {
  if (!r.ok && !report && (r.kind === 'unavailable' || r.kind === 'unauthorized')) {
    throw new Error(`${who} ${r.kind === 'unauthorized' ? 'refused our credentials' : 'unavailable'}: ${r.reason}`);
  }
  return r;
}

/** A gateway answer as the saga sees it: declines are answers, trouble per troubleThrows. */
function settle<T extends object, F extends PaymentFailure | { kind: string; reason: string }>(
  r: ({ ok: true } & T) | { ok: false; failure: F },
  report = false,
): ({ ok: true } & T) | { ok: false; reason: string } | { ok: false; kind: 'unavailable' | 'unauthorized'; reason: string } {
  if (r.ok) return r;
  const kind = r.failure.kind;
  if (kind === 'unavailable' || kind === 'unauthorized') return troubleThrows({ ok: false, kind, reason: r.failure.reason }, report);
  return { ok: false, reason: r.failure.reason };
}

const sagaOrder = (o: Order): SagaOrder => ({
  lines: o.quote.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
  total: o.quote.totals.total,
  vaulted: o.payment.vaultId !== undefined,
  year: Number(o.createdAt.slice(0, 4)),
});

// ---- steps that record their stage with its email ----

registerActivity(a.openOrder, async (input) => sagaOrder(await openOrder(stageDeps(), input)));

registerActivity(a.issueInvoice, async (input) => {
  const invoice = await issueDocument(documentDeps(), { ...input, kind: 'invoice' });
  const recorded = await recordStage(stageDeps(), { ...input, patch: { invoice } });
  return { invoice, recorded };
});

registerActivity(a.startPayment, async (input) => troubleThrows(await startPayment({ ...stageDeps(), payments: getSagaServices().payments, returnUrl }, input), input.report));

registerActivity(a.takePayment, async (input) =>
  troubleThrows(await takePayment({ ...stageDeps(), payments: getSagaServices().payments }, input, Date.now(), settings().PAYPAL_HONOR_PERIOD_SECONDS), input.report));

registerActivity(a.bookShipment, async (input) => {
  const r = await shipOrder({ ...stageDeps(), carrier: getSagaServices().carrier }, input);
  // A refusal is final for this order; an outage or refused credentials are retried, or reported.
  return r.ok || r.kind === 'refused' ? r : troubleThrows(r, input.report, 'carrier');
});

registerActivity(a.recordStage, (input) => recordStage(stageDeps(), input));
registerActivity(a.shareTracking, (input) => shareTracking({ orders: getServices().orders, payments: getSagaServices().payments }, input));

// ---- single calls ----

registerActivity(a.loadOrder, async (input) => sagaOrder(await ensureOrder(getServices().orders, input)));
registerActivity(a.advanceOrder, (input) => advanceOrder(getServices().orders, input));
registerActivity(a.patchOrder, async (input) => {
  await patchOrder(getServices().orders, input);
});
registerActivity(a.publishStage, (input) => publishStage(stageDeps(), input));
registerActivity(a.issueDocument, (input) => issueDocument(documentDeps(), input));

registerActivity(a.createPayment, async (input) => {
  const o = await load(input);
  return settle(await createPayPalOrder(getSagaServices().payments, o, returnUrl(o.id)), input.report);
});

registerActivity(a.authorizePayment, async (input) => settle(await getSagaServices().payments.authorize(input.providerOrderId, `${input.orderId}:authorize`), input.report));

/** `expired`: the authorization can no longer be captured, and no capture was attempted on it. */
registerActivity(a.capturePayment, async (input) => {
  const r = await capturePayment(getSagaServices().payments, { ...input, orderId: input.orderId }, Date.now(), settings().PAYPAL_HONOR_PERIOD_SECONDS);
  if (r.ok) return r;
  if (r.outcome === 'failure') return settle({ ok: false, failure: r.failure }, input.report);
  return { ok: false as const, reason: r.reason, ...(r.outcome === 'expired' ? { expired: true } : {}) };
});

/** Asks PayPal how a pending capture stands (the webhook only says that it changed). */
registerActivity(a.checkCapture, async (input) => settle(await getSagaServices().payments.captureStatus(input.captureId)));

registerActivity(a.voidPayment, async (input): Promise<VoidAnswer> => {
  const payments = getSagaServices().payments;
  const r = await payments.voidAuthorization(input.authorizationId, `${input.orderId}:void`);
  if (r.ok) return { outcome: 'voided' };
  if (r.failure.kind === 'unavailable') throw new Error(`PayPal unavailable: ${r.failure.reason}`);
  if (r.failure.kind !== 'captured') return { outcome: 'failed', reason: `PayPal refused the void: ${r.failure.reason}` };
  // A capture went through whose answer we never saw: find it, so the saga refunds it.
  const found = settle(await payments.findCapture(input.providerOrderId));
  if (found.ok && found.capture) return { outcome: 'captured', captureId: found.capture.captureId, amount: found.capture.amount };
  return { outcome: 'failed', reason: `${r.failure.reason}, but PayPal order ${input.providerOrderId} shows no capture` };
});

/** Request ids are `<orderId>:refund` for the first attempt and `<orderId>:refund-<n>…` after a refusal PayPal stored under the first. */
const refundKey = /^refund(-[\w-]{1,60})?$/;

registerActivity(a.refundPayment, async (input) => {
  const key = input.requestKey ?? 'refund';
  if (!refundKey.test(key)) throw new Error(`invalid refund request key ${key}`);
  const r = await getSagaServices().payments.refund(input.captureId, input.amount, `${input.orderId}:${key}`);
  // The saga always refunds the whole capture: nothing left to refund means an earlier attempt
  // (whose answer was lost) went through.
  if (r.ok) return r;
  if (r.failure.kind === 'fully-refunded') return { ok: true as const, alreadyRefunded: true };
  return settle({ ok: false, failure: r.failure });
});

/** Asks PayPal how a pending refund stands. */
registerActivity(a.checkRefund, async (input) => settle(await getSagaServices().payments.refundStatus(input.providerRefundId)));

/** What the `retryRefund` orchestration needs to pick up a refund-pending order. */
registerActivity(a.loadRefundState, async (input) => {
  const o = await load(input);
  return { status: o.status, ...(o.charge ? { charge: o.charge } : {}), recovery: recoveryTimesFrom(settings()) };
});

/** Books the shipment (sagas before 5.0; newer ones book and record in bookShipment). */
registerActivity(a.createShipment, async (input) => {
  const r = await bookShipment(getSagaServices().carrier, await knownOrder(getServices().orders, input.orderId, input.customerId), input.at);
  return r.ok || r.kind === 'refused' ? r : troubleThrows(r, input.report, 'carrier');
});

// ---- the refund saga's ----

/**
 * Refunds one refund recorded after shipment through PayPal, under `<orderId>:refund:<refundId>`:
 * a retry, or a repeat after a crash, finds PayPal's stored answer instead of refunding twice.
 */
registerActivity(r.refundReturn, async (input): Promise<RefundPaid> => {
  const order = await load(input);
  const refund = refundOf(order, input.refundId);
  if (refund.providerRefundId) return { ok: true, providerRefundId: refund.providerRefundId, ...(refund.status === 'completed' ? { completed: true } : {}) };
  if (!order.charge?.captureId) return { ok: false, reason: 'nothing was captured for this order' };
  const paid = await getSagaServices().payments.refund(order.charge.captureId, refund.amount, `${input.orderId}:refund:${input.refundId}`);
  if (paid.ok) {
    await recordRefundPaid(getServices().orders, { ...input, providerRefundId: paid.refundId });
    return { ok: true, providerRefundId: paid.refundId, ...(paid.pending ? { pending: paid.pending } : {}) };
  }
  if (paid.failure.kind === 'fully-refunded') return { ok: false, reason: paid.failure.reason };
  return settle({ ok: false, failure: paid.failure });
});

registerActivity(r.recordRefundOutcome, (input) => recordRefundOutcome(getServices().orders, input));
