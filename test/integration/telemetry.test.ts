// Observability end to end: the app's real Application Insights SDK exports to the embedded
// runtime's ingestion endpoint, and the host reports each invocation, so one order reads as one
// operation from the client's request to the emails, with the order metrics beside it.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { HostProcess, startHost, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

interface Item {
  kind: string;
  source: 'host' | 'app';
  operationId?: string;
  id?: string;
  parentId?: string;
  name: string;
  value?: number;
  count?: number;
  resultCode?: string;
  properties: Record<string, string>;
}

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env: { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1500', API_RATE_LIMIT_PER_SECOND: '0' } });
}, 60_000);
jest.setTimeout(90_000);
afterAll(() => host.stop(), 30_000);
const c = sagaClient(() => host);

const telemetry = (query: string) => c.dev<Item[]>(`/dev/telemetry?${query}`);

/** Polls until `check` accepts the operation's items (export is batched), then returns them. */
const operation = (traceId: string, check: (items: Item[]) => boolean, what: string) =>
  waitFor(async () => {
    const items = await telemetry(`operationId=${traceId}`);
    return check(items) ? items : undefined;
  }, what, 30_000);

test('one order is one operation: HTTP request → orchestration → activities → Service Bus → email function → ACS', async () => {
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const { customer, order } = await c.place({ vaultId: 'vault-ok', headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
  await c.until(customer, order.id, ['delivered']);

  const emailsOf = (items: Item[]) => items.filter((i) => i.kind === 'request' && i.name === 'sendStageEmail');
  const items = await operation(traceId, (all) => emailsOf(all).length >= 5 && all.some((i) => i.name === 'orchestration:orderSaga') && all.some((i) => i.kind === 'trace' && i.name === 'email delivered sent'), 'the whole order in one operation');
  const byId = new Map(items.filter((i) => i.id).map((i) => [i.id!, i]));
  const parent = (i: Item) => (i.parentId ? byId.get(i.parentId) : undefined);

  // The HTTP request continues the caller's trace.
  const create = items.find((i) => i.kind === 'request' && i.name === 'createOrder')!;
  expect(create).toMatchObject({ source: 'host', parentId: callerSpan, resultCode: '202' });

  // The orchestration hangs under the durable client's call made by that request ...
  const orchestration = items.find((i) => i.name === 'orchestration:orderSaga')!;
  expect(orchestration).toMatchObject({ resultCode: 'Completed', properties: expect.objectContaining({ instanceId: order.id }) });
  const start = parent(orchestration)!;
  expect(start).toMatchObject({ kind: 'dependency', source: 'app' });
  expect(start.name).toContain(`/orchestrators/orderSaga/${order.id}`);
  expect(parent(start)).toBe(create);

  // ... and every activity under the orchestration, each with its own calls beneath it.
  const activities = items.filter((i) => i.kind === 'request' && i.properties.TriggerReason === 'ActivityTrigger');
  expect(activities.map((a) => a.name)).toEqual(expect.arrayContaining(['openOrder', 'issueInvoice', 'startPayment', 'takePayment', 'bookShipment', 'recordStage']));
  for (const a of activities) expect(a.parentId).toBe(orchestration.id);
  const capture = activities.find((a) => a.name === 'takePayment')!;
  expect(items.some((i) => i.kind === 'dependency' && i.parentId === capture.id && /\/v2\/payments\/authorizations\/.+\/capture$/.test(i.name))).toBe(true);
  const ship = activities.find((a) => a.name === 'bookShipment')!;
  expect(items.some((i) => i.kind === 'dependency' && i.parentId === ship.id && /^POST .*\/shipments$/.test(i.name))).toBe(true);

  // Service Bus: each stage event, sent by the step that recorded the stage, is received by the
  // email function in the same operation.
  const sends = items.filter((i) => i.kind === 'dependency' && i.name === 'message');
  expect(sends.length).toBeGreaterThanOrEqual(5);
  for (const s of sends) expect(['openOrder', 'startPayment', 'takePayment', 'bookShipment', 'recordStage']).toContain(parent(s)?.name);
  for (const e of emailsOf(items)) expect(sends.map((s) => s.id)).toContain(e.parentId);
  expect(items.some((i) => i.kind === 'dependency' && i.name === 'POST /emails:send' && emailsOf(items).some((e) => e.id === i.parentId))).toBe(true);

  // Structured logs carry the order id, in the operation of the code that wrote them.
  const logs = items.filter((i) => i.kind === 'trace' && i.properties.orderId === order.id).map((i) => i.name);
  expect(logs).toEqual(expect.arrayContaining(['order placed', 'order invoiced', 'order paid', 'order shipped', 'order delivered', 'email shipped sent']));
  const placed = items.find((i) => i.name === 'order placed')!;
  expect(parent(placed)).toBe(create);
});

test('custom metrics count each order exactly once: orders created, payment failures, time to ship', async () => {
  // Exported as deltas every 5 s locally: the sums over all exports are the totals of this host,
  // which has placed one order (above) before this test.
  const sum = async (name: string, field: 'value' | 'count') => (await telemetry(`kind=metric&name=${name}`)).reduce((n, m) => n + (m[field] ?? 0), 0);
  const reaches = (name: string, field: 'value' | 'count', expected: number) =>
    waitFor(async () => ((await sum(name, field)) === expected ? true : undefined), `${name} ${field} to reach ${expected}`, 30_000);
  await reaches('orders.created', 'value', 1);

  const ok = await c.place({ vaultId: 'vault-ok' });
  const declined = await c.place({ vaultId: 'vault-declined' });
  await c.until(ok.customer, ok.order.id, ['shipped', 'delivered']);
  await c.until(declined.customer, declined.order.id, ['payment-failed']);

  await reaches('orders.created', 'value', 3);
  await reaches('orders.payment_failures', 'value', 1);
  await reaches('orders.time_to_ship', 'count', 2);
  // Another export interval later nothing was counted twice.
  await new Promise((r) => setTimeout(r, 6000));
  expect(await sum('orders.created', 'value')).toBe(3);
  expect(await sum('orders.payment_failures', 'value')).toBe(1);
  expect(await sum('orders.time_to_ship', 'count')).toBe(2);
  const shipTimes = await telemetry('kind=metric&name=orders.time_to_ship');
  expect(shipTimes.every((m) => (m.value ?? -1) >= 0 && m.properties.carrier === 'DHL Express')).toBe(true);
  const logs = await telemetry(`orderId=${declined.order.id}`);
  expect(logs.some((l) => l.kind === 'trace' && l.name === 'order payment-failed')).toBe(true);
});
