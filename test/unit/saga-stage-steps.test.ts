// The saga's steps that do their work and record their stage with its email in one activity
// (application/saga-steps.ts, payment-steps.ts, ship-order.ts), over in-memory ports: one write
// per stage, the email only when the stage landed, and every step safe to repeat.
import { placeOrder } from '../../application/place-order';
import { openOrder, recordStage } from '../../application/saga-steps';
import { startPayment, takePayment } from '../../application/payment-steps';
import { shipOrder } from '../../application/ship-order';
import type { CarrierGateway, OrderWorkflow, PaymentGateway, StageEventPublisher } from '../../application/ports';
import type { OrderStageEvent } from '../../domain/order-events';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';
import { MemoryOrderStore } from '../support/memory-order-store';
import { orderInput } from '../support/order-input';

const at = '2026-12-05T10:00:00.000Z';
const input = orderInput;
const noWorkflow: OrderWorkflow = { start: async () => {}, notifyCancelled: async () => {}, startRefund: async () => {} };

class Outbox implements StageEventPublisher {
  events: OrderStageEvent[] = [];
  async publish(e: OrderStageEvent) { this.events.push(e); }
  get stages() { return this.events.map((e) => e.stage); }
}

/** Counts writes, so "one write per stage" is checked, not assumed. */
class CountingStore extends MemoryOrderStore {
  writes = 0;
  override async replace(...args: Parameters<MemoryOrderStore['replace']>) {
    this.writes++;
    return super.replace(...args);
  }
}

async function setup(vaulted = true) {
  const orders = new CountingStore();
  const r = await placeOrder({ orders, workflow: noWorkflow, catalog, rules: pricingRules }, 'ord_1', { ...input, payment: vaulted ? input.payment : { method: 'paypal' } }, at, false);
  if (!r.ok) throw new Error('expected an order');
  const publisher = new Outbox();
  const ids = { orderId: 'ord_1', customerId: 'cust-1', at };
  return { orders, publisher, ids, deps: { orders, publisher } };
}

const paypal = (overrides: Partial<PaymentGateway> = {}): PaymentGateway & { calls: string[] } => {
  const calls: string[] = [];
  const gw: PaymentGateway = {
    createOrder: async (req) => (calls.push(`create ${req.requestId}`), { ok: true, providerOrderId: 'PP-1', needsApproval: !req.vaultId, ...(req.vaultId ? {} : { approveUrl: 'https://paypal.test/approve' }) }),
    authorize: async (_id, requestId) => (calls.push(`authorize ${requestId}`), { ok: true, authorizationId: 'AUTH-1', createdAt: at }),
    reauthorize: async () => ({ ok: false, failure: { kind: 'not-allowed', reason: 'too early' } }),
    capture: async (_id, requestId) => (calls.push(`capture ${requestId}`), { ok: true, captureId: 'CAP-1' }),
    captureStatus: async () => ({ ok: true, status: 'completed' }),
    voidAuthorization: async () => ({ ok: true }),
    findCapture: async () => ({ ok: true }),
    refund: async () => ({ ok: true, refundId: 'R-1' }),
    refundStatus: async () => ({ ok: true, status: 'completed' }),
    addTracking: async (req) => (calls.push(`track ${req.trackingNumber}`), { ok: true, tracker: { id: `${req.captureId}-${req.trackingNumber}`, status: 'SHIPPED' } }),
    cancelTracking: async () => ({ ok: true }),
    ...overrides,
  };
  return Object.assign(gw, { calls });
};

test('the first step publishes received without writing', async () => {
  const { deps, ids, orders, publisher } = await setup();
  const order = await openOrder(deps, ids);
  expect(order.id).toBe('ord_1');
  expect(publisher.stages).toEqual(['received']);
  expect(orders.writes).toBe(0);
});

test('a stage of several events is one write; repeating it writes nothing and publishes again (the topic drops the duplicate)', async () => {
  const { deps, ids, orders, publisher } = await setup();
  expect(await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued'], patch: { invoice: { number: 'INV-2026-000001', issuedAt: at } }, email: { stage: 'invoiced' } })).toEqual({ ok: true });
  expect(orders.writes).toBe(1);
  const stored = (await orders.get('ord_1', 'cust-1'))!.value;
  expect(stored.status).toBe('invoiced');
  expect(stored.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'invoiced']);
  expect(await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued'], email: { stage: 'invoiced' } })).toEqual({ ok: true });
  expect(orders.writes).toBe(1);
  expect(publisher.stages).toEqual(['invoiced', 'invoiced']);
  expect(publisher.events[0].invoiceNumber).toBe('INV-2026-000001');
});

test('a stage the status refuses (cancelled first) writes and publishes nothing', async () => {
  const { deps, ids, orders, publisher } = await setup();
  await recordStage(deps, { ...ids, events: ['cancel'] });
  const writes = orders.writes;
  expect(await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued'], email: { stage: 'invoiced' } })).toEqual({ ok: false, status: 'cancelled' });
  expect(orders.writes).toBe(writes);
  expect(publisher.stages).toEqual([]);
});

test('a vaulted payment is created and authorized with request ids of the order, and recorded authorized with the invoiced email', async () => {
  const { deps, ids, publisher } = await setup();
  await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued'] });
  const gw = paypal();
  const r = await startPayment({ ...deps, payments: gw, returnUrl: (id) => `https://shop.test/return?orderId=${id}` }, ids);
  expect(r).toMatchObject({ ok: true, needsApproval: false, recorded: { ok: true }, charge: { providerOrderId: 'PP-1', authorizationId: 'AUTH-1', authorizedAt: at } });
  expect(gw.calls).toEqual(['create ord_1:create', 'authorize ord_1:authorize']);
  expect(publisher.stages).toEqual(['invoiced']);
  expect((await deps.orders.get('ord_1', 'cust-1'))!.value.status).toBe('authorized');
});

test('a payment the buyer must approve is recorded as awaited, with the approve link in the invoiced email', async () => {
  const { deps, ids, publisher } = await setup(false);
  await recordStage(deps, { ...ids, events: ['invoice-issued'] });
  const r = await startPayment({ ...deps, payments: paypal(), returnUrl: (id) => `https://shop.test/return?orderId=${id}` }, ids);
  expect(r).toMatchObject({ ok: true, needsApproval: true, recorded: { ok: true } });
  expect(publisher.events.map((e) => [e.stage, e.approveUrl])).toEqual([['invoiced', 'https://paypal.test/approve']]);
});

test('PayPal trouble at authorize is answered with its kind and the PayPal order, so the saga can hold, or void what it may have authorized', async () => {
  const { deps, ids, publisher } = await setup();
  await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued'] });
  const r = await startPayment({ ...deps, payments: paypal({ authorize: async () => ({ ok: false, failure: { kind: 'unauthorized', reason: '401' } }) }), returnUrl: () => 'x' }, ids);
  expect(r).toMatchObject({ ok: false, kind: 'unauthorized', authorizeTried: true, charge: { providerOrderId: 'PP-1' } });
  expect(publisher.stages).toEqual([]);
});

test('cancelled while PayPal authorized: the order stays cancelled, and the issued invoice is still emailed', async () => {
  const { deps, ids, publisher } = await setup();
  await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued'] });
  const r = await startPayment({ ...deps, payments: paypal({ authorize: async () => {
    await recordStage(deps, { ...ids, events: ['cancel'] });
    return { ok: true, authorizationId: 'AUTH-1' };
  } }), returnUrl: () => 'x' }, ids);
  expect(r).toMatchObject({ ok: true, recorded: { ok: false, status: 'cancelled' } });
  expect(publisher.stages).toEqual(['invoiced']);
});

test('the capture is recorded with the hand-over to fulfilment in one write; a pending one as pending', async () => {
  const { deps, ids, orders, publisher } = await setup();
  await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued', 'payment-authorized'] });
  const charge = { provider: 'paypal' as const, providerOrderId: 'PP-1', authorizationId: 'AUTH-1', authorizedAt: at, amount: { amount: 100, currency: 'EUR' as const } };
  const writes = orders.writes;
  const r = await takePayment({ ...deps, payments: paypal() }, { ...ids, charge }, Date.parse(at), 259_200);
  expect(r).toMatchObject({ ok: true, recorded: { ok: true }, charge: { captureId: 'CAP-1' } });
  expect(orders.writes).toBe(writes + 1);
  expect((await orders.get('ord_1', 'cust-1'))!.value.timeline.map((t) => t.status).slice(-2)).toEqual(['paid', 'packing']);
  expect(publisher.stages).toEqual(['paid']);

  const other = await setup();
  await recordStage(other.deps, { ...other.ids, events: ['stock-reserved', 'invoice-issued', 'payment-authorized'] });
  const p = await takePayment({ ...other.deps, payments: paypal({ capture: async () => ({ ok: true, captureId: 'CAP-2', pending: 'PENDING_REVIEW' }) }) }, { ...other.ids, charge }, Date.parse(at), 259_200);
  expect(p).toMatchObject({ ok: true, pending: 'PENDING_REVIEW', charge: { capturePending: { reason: 'PENDING_REVIEW' } } });
  expect((await other.orders.get('ord_1', 'cust-1'))!.value.status).toBe('payment-pending');
  expect(other.publisher.stages).toEqual(['payment-pending']);
});

test('an authorization past its expiry is never captured', async () => {
  const { deps, ids } = await setup();
  const gw = paypal();
  const charge = { provider: 'paypal' as const, providerOrderId: 'PP-1', authorizationId: 'AUTH-1', authorizedAt: '2026-10-01T00:00:00Z', authorizationExpiresAt: '2026-10-30T00:00:00Z', amount: { amount: 100, currency: 'EUR' as const } };
  expect(await takePayment({ ...deps, payments: gw }, { ...ids, charge }, Date.parse(at), 259_200)).toMatchObject({ ok: false, expired: true });
  expect(gw.calls.filter((c) => c.startsWith('capture'))).toEqual([]);
});

test('a shipment booked by an attempt whose answer was lost is found, not booked twice; it is recorded with the shipped email', async () => {
  const { deps, ids, publisher } = await setup();
  await recordStage(deps, { ...ids, events: ['stock-reserved', 'invoice-issued', 'payment-authorized', 'payment-captured', 'fulfilment-started'] });
  let booked = 0;
  const carrier: CarrierGateway = {
    findShipment: async () => (booked > 0 ? { ok: true, shipment: { carrier: 'DHL', trackingNumber: 'T-1', trackingUrl: 'https://dhl.test/T-1' } } : { ok: true }),
    createShipment: async () => (booked++, { ok: true, carrier: 'DHL', trackingNumber: 'T-1', trackingUrl: 'https://dhl.test/T-1', labelPdfBase64: '' }),
  };
  expect(await shipOrder({ ...deps, carrier }, ids)).toMatchObject({ ok: true, shipment: { trackingNumber: 'T-1' }, recorded: { ok: true } });
  expect(await shipOrder({ ...deps, carrier }, ids)).toMatchObject({ ok: true, recorded: { ok: true } });
  expect(booked).toBe(1);
  expect(publisher.stages).toEqual(['shipped', 'shipped']);
  const refused: CarrierGateway = { findShipment: async () => ({ ok: false, kind: 'refused', reason: 'bad query' }), createShipment: carrier.createShipment };
  await expect(shipOrder({ ...deps, carrier: refused }, ids)).rejects.toThrow('carrier lookup refused');
});
