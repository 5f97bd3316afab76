// The order saga end to end (see saga-flows.test.ts): cancellation at each stage, and
// compensation that PayPal does not go along with (refunds refused, a capture whose answer was
// lost, a void refused).
import { completed } from 'azure-standin/testing';
import { flowsSuite } from '../support/flows-suite';

const { host, c, captures, refunds } = flowsSuite();

test('cancel while awaiting approval: the saga ends, stock is released, invoice credited', async () => {
  const { customer, email, order } = await c.place({});
  await c.until(customer, order.id, ['awaiting-payment']);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host(), order.id)).toMatchObject({ output: { outcome: 'cancelled' } });
  const after = await c.get(customer, order.id);
  expect(after.status).toBe('cancelled');
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'cancelled']);
});

test('cancel while PayPal is still authorizing: the authorization is voided, never captured', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-slow' });
  await c.until(customer, order.id, ['invoiced']);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host(), order.id, 60_000)).toMatchObject({ output: { outcome: 'cancelled' } });
  const pp = await c.paypal(order.id);
  expect(captures(pp)).toHaveLength(0);
  expect(pp.flatMap((o) => o.authorizations ?? []).map((a) => a.status)).toEqual(['VOIDED']);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'cancelled']);
});

test('cancel while the capture is in flight: the capture is refunded in full, the order stays cancelled', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-slow-capture' });
  await c.until(customer, order.id, ['authorized']);
  expect((await c.cancel(customer, order.id)).status).toBe(200);
  expect(await completed(host(), order.id, 60_000)).toMatchObject({ output: { outcome: 'cancelled' } });
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
  expect(await completed(host(), order.id)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'refunded' } });
  const mails = await c.mailbox(email, 5);
  expect(c.stages(mails, order.id)).toEqual(['received', 'invoiced', 'paid', 'cancelled', 'refunded']);
  expect(mails[3].text).toContain('we owe you a refund');
  expect(mails[3].text).toContain('We could not ship your order');
});

test('a capture whose answer was lost: the void finds it captured, it is refunded in full, and the emails say so', async () => {
  // Every answer to the capture is a 500 although PayPal made it: the saga sees "PayPal down".
  const { customer, email, order } = await c.place({ vaultId: 'vault-capture-lost' });
  // The status is written before compensation runs: wait for the saga to finish.
  expect(await completed(host(), order.id, 80_000)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'payment-failed' } });
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
  expect(await completed(host(), order.id)).toMatchObject({ runtimeStatus: 'Completed', output: { outcome: 'payment-failed' } });
  const after = await c.get(customer, order.id);
  expect(after.payment.voided).toBe(false);
  expect(after.payment.voidFailure).toContain('CANNOT_BE_VOIDED');
  expect(failed.payment.captureId).toBeNull();
  const pp = await c.paypal(order.id);
  expect(authorizations(pp).map((a) => a.status)).toEqual(['CREATED']);
  expect(captures(pp).filter((x) => x.status === 'COMPLETED')).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
  expect(host().output()).toContain(`the void of PayPal authorization ${authorizations(pp)[0].id} failed`);
});
