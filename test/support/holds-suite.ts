// The host of the hold tests (saga-holds*.test.ts): PayPal's honour period is 10 s and
// authorizations expire after 25 s (both the simulator's and the app's setting); the activity
// retry policy alone takes 15 s before a hold begins. Registers the suite's beforeAll/afterAll.
import path from 'node:path';
import { startHost } from 'azure-standin/testing';
import type { HostProcess } from 'azure-standin/testing';
import { sagaClient } from './saga-client';

export function holdsSuite() {
  const appRoot = path.resolve(__dirname, '..', '..', '..');
  let host: HostProcess;
  beforeAll(async () => {
    host = await startHost({
      appRoot,
      logLevel: 'warning',
      env: {
        SIM_CARRIER_TRANSIT_MS: '300',
        SIM_CARRIER_DELIVERED_MS: '1000',
        API_RATE_LIMIT_PER_SECOND: '0',
        SAGA_RETRY_DELAY_SECONDS: '1',
        REFUND_RETRY_WINDOW_SECONDS: '8',
        SIM_PAYPAL_HONOR_SECONDS: '10',
        SIM_PAYPAL_AUTHORIZATION_VALID_SECONDS: '25',
        PAYPAL_HONOR_PERIOD_SECONDS: '10',
      },
    });
  }, 90_000);
  afterAll(() => host.stop(), 30_000);
  jest.setTimeout(120_000);
  const c = sagaClient(() => host);
  const completedCaptures = (pp: Awaited<ReturnType<typeof c.paypal>>) => pp.flatMap((o) => o.captures).filter((x) => x.status === 'COMPLETED');
  return { host: () => host, c, completedCaptures };
}
