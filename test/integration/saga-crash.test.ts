// A machine-level crash with orders in flight: SIGKILL of the host's whole process group while 40
// POSTs are being answered (some acknowledged, some not), then a restart. Every order that was
// stored reaches a final state without any client retry; each paid order was captured once; each
// stage email went out once; invoice numbers are unique and gap-free. Retrying the requests that
// never got an answer converges on the same order, never a second one.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { HostProcess, startHost, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';
import { orderSchema } from '../../functions/http/schemas';

const appRoot = path.resolve(__dirname, '..', '..', '..');
const env = { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1500', API_RATE_LIMIT_PER_SECOND: '0' };
let host: HostProcess;
const c = sagaClient(() => host);
jest.setTimeout(240_000);

beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env, detached: true });
}, 60_000);
afterAll(() => host.stop(), 30_000);

interface Attempt { customer: string; key: string; body: string; acknowledged?: string }

const orderBody = (customer: string) => JSON.stringify({
  customer: { id: customer, name: 'Grace Hopper' },
  items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }, { sku: 'NOTE-A5-DOT', quantity: 1 }],
  shippingAddress: { name: 'Grace Hopper', line1: 'Invalidenstraße 117', city: 'Berlin', postalCode: '10115', country: 'DE' },
  payment: { method: 'paypal', vaultId: 'vault-ok' },
});

async function post(a: Attempt): Promise<Response> {
  return fetch(`${host.api}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await c.token(a.customer)}`, 'idempotency-key': a.key },
    body: a.body,
  });
}

/** Every stored order, as an admin lists them. */
async function allOrders(): Promise<{ id: string; customer: string; status: string }[]> {
  const admin = await c.token('support-crash', ['Orders.Admin']);
  const out: { id: string; customer: string; status: string }[] = [];
  let url: string | null = '/api/v1/orders?limit=100';
  while (url) {
    const res = await fetch(`${host.url}${url}`, { headers: { authorization: `Bearer ${admin}` } });
    const page = (await res.json()) as { items: { id: string; customerId: string; status: string }[]; links: { next: string | null } };
    out.push(...page.items.map((i) => ({ id: i.id, customer: i.customerId, status: i.status })));
    url = page.links.next;
  }
  return out;
}

const final = new Set(['shipped', 'delivered', 'cancelled', 'payment-failed', 'refunded']);

test('SIGKILL of the process group with 40 orders in flight: every stored order finishes without a client retry, nothing doubled', async () => {
  const attempts: Attempt[] = Array.from({ length: 40 }, () => {
    const customer = `crash-${randomUUID().slice(0, 8)}`;
    return { customer, key: randomUUID(), body: orderBody(customer) };
  });
  // Tokens first, so the POSTs go out together.
  await Promise.all(attempts.map((a) => c.token(a.customer)));
  let answered = 0;
  const inFlight = attempts.map(async (a) => {
    try {
      const res = await post(a);
      if (res.status === 202) a.acknowledged = ((await res.json()) as { id: string }).id;
    } catch {
      // the connection died with the host
    }
    answered++;
  });
  await waitFor(async () => (answered >= 8 ? true : undefined), 'the first answers', 30_000);
  await host.killGroup();
  await Promise.all(inFlight);
  const acknowledged = attempts.filter((a) => a.acknowledged);
  expect(acknowledged.length).toBeGreaterThanOrEqual(8);
  expect(acknowledged.length).toBeLessThan(attempts.length);

  const restartedAt = Date.now();
  host = await startHost({ appRoot, dataDir: host.dataDir, logLevel: 'warning', env, detached: true });
  // No client retries: the orders the store holds must all finish on their own.
  const stored = await waitFor(async () => {
    const all = await allOrders();
    return all.every((o) => final.has(o.status)) ? all : undefined;
  }, 'every stored order to reach a final state', 120_000);
  const settledSeconds = (Date.now() - restartedAt) / 1000;
  console.log(`crash test: ${acknowledged.length} of ${attempts.length} POSTs acknowledged before the kill, ${stored.length} orders stored, all final ${settledSeconds.toFixed(1)} s after the restart began`);
  expect(settledSeconds).toBeLessThan(100);
  const storedIds = new Set(stored.map((o) => o.id));
  for (const a of acknowledged) expect(storedIds.has(a.acknowledged!)).toBe(true);
  // One order per customer: nothing placed twice.
  expect(new Set(stored.map((o) => o.customer)).size).toBe(stored.length);

  const invoices: number[] = [];
  for (const o of stored) {
    expect(o.status === 'shipped' || o.status === 'delivered').toBe(true);
    invoices.push(Number((await c.get(o.customer, o.id)).invoice!.number.slice(-6)));
    const pp = await c.paypal(o.id);
    expect(pp.flatMap((p) => p.captures).filter((x) => x.status === 'COMPLETED')).toHaveLength(1);
    const stages = c.stages(await c.mailbox(`${o.customer}@example.com`, 4), o.id);
    for (const st of ['received', 'invoiced', 'paid', 'shipped']) expect(stages.filter((s) => s === st)).toHaveLength(1);
    expect(new Set(stages).size).toBe(stages.length);
  }
  // Unique and gap-free: the stored orders hold exactly the numbers 1..n of this year's series.
  expect(invoices.sort((a, b) => a - b)).toEqual(stored.map((_, i) => i + 1));

  // The requests that never got an answer, retried with the same key and body: the same order
  // where one was stored, a new one where none was, and never a second one for a customer.
  const unanswered = attempts.filter((a) => !a.acknowledged);
  const retried = await Promise.all(unanswered.map(async (a) => {
    const res = await waitFor(async () => {
      const r = await post(a);
      if (r.status === 409) return undefined; // the dead attempt's lease has not run out yet
      return r;
    }, `the retry of ${a.customer}'s order`, 60_000);
    expect(res.status).toBe(202);
    return { a, order: orderSchema.parse(await res.json()) };
  }));
  const byCustomer = new Map(stored.map((o) => [o.customer, o.id]));
  for (const { a, order } of retried) {
    const before = byCustomer.get(a.customer);
    if (before) expect(order.id).toBe(before);
  }
  const after = await allOrders();
  expect(new Set(after.map((o) => o.customer)).size).toBe(after.length);
  expect(after.length).toBe(stored.length + retried.filter((r) => !byCustomer.has(r.a.customer)).length);
});
