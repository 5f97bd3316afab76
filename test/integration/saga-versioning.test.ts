// A deployment that changes the saga: orders placed before it keep the behaviour they started
// with (their saga version), replay without non-determinism, and finish; new orders get the new
// behaviour. The "before" deployment is this code with no defaultVersion, which is exactly how
// sagas of the first release are stamped.
import path from 'node:path';
import { EventType, HostProcess, rawHistory, startHost, tempDir } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';
import { sagaVersions } from '../../functions/wiring/saga-versions';

const appRoot = path.resolve(__dirname, '..', '..', '..');
// Held shipments wait 10 minutes between automatic retries: only RetryNow moves them in this test.
const env = { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '600000', API_RATE_LIMIT_PER_SECOND: '0', SAGA_RETRY_DELAY_SECONDS: '600', SHIPMENT_HOLD_RETRY_WINDOW_SECONDS: '3600' };
const unversioned = { AzureFunctionsJobHost__extensions__durableTask__defaultVersion: '' };
let host: HostProcess;
const c = sagaClient(() => host);
// The version is in the stored ExecutionStarted (the status API's history leaves it out, as the extension does).
const version = async (id: string) =>
  (await rawHistory(host, id))?.find((e) => e.EventType === EventType.ExecutionStarted)?.Version;

jest.setTimeout(120_000);
afterAll(() => host?.stop(), 30_000);

test('sagas started before the delayed email and the outage hold keep their old path across the upgrade; new ones take the new path', async () => {
  const dataDir = tempDir('saga-version-');
  host = await startHost({ appRoot, dataDir, logLevel: 'warning', env: { ...env, ...unversioned } });
  // Held for our credentials (401 for the first 6 requests), and a carrier that stays down.
  const held = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-UNAUTHORIZED-6 Weg 1' });
  const down = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-DOWN Weg 1' });
  await c.until(held.customer, held.order.id, ['on-hold'], 60_000);
  // First release: an outage after payment refunds the order.
  await c.until(down.customer, down.order.id, ['refunded'], 60_000);
  expect(await version(held.order.id)).toBe('');
  expect(c.stages(await c.mailbox(held.email, 3), held.order.id)).toEqual(['received', 'invoiced', 'paid']);
  await host.stop();

  // The upgrade: host.json's defaultVersion (the newest) applies again.
  host = await startHost({ appRoot, dataDir, logLevel: 'warning', env });
  await c.raise(held.order.id, 'RetryNow');
  const shipped = await c.until(held.customer, held.order.id, ['shipped', 'delivered'], 60_000);
  expect(shipped.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'invoiced', 'authorized', 'paid', 'packing', 'on-hold', 'shipped']);
  // Its old path: no delayed email, which a replay on the new path would have tried to schedule.
  expect(c.stages(await c.mailbox(held.email, 4), held.order.id)).toEqual(['received', 'invoiced', 'paid', 'shipped']);
  expect(host.output()).not.toContain('Non-Deterministic');

  // A new order, same outage: the new version holds it and tells the customer.
  const fresh = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-DOWN Weg 2' });
  await c.until(fresh.customer, fresh.order.id, ['on-hold'], 60_000);
  expect(await version(fresh.order.id)).toBe(sagaVersions[sagaVersions.length - 1]);
  expect(c.stages(await c.mailbox(fresh.email, 4), fresh.order.id)).toEqual(['received', 'invoiced', 'paid', 'delayed']);
  await c.cancel(fresh.customer, fresh.order.id);
  await c.until(fresh.customer, fresh.order.id, ['cancelled'], 60_000);
});
