// The host of the order saga's end-to-end suites (saga-flows*.test.ts): refunds and held shipments
// are retried on durable timers from 1 s (doubling) for a minute, approvals time out after 8 s.
// Registers the suite's beforeAll/afterAll; each suite gets a host of its own.
import path from 'node:path';
import { startHost } from 'azure-standin/testing';
import type { HostProcess } from 'azure-standin/testing';
import { sagaClient } from './saga-client';

export function flowsSuite() {
  const appRoot = path.resolve(__dirname, '..', '..', '..');
  let host: HostProcess;
  const env = { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1500', PAYMENT_APPROVAL_TIMEOUT_SECONDS: '8', API_RATE_LIMIT_PER_SECOND: '0', SAGA_RETRY_DELAY_SECONDS: '1', REFUND_RETRY_WINDOW_SECONDS: '60', SHIPMENT_HOLD_RETRY_WINDOW_SECONDS: '60' };
  beforeAll(async () => {
    host = await startHost({ appRoot, logLevel: 'warning', env });
  }, 90_000);
  // Sagas take seconds: payment, shipment and delivery run through the simulators.
  jest.setTimeout(90_000);
  afterAll(() => host.stop(), 30_000);
  const c = sagaClient(() => host);
  const captures = (p: Awaited<ReturnType<typeof c.paypal>>) => p.flatMap((o) => o.captures ?? []);
  const refunds = (p: Awaited<ReturnType<typeof c.paypal>>) => p.flatMap((o) => o.refunds ?? []);
  return { host: () => host, c, captures, refunds };
}
