// A dispute on an order whose parcel never reached the carrier (the label exists, no scan):
// the shipment is stopped, so its PayPal tracker is cancelled, and the claim accepted; the buyer's
// win is recorded on the order with a credit note for the whole invoice. The carrier here picks
// parcels up only after ten minutes, so no scan comes within the test.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startHost, waitFor } from 'azure-standin/testing';
import type { HostProcess } from 'azure-standin/testing';
import { disputeSchema } from '../../functions/http/schemas';
import { sagaClient } from '../support/saga-client';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env: { SIM_CARRIER_PICKUP_MS: '600000', SIM_CARRIER_TRANSIT_MS: '600000', SIM_CARRIER_DELIVERED_MS: '1200000', API_RATE_LIMIT_PER_SECOND: '0', SAGA_RETRY_DELAY_SECONDS: '1' } });
}, 90_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(90_000);
const c = sagaClient(() => host);

test('label only: the PayPal tracker is cancelled, the claim accepted, and the order credited once', async () => {
  const placed = await c.place({ vaultId: 'vault-ok' });
  const shipped = await waitFor(async () => {
    const o = await c.get(placed.customer, placed.order.id);
    return o.shipment?.paypalTracker ? o : undefined;
  }, 'the tracker on the PayPal order');
  expect(shipped.status).toBe('shipped');
  const res = await fetch(`${host.url}/sim/paypal/disputes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ order_id: shipped.payment.paypalOrderId, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' }) });
  expect(res.status).toBe(201);
  const id = ((await res.json()) as { dispute_id: string }).dispute_id;
  const token = await c.token('support-1', ['Orders.Admin']);
  const d = await waitFor(async () => {
    const r = await fetch(`${host.api}/v1/disputes/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const x = r.status === 200 ? disputeSchema.parse(await r.json()) : undefined;
    return x?.creditNote ? x : undefined;
  }, 'the dispute settled with a credit note');
  expect(d).toMatchObject({ decision: { action: 'accept-claim' }, accepted: { by: 'saga' }, status: 'RESOLVED', outcome: { code: 'RESOLVED_BUYER_FAVOUR' } });
  expect(d.moneyMovements).toEqual([expect.objectContaining({ party: 'SELLER', type: 'DEBIT', amount: d.amount })]);

  // The tracker is cancelled at PayPal and on the order.
  const [pp] = (await c.dev<{ orders: { trackers: { id: string; status: string }[] }[] }>(`/dev/paypal/orders?reference=${placed.order.id}`)).orders;
  expect(pp.trackers).toEqual([expect.objectContaining({ id: shipped.shipment!.paypalTracker!.id, status: 'CANCELLED' })]);
  const order = await c.get(placed.customer, placed.order.id);
  expect(order.shipment?.paypalTracker?.status).toBe('CANCELLED');
  // PayPal took the money back; the order records it, with one credit note and no refund of ours.
  expect(order.payment.refunded).toBe(order.totals.total);
  expect(order.creditNote?.number).toBe(d.creditNote);
  expect((await c.paypal(placed.order.id)).flatMap((p) => p.refunds ?? [])).toEqual([]);
  const docs = await fetch(`${host.api}/v1/orders/${order.id}/invoice`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'x-request-id': randomUUID() } });
  const listed = ((await docs.json()) as { documents: { kind: string }[] }).documents;
  expect(listed.filter((x) => x.kind === 'credit-note')).toHaveLength(1);
});
