// The disputes client against a small PayPal stand-in on node:http: what it sends (token request,
// bearer, multipart parts, PayPal-Request-Id) and how it reads PayPal's answers and errors.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PayPalDisputesClient } from '../../adapters/paypal/paypal-disputes-client';
import { money } from '../../domain/money';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
type Reply = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };

let server: http.Server;
let base: string;
let seen: Seen[];
let tokens: number;
let route: (req: Seen) => Reply;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      const r = s.url.endsWith('/v1/oauth2/token') ? json(200, { access_token: `tok-${++tokens}`, token_type: 'Bearer', expires_in: 32400 }) : route(s);
      const send = () => {
        res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
        res.end(r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      };
      if (r.delayMs) setTimeout(send, r.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sim/paypal`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  seen = [];
  tokens = 0;
  route = () => json(500, {});
});

const client = (timeoutMs = 2000) => new PayPalDisputesClient({ clientId: 'client-id', clientSecret: 's3cret', environment: 'sandbox', baseUrlOverride: base, timeoutMs });
const apiCalls = () => seen.filter((s) => !s.url.endsWith('/oauth2/token'));

const disputeBody = {
  dispute_id: 'PP-D-4711',
  create_time: '2026-11-16T09:00:00.000Z',
  update_time: '2026-11-16T10:00:00.000Z',
  disputed_transactions: [{ buyer_transaction_id: 'B1', seller_transaction_id: '3C679366HH908993F', custom: 'ord-42', invoice_number: 'INV-2026-000042', seller_protection_eligible: true }],
  reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
  status: 'WAITING_FOR_SELLER_RESPONSE',
  dispute_amount: { currency_code: 'EUR', value: '84.88' },
  dispute_outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR', amount_refunded: { currency_code: 'EUR', value: '84.88' } },
  money_movements: [{ affected_party: 'SELLER', type: 'DEBIT', amount: { currency_code: 'EUR', value: '84.88' }, reason: 'DISPUTE_SETTLEMENT', initiated_time: '2026-11-20T00:00:00Z' }],
  dispute_life_cycle_stage: 'CHARGEBACK',
  dispute_channel: 'INTERNAL',
  seller_response_due_date: '2026-11-30T23:59:59Z',
  evidences: [{ evidence_type: 'PROOF_OF_FULFILLMENT', notes: 'tracking', documents: [{ name: 'evidence-PP-D-4711.pdf' }], date: '2026-11-17T00:00:00Z', source: 'SUBMITTED_BY_SELLER' }],
  future_field: { anything: true },
  links: [
    { href: 'https://api-m.sandbox.paypal.com/v1/customer/disputes/PP-D-4711', rel: 'self', method: 'GET' },
    { href: 'https://api-m.sandbox.paypal.com/v1/customer/disputes/PP-D-4711/provide-evidence', rel: 'provide_evidence', method: 'POST' },
    { href: 'https://api-m.sandbox.paypal.com/v1/customer/disputes/PP-D-4711/accept-claim', rel: 'accept_claim', method: 'POST' },
  ],
};

test('get: client-credentials token, bearer call under the override base, mapped to our view', async () => {
  route = () => json(200, disputeBody);
  const c = client();
  const r = await c.get('PP-D-4711');
  expect(r).toEqual({
    ok: true,
    dispute: {
      disputeId: 'PP-D-4711',
      createdAt: '2026-11-16T09:00:00.000Z',
      updatedAt: '2026-11-16T10:00:00.000Z',
      reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
      status: 'WAITING_FOR_SELLER_RESPONSE',
      stage: 'CHARGEBACK',
      channel: 'INTERNAL',
      amount: money(8488, 'EUR'),
      sellerResponseDueDate: '2026-11-30T23:59:59Z',
      transactions: [{ captureId: '3C679366HH908993F', custom: 'ord-42', invoiceNumber: 'INV-2026-000042' }],
      evidences: [{ type: 'PROOF_OF_FULFILLMENT', notes: 'tracking', documents: ['evidence-PP-D-4711.pdf'], date: '2026-11-17T00:00:00Z' }],
      outcome: { code: 'RESOLVED_BUYER_FAVOUR', amountRefunded: money(8488, 'EUR') },
      moneyMovements: [{ affectedParty: 'SELLER', type: 'DEBIT', amount: money(8488, 'EUR'), reason: 'DISPUTE_SETTLEMENT', initiatedAt: '2026-11-20T00:00:00Z' }],
      allowed: ['provide_evidence', 'accept_claim'],
    },
  });
  const [token, call] = seen;
  expect(token.method).toBe('POST');
  expect(token.url).toBe('/sim/paypal/v1/oauth2/token');
  expect(token.headers.authorization).toBe(`Basic ${Buffer.from('client-id:s3cret').toString('base64')}`);
  expect(token.headers['content-type']).toBe('application/x-www-form-urlencoded');
  expect(token.body.toString()).toBe('grant_type=client_credentials');
  expect(call).toMatchObject({ method: 'GET', url: '/sim/paypal/v1/customer/disputes/PP-D-4711' });
  expect(call.headers.authorization).toBe('Bearer tok-1');
  // The token is reused until shortly before it expires.
  await c.get('PP-D-4711');
  expect(tokens).toBe(1);
});

test('an expiring token is replaced before use', async () => {
  route = () => json(200, disputeBody);
  let now = 0;
  const c = new PayPalDisputesClient({ clientId: 'a', clientSecret: 'b', environment: 'sandbox', baseUrlOverride: base }, () => now);
  await c.get('PP-D-4711');
  now = (32400 - 61) * 1000;
  await c.get('PP-D-4711');
  expect(tokens).toBe(1);
  now = (32400 - 59) * 1000;
  await c.get('PP-D-4711');
  expect(tokens).toBe(2);
});

test('list: query parameters and the next page token from the next link', async () => {
  route = () =>
    json(200, {
      items: [{ ...disputeBody, reason: 'SOMETHING_NEW', status: 'RESOLVED', disputed_transactions: undefined }],
      links: [{ rel: 'next', href: 'https://api-m.sandbox.paypal.com/v1/customer/disputes?page_size=2&next_page_token=NXT%2B1' }],
    });
  const r = await client().list({ disputedTransactionId: '3C679366HH908993F', states: ['REQUIRED_ACTION', 'UNDER_PAYPAL_REVIEW'], pageSize: 2, pageToken: 'P0' });
  expect(r).toMatchObject({ ok: true, nextPageToken: 'NXT+1', items: [{ disputeId: 'PP-D-4711', reason: 'OTHER', status: 'RESOLVED', amount: money(8488, 'EUR') }] });
  const url = new URL(apiCalls()[0].url, 'http://x');
  expect(url.pathname).toBe('/sim/paypal/v1/customer/disputes');
  expect(Object.fromEntries(url.searchParams)).toEqual({ disputed_transaction_id: '3C679366HH908993F', dispute_state: 'REQUIRED_ACTION,UNDER_PAYPAL_REVIEW', page_size: '2', next_page_token: 'P0' });
});

test('provide-evidence: multipart with the input JSON part and the files, PayPal-Request-Id when given', async () => {
  route = () => json(200, { links: [] });
  const evidences = [{ evidence_type: 'PROOF_OF_FULFILLMENT' as const, evidence_info: { tracking_info: [{ carrier_name: 'DHL', tracking_number: '1234567890' }] }, notes: 'delivered', documents: [{ name: 'evidence-PP-D-4711.pdf' }] }];
  const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff]);
  const r = await client().provideEvidence('PP-D-4711', { evidences, files: [{ name: 'evidence-PP-D-4711.pdf', contentType: 'application/pdf', bytes: pdf }] }, { requestId: 'evidence-PP-D-4711-1' });
  expect(r).toEqual({ ok: true });
  const [call] = apiCalls();
  expect(call).toMatchObject({ method: 'POST', url: '/sim/paypal/v1/customer/disputes/PP-D-4711/provide-evidence' });
  expect(call.headers['paypal-request-id']).toBe('evidence-PP-D-4711-1');
  expect(call.headers.authorization).toBe('Bearer tok-1');
  // Parse the multipart body back with the platform's own parser.
  const form = await new Response(new Uint8Array(call.body), { headers: { 'content-type': String(call.headers['content-type']) } }).formData();
  expect(String(call.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
  expect([...form.keys()]).toEqual(['input', 'evidence-file']);
  const input = form.get('input') as File;
  expect(input.type).toBe('application/json');
  expect(JSON.parse(await input.text())).toEqual({ evidences });
  const file = form.get('evidence-file') as File;
  expect(file.name).toBe('evidence-PP-D-4711.pdf');
  expect(file.type).toBe('application/pdf');
  expect(new Uint8Array(await file.arrayBuffer())).toEqual(pdf);
});

test('the JSON actions send PayPal\'s field names and amounts; no PayPal-Request-Id unless given', async () => {
  route = () => json(200, { links: [] });
  const c = client();
  await c.acceptClaim('D1', { note: 'refunding', acceptClaimType: 'PARTIAL_REFUND', refundAmount: money(1050, 'EUR') });
  await c.sendMessage('D1', 'Tracking: 1234567890');
  await c.makeOffer('D1', { note: 'half back', offerType: 'REFUND', offerAmount: money(4244, 'EUR') }, { requestId: 'offer-1' });
  await c.acknowledgeReturnItem('D1', { note: 'got it', acknowledgementType: 'ITEM_RECEIVED' });
  const calls = apiCalls();
  expect(calls.map((s) => [s.url, JSON.parse(s.body.toString()), s.headers['content-type'], s.headers['paypal-request-id']])).toEqual([
    ['/sim/paypal/v1/customer/disputes/D1/accept-claim', { note: 'refunding', accept_claim_type: 'PARTIAL_REFUND', refund_amount: { currency_code: 'EUR', value: '10.50' } }, 'application/json', undefined],
    ['/sim/paypal/v1/customer/disputes/D1/send-message', { message: 'Tracking: 1234567890' }, 'application/json', undefined],
    ['/sim/paypal/v1/customer/disputes/D1/make-offer', { note: 'half back', offer_type: 'REFUND', offer_amount: { currency_code: 'EUR', value: '42.44' } }, 'application/json', 'offer-1'],
    ['/sim/paypal/v1/customer/disputes/D1/acknowledge-return-item', { note: 'got it', acknowledgement_type: 'ITEM_RECEIVED' }, 'application/json', undefined],
  ]);
});

test('404 is not-found, with PayPal\'s debug id', async () => {
  route = () => json(404, { name: 'RESOURCE_NOT_FOUND', message: 'The specified resource does not exist.', debug_id: 'dbg-404', details: [{ issue: 'INVALID_RESOURCE_ID', description: 'Requested resource ID was not found.' }] });
  expect(await client().get('PP-NOPE')).toMatchObject({ ok: false, kind: 'not-found', status: 404, issue: 'INVALID_RESOURCE_ID', debugId: 'dbg-404' });
});

test('422 with an issue is refused, naming the issue', async () => {
  route = () => json(422, { name: 'UNPROCESSABLE_ENTITY', message: 'The requested action could not be performed.', debug_id: 'dbg-422', details: [{ issue: 'MISSING_TRACKING_INFO', description: 'Tracking information is required.' }] });
  const r = await client().provideEvidence('PP-D-4711', { evidences: [], files: [] });
  expect(r).toEqual({ ok: false, kind: 'refused', status: 422, issue: 'MISSING_TRACKING_INFO', debugId: 'dbg-422', message: expect.stringContaining('MISSING_TRACKING_INFO: Tracking information is required.') });
});

test('500 is unavailable; the debug id may come from the header', async () => {
  route = () => ({ status: 500, body: '<html>oops</html>', headers: { 'paypal-debug-id': 'dbg-hdr' } });
  expect(await client().get('PP-D-4711')).toMatchObject({ ok: false, kind: 'unavailable', status: 500, debugId: 'dbg-hdr' });
});

test('no answer within the timeout is unavailable', async () => {
  route = () => ({ ...json(200, disputeBody), delayMs: 1500 });
  const r = await client(200).get('PP-D-4711');
  expect(r).toMatchObject({ ok: false, kind: 'unavailable', message: expect.stringContaining('no answer within 200 ms') });
});

test('a 401 refreshes the token once and repeats the call', async () => {
  let calls = 0;
  route = (s) => (++calls === 1 || s.headers.authorization === 'Bearer tok-1' ? json(401, { error: 'invalid_token', error_description: 'Token expired' }) : json(200, disputeBody));
  const r = await client().get('PP-D-4711');
  expect(r).toMatchObject({ ok: true, dispute: { disputeId: 'PP-D-4711' } });
  expect(tokens).toBe(2);
  expect(apiCalls().map((s) => s.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
});

test('a 401 after the refresh is unauthorized, without a third try', async () => {
  route = () => json(401, { error: 'invalid_token' });
  expect(await client().get('PP-D-4711')).toMatchObject({ ok: false, kind: 'unauthorized', status: 401 });
  expect(apiCalls()).toHaveLength(2);
  expect(tokens).toBe(2);
});

test('a body we cannot read is a failure, not an exception', async () => {
  route = () => json(200, { ...disputeBody, dispute_amount: { currency_code: 'XXX', value: '1' } });
  expect(await client().get('PP-D-4711')).toMatchObject({ ok: false, kind: 'unavailable', message: expect.stringContaining('unreadable') });
});
