// Refunds after shipment, end to end: the admin API, the refund saga, PayPal (partial refunds
// through the real SDK), the credit note for exactly the refunded lines, and the customer's email.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { HostProcess, startHost, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';
import type { OrderView } from '../support/saga-client';
import { acsOperationId } from '../../adapters/email/acs-email-sender';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env: { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1000', API_RATE_LIMIT_PER_SECOND: '0', SAGA_RETRY_DELAY_SECONDS: '1' } });
}, 60_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(60_000);
const c = sagaClient(() => host);

type Refund = OrderView['refunds'][number];

async function refund(orderId: string, body: unknown, o: { key?: string; roles?: string[]; sub?: string } = {}) {
  const res = await fetch(`${host.api}/v1/orders/${orderId}/refunds`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await c.token(o.sub ?? 'support-1', o.roles ?? ['Orders.Admin'])}`, 'idempotency-key': o.key ?? randomUUID() },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Refund & { type?: string; errors?: { code: string; pointer: string }[] } };
}

const settled = (customer: string, orderId: string, refundId: string) =>
  waitFor(async () => {
    const o = await c.get(customer, orderId);
    const r = o.refunds.find((x) => x.id === refundId);
    return r && r.status !== 'requested' ? { order: o, refund: r } : undefined;
  }, `refund ${refundId} to settle`, 30_000);

const refundMail = async (email: string, orderId: string, refundId: string) => {
  const id = acsOperationId(`${orderId}:refunded:${refundId}`);
  return waitFor(async () => (await c.emails(email)).find((m) => m.operationId === id), `the email of refund ${refundId}`);
};

test('a return in two parts: each refunded by PayPal with its own credit note and email; together exactly the amount charged; a restocked item is back in stock', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'COFFEE-ETH-250', quantity: 3 }, { sku: 'NOTE-A5-DOT', quantity: 1 }] });
  await c.until(customer, order.id, ['delivered']);

  const onHand = async (sku: string) => ((await (await fetch(`${host.url}/durabletask/entities/stock/${sku}`)).json()) as { onHand: number }).onHand;
  const coffeeStock = await onHand('COFFEE-ETH-250');
  const noteStock = await onHand('NOTE-A5-DOT');
  const first = await refund(order.id, { items: [{ sku: 'COFFEE-ETH-250', quantity: 1, restock: true }], reason: 'One bag arrived torn' });
  expect(first.status).toBe(202);
  expect(first.body).toMatchObject({ status: 'requested', items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }], restock: [{ sku: 'COFFEE-ETH-250', quantity: 1 }], requestedBy: 'support-1' });
  const one = await settled(customer, order.id, first.body.id);
  expect(one.refund).toMatchObject({ status: 'completed', amount: first.body.amount, creditNote: expect.stringMatching(/^CN-\d{4}-\d{6}$/), paypalRefundId: expect.any(String) });
  // One unit of three, to the cent by its share of the line.
  const coffee = order.items.find((i) => i.sku === 'COFFEE-ETH-250')!;
  expect(first.body.amount).toBe(Math.floor((coffee.lineTotal - coffee.discount) / 3) + Math.floor(coffee.tax / 3));
  expect(one.order.status).toBe('delivered');
  // The returned bag is back on the shelf, once.
  await waitFor(async () => ((await onHand('COFFEE-ETH-250')) === coffeeStock + 1 ? true : undefined), 'the restock of the returned bag');
  expect(one.order.payment.refunded).toBe(first.body.amount);
  const mail = await refundMail(email, order.id, first.body.id);
  expect(mail.text).toContain('One bag arrived torn');

  // The credit note is for exactly that line.
  const auth = { authorization: `Bearer ${await c.token(customer)}`, accept: 'application/json' };
  const cn = (await (await fetch(`${host.api}/v1/orders/${order.id}/invoice?number=${one.refund.creditNote}`, { headers: auth })).json()) as { kind: string; corrects: string; lines: { sku: string; quantity: number }[]; totals: { gross: { amount: number } } };
  expect(cn).toMatchObject({ kind: 'credit-note', corrects: one.order.invoice!.number, lines: [{ sku: 'COFFEE-ETH-250', quantity: 1 }] });
  expect(cn.totals.gross.amount).toBe(first.body.amount);

  // The rest, with the shipping fee: both refunds add up to the capture.
  const rest = await refund(order.id, { items: [{ sku: 'COFFEE-ETH-250', quantity: 2 }, { sku: 'NOTE-A5-DOT', quantity: 1 }], shipping: true, reason: 'Returned' });
  expect(rest.status).toBe(202);
  const two = await settled(customer, order.id, rest.body.id);
  expect(two.refund.status).toBe('completed');
  // Not restocked unless asked for.
  expect(await onHand('NOTE-A5-DOT')).toBe(noteStock);
  expect(await onHand('COFFEE-ETH-250')).toBe(coffeeStock + 1);
  expect(first.body.amount + rest.body.amount).toBe(order.totals.total);
  expect(two.order.payment.refunded).toBe(order.totals.total);
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((p) => p.refunds).map((r) => r.amount.value).sort()).toEqual([first.body.amount, rest.body.amount].map((a) => (a / 100).toFixed(2)).sort());
  expect(pp.flatMap((p) => p.captures).map((x) => x.status)).toEqual(['REFUNDED']);
  await refundMail(email, order.id, rest.body.id);

  // Nothing is left.
  const more = await refund(order.id, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'again' });
  expect(more.status).toBe(422);
  expect(more.type).toBe('application/problem+json');
  expect(more.body.errors).toEqual([expect.objectContaining({ code: 'quantity-exceeded', pointer: '/items/0/quantity' })]);
});

test('the same Idempotency-Key twice is one refund; a customer may not refund; an order not yet shipped cannot be refunded', async () => {
  const { customer, order } = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'NOTE-A5-DOT', quantity: 2 }] });
  await c.until(customer, order.id, ['shipped', 'delivered']);
  const key = randomUUID();
  const body = { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'Wrong colour' };
  const a = await refund(order.id, body, { key });
  const b = await refund(order.id, body, { key });
  expect(b.status).toBe(202);
  expect(b.body.id).toBe(a.body.id);
  await settled(customer, order.id, a.body.id);
  expect((await c.paypal(order.id)).flatMap((p) => p.refunds)).toHaveLength(1);
  expect((await refund(order.id, { ...body, reason: 'other' }, { key })).status).toBe(422);

  expect((await refund(order.id, body, { sub: customer, roles: [] })).status).toBe(403);

  const early = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-UNAUTHORIZED Weg 1' });
  await c.until(early.customer, early.order.id, ['on-hold']);
  const refused = await refund(early.order.id, { items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }], reason: 'x' });
  expect(refused.status).toBe(409);
  expect(refused.body.type).toMatch(/order-not-refundable$/);
  await c.cancel(early.customer, early.order.id);
});

test('a refund PayPal refuses is recorded as failed: no credit note, no email, and its units can be refunded again', async () => {
  const { customer, email, order } = await c.place({ vaultId: 'vault-refund-declined-1', items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }] });
  await c.until(customer, order.id, ['shipped', 'delivered']);
  const first = await refund(order.id, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'Damaged' });
  const failed = await settled(customer, order.id, first.body.id);
  expect(failed.refund).toMatchObject({ status: 'failed', creditNote: null, failure: expect.stringContaining('REFUND_FAILED_INSUFFICIENT_FUNDS') });
  expect(failed.order.payment.refunded).toBeNull();
  expect(host.output()).toContain(`refund ${first.body.id} of order ${order.id} failed`);
  const again = await refund(order.id, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'Damaged' });
  expect(again.status).toBe(202);
  expect((await settled(customer, order.id, again.body.id)).refund.status).toBe('completed');
  await refundMail(email, order.id, again.body.id);
  const ids = new Set((await c.emails(email)).map((m) => m.operationId));
  expect(ids.has(acsOperationId(`${order.id}:refunded:${first.body.id}`))).toBe(false);
});

test('PayPal makes the refund but its answers are lost: the refund stays requested, is asked again with the same request id, and is refunded once', async () => {
  // The first 6 answers to the refund are 500 (the 5 attempts of the retry policy and the first
  // retry on a durable timer); the next attempt, same request id, gets PayPal's stored answer.
  const { customer, email, order } = await c.place({ vaultId: 'vault-refund-lost-6', items: [{ sku: 'NOTE-A5-DOT', quantity: 2 }] });
  await c.until(customer, order.id, ['shipped', 'delivered']);
  const asked = await refund(order.id, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'Scratched' });
  await waitFor(async () => (host.output().includes(`refund ${asked.body.id} of order ${order.id}: PayPal did not answer`) ? true : undefined), 'the first unanswered attempt', 30_000);
  expect((await c.get(customer, order.id)).refunds[0].status).toBe('requested');
  const done = await settled(customer, order.id, asked.body.id);
  expect(done.refund.status).toBe('completed');
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((p) => p.refunds).map((r) => r.amount.value)).toEqual([(asked.body.amount / 100).toFixed(2)]);
  await refundMail(email, order.id, asked.body.id);
});

test('a refund PayPal holds (PENDING) gets its credit note only once paid out; one that then fails is recorded failed', async () => {
  const held = await c.place({ vaultId: 'vault-refund-pending', items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }] });
  const failing = await c.place({ vaultId: 'vault-refund-pending-failed', items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }] });
  await c.until(held.customer, held.order.id, ['shipped', 'delivered']);
  await c.until(failing.customer, failing.order.id, ['shipped', 'delivered']);
  const a = await refund(held.order.id, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'Lost in transit' });
  const b = await refund(failing.order.id, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'Lost in transit' });
  await waitFor(async () => (host.output().includes(`refund ${a.body.id} of order ${held.order.id}: PayPal holds refund`) ? true : undefined), 'the pending refund');
  // While PayPal holds it: requested, its PayPal id known, no credit note.
  expect((await c.get(held.customer, held.order.id)).refunds[0]).toMatchObject({ status: 'requested', paypalRefundId: expect.any(String), creditNote: null });
  const done = await settled(held.customer, held.order.id, a.body.id);
  expect(done.refund).toMatchObject({ status: 'completed', creditNote: expect.stringMatching(/^CN-/) });
  expect((await c.paypal(held.order.id)).flatMap((p) => p.refunds).map((r) => r.status)).toEqual(['COMPLETED']);
  await refundMail(held.email, held.order.id, a.body.id);

  const lost = await settled(failing.customer, failing.order.id, b.body.id);
  expect(lost.refund).toMatchObject({ status: 'failed', creditNote: null, failure: expect.stringContaining('could not pay out') });
  expect(lost.order.payment.refunded).toBeNull();
  expect((await c.paypal(failing.order.id)).flatMap((p) => p.captures).map((x) => x.status)).toEqual(['COMPLETED']);
});

test('40 refunds at once on one order: none answers 500, every unit fits exactly once, and the total never exceeds the capture', async () => {
  // 24 units: 24 valid refunds of one unit each, and 16 more that find nothing left.
  const { customer, order } = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'COFFEE-ETH-250', quantity: 12 }, { sku: 'NOTE-A5-DOT', quantity: 12 }] });
  await c.until(customer, order.id, ['delivered']);
  const requests = Array.from({ length: 40 }, (_, i) => ({ items: [{ sku: i % 2 === 0 ? 'COFFEE-ETH-250' : 'NOTE-A5-DOT', quantity: 1, restock: false }], reason: `return ${i}` }));
  const answers = await Promise.all(requests.map((r) => refund(order.id, r)));
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  // Every answer is either accepted, or refused with a reason: nothing left (422) or busy (409, retry).
  for (const a of answers.filter((x) => x.status !== 202)) {
    expect([409, 422]).toContain(a.status);
    expect(a.type).toBe('application/problem+json');
  }
  // No legitimate refund is lost to the race: all 24 units are accepted.
  expect(statuses.filter((s) => s === 202)).toHaveLength(24);
  for (const a of answers.filter((x) => x.status === 202)) await settled(customer, order.id, a.body.id);
  const after = await c.get(customer, order.id);
  expect(after.refunds.filter((r) => r.status === 'completed')).toHaveLength(24);
  const refunded = after.refunds.reduce((n, r) => n + (r.status === 'completed' ? r.amount : 0), 0);
  expect(refunded).toBeLessThanOrEqual(order.totals.total);
  const pp = await c.paypal(order.id);
  expect(pp.flatMap((o) => o.refunds).reduce((n, r) => n + Math.round(Number(r.amount.value) * 100), 0)).toBe(refunded);
});
