// The order saga end to end on the embedded runtime with the PayPal, carrier and ACS Email
// simulators: the happy paths and every error flow, asserting money (PayPal captures, voids,
// refunds), documents (invoice, credit note) and the customer's mailbox (one email per stage).
// The happy paths and the failures before shipment here; cancellation and compensation in
// saga-flows-cancel.test.ts, carrier holds in saga-flows-holds.test.ts (each with a host of its
// own, so Jest's workers run them side by side).
import { completed } from 'azure-standin/testing';
import { flowsSuite } from '../support/flows-suite';

const { host, c, captures, refunds } = flowsSuite();
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
  const inv = await fetch(`${host().api}/v1/orders/${order.id}/invoice`, { headers: { ...auth, accept: 'application/json' } });
  expect(inv.status).toBe(200);
  const invoice = (await inv.json()) as { number: string; totals: { gross: { amount: number } } };
  expect(invoice).toMatchObject({ number: shipped.invoice!.number, totals: { gross: { amount: order.totals.total } } });
  const pdf = await fetch(`${host().api}/v1/orders/${order.id}/invoice`, { headers: { ...auth, accept: 'application/pdf' } });
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  expect((await fetch(`${host().api}/v1/orders/${order.id}/invoice`, { headers: { ...auth, accept: 'text/csv' } })).status).toBe(406);
  expect(await completed(host(), order.id)).toMatchObject({ output: { outcome: 'delivered' } });
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
  const res = await fetch(`${host().api}/v1/payments/paypal/return?orderId=${order.id}&token=FORGED`);
  expect(res.status).toBe(404);
  expect((await c.get(customer, order.id)).status).toBe('awaiting-payment');
  await c.cancel(customer, order.id);
});

test('declined payment: payment-failed, nothing captured, credit note, stock released, emails', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-declined', items: [{ sku: 'LAMP-DESK-LED', quantity: 40 }] });
  const failed = await c.until(customer, order.id, ['payment-failed']);
  expect(failed.cancellationReason).toBeTruthy();
  // Recorded first, then compensated: the lamps are free again once the saga has ended.
  expect(await completed(host(), order.id)).toMatchObject({ output: { outcome: 'payment-failed' } });
  expect(captures(await c.paypal(order.id))).toHaveLength(0);
  expect(c.stages(await c.mailbox(email, 3), order.id)).toEqual(['received', 'invoiced', 'payment-failed']);
  // All 40 lamps were reserved and are released again: another order for 40 gets them.
  const next = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'LAMP-DESK-LED', quantity: 40 }] });
  await c.until(next.customer, next.order.id, ['shipped', 'delivered']);
  const docs = await fetch(`${host().api}/v1/orders/${order.id}/invoice`, { headers: { authorization: `Bearer ${await c.token(customer)}` } });
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
