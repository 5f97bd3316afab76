// A capture PayPal holds (PENDING: its review, an eCheck clearing) is not money: the order waits
// in payment-pending and ships only once PayPal completes the capture. Two runtimes: one where
// only PayPal's webhook can wake the saga in time (its own checks are 10 minutes apart), one where
// the webhook never comes and the saga's own checks (every 1 s, doubling) must find the outcome.
import path from 'node:path';
import { HostProcess, startHost, status, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

const appRoot = path.resolve(__dirname, '..', '..', '..');
const base = { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '600000', API_RATE_LIMIT_PER_SECOND: '0', SIM_PAYPAL_PENDING_MS: '2500' };
let webhooks: HostProcess;
let polling: HostProcess;
beforeAll(async () => {
  [webhooks, polling] = await Promise.all([
    startHost({ appRoot, logLevel: 'warning', env: { ...base, SAGA_RETRY_DELAY_SECONDS: '600' } }),
    startHost({ appRoot, logLevel: 'warning', env: { ...base, SAGA_RETRY_DELAY_SECONDS: '1' } }),
  ]);
}, 60_000);
afterAll(() => Promise.all([webhooks?.stop(), polling?.stop()]), 30_000);
jest.setTimeout(60_000);

const w = sagaClient(() => webhooks);
const p = sagaClient(() => polling);
const settledEvents = async (h: HostProcess, id: string) =>
  ((await status(h, id, true))?.historyEvents ?? []).filter((e) => e.EventType === 'EventRaised' && e.Name === 'CaptureSettled').length;

test('a pending capture that PayPal completes: payment-pending, then paid and shipped, woken by the webhook', async () => {
  const { customer, email, order } = await w.place({ vaultId: 'vault-capture-pending' });
  const pending = await w.until(customer, order.id, ['payment-pending'], 20_000);
  expect(pending.payment.captureId).toBeTruthy();
  expect(pending.shipment).toBeNull();
  const shipped = await w.until(customer, order.id, ['shipped'], 30_000);
  expect(shipped.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'invoiced', 'authorized', 'payment-pending', 'paid', 'packing', 'shipped']);
  const pp = await w.paypal(order.id);
  expect(pp.flatMap((o) => o.captures).map((c) => c.status)).toEqual(['COMPLETED']);
  expect(await settledEvents(webhooks, order.id)).toBe(1);
  expect(w.stages(await w.mailbox(email, 5), order.id)).toEqual(['received', 'invoiced', 'payment-pending', 'paid', 'shipped']);
});

test('a pending capture that PayPal denies: payment-failed, nothing shipped, nothing to refund or void', async () => {
  const { customer, email, order } = await w.place({ vaultId: 'vault-capture-pending-denied' });
  await w.until(customer, order.id, ['payment-failed'], 30_000);
  const mails = await w.mailbox(email, 4);
  const failed = await w.get(customer, order.id);
  expect(failed.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'invoiced', 'authorized', 'payment-pending', 'payment-failed']);
  expect(failed.payment).toMatchObject({ captureId: null, refunded: null, voided: false, voidFailure: null });
  expect(failed.shipment).toBeNull();
  const pp = await w.paypal(order.id);
  expect(pp.flatMap((o) => o.captures).map((c) => c.status)).toEqual(['DECLINED']);
  expect(pp.flatMap((o) => o.refunds)).toHaveLength(0);
  expect(w.stages(mails, order.id)).toEqual(['received', 'invoiced', 'payment-pending', 'payment-failed']);
  expect(mails[3].text).toContain('PayPal declined the payment after reviewing it');
  expect(mails[3].text).toContain('You have not been charged');
});

test('a cancel while the capture is pending waits for the money, then refunds all of it', async () => {
  const { customer, email, order } = await w.place({ vaultId: 'vault-capture-pending' });
  await w.until(customer, order.id, ['payment-pending'], 20_000);
  expect((await w.cancel(customer, order.id)).status).toBe(200);
  await w.until(customer, order.id, ['cancelled'], 5_000);
  // Nothing can be refunded before PayPal completes the capture; then all of it is.
  const done = await waitFor(async () => {
    const o = await w.get(customer, order.id);
    return o.payment.refunded ? o : undefined;
  }, 'the refund after the capture completed', 30_000);
  expect(done.status).toBe('cancelled');
  expect(done.payment.refunded).toEqual(order.totals.total);
  const pp = await w.paypal(order.id);
  expect(pp.flatMap((o) => o.refunds).map((r) => r.amount.value)).toEqual([(order.totals.total / 100).toFixed(2)]);
  expect(w.stages(await w.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'payment-pending', 'cancelled']);
});

test('without the webhook, the saga\'s own checks find the completed capture', async () => {
  const { customer, order } = await p.place({ vaultId: 'vault-capture-pending-quiet' });
  await p.until(customer, order.id, ['payment-pending'], 20_000);
  const shipped = await p.until(customer, order.id, ['shipped'], 30_000);
  expect(shipped.payment.captureId).toBeTruthy();
  expect(await settledEvents(polling, order.id)).toBe(0);
});
