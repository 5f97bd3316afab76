// Races between customers and the saga: a cancel that lands while the invoice is being issued,
// and unpaid orders competing with paying ones for the last units of a SKU.
import path from 'node:path';
import { HostProcess, startHost, waitFor } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env: { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1000', API_RATE_LIMIT_PER_SECOND: '0', PAYMENT_APPROVAL_TIMEOUT_SECONDS: '120' } });
}, 60_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(120_000);
const c = sagaClient(() => host);

const invoiceOf = async (customer: string, orderId: string) =>
  fetch(`${host.api}/v1/orders/${orderId}/invoice`, { headers: { authorization: `Bearer ${await c.token(customer)}` } });

test('a cancel that lands while the invoice is being issued: the invoice and its credit note are both retrievable', async () => {
  // Orders the buyer has to approve go from received straight to their invoice: a cancel right
  // after the POST lands while the invoice is drawn and rendered, before the order records it.
  const placed = await Promise.all(Array.from({ length: 4 }, () => c.place({})));
  await Promise.all(placed.map(async ({ customer, order }) => expect((await c.cancel(customer, order.id)).status).toBe(200)));
  let raced = 0;
  for (const { customer, order } of placed) {
    const done = await waitFor(async () => {
      const o = await c.get(customer, order.id);
      return o.creditNote ? o : undefined;
    }, `${order.id} to be compensated`, 30_000);
    if (!done.timeline.some((t) => t.status === 'invoiced')) raced++;
    const res = await invoiceOf(customer, order.id);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { kind: string; number: string; documents: { kind: string; number: string }[] };
    expect(doc.kind).toBe('invoice');
    expect(doc.documents.map((d) => d.kind)).toEqual(['invoice', 'credit-note']);
    expect(doc.documents[1].number).toBe(done.creditNote!.number);
    expect(done.invoice?.number).toBe(doc.number);
  }
  // The cancels did beat the invoice's own stage.
  expect(raced).toBeGreaterThan(0);
});

test('an unpaid order holds no stock: a paying customer gets the last lamps, the unpaid one is told they are gone once approved, and is charged nothing', async () => {
  // The whole stock of the SKU (40) in one order that waits for the buyer's approval.
  const lamps = [{ sku: 'LAMP-DESK-LED', quantity: 40 }];
  const unpaid = await c.place({ items: lamps });
  const waiting = await c.until(unpaid.customer, unpaid.order.id, ['awaiting-payment']);
  expect(waiting.timeline.map((t) => t.status)).toEqual(['received', 'invoiced', 'awaiting-payment']);
  // A customer who pays at once is not cancelled "out of stock".
  const paying = await c.place({ vaultId: 'vault-ok', items: [{ sku: 'LAMP-DESK-LED', quantity: 1 }] });
  await c.until(paying.customer, paying.order.id, ['shipped', 'delivered']);

  // The first buyer approves now: 39 are left, so the order cannot be filled.
  const approved = await fetch(waiting.payment.approveUrl!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve', redirect: 'manual' });
  expect(approved.status).toBe(303);
  expect((await fetch(approved.headers.get('location')!)).status).toBe(200);
  const cancelled = await c.until(unpaid.customer, unpaid.order.id, ['cancelled']);
  expect(cancelled.cancellationReason).toBe('Out of stock: LAMP-DESK-LED');
  // Nothing was authorized, let alone captured; the invoice is reversed by a credit note.
  const pp = await c.paypal(unpaid.order.id);
  expect(pp.flatMap((o) => o.authorizations)).toEqual([]);
  await waitFor(async () => ((await c.get(unpaid.customer, unpaid.order.id)).creditNote ? true : undefined), 'the credit note');
  expect(c.stages(await c.mailbox(unpaid.email, 3), unpaid.order.id)).toEqual(['received', 'invoiced', 'cancelled']);
  // The units left stay on the shelf for the next customer: one was sold, none are held.
  const stock = (await (await fetch(`${host.url}/durabletask/entities/stock/LAMP-DESK-LED`)).json()) as { onHand: number; reservations: Record<string, number> };
  expect(stock.onHand).toBe(39);
  expect(stock.reservations).toEqual({});
});
