// A refund saga that failed or was terminated is run again by repeating its request, and draws
// the same credit-note number: no number of the gapless series is skipped, no refund made twice.
// The failure is real: Blob Storage (Azurite) dies while the credit note is being issued, and an
// operator terminates the stuck saga.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { completed, HostProcess, startHost, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

const appRoot = path.resolve(__dirname, '..', '..', '..');
const env = { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1000', API_RATE_LIMIT_PER_SECOND: '0', SAGA_RETRY_DELAY_SECONDS: '1' };
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env });
}, 60_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(120_000);
const c = sagaClient(() => host);

const series = async () => (await (await fetch(`${host.url}/durabletask/entities/documentNumber/CN-${new Date().getUTCFullYear()}`)).json()) as { last: number; pending: Record<string, number> } | number;

test('a stuck refund saga terminated, then restarted by repeating the request gets the same credit-note number, and PayPal refunds once', async () => {
  const { customer, order } = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'COFFEE-ETH-250', quantity: 2 }] });
  await c.until(customer, order.id, ['delivered']);
  const key = randomUUID();
  const admin = await c.token('support-1', ['Orders.Admin']);
  const request = () => fetch(`${host.api}/v1/orders/${order.id}/refunds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}`, 'idempotency-key': key },
    body: JSON.stringify({ items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }], reason: 'Arrived torn' }),
  });

  // Blob Storage goes away: the credit note's PDF cannot be stored, and the refund saga is stuck
  // retrying with its credit-note number drawn, until an operator terminates it.
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(host.proc.pid)], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter(Boolean);
  for (const pid of children) process.kill(Number(pid), 'SIGKILL');
  const first = await request();
  expect(first.status).toBe(202);
  const refundId = ((await first.json()) as { id: string }).id;
  const instance = `${order.id}:refund:${refundId}`;
  const drawn = await waitFor(async () => {
    const st = await series();
    return typeof st === 'object' && Object.keys(st.pending).length === 1 ? st : undefined;
  }, 'the credit-note number to be drawn', 30_000);
  const number = drawn.last;
  const terminated = await fetch(`${host.url}/durabletask/instances/${encodeURIComponent(instance)}/terminate?reason=storage-down`, { method: 'POST' });
  expect(terminated.status).toBe(202);
  expect((await completed(host, instance, 30_000)).runtimeStatus).toBe('Terminated');

  // Storage is back (the runtime restarts it); the operator repeats the request.
  await host.stop();
  host = await startHost({ appRoot, dataDir: host.dataDir, logLevel: 'warning', env });
  const again = await request();
  expect(again.status).toBe(202);
  expect(((await again.json()) as { id: string }).id).toBe(refundId);
  const done = await waitFor(async () => {
    const o = await c.get(customer, order.id);
    const r = o.refunds.find((x) => x.id === refundId);
    return r?.status === 'completed' ? r : undefined;
  }, 'the restarted refund to complete', 60_000);
  expect(done.creditNote).toBe(`CN-${new Date().getUTCFullYear()}-${String(number).padStart(6, '0')}`);
  // Nothing skipped, nothing still held for the refund, one PayPal refund.
  expect(await series()).toEqual({ last: number, pending: {} });
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((o) => o.refunds)).toHaveLength(1);
});
