import { cancelOrder } from '../../application/cancel-order';
import { customerEmail, placeOrder } from '../../application/place-order';
import { requestRefund } from '../../application/refund-order';
import type { OrderWorkflow } from '../../application/ports';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';
import { applyEvent } from '../../domain/order';
import type { Order } from '../../domain/order';
import { MemoryOrderStore } from '../support/memory-order-store';
import { orderInput } from '../support/order-input';

class RecordingWorkflow implements OrderWorkflow {
  started: string[] = [];
  cancelled: string[] = [];
  async start(o: Order, mayExist: boolean) { this.started.push(`${o.id}${mayExist ? '?' : ''}`); }
  async notifyCancelled(o: Order) { this.cancelled.push(o.id); }
  refunds: string[] = [];
  async startRefund(o: Order, refundId: string) { this.refunds.push(`${o.id}:${refundId}`); }
}

const input = orderInput;

function setup() {
  const orders = new MemoryOrderStore();
  const workflow = new RecordingWorkflow();
  return { orders, workflow, deps: { orders, workflow, catalog, rules: pricingRules } };
}

test('placing an order prices it on the server, stores it and starts its saga', async () => {
  const { orders, workflow, deps } = setup();
  const r = await placeOrder(deps, 'ord_1', input, '2026-11-25T10:00:00.000Z', false);
  if (!r.ok) throw new Error('expected an order');
  expect(r.order.value.status).toBe('received');
  expect(r.order.value.quote.totals.total.amount).toBeGreaterThan(0);
  expect(orders.docs.size).toBe(1);
  expect(workflow.started).toEqual(['ord_1']);
});

test('the saga is started before the order is stored, so a crash in between leaves no order without a saga', async () => {
  const { orders, workflow, deps } = setup();
  workflow.start = async (o: Order) => {
    expect(orders.docs.has(o.id)).toBe(false);
    workflow.started.push(o.id);
  };
  orders.beforeCreate = () => {
    throw new Error('crash before the order is stored');
  };
  await expect(placeOrder(deps, 'ord_1', input, '2026-11-25T10:00:00.000Z', false)).rejects.toThrow('crash');
  expect(workflow.started).toEqual(['ord_1']);
  expect(orders.docs.size).toBe(0);
});

test('a retry with the same order id keeps the first stored order (price and time) and re-ensures the saga', async () => {
  const { orders, workflow, deps } = setup();
  await placeOrder(deps, 'ord_1', input, '2026-11-25T10:00:00.000Z', false);
  const again = await placeOrder(deps, 'ord_1', input, '2026-11-25T10:05:00.000Z', true);
  if (!again.ok) throw new Error('expected an order');
  expect(again.order.value.createdAt).toBe('2026-11-25T10:00:00.000Z');
  expect(orders.docs.size).toBe(1);
  // Only the retry needs to check for an existing saga.
  expect(workflow.started).toEqual(['ord_1', 'ord_1?']);
});

test('an unpriceable cart stores nothing and starts nothing', async () => {
  const { orders, workflow, deps } = setup();
  const r = await placeOrder(deps, 'ord_1', { ...input, items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] }, '2026-11-25T10:00:00.000Z', false);
  expect(r.ok).toBe(false);
  expect(orders.docs.size).toBe(0);
  expect(workflow.started).toEqual([]);
});

describe('the customer email', () => {
  test('defaults to the verified email in the token', () => {
    expect(customerEmail({ email: 'ada@example.com', onBehalf: false }, undefined)).toEqual({ ok: true, email: 'ada@example.com' });
    expect(customerEmail({ email: 'ada@example.com', onBehalf: false }, ' Ada@Example.com ')).toEqual({ ok: true, email: 'ada@example.com' });
  });
  test('another address than the token\'s is refused', () => {
    expect(customerEmail({ email: 'ada@example.com', onBehalf: false }, 'victim@example.org')).toEqual({ ok: false, problem: 'mismatch' });
  });
  test('a token without a verified email cannot order for itself', () => {
    expect(customerEmail({ onBehalf: false }, 'ada@example.com')).toEqual({ ok: false, problem: 'unverified' });
  });
  test('an admin ordering on behalf of a customer names the address', () => {
    expect(customerEmail({ email: 'support@shop.example', onBehalf: true }, 'ada@example.com')).toEqual({ ok: true, email: 'ada@example.com' });
    expect(customerEmail({ email: 'support@shop.example', onBehalf: true }, undefined)).toEqual({ ok: false, problem: 'required' });
  });
});

describe('cancel', () => {
  async function placed() {
    const s = setup();
    const r = await placeOrder(s.deps, 'ord_1', input, '2026-11-25T10:00:00.000Z', false);
    if (!r.ok) throw new Error('expected an order');
    return { ...s, load: () => s.orders.find('ord_1') };
  }

  test('cancels a received order, records the reason and tells the saga', async () => {
    const { orders, workflow, load } = await placed();
    const r = await cancelOrder({ orders, workflow }, { load, reason: 'changed my mind', at: '2026-11-25T10:01:00.000Z' });
    expect(r.kind).toBe('cancelled');
    const stored = orders.docs.get('ord_1')!.value;
    expect(stored.status).toBe('cancelled');
    expect(stored.cancellationReason).toBe('changed my mind');
    expect(stored.timeline.map((t) => t.status)).toEqual(['received', 'cancelled']);
    expect(workflow.cancelled).toEqual(['ord_1']);
  });

  test('cancelling twice is not an error, and re-notifies the saga', async () => {
    const { orders, workflow, load } = await placed();
    await cancelOrder({ orders, workflow }, { load, reason: 'x', at: '2026-11-25T10:01:00.000Z' });
    const again = await cancelOrder({ orders, workflow }, { load, reason: 'x', at: '2026-11-25T10:02:00.000Z' });
    expect(again.kind).toBe('cancelled');
    expect(orders.docs.get('ord_1')!.value.timeline).toHaveLength(2);
    expect(workflow.cancelled).toEqual(['ord_1', 'ord_1']);
  });

  test('a shipped order cannot be cancelled', async () => {
    const { orders, workflow, load } = await placed();
    let o = orders.docs.get('ord_1')!.value;
    for (const e of ['stock-reserved', 'invoice-issued', 'payment-authorized', 'payment-captured', 'fulfilment-started', 'shipment-created'] as const) o = applyEvent(o, e, '2026-11-25T10:00:30.000Z');
    orders.put(o);
    const r = await cancelOrder({ orders, workflow }, { load, reason: 'x', at: '2026-11-25T10:01:00.000Z' });
    expect(r).toEqual({ kind: 'not-cancellable', status: 'shipped' });
    expect(workflow.cancelled).toEqual([]);
  });

  test('losing a race with the saga re-reads and applies the cancel to the newer version', async () => {
    const { orders, workflow, load } = await placed();
    orders.beforeReplace = () => orders.put(applyEvent(orders.docs.get('ord_1')!.value, 'stock-reserved', '2026-11-25T10:00:59.000Z'));
    const r = await cancelOrder({ orders, workflow }, { load, reason: 'x', at: '2026-11-25T10:01:00.000Z' });
    expect(r.kind).toBe('cancelled');
    expect(orders.docs.get('ord_1')!.value.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'cancelled']);
  });

  test('If-Match naming an older version fails the precondition and changes nothing', async () => {
    const { orders, workflow, load } = await placed();
    const seen = orders.docs.get('ord_1')!.etag;
    orders.put(applyEvent(orders.docs.get('ord_1')!.value, 'stock-reserved', '2026-11-25T10:00:59.000Z'));
    const r = await cancelOrder({ orders, workflow }, { load, ifMatch: (etag) => etag === seen, reason: 'x', at: '2026-11-25T10:01:00.000Z' });
    expect(r).toEqual({ kind: 'precondition-failed', etag: orders.docs.get('ord_1')!.etag });
    expect(orders.docs.get('ord_1')!.value.status).toBe('reserved');
  });

  test('an unknown order is not found', async () => {
    const { orders, workflow } = setup();
    expect(await cancelOrder({ orders, workflow }, { load: async () => undefined, reason: 'x', at: 't' })).toEqual({ kind: 'not-found' });
  });
});

describe('refunds after shipment', () => {
  async function delivered() {
    const s = setup();
    const r = await placeOrder(s.deps, 'ord_r', { ...input, items: [{ sku: 'MUG-CER-350', quantity: 2 }] }, '2026-11-25T10:00:00.000Z', false);
    if (!r.ok) throw new Error('expected an order');
    const o = r.order.value;
    await s.orders.replace({ ...o, status: 'delivered', charge: { provider: 'paypal', providerOrderId: 'PP1', captureId: 'CAP1', amount: o.quote.totals.total } }, r.order.etag);
    const load = () => s.orders.find('ord_r');
    return { ...s, load };
  }
  const req = (quantity: number) => ({ items: [{ sku: 'MUG-CER-350', quantity }], shipping: false, reason: 'broken' });

  test('two requests racing for the same units: one is recorded, the other finds nothing left', async () => {
    const { orders, workflow, load } = await delivered();
    const [a, b] = await Promise.all([
      requestRefund({ orders, workflow }, { load, refundId: 'rf_a', request: req(2), by: 'admin', at: '2026-11-26T10:00:00.000Z' }),
      requestRefund({ orders, workflow }, { load, refundId: 'rf_b', request: req(2), by: 'admin', at: '2026-11-26T10:00:00.000Z' }),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(['invalid', 'requested']);
    expect((await load())!.value.refunds).toHaveLength(1);
    expect(workflow.refunds).toHaveLength(1);
  });

  test('repeating a recorded refund only re-ensures its saga; an order not yet shipped is refused', async () => {
    const { orders, workflow, load } = await delivered();
    await requestRefund({ orders, workflow }, { load, refundId: 'rf_a', request: req(1), by: 'admin', at: '2026-11-26T10:00:00.000Z' });
    const again = await requestRefund({ orders, workflow }, { load, refundId: 'rf_a', request: req(1), by: 'admin', at: '2026-11-26T11:00:00.000Z' });
    expect(again.kind).toBe('requested');
    expect((await load())!.value.refunds).toHaveLength(1);
    expect(workflow.refunds).toEqual(['ord_r:rf_a', 'ord_r:rf_a']);
    const current = (await load())!;
    await orders.replace({ ...current.value, status: 'packing' }, current.etag);
    expect(await requestRefund({ orders, workflow }, { load, refundId: 'rf_b', request: req(1), by: 'admin', at: '2026-11-26T12:00:00.000Z' })).toMatchObject({ kind: 'not-refundable', status: 'packing' });
  });
});
