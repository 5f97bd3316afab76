// Holds and lost answers: PayPal refusing our credentials holds the payment step instead of
// failing the buyer's payment; an authorization aging in a hold is reauthorized after PayPal's
// honour period and never captured once expired; a compensation refund PayPal holds counts only
// once paid out; a shipment booked by an attempt whose answer was lost is not booked again.
// PayPal's honour period is 10 s and authorizations expire after 25 s here (both the simulator's
// and the app's setting); the activity retry policy alone takes 15 s before a hold begins.
import path from 'node:path';
import { HostProcess, startHost, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

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
}, 60_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(120_000);
const c = sagaClient(() => host);
const completedCaptures = (pp: Awaited<ReturnType<typeof c.paypal>>) => pp.flatMap((o) => o.captures).filter((x) => x.status === 'COMPLETED');

test('PayPal refuses our credentials at capture: the order is held, not failed; past the honour period it is reauthorized, captured once and shipped', async () => {
  // The first 7 capture calls get 401/403: the retry policy's 5, the report, one on the hold's timer.
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-unauthorized-7' });
  const held = await c.until(customer, order.id, ['payment-on-hold'], 40_000);
  expect(held.payment.captureId).toBeNull();
  const shipped = await c.until(customer, order.id, ['shipped', 'delivered'], 60_000);
  expect(shipped.timeline.map((t) => t.status)).toEqual(expect.arrayContaining(['authorized', 'payment-on-hold', 'paid', 'shipped']));
  const pp = await c.paypal(order.id);
  // The hold outlasted the honour period: the capture took a reauthorization, made once.
  expect(pp.flatMap((o) => o.authorizations)).toHaveLength(2);
  expect(completedCaptures(pp)).toHaveLength(1);
  expect(c.stages(await c.mailbox(email, 5), order.id).slice(0, 5)).toEqual(['received', 'invoiced', 'payment-delayed', 'paid', 'shipped']);
  expect(host.output()).toContain(`order ${order.id} is on hold: PayPal refused our credentials at capturePayment`);
});

test('PayPal refuses our credentials at authorize: held, then authorized, captured once and shipped', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-authorize-unauthorized-7' });
  await c.until(customer, order.id, ['payment-on-hold'], 40_000);
  await c.until(customer, order.id, ['shipped', 'delivered'], 60_000);
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((o) => o.authorizations)).toHaveLength(1);
  expect(completedCaptures(pp)).toHaveLength(1);
  expect(c.stages(await c.mailbox(email, 5), order.id).slice(0, 5)).toEqual(['received', 'invoiced', 'payment-delayed', 'paid', 'shipped']);
});

test('an authorization held past its expiry is never captured: payment-expired, the customer is told, nothing is charged', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-unauthorized-40' });
  const expired = await c.until(customer, order.id, ['payment-expired'], 80_000);
  expect(expired.cancellationReason).toContain('authorization expired');
  // Compensation follows the status: the invoice is reversed.
  await waitFor(async () => ((await c.get(customer, order.id)).creditNote ? true : undefined), 'the credit note');
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((o) => o.captures)).toEqual([]);
  expect(c.stages(await c.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'payment-delayed', 'payment-expired']);
});

test('a cancel while the payment is on hold voids the authorization and captures nothing', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-unauthorized-100' });
  await c.until(customer, order.id, ['payment-on-hold'], 40_000);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  const done = await c.until(customer, order.id, ['cancelled']);
  expect(done.payment.captureId).toBeNull();
  // The cancel is recorded at once; the saga's compensation voids right after. Voiding the
  // original releases a reauthorization too.
  const pp = await waitFor(async () => {
    const orders = await c.paypal(order.id);
    const statuses = orders.flatMap((o) => o.authorizations).map((a) => a.status);
    return statuses.length > 0 && statuses.every((s) => s === 'VOIDED') ? orders : undefined;
  }, 'the authorization to be voided');
  expect(pp.flatMap((o) => o.captures)).toEqual([]);
  expect(c.stages(await c.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'payment-delayed', 'cancelled']);
});

test('a compensation refund PayPal holds and then fails is not counted as refunded: the order stays refund-pending', async () => {
  // The carrier refuses the shipment after capture; PayPal accepts each refund as PENDING, then fails it.
  const { customer, order } = await c.place({ vaultId: 'vault-refund-pending-failed', postalCode: '99999' });
  const pending = await c.until(customer, order.id, ['refund-pending', 'refunded'], 60_000);
  expect(pending.status).toBe('refund-pending');
  expect(pending.payment.refunded).toBeNull();
  expect(pending.payment.refundFailure).toMatchObject({ reason: expect.stringContaining('could not pay out') });
});

test('a compensation refund PayPal holds and then pays out counts once paid: refunded, with the refunded email', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-refund-pending', postalCode: '99999' });
  const refunded = await c.until(customer, order.id, ['refunded'], 60_000);
  expect(refunded.payment.refunded).toBe(order.totals.total);
  expect(c.stages(await c.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'paid', 'refunded']);
});

test('a booking whose answer was lost is found by its reference, not booked again: one shipment', async () => {
  const { customer, order } = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-LOST-1 Weg 9' });
  await c.until(customer, order.id, ['shipped', 'delivered'], 60_000);
  const shipments = await c.dev<{ shipments?: unknown[]; items?: unknown[] } | unknown[]>(`/dev/shipments?reference=${order.id}`);
  const list = Array.isArray(shipments) ? shipments : (shipments.shipments ?? shipments.items ?? []);
  expect(list).toHaveLength(1);
});
