// PayPal disputes end to end on the embedded runtime: the PayPal simulator opens a dispute (as a
// buyer would) and sends its signed webhooks; the app's dispute orchestration reads it back,
// matches it to the order by the capture and answers per reason. Webhooks here come duplicated
// and reordered, a capture may be unknown, and the host is killed between building the evidence
// pack and submitting it. Durable timers: the deadline alert 48 hours before PayPal's deadline.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startHost, waitFor } from 'azure-standin/testing';
import type { HostProcess } from 'azure-standin/testing';
import { PayPalDisputesClient } from '../../adapters/paypal/paypal-disputes-client';
import { evidencesFor } from '../../domain/evidence-pack';
import { disputeSchema } from '../../functions/http/schemas';
import type { z } from 'zod';
import { sagaClient } from '../support/saga-client';
import { sampleEvidencePackInput } from '../support/evidence-pack-input';

type DisputeView = z.infer<typeof disputeSchema>;
interface SimDispute { dispute_id: string; status: string; messages?: { posted_by: string; content: string }[]; evidences?: { evidence_type: string; documents?: { name: string }[] }[]; dispute_outcome?: { outcome_code: string } }

const appRoot = path.resolve(__dirname, '..', '..', '..');
const env = { SIM_CARRIER_TRANSIT_MS: '300', SIM_CARRIER_DELIVERED_MS: '1500', API_RATE_LIMIT_PER_SECOND: '0', SAGA_RETRY_DELAY_SECONDS: '1', DISPUTE_RESYNC_SECONDS: '3600' };
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env, detached: true });
}, 90_000);
afterAll(() => host.stop(), 30_000);
jest.setTimeout(120_000);
const c = sagaClient(() => host);
const merchant = 'merchant@orders.example.com';

async function admin(method: string, p: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; bytes?: Buffer; type: string | null }> {
  const headers = { authorization: `Bearer ${await c.token('support-1', ['Orders.Admin'])}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}) };
  const res = await fetch(`${host.api}${p}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  const type = res.headers.get('content-type');
  if (type?.startsWith('application/pdf')) return { status: res.status, body: {}, bytes: Buffer.from(await res.arrayBuffer()), type };
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, type };
}

async function sim<T>(p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${host.url}/sim/paypal${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  return { status: res.status, body: (await res.json()) as T };
}

const simDispute = async (id: string) => (await c.dev<{ disputes: SimDispute[] }>('/dev/paypal/disputes')).disputes.find((d) => d.dispute_id === id)!;

/** The dispute as the admin API shows it, once `ready` holds. */
const disputeWhen = (id: string, ready: (d: DisputeView) => boolean, what: string, timeoutMs = 60_000) =>
  waitFor(async () => {
    const r = await admin('GET', `/v1/disputes/${id}`);
    if (r.status !== 200) return undefined;
    const d = disputeSchema.parse(r.body);
    return ready(d) ? d : undefined;
  }, `dispute ${id}: ${what}`, timeoutMs);

async function deliveredOrder(o: { vaultId?: string } = {}) {
  const placed = await c.place({ vaultId: o.vaultId ?? 'vault-ok' });
  const order = await c.until(placed.customer, placed.order.id, ['delivered']);
  return { ...placed, order };
}

const alerts = async (disputeId: string) => (await c.emails(merchant)).filter((m) => m.subject.includes(disputeId)).map((m) => m.subject);

test('a shipped order tells PayPal its tracking number: the PayPal order shows the tracker, with Seller Protection recorded', async () => {
  const { customer, order } = await deliveredOrder();
  expect(order.shipment?.paypalTracker).toEqual({ id: `${order.payment.captureId}-${order.shipment!.trackingNumber}`, status: 'SHIPPED' });
  expect(order.shipment?.deliveredAt).toEqual(expect.any(String));
  expect(order.payment.sellerProtection).toEqual({ status: 'ELIGIBLE', disputeCategories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] });
  const [pp] = await c.dev<{ orders: { trackers: { id: string; status: string; tracking_number: string }[] }[] }>(`/dev/paypal/orders?reference=${order.id}`).then((r) => r.orders);
  expect(pp.trackers).toEqual([expect.objectContaining({ id: order.shipment!.paypalTracker!.id, status: 'SHIPPED' })]);
  expect((await c.get(customer, order.id)).shipment?.paypalTracker?.status).toBe('SHIPPED');
});

test('item not received, delivered: proof of fulfilment with the tracking is submitted once, despite duplicated and reordered webhooks', async () => {
  const { customer, order } = await deliveredOrder();
  const opened = await sim<SimDispute>('/disputes', { order_id: order.payment.paypalOrderId, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', delivery: { duplicate: true, reorder: true } });
  expect(opened.status).toBe(201);
  const id = opened.body.dispute_id;
  // The saga reads the dispute again on every event, so both end up recorded, each once.
  const d = await disputeWhen(id, (x) => x.submission !== null && x.events.length >= 2, 'evidence submitted, both events seen');
  expect(d).toMatchObject({ orderId: order.id, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', decision: { action: 'prove-fulfilment' }, submission: { evidenceTypes: ['PROOF_OF_FULFILLMENT'], by: 'saga' } });
  expect(d.evidencePack?.missing).toEqual([]);
  // Each webhook event once, by id, however often it came.
  expect(new Set(d.events.map((e) => e.id)).size).toBe(d.events.length);
  expect(d.events.map((e) => e.type)).toEqual(expect.arrayContaining(['CUSTOMER.DISPUTE.CREATED', 'CUSTOMER.DISPUTE.UPDATED']));
  const atPayPal = await simDispute(id);
  expect(atPayPal.status).toBe('UNDER_REVIEW');
  expect(atPayPal.evidences).toHaveLength(1);
  expect(atPayPal.evidences![0]).toMatchObject({ evidence_type: 'PROOF_OF_FULFILLMENT', documents: [{ name: `evidence-${id}.pdf` }] });

  // The pack is downloadable; the order shows the dispute and refuses a refund meanwhile.
  const pack = await admin('GET', `/v1/disputes/${id}/evidence-pack`);
  expect(pack.status).toBe(200);
  expect(pack.bytes!.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pack.bytes!.length).toBe(d.evidencePack!.bytes);
  expect((await c.get(customer, order.id)).disputes).toEqual([expect.objectContaining({ disputeId: id, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' })]);
  const refund = await admin('POST', `/v1/orders/${order.id}/refunds`, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'goodwill' });
  expect(refund.status).toBe(409);
  expect(refund.body.type).toMatch(/order-disputed$/);

  // PayPal decides for the seller: recorded, the merchant told; nothing refunded.
  expect((await sim(`/disputes/${id}/adjudicate`, { outcome: 'SELLER_FAVOR' })).status).toBe(200);
  const resolved = await disputeWhen(id, (x) => x.status === 'RESOLVED' && x.alerts.some((a) => a.kind === 'resolved'), 'resolved');
  expect(resolved.outcome?.code).toBe('RESOLVED_SELLER_FAVOUR');
  expect(resolved.creditNote).toBeNull();
  const subjects = await waitFor(async () => ((await alerts(id)).length >= 2 ? alerts(id) : undefined), 'the merchant alerts');
  expect(subjects).toEqual(expect.arrayContaining([expect.stringContaining('opened'), expect.stringContaining('resolved')]));
  expect((await c.get(customer, order.id)).disputes[0]).toMatchObject({ status: 'RESOLVED', outcome: 'RESOLVED_SELLER_FAVOUR' });
});

test('credit not processed after a refund: proof of refund with the PayPal refund id', async () => {
  const { customer, order } = await deliveredOrder();
  const r = await admin('POST', `/v1/orders/${order.id}/refunds`, { items: [{ sku: 'NOTE-A5-DOT', quantity: 1 }], reason: 'Returned' });
  expect(r.status).toBe(202);
  await waitFor(async () => ((await c.get(customer, order.id)).refunds[0]?.status === 'completed' ? true : undefined), 'the refund');
  const opened = await sim<SimDispute>('/disputes', { order_id: order.payment.paypalOrderId, reason: 'CREDIT_NOT_PROCESSED' });
  const d = await disputeWhen(opened.body.dispute_id, (x) => x.submission !== null, 'evidence submitted');
  expect(d).toMatchObject({ decision: { action: 'prove-refund' }, submission: { evidenceTypes: ['PROOF_OF_REFUND'] } });
});

test('not shipped: the claim is accepted and the order cancelled, and the buyer is refunded exactly once (by PayPal)', async () => {
  const placed = await c.place({ vaultId: 'vault-ok', line1: 'CARRIER-DOWN Weg 1' });
  const held = await c.until(placed.customer, placed.order.id, ['on-hold'], 60_000);
  const opened = await sim<SimDispute>('/disputes', { order_id: held.payment.paypalOrderId, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' });
  const id = opened.body.dispute_id;
  const d = await disputeWhen(id, (x) => x.accepted !== null && x.status === 'RESOLVED', 'accepted and resolved');
  expect(d.decision?.action).toBe('accept-claim');
  // The order's saga compensates: its refund finds the capture refunded by PayPal already.
  const order = await waitFor(async () => {
    const o = await c.get(placed.customer, placed.order.id);
    return o.payment.refunded !== null && o.creditNote ? o : undefined;
  }, 'the cancelled order compensated', 60_000);
  expect(order.status).toBe('cancelled');
  expect(order.payment.refunded).toBe(order.totals.total);
  expect((await simDispute(id)).dispute_outcome?.outcome_code).toBe('RESOLVED_BUYER_FAVOUR');
  // PayPal's settlement returned the money; the order's own compensation made no second refund.
  await new Promise((r) => setTimeout(r, 1000));
  const pp = await c.paypal(placed.order.id);
  expect(pp.flatMap((p) => p.refunds ?? [])).toEqual([]);
  // One credit note, from the order's cancellation.
  expect(order.creditNote?.number).toMatch(/^CN-/);
  expect((await disputeWhen(id, (x) => x.alerts.some((a) => a.kind === 'resolved'), 'resolved alert')).creditNote).toBeNull();
});

test('unauthorised: the pack waits for the merchant, who submits it by hand once; the deadline alert comes from a durable timer', async () => {
  const { order } = await deliveredOrder();
  // PayPal's clock 6 s ahead: a 2-day deadline puts the 48-hour warning 6 s from now.
  await sim('/clock', { advanceSeconds: 6 });
  const opened = await sim<SimDispute>('/disputes', { order_id: order.payment.paypalOrderId, reason: 'UNAUTHORISED', response_days: 2 });
  const id = opened.body.dispute_id;
  const d = await disputeWhen(id, (x) => x.evidencePack !== null && x.alerts.some((a) => a.kind === 'review'), 'pack built, review alert');
  expect(d.decision?.action).toBe('review');
  expect(d.submission).toBeNull();
  expect(d.alerts.map((a) => a.kind)).not.toContain('deadline');
  const warned = await disputeWhen(id, (x) => x.alerts.some((a) => a.kind === 'deadline'), 'deadline alert', 30_000);
  const deadlineAlert = Date.parse(warned.alerts.find((a) => a.kind === 'deadline')!.at);
  expect(deadlineAlert).toBeGreaterThanOrEqual(Date.parse(warned.dueAt!) - 48 * 3600_000);
  expect(await alerts(id)).toEqual(expect.arrayContaining([expect.stringContaining('answer due')]));

  const first = await admin('POST', `/v1/disputes/${id}/submit`);
  expect(first.status).toBe(200);
  const types = disputeSchema.parse(first.body).submission!.evidenceTypes;
  const second = await admin('POST', `/v1/disputes/${id}/submit`);
  expect(second.status).toBe(200);
  // One submission (its evidences in one call), not two.
  expect((await simDispute(id)).evidences!.map((e) => e.evidence_type)).toEqual(types);
  const accept = await admin('POST', `/v1/disputes/${id}/accept`, { note: 'too late' });
  expect(accept.status).toBe(409);
});

test('a dispute on a capture no order has stays pending correlation, and the merchant is alerted', async () => {
  // A payment made outside this shop (same PayPal account): PayPal's order and capture only.
  const creds = Buffer.from('local-paypal-client:local-paypal-secret').toString('base64');
  const token = ((await (await fetch(`${host.url}/sim/paypal/v1/oauth2/token`, { method: 'POST', headers: { authorization: `Basic ${creds}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).json()) as { access_token: string }).access_token;
  const pp = async (p: string, body: unknown) => (await (await fetch(`${host.url}/sim/paypal${p}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'return=representation', 'paypal-request-id': randomUUID() }, body: JSON.stringify(body) })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const created = await pp('/v2/checkout/orders', { intent: 'AUTHORIZE', purchase_units: [{ amount: { currency_code: 'EUR', value: '12.00' } }], payment_source: { paypal: { vault_id: 'vault-ok' } } });
  const authorized = await pp(`/v2/checkout/orders/${created.id}/authorize`, {});
  const authorizationId = authorized.purchase_units[0].payments.authorizations[0].id as string;
  const captured = await pp(`/v2/payments/authorizations/${authorizationId}/capture`, {});
  const opened = await sim<SimDispute>('/disputes', { capture_id: captured.id, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' });
  const id = opened.body.dispute_id;
  const d = await disputeWhen(id, (x) => x.alerts.some((a) => a.kind === 'uncorrelated'), 'uncorrelated alert');
  expect(d.orderId).toBeNull();
  expect(d.decision).toBeNull();
  expect(d.captureIds).toEqual([captured.id]);
  expect(await alerts(id)).toEqual([expect.stringContaining('matches no order')]);
  const listed = await admin('GET', '/v1/disputes?status=WAITING_FOR_SELLER_RESPONSE&limit=100');
  expect((listed.body.items as DisputeView[]).map((x) => x.id)).toContain(id);
});

test('PayPal refuses evidence it cannot take: a file too big, a file that is not PDF or image, a fulfilment proof without tracking', async () => {
  const { order } = await deliveredOrder();
  const opened = await sim<SimDispute>('/disputes', { order_id: order.payment.paypalOrderId, reason: 'UNAUTHORISED' });
  const id = opened.body.dispute_id;
  const client = new PayPalDisputesClient({ clientId: 'local-paypal-client', clientSecret: 'local-paypal-secret', environment: 'sandbox', baseUrlOverride: `${host.url}/sim/paypal` });
  const input = sampleEvidencePackInput({ reason: 'UNAUTHORISED' });
  const { evidences } = evidencesFor({ ...input, dispute: { ...input.dispute, disputeId: id } });
  const pdf = (n: number) => { const b = new Uint8Array(n).fill(0x20); b.set(new TextEncoder().encode('%PDF-1.7\n')); return b; };
  const tooBig = await client.provideEvidence(id, { evidences, files: [{ name: `evidence-${id}.pdf`, contentType: 'application/pdf', bytes: pdf(10 * 1024 * 1024 + 1) }] });
  expect(tooBig).toMatchObject({ ok: false, kind: 'refused', issue: 'FILE_SIZE_EXCEEDED' });
  const notPdf = await client.provideEvidence(id, { evidences, files: [{ name: `evidence-${id}.pdf`, contentType: 'application/pdf', bytes: new TextEncoder().encode('MZ this is not a pdf') }] });
  expect(notPdf).toMatchObject({ ok: false, kind: 'refused', issue: 'INVALID_EVIDENCE_FILE' });
  const noTracking = await client.provideEvidence(id, { evidences: [{ evidence_type: 'PROOF_OF_FULFILLMENT', notes: 'shipped', documents: [{ name: `evidence-${id}.pdf` }] }], files: [{ name: `evidence-${id}.pdf`, contentType: 'application/pdf', bytes: pdf(1000) }] });
  expect(noTracking).toMatchObject({ ok: false, kind: 'refused', issue: 'MISSING_TRACKING_INFO' });
  expect((await simDispute(id)).evidences ?? []).toHaveLength(0);
});

test('SIGKILL between building the pack and submitting it: after the restart the evidence is submitted exactly once', async () => {
  const { order } = await deliveredOrder();
  // An inquiry PayPal has not opened to evidence yet: the pack is built, the submission waits.
  const opened = await sim<SimDispute>('/disputes', { order_id: order.payment.paypalOrderId, reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', stage: 'INQUIRY', status: 'OPEN' });
  const id = opened.body.dispute_id;
  const inquiry = await disputeWhen(id, (x) => x.evidencePack !== null && x.messageSent !== null, 'tracking told, pack built');
  expect(inquiry.messageSent?.text).toContain(order.shipment!.trackingNumber);
  await host.killGroup();
  host = await startHost({ appRoot, dataDir: host.dataDir, logLevel: 'warning', env, detached: true });
  // The buyer escalates: PayPal now asks for the seller's evidence.
  expect((await sim(`/disputes/${id}/escalate`)).status).toBe(200);
  const d = await disputeWhen(id, (x) => x.submission !== null, 'evidence submitted after the restart');
  expect(d.submission?.evidenceTypes).toEqual(['PROOF_OF_FULFILLMENT']);
  await new Promise((r) => setTimeout(r, 1500));
  const atPayPal = await simDispute(id);
  expect(atPayPal.evidences).toHaveLength(1);
  // The inquiry's message went out once, before the crash, and not again after it.
  expect((atPayPal.messages ?? []).filter((m) => m.posted_by === 'SELLER')).toHaveLength(1);
});

test('the dispute API is for admins and answers problems for what does not exist', async () => {
  const customer = await fetch(`${host.api}/v1/disputes`, { headers: { authorization: `Bearer ${await c.token('cust-x')}` } });
  expect(customer.status).toBe(403);
  expect((await admin('GET', '/v1/disputes/PP-D-NOPE')).status).toBe(404);
  expect((await admin('GET', '/v1/disputes/PP-D-NOPE/evidence-pack')).body.type).toMatch(/dispute-not-found$/);
  expect((await admin('GET', '/v1/disputes?status=NOPE')).status).toBe(400);
  expect((await admin('POST', '/v1/disputes/PP-D-NOPE/accept', {})).status).toBe(404);
  const { order } = await deliveredOrder();
  const opened = await sim<SimDispute>('/disputes', { order_id: order.payment.paypalOrderId, reason: 'OTHER' });
  await disputeWhen(opened.body.dispute_id, () => true, 'recorded');
  const noNote = await admin('POST', `/v1/disputes/${opened.body.dispute_id}/accept`, {});
  expect([noNote.status, noNote.type]).toEqual([400, 'application/problem+json']);
});
