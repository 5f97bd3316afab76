// The order saga end to end (see saga-flows.test.ts): a paid order the carrier does not accept
// (credentials refused, an outage) is held and retried on durable timers, never refunded on its own.
import { completed, status, waitFor } from 'azure-standin/testing';
import { flowsSuite } from '../support/flows-suite';

const { host, c, captures, refunds } = flowsSuite();

// 401 or 503 for the first 6 requests: the 5 attempts of the retry policy and the one that reports
// why, so the order goes on hold; the first retry on the durable timer gets through.
test.each([
  { cause: 'the carrier refuses our credentials', line1: 'CARRIER-UNAUTHORIZED-6 Weg 1', log: 'Fix the carrier credentials' },
  { cause: 'a carrier outage outlasts the retry policy', line1: 'CARRIER-DOWN-6 Weg 1', log: 'The carrier is unavailable' },
])('$cause: the paid order is held, not refunded, and ships when the carrier accepts it again', async ({ line1, log }) => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok', line1 });
  const shipped = await c.until(customer, order.id, ['shipped', 'delivered'], 80_000);
  expect(shipped.timeline.map((t) => t.status).slice(0, 8)).toEqual(['received', 'reserved', 'invoiced', 'authorized', 'paid', 'packing', 'on-hold', 'shipped']);
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(refunds(pp)).toHaveLength(0);
  expect((await c.dev<{ shipments: unknown[] }>(`/dev/shipments?reference=${order.id}`)).shipments).toHaveLength(1);
  expect(host().output()).toMatch(new RegExp(`order ${order.id} is on hold: .*${log}`));
  expect(c.stages(await c.mailbox(email, 5), order.id).slice(0, 5)).toEqual(['received', 'invoiced', 'paid', 'delayed', 'shipped']);
});

test('an order held by a carrier credential failure is never refunded automatically; RetryNow retries at once; the customer may cancel and is refunded', async () => {
  type Hold = { onHold: string; attempts: number; nextAttemptAt: string | null };
  const hold = async () => (await status(host(), order.id))?.customStatus as Hold | null;
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-UNAUTHORIZED Weg 1' });
  const onHold = await c.until(customer, order.id, ['on-hold'], 80_000);
  expect(onHold.links.cancel).toBe(`/api/v1/orders/${order.id}/cancel`);
  // Two durable retries later (after 1 s and 2 s): still held, still paid, nothing refunded.
  const h1 = await waitFor(async () => ((await hold())?.attempts ?? 0) >= 3 ? (await hold())! : undefined, 'three shipment attempts', 30_000);
  expect(h1.onHold).toContain('DHL refused our credentials');
  expect((await status(host(), order.id))!.runtimeStatus).toBe('Running');
  expect((await c.get(customer, order.id)).status).toBe('on-hold');
  expect(refunds(await c.paypal(order.id))).toHaveLength(0);
  expect(host().output()).toContain(`order ${order.id} is on hold`);
  // An operator's RetryNow tries at once, long before the next timer (4 s after the last attempt).
  await c.raise(order.id, 'RetryNow');
  await waitFor(async () => ((await hold())?.attempts ?? 0) > h1.attempts || undefined, 'the attempt RetryNow asked for', 10_000);
  expect(Date.now()).toBeLessThan(Date.parse(h1.nextAttemptAt!));
  expect((await c.get(customer, order.id)).status).toBe('on-hold');
  // The customer cancels: the capture is refunded in full.
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host(), order.id)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'cancelled' } });
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(refunds(pp).map((r) => r.amount.value)).toEqual([captures(pp)[0].amount.value]);
  expect(await c.get(customer, order.id)).toMatchObject({ status: 'cancelled', payment: { refunded: order.totals.total }, shipment: null });
  expect((await c.dev<{ shipments: unknown[] }>(`/dev/shipments?reference=${order.id}`)).shipments).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 5), order.id)).toEqual(['received', 'invoiced', 'paid', 'delayed', 'cancelled']);
});
