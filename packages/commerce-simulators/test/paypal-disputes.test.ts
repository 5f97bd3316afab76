// The Disputes API v1 over real HTTP: the trigger control plane opens cases on captures, the
// seller's calls move them through PayPal's states (links say what is allowed), deadlines run on
// the simulator's clock, captures lose what PayPal takes back, webhooks follow every change, and
// a restart resumes everything from SQLite.
import { PayPalHarness } from './support/paypal-harness';
import type { ReceivedWebhook } from './support/paypal-harness';

const h = new PayPalHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

interface Dispute {
  dispute_id: string;
  status: string;
  dispute_life_cycle_stage: string;
  dispute_amount: { currency_code: string; value: string };
  seller_response_due_date?: string;
  disputed_transactions: Record<string, unknown>[];
  dispute_outcome?: { outcome_code: string; amount_refunded?: { value: string } };
  money_movements?: Record<string, unknown>[];
  evidences: Record<string, unknown>[];
  messages: Record<string, unknown>[];
  links: { rel: string; href: string; method: string }[];
  [key: string]: unknown;
}
type ErrorBody = { name: string; details: { issue: string; field?: string }[]; debug_id: string; links: unknown[] };

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

const rels = (d: Dispute): string[] => d.links.map((l) => l.rel).sort();

async function open(body: Record<string, unknown> = {}): Promise<{ dispute: Dispute; captureId: string; orderId: string }> {
  const { captureId, orderId } = await h.capturedOrder('100.00', 'vault-ok', { invoice_id: `INV-${Math.random()}` });
  const r = await h.call<Dispute>('POST', '/disputes', { capture_id: captureId, ...body });
  expect(r.status).toBe(201);
  return { dispute: r.body, captureId, orderId };
}

const get = async (id: string): Promise<Dispute> => (await h.api<Dispute>('GET', `/v1/customer/disputes/${id}`)).body;

function evidenceForm(input: unknown, files: { name: string; bytes: Uint8Array; type?: string }[] = []): FormData {
  const form = new FormData();
  form.append('input', new Blob([JSON.stringify(input)], { type: 'application/json' }));
  for (const f of files) form.append('evidence-file', new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
  return form;
}

const fulfillment = { evidence_type: 'PROOF_OF_FULFILLMENT', evidence_info: { tracking_info: [{ carrier_name: 'DHL', tracking_number: '1234567890' }] }, notes: 'Delivered to the PayPal address.', documents: [{ name: 'proof.pdf' }] };

test('trigger: a chargeback waiting for the seller, with PayPal\'s fields, links and a CREATED webhook', async () => {
  const { dispute, captureId, orderId } = await open({ reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' });
  expect(dispute).toMatchObject({
    dispute_id: expect.stringMatching(/^PP-D-\d+$/),
    reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
    status: 'WAITING_FOR_SELLER_RESPONSE',
    dispute_life_cycle_stage: 'CHARGEBACK',
    dispute_channel: 'INTERNAL',
    dispute_amount: { currency_code: 'EUR', value: '100.00' },
    disputed_transactions: [{ seller_transaction_id: captureId, custom: 'our-order-1', invoice_number: expect.stringMatching(/^INV-/), seller: { merchant_id: 'SIMMERCHANT01' }, gross_amount: { value: '100.00' } }],
  });
  const clock = (await h.call<{ now: string }>('GET', '/clock')).body.now;
  const dueInDays = (Date.parse(dispute.seller_response_due_date!) - Date.parse(clock)) / 86_400_000;
  expect(dueInDays).toBeGreaterThan(9.99);
  expect(dueInDays).toBeLessThanOrEqual(10);
  expect(rels(dispute)).toEqual(['accept_claim', 'provide_evidence', 'self']);

  const [hook] = await h.waitForWebhooks((w) => w.body.event_type === 'CUSTOMER.DISPUTE.CREATED' && w.body.resource.dispute_id === dispute.dispute_id);
  expect(hook.body.resource_type).toBe('dispute');
  expect(hook.body.resource).not.toHaveProperty('id');
  expect(hook.body.resource).toMatchObject({ status: 'WAITING_FOR_SELLER_RESPONSE', disputed_transactions: [{ seller_transaction_id: captureId, seller: { merchant_id: 'SIMMERCHANT01' } }] });
  expect(hook.headers['paypal-transmission-sig']).toBeTruthy();

  const dev = await h.dev<{ disputes: Dispute[] }>(`/orders/${orderId}`);
  expect(dev.disputes.map((d) => d.dispute_id)).toEqual([dispute.dispute_id]);
});

test('trigger validation: unknown capture, capture not completed, amount too large, bad reason, inquiry rules', async () => {
  const unknown = await h.call<ErrorBody>('POST', '/disputes', { capture_id: 'NOPE' });
  expect(unknown.status).toBe(404);
  const pending = await h.capturedOrder('10.00', 'vault-capture-declined');
  const notDone = await h.call<ErrorBody>('POST', '/disputes', { capture_id: pending.captureId });
  expect([notDone.status, notDone.body.details[0].issue]).toEqual([422, 'CAPTURE_NOT_COMPLETED']);
  const { captureId, orderId } = await h.capturedOrder('20.00');
  const tooMuch = await h.call<ErrorBody>('POST', '/disputes', { capture_id: captureId, amount: { currency_code: 'EUR', value: '20.01' } });
  expect([tooMuch.status, tooMuch.body.details[0].issue]).toEqual([422, 'DISPUTE_AMOUNT_EXCEEDS_CAPTURE']);
  const badReason = await h.call<ErrorBody>('POST', '/disputes', { capture_id: captureId, reason: 'NOT_A_REASON' });
  expect([badReason.status, badReason.body.details[0].issue]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  const inquiry = await h.call<ErrorBody>('POST', '/disputes', { capture_id: captureId, reason: 'UNAUTHORISED', stage: 'INQUIRY' });
  expect([inquiry.status, inquiry.body.details[0].issue]).toEqual([422, 'INQUIRY_NOT_ALLOWED']);
  const neither = await h.call<ErrorBody>('POST', '/disputes', {});
  expect([neither.status, neither.body.details[0].issue]).toEqual([400, 'MISSING_REQUIRED_PARAMETER']);
  // By PayPal order id, with a partial amount.
  const byOrder = await h.call<Dispute>('POST', '/disputes', { order_id: orderId, amount: { currency_code: 'EUR', value: '5.00' } });
  expect(byOrder.status).toBe(201);
  expect(byOrder.body.disputed_transactions[0].seller_transaction_id).toBe(captureId);
  const second = await h.call<ErrorBody>('POST', '/disputes', { capture_id: captureId });
  expect(second.body.details[0].issue).toBe('DISPUTE_ALREADY_OPEN');
});

test('the API needs a bearer token; unknown disputes are 404', async () => {
  const noAuth = await h.call<ErrorBody>('GET', '/v1/customer/disputes');
  expect([noAuth.status, noAuth.body.name]).toEqual([401, 'AUTHENTICATION_FAILURE']);
  const missing = await h.api<ErrorBody>('GET', '/v1/customer/disputes/PP-D-0');
  expect([missing.status, missing.body.name]).toEqual([404, 'RESOURCE_NOT_FOUND']);
});

test('list: filters by transaction and state, pages with next_page_token, refuses bad queries', async () => {
  const a = await open();
  const b = await open({ stage: 'INQUIRY' });
  const byTx = await h.api<{ items: Dispute[] }>('GET', `/v1/customer/disputes?disputed_transaction_id=${a.captureId}`);
  expect(byTx.body.items.map((d) => d.dispute_id)).toEqual([a.dispute.dispute_id]);
  expect(byTx.body.items[0]).toMatchObject({ dispute_state: 'REQUIRED_ACTION', links: [{ rel: 'self' }] });

  const page1 = await h.api<{ items: Dispute[]; links: { rel: string; href: string }[] }>('GET', '/v1/customer/disputes?page_size=1');
  expect(page1.body.items).toHaveLength(1);
  expect(page1.body.items[0].dispute_id).toBe(b.dispute.dispute_id); // newest first
  const next = page1.body.links.find((l) => l.rel === 'next')!;
  const page2 = await h.api<{ items: Dispute[] }>('GET', next.href.slice(h.apiBase.length));
  expect(page2.body.items[0].dispute_id).not.toBe(b.dispute.dispute_id);

  const since = await h.api<{ items: Dispute[] }>('GET', `/v1/customer/disputes?start_time=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&dispute_state=REQUIRED_ACTION`);
  expect(since.body.items.map((d) => d.dispute_id)).toEqual(expect.arrayContaining([a.dispute.dispute_id, b.dispute.dispute_id]));

  for (const q of ['page_size=0', 'page_size=51', `start_time=2026-01-01T00:00:00Z&disputed_transaction_id=${a.captureId}`, 'dispute_state=NOPE', 'start_time=yesterday']) {
    const r = await h.api<ErrorBody>('GET', `/v1/customer/disputes?${q}`);
    expect([q, r.status, r.body.name]).toEqual([q, 400, 'INVALID_REQUEST']);
  }
});

test('provide-evidence: accepted files and tracking put the case UNDER_REVIEW with the evidences on it', async () => {
  const { dispute } = await open();
  const r = await h.api('POST', `/v1/customer/disputes/${dispute.dispute_id}/provide-evidence`, evidenceForm({ evidences: [fulfillment] }, [{ name: 'proof.pdf', bytes: PDF, type: 'application/pdf' }, { name: 'label.png', bytes: PNG }]));
  expect(r.status).toBe(200);
  expect(r.body).toEqual({ links: [expect.objectContaining({ rel: 'self', method: 'GET' })] });
  const after = await get(dispute.dispute_id);
  expect(after.status).toBe('UNDER_REVIEW');
  expect(after.seller_response_due_date).toBeUndefined();
  expect(after.evidences).toEqual([expect.objectContaining({
    evidence_type: 'PROOF_OF_FULFILLMENT',
    evidence_info: { tracking_info: [{ carrier_name: 'DHL', tracking_number: '1234567890' }] },
    notes: 'Delivered to the PayPal address.',
    documents: [{ name: 'proof.pdf' }, { name: 'label.png' }],
    source: 'SUBMITTED_BY_SELLER',
  })]);
  expect(rels(after)).toEqual(['accept_claim', 'self']);
  // Not allowed any more: the link is gone and the call is refused.
  const again = await h.api<ErrorBody>('POST', `/v1/customer/disputes/${dispute.dispute_id}/provide-evidence`, evidenceForm({ evidences: [fulfillment] }, [{ name: 'proof.pdf', bytes: PDF }]));
  expect([again.status, again.body.details[0].issue]).toEqual([422, 'ACTION_NOT_ALLOWED_IN_CURRENT_STATE']);
  await h.waitForWebhooks((w) => w.body.event_type === 'CUSTOMER.DISPUTE.UPDATED' && w.body.resource.dispute_id === dispute.dispute_id && w.body.resource.status === 'UNDER_REVIEW');
});

test('provide-evidence refusals: file too big, wrong type by content or name, missing tracking or refund ids, unnamed upload', async () => {
  const { dispute } = await open();
  const path = `/v1/customer/disputes/${dispute.dispute_id}/provide-evidence`;
  const refuse = async (form: FormData): Promise<[number, string]> => {
    const r = await h.api<ErrorBody>('POST', path, form);
    return [r.status, r.body.details[0].issue];
  };
  const big = new Uint8Array(10 * 1024 * 1024);
  big.set(PDF);
  expect(await refuse(evidenceForm({ evidences: [fulfillment] }, [{ name: 'proof.pdf', bytes: big }]))).toEqual([422, 'FILE_SIZE_EXCEEDED']);
  const nine = new Uint8Array(9 * 1024 * 1024);
  nine.set(PDF);
  const six = Array.from({ length: 6 }, (_, i) => ({ name: `part-${i}.pdf`, bytes: nine }));
  expect(await refuse(evidenceForm({ evidences: [{ ...fulfillment, documents: [] }] }, six))).toEqual([413, 'TOTAL_FILE_SIZE_EXCEEDED']);
  expect(await refuse(evidenceForm({ evidences: [fulfillment] }, [{ name: 'proof.pdf', bytes: Buffer.from('MZ not a pdf at all') }]))).toEqual([422, 'INVALID_EVIDENCE_FILE']);
  expect(await refuse(evidenceForm({ evidences: [fulfillment] }, [{ name: 'proof.pdf', bytes: PNG }]))).toEqual([422, 'INVALID_EVIDENCE_FILE']);
  expect(await refuse(evidenceForm({ evidences: [{ ...fulfillment, documents: [{ name: 'run.exe' }] }] }, [{ name: 'run.exe', bytes: PDF }]))).toEqual([422, 'INVALID_EVIDENCE_FILE']);
  expect(await refuse(evidenceForm({ evidences: [{ evidence_type: 'PROOF_OF_FULFILLMENT', notes: 'shipped' }] }))).toEqual([422, 'MISSING_TRACKING_INFO']);
  expect(await refuse(evidenceForm({ evidences: [{ evidence_type: 'PROOF_OF_REFUND', notes: 'refunded' }] }))).toEqual([422, 'MISSING_EVIDENCE_INFO']);
  expect(await refuse(evidenceForm({ evidences: [fulfillment] }))).toEqual([422, 'MISSING_EVIDENCE_FILE']);
  expect(await refuse(evidenceForm({}))).toEqual([400, 'MISSING_REQUIRED_PARAMETER']);
  // Nothing of the refused calls stuck.
  const after = await get(dispute.dispute_id);
  expect([after.status, after.evidences]).toEqual(['WAITING_FOR_SELLER_RESPONSE', []]);
});

test('accept-claim resolves for the buyer: a DEBIT from the seller, the capture refundable amount shrinks', async () => {
  const { dispute, captureId } = await open({ amount: { currency_code: 'EUR', value: '60.00' } });
  // While the case is open a partial refund is refused (a full one would still go through).
  const partial = await h.api<ErrorBody>('POST', `/v2/payments/captures/${captureId}/refund`, { amount: { currency_code: 'EUR', value: '10.00' } });
  expect([partial.status, partial.body.details[0].issue]).toEqual([422, 'CAPTURE_DISPUTED_PARTIAL_REFUND_NOT_ALLOWED']);

  const noNote = await h.api<ErrorBody>('POST', `/v1/customer/disputes/${dispute.dispute_id}/accept-claim`, {});
  expect([noNote.status, noNote.body.details[0].issue]).toEqual([400, 'MISSING_REQUIRED_PARAMETER']);
  const r = await h.api('POST', `/v1/customer/disputes/${dispute.dispute_id}/accept-claim`, { note: 'Sorry, refunding.' });
  expect(r.status).toBe(200);
  const after = await get(dispute.dispute_id);
  expect(after).toMatchObject({
    status: 'RESOLVED',
    dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR', amount_refunded: { value: '60.00' } },
    money_movements: [{ affected_party: 'SELLER', type: 'DEBIT', amount: { currency_code: 'EUR', value: '60.00' } }],
  });
  expect(rels(after)).toEqual(['self']);
  await h.waitForWebhooks((w) => w.body.event_type === 'CUSTOMER.DISPUTE.RESOLVED' && w.body.resource.dispute_id === dispute.dispute_id);

  // 40.00 is left on the capture: more is refused with PayPal's refund issue, the rest works.
  const over = await h.api<ErrorBody>('POST', `/v2/payments/captures/${captureId}/refund`, { amount: { currency_code: 'EUR', value: '40.01' } });
  expect([over.status, over.body.details[0].issue]).toEqual([422, 'REFUND_AMOUNT_EXCEEDED']);
  const rest = await h.api('POST', `/v2/payments/captures/${captureId}/refund`, {}, { prefer: 'return=representation' });
  expect([rest.status, (rest.body.amount as { value: string }).value]).toEqual([201, '40.00']);
  // Nothing is left: any refund is refused as for a fully refunded capture.
  const none = await h.api<ErrorBody>('POST', `/v2/payments/captures/${captureId}/refund`, {});
  expect([none.status, none.body.details[0].issue]).toEqual([422, 'CAPTURE_FULLY_REFUNDED']);
});

test('inquiry: links per state, send-message and make-offer, escalation to a claim, adjudication', async () => {
  const { dispute } = await open({ stage: 'INQUIRY', reason: 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED' });
  const id = dispute.dispute_id;
  expect(dispute.dispute_life_cycle_stage).toBe('INQUIRY');
  expect(rels(dispute)).toEqual(['accept_claim', 'escalate', 'make_offer', 'provide_evidence', 'self', 'send_message']);
  expect(dispute.allowed_response_options).toMatchObject({ make_offer: { offer_types: expect.arrayContaining(['REFUND_WITH_RETURN']) } });

  expect((await h.api('POST', `/v1/customer/disputes/${id}/send-message`, { message: 'The parcel is on its way.' })).status).toBe(200);
  expect((await get(id)).messages).toEqual([expect.objectContaining({ posted_by: 'SELLER', content: 'The parcel is on its way.' })]);
  const offer = await h.api('POST', `/v1/customer/disputes/${id}/make-offer`, { note: 'Half back?', offer_type: 'REFUND', offer_amount: { currency_code: 'EUR', value: '50.00' } });
  expect(offer.status).toBe(200);
  const offered = await get(id);
  expect(offered).toMatchObject({ status: 'WAITING_FOR_BUYER_RESPONSE', offer: { offer_type: 'REFUND', seller_offered_amount: { value: '50.00' } } });
  expect(rels(offered)).toEqual(['escalate', 'self', 'send_message']);

  // The buyer escalates (control plane): a claim waiting for the seller, with a fresh due date.
  const claim = await h.call<Dispute>('POST', `/disputes/${id}/escalate`);
  expect(claim.body).toMatchObject({ dispute_life_cycle_stage: 'CHARGEBACK', status: 'WAITING_FOR_SELLER_RESPONSE' });
  expect(claim.body.seller_response_due_date).toBeDefined();
  expect(rels(claim.body)).toEqual(['accept_claim', 'provide_evidence', 'self']);
  const msg = await h.api<ErrorBody>('POST', `/v1/customer/disputes/${id}/send-message`, { message: 'late' });
  expect([msg.status, msg.body.details[0].issue]).toEqual([422, 'ACTION_NOT_ALLOWED_IN_CURRENT_STATE']);

  // Sandbox calls: adjudicate needs UNDER_REVIEW; require-evidence sends it back to the seller.
  const early = await h.api<ErrorBody>('POST', `/v1/customer/disputes/${id}/adjudicate`, { adjudication_outcome: 'SELLER_FAVOR' });
  expect([early.status, early.body.details[0].issue]).toEqual([422, 'ACTION_NOT_ALLOWED_IN_CURRENT_STATE']);
  await h.api('POST', `/v1/customer/disputes/${id}/provide-evidence`, evidenceForm({ evidences: [{ evidence_type: 'ITEM_DESCRIPTION', notes: 'As described on the page.' }] }));
  expect((await h.api('POST', `/v1/customer/disputes/${id}/require-evidence`, { action: 'SELLER_EVIDENCE' })).status).toBe(200);
  expect((await get(id)).status).toBe('WAITING_FOR_SELLER_RESPONSE');
  await h.api('POST', `/v1/customer/disputes/${id}/provide-evidence`, evidenceForm({ evidences: [{ evidence_type: 'OTHER', notes: 'More.' }] }));
  expect((await h.api('POST', `/v1/customer/disputes/${id}/adjudicate`, { adjudication_outcome: 'SELLER_FAVOR' })).status).toBe(200);
  const done = await get(id);
  expect(done).toMatchObject({ status: 'RESOLVED', dispute_outcome: { outcome_code: 'RESOLVED_SELLER_FAVOUR' } });
  expect(done.money_movements).toBeUndefined();
  expect(done.evidences).toHaveLength(2);
});

test('acknowledge-return-item: after an accepted claim with return and the buyer\'s shipment back', async () => {
  const { dispute } = await open({ reason: 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED' });
  const id = dispute.dispute_id;
  expect(rels(dispute)).not.toContain('acknowledge_return_item');
  const early = await h.api<ErrorBody>('POST', `/v1/customer/disputes/${id}/acknowledge-return-item`, { acknowledgement_type: 'ITEM_RECEIVED' });
  expect(early.body.details[0].issue).toBe('ACTION_NOT_ALLOWED_IN_CURRENT_STATE');
  await h.api('POST', `/v1/customer/disputes/${id}/accept-claim`, { note: 'Send it back', accept_claim_type: 'REFUND_WITH_RETURN' });
  expect((await get(id)).status).toBe('WAITING_FOR_BUYER_RESPONSE');
  const returned = await h.call<Dispute>('POST', `/disputes/${id}/return-item`);
  expect(returned.body.status).toBe('WAITING_FOR_SELLER_RESPONSE');
  expect(rels(returned.body)).toEqual(['accept_claim', 'acknowledge_return_item', 'self']);
  expect((await h.api('POST', `/v1/customer/disputes/${id}/acknowledge-return-item`, { note: 'Got it', acknowledgement_type: 'ITEM_RECEIVED' })).status).toBe(200);
  expect(await get(id)).toMatchObject({ status: 'RESOLVED', dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR' } });
});

test('the seller\'s deadline passes on the business clock: resolved for the buyer, RESOLVED webhook', async () => {
  const { dispute } = await open({ response_days: 3 });
  await h.advanceClock(2 * 86_400);
  expect((await get(dispute.dispute_id)).status).toBe('WAITING_FOR_SELLER_RESPONSE');
  await h.advanceClock(86_400 + 1);
  const after = await get(dispute.dispute_id);
  expect(after).toMatchObject({ status: 'RESOLVED', dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR' }, money_movements: [{ type: 'DEBIT', affected_party: 'SELLER' }] });
  await h.waitForWebhooks((w) => w.body.event_type === 'CUSTOMER.DISPUTE.RESOLVED' && w.body.resource.dispute_id === dispute.dispute_id);
});

test('control-plane adjudicate passes through UNDER_REVIEW and sends UPDATED then RESOLVED', async () => {
  const { dispute } = await open();
  const r = await h.call<Dispute>('POST', `/disputes/${dispute.dispute_id}/adjudicate`, { outcome: 'BUYER_FAVOR' });
  expect(r.body).toMatchObject({ status: 'RESOLVED', dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR' } });
  const hooks = await h.waitForWebhooks((w) => w.body.resource.dispute_id === dispute.dispute_id, 3);
  expect([hooks[0].body.event_type, hooks[0].body.resource.status]).toEqual(['CUSTOMER.DISPUTE.CREATED', 'WAITING_FOR_SELLER_RESPONSE']);
  // Sent one after the other, but (as with PayPal) nothing guarantees their arrival order.
  expect(hooks.slice(1).map((w) => [w.body.event_type, w.body.resource.status])).toEqual(expect.arrayContaining([
    ['CUSTOMER.DISPUTE.UPDATED', 'UNDER_REVIEW'],
    ['CUSTOMER.DISPUTE.RESOLVED', 'RESOLVED'],
  ]));
  const twice = await h.call<ErrorBody>('POST', `/disputes/${dispute.dispute_id}/adjudicate`, { outcome: 'SELLER_FAVOR' });
  expect([twice.status, twice.body.details[0].issue]).toEqual([422, 'ACTION_NOT_ALLOWED_IN_CURRENT_STATE']);
});

test('delivery knobs: duplicate sends each event twice with one id; reorder sends UPDATED before CREATED', async () => {
  const dup = await open({ delivery: { duplicate: true } });
  const created = await h.waitForWebhooks((w) => w.body.resource.dispute_id === dup.dispute.dispute_id, 2);
  expect(created.map((w) => w.body.event_type)).toEqual(['CUSTOMER.DISPUTE.CREATED', 'CUSTOMER.DISPUTE.CREATED']);
  expect(created[0].body.id).toBe(created[1].body.id);

  const re = await open({ delivery: { reorder: true } });
  const arrived: ReceivedWebhook[] = await h.waitForWebhooks((w) => w.body.resource.dispute_id === re.dispute.dispute_id, 2);
  expect(arrived.map((w) => w.body.event_type)).toEqual(['CUSTOMER.DISPUTE.UPDATED', 'CUSTOMER.DISPUTE.CREATED']);
  expect(arrived[0].body.id).not.toBe(arrived[1].body.id);
});

test('a restart resumes disputes from SQLite, due dates included', async () => {
  const { dispute } = await open({ response_days: 2 });
  h.restart();
  const after = await get(dispute.dispute_id);
  expect(after).toMatchObject({ status: 'WAITING_FOR_SELLER_RESPONSE', seller_response_due_date: dispute.seller_response_due_date });
  expect(rels(after)).toEqual(rels(dispute));
  await h.advanceClock(2 * 86_400 + 1);
  expect((await get(dispute.dispute_id)).status).toBe('RESOLVED');
  const all = await h.dev<{ disputes: Dispute[] }>('/disputes');
  expect(all.disputes[0].dispute_id).toBe(dispute.dispute_id);
});
