// The saga's activities: thin adapters from Durable activity calls to the saga steps and the
// gateways. Each is idempotent (PayPal-Request-Id and carrier references derive from the order
// id, documents are keyed by number, events by `<orderId>:<stage>`). A transient failure throws,
// so the orchestration's retry policy retries it; a final answer (declined) is returned.
import * as df from 'durable-functions';
import type { Money } from '../domain/money';
import type { OrderEvent, OrderStatus } from '../domain/order-status';
import type { EmailStage } from '../domain/order-events';
import { capturePayment } from '../application/capture-payment';
import type { CaptureInput } from '../application/capture-payment';
import { advanceOrder, ensureOrder, issueDocument, mustLoad, patchOrder, publishStage, recordRefundOutcome, recordRefundPaid, refundOf } from '../application/saga-steps';
import type { OrderPatch } from '../application/saga-steps';
import type { PaymentFailure } from '../application/ports';
import type { Charge, Order } from '../domain/order';
import { recoveryTimesFrom } from './wiring/durable-workflow';
import type { RecoveryTimes } from './wiring/durable-workflow';
import { settings } from './wiring/settings';
import { renderInvoicePdf } from '../adapters/invoice/invoice-pdf';
import type { SagaOrder, VoidAnswer } from './wiring/activity-answers';
import { getSagaServices } from './wiring/saga-services';
import { getServices } from './wiring/services';

interface Ids { orderId: string; customerId: string }

const load = async ({ orderId, customerId }: Ids) => (await mustLoad(getServices().orders, orderId, customerId)).value;

/**
 * Declines are answers; PayPal being unavailable or refusing our credentials is an exception for
 * the retry policy, or with `report` an answer the saga decides on (it holds the order when our
 * credentials are refused, instead of failing the buyer's payment).
 */
function settle<T extends object, F extends PaymentFailure | { kind: string; reason: string }>(
  r: ({ ok: true } & T) | { ok: false; failure: F },
  report = false,
): ({ ok: true } & T) | { ok: false; reason: string } | { ok: false; kind: 'unavailable' | 'unauthorized'; reason: string } {
  if (r.ok) return r;
  const kind = r.failure.kind;
  if (kind === 'unavailable' || kind === 'unauthorized') {
    if (report) return { ok: false, kind, reason: r.failure.reason };
    throw new Error(`PayPal ${kind === 'unauthorized' ? 'refused our credentials' : 'unavailable'}: ${r.failure.reason}`);
  }
  return { ok: false, reason: r.failure.reason };
}

type Report = { report?: boolean };

df.app.activity('loadOrder', {
  handler: async (input: Ids & { order?: Order }): Promise<SagaOrder> => {
    const o = await ensureOrder(getServices().orders, input);
    return {
      lines: o.quote.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      total: o.quote.totals.total,
      vaulted: o.payment.vaultId !== undefined,
      year: Number(o.createdAt.slice(0, 4)),
    };
  },
});

df.app.activity('advanceOrder', {
  handler: (input: Ids & { event: OrderEvent; at: string; patch?: OrderPatch }) => advanceOrder(getServices().orders, input),
});

df.app.activity('patchOrder', {
  handler: async (input: Ids & { patch: OrderPatch; at: string }) => {
    await patchOrder(getServices().orders, input);
  },
});

df.app.activity('publishStage', {
  handler: (input: Ids & { stage: EmailStage; at: string; reason?: string }) => publishStage({ orders: getServices().orders, publisher: getSagaServices().publisher }, input),
});

df.app.activity('issueDocument', {
  handler: (input: Ids & { number: string; kind: 'invoice' | 'credit-note'; corrects?: string; at: string; refundId?: string }) => {
    const s = getSagaServices();
    return issueDocument({ orders: getServices().orders, invoices: s.invoices, documents: s.documents, seller: s.seller, renderPdf: renderInvoicePdf }, input);
  },
});

df.app.activity('createPayment', {
  handler: async (input: Ids & Report) => {
    const o = await load(input);
    const s = getSagaServices();
    const returnUrl = `${s.publicBaseUrl}/api/v1/payments/paypal/return?orderId=${encodeURIComponent(o.id)}`;
    return settle(await s.payments.createOrder({
      orderId: o.id,
      amount: o.quote.totals.total,
      vaultId: o.payment.vaultId,
      returnUrl,
      cancelUrl: `${returnUrl}&cancelled=true`,
      requestId: `${o.id}:create`,
    }), input.report);
  },
});

df.app.activity('authorizePayment', {
  handler: async (input: Ids & Report & { providerOrderId: string }) => settle(await getSagaServices().payments.authorize(input.providerOrderId, `${input.orderId}:authorize`), input.report),
});

/** `expired`: the authorization can no longer be captured, and no capture was attempted on it. */
df.app.activity('capturePayment', {
  handler: async (input: Ids & Report & Omit<CaptureInput, 'orderId'>) => {
    const r = await capturePayment(getSagaServices().payments, { ...input, orderId: input.orderId }, Date.now(), settings().PAYPAL_HONOR_PERIOD_SECONDS);
    if (r.ok) return r;
    if (r.outcome === 'failure') return settle({ ok: false, failure: r.failure }, input.report);
    return { ok: false as const, reason: r.reason, ...(r.outcome === 'expired' ? { expired: true } : {}) };
  },
});

/** Asks PayPal how a pending capture stands (the webhook only says that it changed). */
df.app.activity('checkCapture', {
  handler: async (input: Ids & { captureId: string }) => settle(await getSagaServices().payments.captureStatus(input.captureId)),
});


df.app.activity('voidPayment', {
  handler: async (input: Ids & { authorizationId: string; providerOrderId: string }): Promise<VoidAnswer> => {
    const payments = getSagaServices().payments;
    const r = await payments.voidAuthorization(input.authorizationId, `${input.orderId}:void`);
    if (r.ok) return { outcome: 'voided' };
    if (r.failure.kind === 'unavailable') throw new Error(`PayPal unavailable: ${r.failure.reason}`);
    if (r.failure.kind !== 'captured') return { outcome: 'failed', reason: `PayPal refused the void: ${r.failure.reason}` };
    // A capture went through whose answer we never saw: find it, so the saga refunds it.
    const found = settle(await payments.findCapture(input.providerOrderId));
    if (found.ok && found.capture) return { outcome: 'captured', captureId: found.capture.captureId, amount: found.capture.amount };
    return { outcome: 'failed', reason: `${r.failure.reason}, but PayPal order ${input.providerOrderId} shows no capture` };
  },
});

/** Request ids are `<orderId>:refund` for the first attempt and `<orderId>:refund-<n>…` after a refusal PayPal stored under the first. */
const refundKey = /^refund(-[\w-]{1,60})?$/;

df.app.activity('refundPayment', {
  handler: async (input: Ids & { captureId: string; amount: Money; requestKey?: string }) => {
    const key = input.requestKey ?? 'refund';
    if (!refundKey.test(key)) throw new Error(`invalid refund request key ${key}`);
    const r = await getSagaServices().payments.refund(input.captureId, input.amount, `${input.orderId}:${key}`);
    // The saga always refunds the whole capture: nothing left to refund means an earlier attempt
    // (whose answer was lost) went through.
    if (r.ok) return r;
    if (r.failure.kind === 'fully-refunded') return { ok: true as const, alreadyRefunded: true };
    return settle({ ok: false, failure: r.failure });
  },
});

/**
 * Refunds one refund recorded after shipment through PayPal, under `<orderId>:refund:<refundId>`:
 * a retry, or a repeat after a crash, finds PayPal's stored answer instead of refunding twice.
 */
df.app.activity('refundReturn', {
  handler: async (input: Ids & { refundId: string }): Promise<{ ok: true; providerRefundId: string; pending?: string; completed?: boolean } | { ok: false; reason: string }> => {
    const order = await load(input);
    const refund = refundOf(order, input.refundId);
    if (refund.providerRefundId) return { ok: true, providerRefundId: refund.providerRefundId, ...(refund.status === 'completed' ? { completed: true } : {}) };
    if (!order.charge?.captureId) return { ok: false, reason: 'nothing was captured for this order' };
    const r = await getSagaServices().payments.refund(order.charge.captureId, refund.amount, `${input.orderId}:refund:${input.refundId}`);
    if (r.ok) {
      await recordRefundPaid(getServices().orders, { ...input, providerRefundId: r.refundId });
      return { ok: true, providerRefundId: r.refundId, ...(r.pending ? { pending: r.pending } : {}) };
    }
    if (r.failure.kind === 'fully-refunded') return { ok: false, reason: r.failure.reason };
    return settle({ ok: false, failure: r.failure });
  },
});

/** Asks PayPal how a pending refund stands. */
df.app.activity('checkRefund', {
  handler: async (input: Ids & { providerRefundId: string }) => settle(await getSagaServices().payments.refundStatus(input.providerRefundId)),
});

df.app.activity('recordRefundOutcome', {
  handler: (input: Parameters<typeof recordRefundOutcome>[1]) => recordRefundOutcome(getServices().orders, input),
});

/** What the `retryRefund` orchestration needs to pick up a refund-pending order. */
df.app.activity('loadRefundState', {
  handler: async (input: Ids): Promise<{ status: OrderStatus; charge?: Charge; recovery: RecoveryTimes }> => {
    const o = await load(input);
    return { status: o.status, ...(o.charge ? { charge: o.charge } : {}), recovery: recoveryTimesFrom(settings()) };
  },
});

/**
 * Books the shipment. An outage or a credential refusal throws, so the retry policy retries it;
 * with `report` it is returned instead (kind 'unavailable' or 'unauthorized'), for the saga to
 * decide between refunding and holding the order.
 */
df.app.activity('createShipment', {
  handler: async (input: Ids & { at: string; report?: boolean }) => {
    const o = await load(input);
    const a = o.shippingAddress;
    const carrier = getSagaServices().carrier;
    // DHL does not deduplicate bookings: an earlier attempt whose answer was lost (a timeout, a
    // crash) may have booked already, so look before booking. A lookup the carrier refuses is a
    // fault of our query, never a reason to refund the order: it throws.
    const found = await carrier.findShipment(o.id);
    if (!found.ok) {
      if (input.report && found.kind !== 'refused') return { ok: false, kind: found.kind, reason: found.reason };
      throw new Error(`carrier lookup ${found.kind}: ${found.reason}`);
    }
    if (found.shipment) return { ok: true, shipment: { carrier: found.shipment.carrier, trackingNumber: found.shipment.trackingNumber, trackingUrl: found.shipment.trackingUrl, shippedAt: input.at } };
    const r = await carrier.createShipment({
      orderId: o.id,
      reference: o.id,
      recipient: { name: a.name, line1: a.line1, ...(a.line2 ? { line2: a.line2 } : {}), city: a.city, postalCode: a.postalCode, country: a.country, email: o.customer.email },
      packages: [{ weightGrams: Math.max(o.quote.shipping.weightGrams, 100) }],
      declaredValue: o.quote.totals.total,
      service: o.quote.shipping.method,
    });
    if (r.ok) return { ok: true, shipment: { carrier: r.carrier, trackingNumber: r.trackingNumber, trackingUrl: r.trackingUrl, shippedAt: input.at } };
    if (r.kind !== 'refused' && !input.report) throw new Error(`carrier ${r.kind}: ${r.reason}`);
    return { ok: false, kind: r.kind, reason: r.reason };
  },
});
