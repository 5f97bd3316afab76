// The order saga end to end on the embedded runtime with the PayPal, carrier and ACS Email
// simulators: the happy paths and every error flow, asserting money (PayPal captures, voids,
// refunds), documents (invoice, credit note) and the customer's mailbox (one email per stage).
import path from 'node:path';
import { HostProcess, startHost, completed, status, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
// Refunds and held shipments are retried on durable timers from 1 s (doubling) for a minute.
const env = { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1500', PAYMENT_APPROVAL_TIMEOUT_SECONDS: '8', API_RATE_LIMIT_PER_SECOND: '0', SAGA_RETRY_DELAY_SECONDS: '1', REFUND_RETRY_WINDOW_SECONDS: '60', SHIPMENT_HOLD_RETRY_WINDOW_SECONDS: '60' };
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env });
}, 60_000);
// Sagas take seconds: payment, shipment and delivery run through the simulators.
jest.setTimeout(90_000);
afterAll(() => host.stop(), 30_000);
const c = sagaClient(() => host);

const captures = (p: Awaited<ReturnType<typeof c.paypal>>) => p.flatMap((o) => o.captures ?? []);
const refunds = (p: Awaited<ReturnType<typeof c.paypal>>) => p.flatMap((o) => o.refunds ?? []);
const euros = (minor: number) => (minor / 100).toFixed(2);

test('vaulted PayPal: received → invoiced → paid → shipped → delivered, one capture, one email per stage', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok' });
  const shipped = await c.until(customer, order.id, ['shipped', 'delivered']);
  expect(shipped.invoice?.number).toMatch(/^INV-\d{4}-\d{6}$/);
  expect(shipped.payment.captureId).toBeTruthy();
  expect(shipped.shipment?.trackingNumber).toBeTruthy();
  const delivered = await c.until(customer, order.id, ['delivered']);
  expect(delivered.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'invoiced', 'authorized', 'paid', 'packing', 'shipped', 'delivered']);
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(captures(pp)[0].amount.value).toBe(euros(order.totals.total));
  const mails = await c.mailbox(email, 5);
  expect(c.stages(mails, order.id)).toEqual(['received', 'invoiced', 'paid', 'shipped', 'delivered']);
  const shippedMail = mails[3];
  expect(shippedMail.text).toContain(shipped.shipment!.trackingNumber);
  // The invoice, as JSON and as PDF.
  const auth = { authorization: `Bearer ${await c.token(customer)}` };
  const inv = await fetch(`${host.api}/v1/orders/${order.id}/invoice`, { headers: { ...auth, accept: 'application/json' } });
  expect(inv.status).toBe(200);
  const invoice = (await inv.json()) as { number: string; totals: { gross: { amount: number } } };
  expect(invoice).toMatchObject({ number: shipped.invoice!.number, totals: { gross: { amount: order.totals.total } } });
  const pdf = await fetch(`${host.api}/v1/orders/${order.id}/invoice`, { headers: { ...auth, accept: 'application/pdf' } });
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  expect((await fetch(`${host.api}/v1/orders/${order.id}/invoice`, { headers: { ...auth, accept: 'text/csv' } })).status).toBe(406);
  expect(await completed(host, order.id)).toMatchObject({ output: { outcome: 'delivered' } });
});

test('buyer approval: the approve link, then a webhook racing the return URL, captures once', async () => {
  const { customer, email, order } = await c.place({});
  const waiting = await c.until(customer, order.id, ['awaiting-payment']);
  const approveUrl = waiting.payment.approveUrl!;
  // The buyer clicks Approve; PayPal redirects back to our return URL and also sends the webhook.
  const approved = await fetch(approveUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve', redirect: 'manual' });
  expect(approved.status).toBe(303);
  const returnUrl = approved.headers.get('location')!;
  const [r1, r2] = await Promise.all([fetch(returnUrl), fetch(returnUrl)]);
  expect([r1.status, r2.status]).toEqual([200, 200]);
  await c.until(customer, order.id, ['shipped', 'delivered']);
  expect(captures(await c.paypal(order.id))).toHaveLength(1);
  const mails = await c.mailbox(email, 4);
  expect(c.stages(mails, order.id).slice(0, 4)).toEqual(['received', 'invoiced', 'paid', 'shipped']);
  expect(mails[1].text).toContain('checkoutnow'); // the invoiced email carries the approve link
});

test('a forged return URL (wrong PayPal token) is refused and approves nothing', async () => {
  const { customer, order } = await c.place({});
  await c.until(customer, order.id, ['awaiting-payment']);
  const res = await fetch(`${host.api}/v1/payments/paypal/return?orderId=${order.id}&token=FORGED`);
  expect(res.status).toBe(404);
  expect((await c.get(customer, order.id)).status).toBe('awaiting-payment');
  await c.cancel(customer, order.id);
});

test('declined payment: payment-failed, nothing captured, credit note, stock released, emails', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-declined', items: [{ sku: 'LAMP-DESK-LED', quantity: 40 }] });
  const failed = await c.until(customer, order.id, ['payment-failed']);
  expect(failed.cancellationReason).toBeTruthy();
  expect(captures(await c.paypal(order.id))).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
  // All 40 lamps were reserved and are released again: another order for 40 gets them.
  const next = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'LAMP-DESK-LED', quantity: 40 }] });
  await c.until(next.customer, next.order.id, ['shipped', 'delivered']);
  const docs = await fetch(`${host.api}/v1/orders/${order.id}/invoice`, { headers: { authorization: `Bearer ${await c.token(customer)}` } });
  const { documents } = (await docs.json()) as { documents: { number: string; kind: string }[] };
  expect(documents.map((d) => d.kind)).toEqual(['invoice', 'credit-note']);
});

test('approval timeout: payment-failed after the timeout, nothing charged', async () => {
  const { customer, email, order } = await c.place({});
  const failed = await c.until(customer, order.id, ['payment-failed'], 30_000);
  expect(failed.timeline.map((t) => t.status)).toContain('awaiting-payment');
  expect(captures(await c.paypal(order.id))).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
});

test('PayPal 5xx on the first attempts is retried with the same request id: exactly one capture', async () => {
  const { customer, order } = await c.place({ vaultId: 'vault-flaky' });
  await c.until(customer, order.id, ['shipped', 'delivered']);
  expect(captures(await c.paypal(order.id))).toHaveLength(1);
});

test('carrier refuses the shipment after payment: refund equal to the capture, credit note, refunded email', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok', postalCode: '99999' });
  const refunded = await c.until(customer, order.id, ['refunded']);
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(refunds(pp).map((r) => r.amount.value)).toEqual([captures(pp)[0].amount.value]);
  expect(refunded.payment.refunded).toBe(order.totals.total);
  expect(c.stages(await c.mailbox(email, 4), order.id)).toEqual(['received', 'invoiced', 'paid', 'refunded']);
});

test('out of stock: cancelled with the reason, nothing charged', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'BOOK-SRE-EN', quantity: 26 }] });
  const cancelled = await c.until(customer, order.id, ['cancelled']);
  expect(cancelled.cancellationReason).toContain('BOOK-SRE-EN');
  expect(await c.paypal(order.id)).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 2), order.id)).toEqual(['received', 'cancelled']);
});

test('cancel while awaiting approval: the saga ends, stock is released, invoice credited', async () => {
  const { customer, email, order } = await c.place({});
  await c.until(customer, order.id, ['awaiting-payment']);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host, order.id)).toMatchObject({ output: { outcome: 'cancelled' } });
  const after = await c.get(customer, order.id);
  expect(after.status).toBe('cancelled');
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'cancelled']);
});

test('cancel while PayPal is still authorizing: the authorization is voided, never captured', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-slow' });
  await c.until(customer, order.id, ['invoiced']);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host, order.id, 60_000)).toMatchObject({ output: { outcome: 'cancelled' } });
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(0);
  expect(pp.flatMap((o) => o.authorizations ?? []).map((a) => a.status)).toEqual(['VOIDED']);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'cancelled']);
});

test('cancel while the capture is in flight: the capture is refunded in full, the order stays cancelled', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-slow-capture' });
  await c.until(customer, order.id, ['authorized']);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host, order.id, 60_000)).toMatchObject({ output: { outcome: 'cancelled' } });
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(refunds(pp).map((r) => r.amount.value)).toEqual([captures(pp)[0].amount.value]);
  const after = await c.get(customer, order.id);
  expect(after).toMatchObject({ status: 'cancelled', payment: { refunded: order.totals.total } });
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'cancelled']);
});

// ---- compensation that PayPal or the carrier does not go along with ----

const authorizations = (p: Awaited<ReturnType<typeof c.paypal>>) => p.flatMap((o) => o.authorizations ?? []);

test('a refund PayPal refuses is retried on durable timers: refund-pending (the customer is told the money is owed), then refunded exactly once, one refunded email', async () => {
  // The carrier refuses (99999) after capture; PayPal refuses the first two refund attempts.
  const { customer, email, order } = await c.place({ vaultId: 'vault-refund-declined-2', postalCode: '99999' });
  const refunded = await c.until(customer, order.id, ['refunded']);
  expect(refunded.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'invoiced', 'authorized', 'paid', 'packing', 'refund-pending', 'refunded']);
  expect(refunded.payment).toMatchObject({ refunded: order.totals.total, refundFailure: null });
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(refunds(pp).map((r) => r.amount.value)).toEqual([captures(pp)[0].amount.value]);
  expect(await completed(host, order.id)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'refunded' } });
  const mails = await c.mailbox(email, 5);
  expect(c.stages(mails, order.id)).toEqual(['received', 'invoiced', 'paid', 'cancelled', 'refunded']);
  expect(mails[3].text).toContain('we owe you a refund');
  expect(mails[3].text).toContain('We could not ship your order');
});

test('a capture whose answer was lost: the void finds it captured, it is refunded in full, and the emails say so', async () => {
  // Every answer to the capture is a 500 although PayPal made it: the saga sees "PayPal down".
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-lost' });
  // The status is written before compensation runs: wait for the saga to finish.
  expect(await completed(host, order.id, 80_000)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'payment-failed' } });
  const failed = await c.get(customer, order.id);
  expect(failed.status).toBe('payment-failed');
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(refunds(pp).map((r) => r.amount.value)).toEqual([captures(pp)[0].amount.value]);
  expect(failed.payment).toMatchObject({ captureId: captures(pp)[0].id, refunded: order.totals.total, voided: false, voidFailure: null });
  const mails = await c.mailbox(email, 3);
  expect(c.stages(mails, order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
  expect(mails[2].text).toContain('refunding');
  expect(mails[2].text).not.toContain('not been charged');
});

test('a void PayPal refuses is recorded as refused, never as voided', async () => {
  // The capture is declined, so the saga voids; PayPal refuses the void (422 CANNOT_BE_VOIDED).
  const { customer, email, order } = await c.place({ vaultId: 'vault-void-refused' });
  const failed = await c.until(customer, order.id, ['payment-failed']);
  expect(await completed(host, order.id)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'payment-failed' } });
  const after = await c.get(customer, order.id);
  expect(after.payment.voided).toBe(false);
  expect(after.payment.voidFailure).toContain('CANNOT_BE_VOIDED');
  expect(failed.payment.captureId).toBeNull();
  const pp = await c.paypal(order.id);
  expect(authorizations(pp).map((a) => a.status)).toEqual(['CREATED']);
  expect(captures(pp).filter((x) => x.status === 'COMPLETED')).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
  expect(host.output()).toContain(`the void of PayPal authorization ${authorizations(pp)[0].id} failed`);
});

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
  expect(host.output()).toMatch(new RegExp(`order ${order.id} is on hold: .*${log}`));
  expect(c.stages(await c.mailbox(email, 5), order.id).slice(0, 5)).toEqual(['received', 'invoiced', 'paid', 'delayed', 'shipped']);
});

test('an order held by a carrier credential failure is never refunded automatically; RetryNow retries at once; the customer may cancel and is refunded', async () => {
  type Hold = { onHold: string; attempts: number; nextAttemptAt: string | null };
  const hold = async () => (await status(host, order.id))?.customStatus as Hold | null;
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-UNAUTHORIZED Weg 1' });
  const onHold = await c.until(customer, order.id, ['on-hold'], 80_000);
  expect(onHold.links.cancel).toBe(`/api/v1/orders/${order.id}/cancel`);
  // Two durable retries later (after 1 s and 2 s): still held, still paid, nothing refunded.
  const h1 = await waitFor(async () => ((await hold())?.attempts ?? 0) >= 3 ? (await hold())! : undefined, 'three shipment attempts', 30_000);
  expect(h1.onHold).toContain('DHL refused our credentials');
  expect((await status(host, order.id))!.runtimeStatus).toBe('Running');
  expect((await c.get(customer, order.id)).status).toBe('on-hold');
  expect(refunds(await c.paypal(order.id))).toHaveLength(0);
  expect(host.output()).toContain(`order ${order.id} is on hold`);
  // An operator's RetryNow tries at once, long before the next timer (4 s after the last attempt).
  await c.raise(order.id, 'RetryNow');
  await waitFor(async () => ((await hold())?.attempts ?? 0) > h1.attempts || undefined, 'the attempt RetryNow asked for', 10_000);
  expect(Date.now()).toBeLessThan(Date.parse(h1.nextAttemptAt!));
  expect((await c.get(customer, order.id)).status).toBe('on-hold');
  // The customer cancels: the capture is refunded in full.
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host, order.id)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'cancelled' } });
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(1);
  expect(refunds(pp).map((r) => r.amount.value)).toEqual([captures(pp)[0].amount.value]);
  expect(await c.get(customer, order.id)).toMatchObject({ status: 'cancelled', payment: { refunded: order.totals.total }, shipment: null });
  expect((await c.dev<{ shipments: unknown[] }>(`/dev/shipments?reference=${order.id}`)).shipments).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 5), order.id)).toEqual(['received', 'invoiced', 'paid', 'delayed', 'cancelled']);
});
