// The saga's writes start from the version this process last saw: one conditional replace, no
// read. A version made stale by another writer is never trusted: the replace is refused (412)
// and the change is made again on a fresh read, and a decision to write nothing is confirmed on
// a fresh read too.
import { advanceOrder } from '../../application/saga-steps';
import { RecentOrderVersions } from '../../adapters/cache/recent-order-versions';
import { createOrder, applyEvent } from '../../domain/order';
import type { Order } from '../../domain/order';
import { priceCart } from '../../domain/pricing';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';
import { MemoryOrderStore } from '../support/memory-order-store';

function newOrder(id: string): Order {
  const priced = priceCart({ lines: [{ sku: 'MUG-CER-350', quantity: 1 }], country: 'DE', shippingMethod: 'standard' }, catalog, pricingRules);
  if (!priced.ok) throw new Error('cannot price');
  return createOrder({ id, customer: { id: 'cust-1', email: 'ada@example.com', name: 'Ada' }, shippingAddress: { name: 'Ada', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' }, quote: priced.quote, payment: { method: 'paypal', vaultId: 'v' }, at: '2026-01-01T00:00:00.000Z' });
}

/** The memory store, counting reads. */
function counted() {
  const memory = new MemoryOrderStore();
  const counts = { get: 0 };
  const get = memory.get.bind(memory);
  memory.get = async (id, customerId) => {
    counts.get++;
    return get(id, customerId);
  };
  return { memory, counts, store: new RecentOrderVersions(memory) };
}

test('a change of an order this process just wrote costs one write and no read', async () => {
  const { store, counts } = counted();
  await store.create(newOrder('o1'));
  const r1 = await advanceOrder(store, { orderId: 'o1', customerId: 'cust-1', event: 'stock-reserved', at: '2026-01-01T00:00:01.000Z' });
  const r2 = await advanceOrder(store, { orderId: 'o1', customerId: 'cust-1', event: 'invoice-issued', at: '2026-01-01T00:00:02.000Z' });
  expect([r1.ok, r2.ok]).toEqual([true, true]);
  expect(counts.get).toBe(0);
});

test('another writer in between: the stale version\'s write is refused, the change lands on the fresh one, nothing is lost', async () => {
  const { store, memory, counts } = counted();
  await store.create(newOrder('o2'));
  // The API (another writer) cancels behind the cache's back.
  const current = memory.docs.get('o2')!;
  memory.put(applyEvent(current.value, 'cancel', '2026-01-01T00:00:01.000Z'));
  const r = await advanceOrder(store, { orderId: 'o2', customerId: 'cust-1', event: 'stock-reserved', at: '2026-01-01T00:00:02.000Z' });
  // Refused by the state machine on the fresh read: cancelled orders take no stock.
  expect(r).toEqual({ ok: false, status: 'cancelled' });
  expect(counts.get).toBe(1);
  expect(memory.docs.get('o2')!.value.status).toBe('cancelled');
});

test('a stale version that would write nothing is not believed: the decision is made on a fresh read', async () => {
  const { store, memory } = counted();
  await store.create(newOrder('o3'));
  await advanceOrder(store, { orderId: 'o3', customerId: 'cust-1', event: 'stock-reserved', at: '2026-01-01T00:00:01.000Z' });
  // A remembered version that already holds the event the store does not have: believed, it
  // would make advanceOrder write nothing and report success without the stage being recorded.
  const fresh = memory.docs.get('o3')!;
  const stale = { value: applyEvent(fresh.value, 'invoice-issued', '2026-01-01T00:00:02.000Z'), etag: 'stale' };
  (store as unknown as { versions: Map<string, unknown> }).versions.set('o3', stale);
  const r = await advanceOrder(store, { orderId: 'o3', customerId: 'cust-1', event: 'invoice-issued', at: '2026-01-01T00:00:03.000Z' });
  expect(r.ok).toBe(true);
  expect(memory.docs.get('o3')!.value.status).toBe('invoiced');
});

test('the memory is bounded: the least recently used order is forgotten', async () => {
  const { store } = counted();
  const small = new RecentOrderVersions(store, 2);
  for (const id of ['a', 'b', 'c']) await small.create(newOrder(id));
  expect(small.recent('a', 'cust-1')).toBeUndefined();
  expect(small.recent('c', 'cust-1')?.value.id).toBe('c');
  expect(small.recent('c', 'someone-else')).toBeUndefined();
});
