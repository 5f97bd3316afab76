// The PayPal simulator driven through PayPalGateway, i.e. the real @paypal/paypal-server-sdk:
// the base URL redirect, the payment lifecycle, authorization expiry and reauthorization on the
// simulator's clock, magic failures, idempotent retries, buyer approval, OAuth, signed webhooks
// and durability across restarts. Some tests call the SDK directly to see PayPal's own answers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Database } from 'azure-standin/sqlite';
import { ApiError, Client, Environment, OrdersController, PaymentsController } from '@paypal/paypal-server-sdk';
import { redirectingAxiosAdapter } from '../../adapters/paypal/base-url-redirect';
import { PayPalGateway } from '../../adapters/paypal/paypal-gateway';
import { verifyPayPalWebhook } from '../../adapters/paypal/webhook-verifier';
import { money } from '../../domain/money';
import { PayPalSimulator } from 'commerce-simulators';
import { tempDir } from 'azure-standin/testing';

const CLIENT = { clientId: 'test-client', clientSecret: 'test-secret' };
const WEBHOOK_ID = 'WH-TEST-1';
const DAY = 24 * 3600;

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  event: { event_type: string; resource: { id: string } };
}

interface Running {
  base: string;
  sim: PayPalSimulator;
  db: Database;
  server: http.Server;
  /** Method and path of every request the simulator's server saw. */
  seen: string[];
  gateway: PayPalGateway;
}

const running: Running[] = [];
const receivers: http.Server[] = [];

async function listen(server: http.Server, port = 0): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface StartOptions {
  dbFile?: string;
  webhookUrl?: string;
  timeoutMs?: number;
  port?: number;
  pendingCaptureMs?: number;
  honorSeconds?: number;
  authorizationValidSeconds?: number;
}

async function start(opts: StartOptions = {}): Promise<Running> {
  const db = new Database(opts.dbFile ?? ':memory:');
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    void sim.handle(req, res, new URL(req.url ?? '/', 'http://localhost')).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  const base = await listen(server, opts.port);
  // Requests only arrive after start() returns, so the handler never sees `sim` uninitialized.
  const sim = new PayPalSimulator({
    db,
    publicBaseUrl: base,
    webhookUrl: opts.webhookUrl,
    webhookId: WEBHOOK_ID,
    ...CLIENT,
    webhookRetryDelaysMs: [0, 100, 200],
    pendingCaptureMs: opts.pendingCaptureMs,
    honorSeconds: opts.honorSeconds,
    authorizationValidSeconds: opts.authorizationValidSeconds,
  });
  const gateway = new PayPalGateway({ ...CLIENT, environment: 'sandbox', baseUrlOverride: `${base}/sim/paypal`, timeoutMs: opts.timeoutMs ?? 5_000 });
  const r = { base, sim, db, server, seen, gateway };
  running.push(r);
  return r;
}

async function stop(r: Running): Promise<void> {
  running.splice(running.indexOf(r), 1);
  r.sim.close();
  r.server.closeAllConnections();
  await new Promise((resolve) => r.server.close(resolve));
  r.db.close();
}

/** A webhook receiver that records every delivery. */
async function receiver(): Promise<{ url: string; received: Received[]; next: (type: string, resourceId?: string) => Promise<Received> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, raw, event: JSON.parse(raw.toString('utf8')) as Received['event'] });
      res.writeHead(200).end();
    });
  });
  receivers.push(server);
  const url = `${await listen(server)}/webhooks`;
  const next = async (type: string, resourceId?: string): Promise<Received> => {
    for (let i = 0; i < 100; i++) {
      const hit = received.find((r) => r.event.event_type === type && (resourceId === undefined || r.event.resource.id === resourceId));
      if (hit) return hit;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${type} webhook arrived`);
  };
  return { url, received, next };
}

afterEach(async () => {
  for (const r of [...running]) await stop(r);
  for (const s of receivers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const eur = (cents: number) => money(cents, 'EUR');
const urls = { returnUrl: 'https://shop.example/paypal/return?orderId=o-1', cancelUrl: 'https://shop.example/paypal/cancel?orderId=o-1' };

async function inspect(base: string, paypalOrderId: string) {
  const res = await fetch(`${base}/dev/paypal/orders/${paypalOrderId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    order: { status: string; purchase_units: { reference_id: string }[] };
    authorizations: { id: string; status: string }[];
    captures: { id: string; status: string; amount: { value: string } }[];
    refunds: { id: string; amount: { value: string } }[];
  };
}

async function token(base: string): Promise<string> {
  const res = await fetch(`${base}/sim/paypal/v1/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A vaulted order, authorized; returns the ids and PayPal's dates. */
async function authorized(g: PayPalGateway, orderId: string, vaultId = 'vault-ok', cents = 8488) {
  const created = await g.createOrder({ orderId, amount: eur(cents), vaultId, ...urls, requestId: `${orderId}-create` });
  if (!created.ok) throw new Error(created.failure.reason);
  expect(created.needsApproval).toBe(false);
  const auth = await g.authorize(created.providerOrderId, `${orderId}-authorize`);
  if (!auth.ok) throw new Error(auth.failure.reason);
  return { paypalOrderId: created.providerOrderId, authorizationId: auth.authorizationId, createdAt: auth.createdAt, expiresAt: auth.expiresAt };
}

/** The SDK's controllers without the gateway, to see PayPal's own status codes and bodies. */
function sdk(base: string): { orders: OrdersController; payments: PaymentsController } {
  const client = new Client({
    clientCredentialsAuthCredentials: { oAuthClientId: CLIENT.clientId, oAuthClientSecret: CLIENT.clientSecret },
    environment: Environment.Sandbox,
    httpClientOptions: { timeout: 5_000, retryConfig: { maxNumberOfRetries: 0 } },
    unstable_httpClientOptions: { adapter: redirectingAxiosAdapter('https://api-m.sandbox.paypal.com', `${base}/sim/paypal`) },
  });
  return { orders: new OrdersController(client), payments: new PaymentsController(client) };
}

/** How PayPal refused a call the SDK made: status, error name, first issue (or OAuth `error`). */
async function refusal(call: Promise<unknown>): Promise<{ status: number; name?: string; issue?: string; error?: string }> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const body = JSON.parse(typeof err.body === 'string' ? err.body : '{}') as { name?: string; error?: string; details?: { issue?: string }[] };
    return { status: err.statusCode, name: body.name, issue: body.details?.[0]?.issue, error: body.error };
  }
  throw new Error('PayPal accepted the call');
}

/** Moves the simulator's clock forward. */
async function advance(base: string, seconds: number): Promise<{ now: string; offset_seconds: number }> {
  const res = await fetch(`${base}/sim/paypal/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: seconds }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; offset_seconds: number };
}

test('the SDK reaches the simulator only through the base URL rewrite, with OAuth and PayPal-Request-Id', async () => {
  const r = await start();
  const created = await r.gateway.createOrder({ orderId: 'o-redirect', amount: eur(100), vaultId: 'vault-ok', ...urls, requestId: 'req-1' });
  expect(created.ok).toBe(true);
  // The SDK addressed https://api-m.sandbox.paypal.com; the requests arrived here, under the mount path.
  expect(r.seen).toEqual(['POST /sim/paypal/v1/oauth2/token', 'POST /sim/paypal/v2/checkout/orders']);
});

test('vaulted authorize, capture, partial and full refund; refunds never exceed the capture', async () => {
  const { gateway, base } = await start();
  const { paypalOrderId, authorizationId } = await authorized(gateway, 'o-refund');
  const capture = await gateway.capture(authorizationId, 'o-refund-capture');
  if (!capture.ok) throw new Error(capture.failure.reason);

  expect(await gateway.refund(capture.captureId, eur(1000), 'o-refund-r1')).toMatchObject({ ok: true });
  const tooMuch = await gateway.refund(capture.captureId, eur(7489), 'o-refund-r2');
  expect(tooMuch).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('REFUND_AMOUNT_EXCEEDED') } });
  expect(await gateway.refund(capture.captureId, eur(7488), 'o-refund-r3')).toMatchObject({ ok: true });
  // Nothing left to refund is its own answer: the saga reads it as "an earlier attempt went through".
  expect(await gateway.refund(capture.captureId, eur(1), 'o-refund-r4')).toEqual({ ok: false, failure: { kind: 'fully-refunded', reason: expect.stringContaining(capture.captureId) } });

  const state = await inspect(base, paypalOrderId);
  expect(state.order).toMatchObject({ status: 'COMPLETED', purchase_units: [{ reference_id: 'o-refund' }] });
  expect(state.authorizations).toMatchObject([{ id: authorizationId, status: 'CAPTURED' }]);
  expect(state.captures).toMatchObject([{ id: capture.captureId, status: 'REFUNDED', amount: { value: '84.88' } }]);
  expect(state.refunds.map((x) => x.amount.value)).toEqual(['10.00', '74.88']);
});

test('void releases an authorization: capturing it afterwards is declined, voiding again is fine', async () => {
  const { gateway, base } = await start();
  const { paypalOrderId, authorizationId } = await authorized(gateway, 'o-void');
  expect(await gateway.voidAuthorization(authorizationId, 'o-void-void')).toEqual({ ok: true });
  expect(await gateway.capture(authorizationId, 'o-void-capture')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('AUTHORIZATION_VOIDED') } });
  expect(await gateway.voidAuthorization(authorizationId, 'o-void-void-2')).toEqual({ ok: true });
  const state = await inspect(base, paypalOrderId);
  expect(state.authorizations).toMatchObject([{ status: 'VOIDED' }]);
  expect(state.captures).toEqual([]);
});

test('voiding a captured authorization reports it captured, and the capture is found on the PayPal order', async () => {
  const { gateway, base } = await start();
  const { paypalOrderId, authorizationId } = await authorized(gateway, 'o-void-cap');
  expect(await gateway.findCapture(paypalOrderId)).toEqual({ ok: true });
  const capture = await gateway.capture(authorizationId, 'o-void-cap-capture');
  if (!capture.ok) throw new Error(capture.failure.reason);
  expect(await gateway.voidAuthorization(authorizationId, 'o-void-cap-void')).toEqual({ ok: false, failure: { kind: 'captured', reason: expect.stringContaining(authorizationId) } });
  expect(await gateway.findCapture(paypalOrderId)).toEqual({ ok: true, capture: { captureId: capture.captureId, amount: eur(8488) } });
  // Still found once refunded, so a retried compensation sees the same capture.
  expect(await gateway.refund(capture.captureId, eur(8488), 'o-void-cap-refund')).toMatchObject({ ok: true });
  expect(await gateway.findCapture(paypalOrderId)).toMatchObject({ ok: true, capture: { captureId: capture.captureId } });
  expect((await inspect(base, paypalOrderId)).authorizations).toMatchObject([{ status: 'CAPTURED' }]);
});

test('magic vault ids for compensation: a lost capture answer, a refused void, refused refunds', async () => {
  const { gateway, base } = await start();
  // vault-capture-lost: the capture is made, but no answer (retries included) gets through.
  const lost = await authorized(gateway, 'o-lost', 'vault-capture-lost');
  for (let i = 0; i < 2; i++) expect(await gateway.capture(lost.authorizationId, 'o-lost-capture')).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
  expect((await inspect(base, lost.paypalOrderId)).captures).toMatchObject([{ status: 'COMPLETED' }]);
  expect(await gateway.voidAuthorization(lost.authorizationId, 'o-lost-void')).toMatchObject({ ok: false, failure: { kind: 'captured' } });

  // vault-void-refused: the capture is declined and the void refused; the authorization stays open.
  const refused = await authorized(gateway, 'o-novoid', 'vault-void-refused');
  expect(await gateway.capture(refused.authorizationId, 'o-novoid-capture')).toMatchObject({ ok: false, failure: { kind: 'declined' } });
  expect(await gateway.voidAuthorization(refused.authorizationId, 'o-novoid-void')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('CANNOT_BE_VOIDED') } });
  expect((await inspect(base, refused.paypalOrderId)).authorizations).toMatchObject([{ status: 'CREATED' }]);

  // vault-refund-declined-2: the first two refund attempts of a capture are refused, as stored
  // answers of their request ids; the third (a new request id) goes through.
  const twice = await authorized(gateway, 'o-refdec', 'vault-refund-declined-2');
  const capture = await gateway.capture(twice.authorizationId, 'o-refdec-capture');
  if (!capture.ok) throw new Error(capture.failure.reason);
  const insufficient = { ok: false, failure: { kind: 'declined', reason: expect.stringContaining('REFUND_FAILED_INSUFFICIENT_FUNDS') } };
  expect(await gateway.refund(capture.captureId, eur(8488), 'o-refdec-r1')).toEqual(insufficient);
  expect(await gateway.refund(capture.captureId, eur(8488), 'o-refdec-r1')).toEqual(insufficient);
  expect(await gateway.refund(capture.captureId, eur(8488), 'o-refdec-r2')).toEqual(insufficient);
  expect(await gateway.refund(capture.captureId, eur(8488), 'o-refdec-r3')).toMatchObject({ ok: true });
  expect((await inspect(base, twice.paypalOrderId)).refunds.map((r) => r.amount.value)).toEqual(['84.88']);

  const always = await authorized(gateway, 'o-refdec-all', 'vault-refund-declined');
  const c2 = await gateway.capture(always.authorizationId, 'o-refdec-all-capture');
  if (!c2.ok) throw new Error(c2.failure.reason);
  for (const id of ['a', 'b', 'c', 'd']) expect(await gateway.refund(c2.captureId, eur(8488), `o-refdec-all-${id}`)).toEqual(insufficient);
});

test('magic vault ids: declined authorization, declined capture, PayPal down', async () => {
  const { gateway } = await start();
  const declined = await gateway.createOrder({ orderId: 'o-dec', amount: eur(500), vaultId: 'vault-declined', ...urls, requestId: 'o-dec-create' });
  if (!declined.ok) throw new Error(declined.failure.reason);
  expect(await gateway.authorize(declined.providerOrderId, 'o-dec-auth')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('INSTRUMENT_DECLINED') } });

  const { authorizationId } = await authorized(gateway, 'o-capdec', 'vault-capture-declined');
  expect(await gateway.capture(authorizationId, 'o-capdec-capture')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('DECLINED') } });

  const down = await gateway.createOrder({ orderId: 'o-down', amount: eur(500), vaultId: 'vault-down', ...urls, requestId: 'o-down-create' });
  expect(down).toEqual({ ok: false, failure: { kind: 'unavailable', reason: expect.stringContaining('INTERNAL_SERVER_ERROR') } });
});

test('a pending capture: PENDING with its reason, not refundable, then COMPLETED or denied, each with its webhook', async () => {
  const hooks = await receiver();
  const { gateway } = await start({ webhookUrl: hooks.url, pendingCaptureMs: 1_000 });
  const ok = await authorized(gateway, 'o-pend', 'vault-capture-pending');
  const cap = await gateway.capture(ok.authorizationId, 'o-pend-capture');
  expect(cap).toEqual({ ok: true, captureId: expect.any(String), pending: 'PENDING_REVIEW', capturedAt: expect.any(String), sellerProtection: { status: 'ELIGIBLE', disputeCategories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] } });
  if (!cap.ok) return;
  expect((await hooks.next('PAYMENT.CAPTURE.PENDING')).event.resource).toMatchObject({ id: cap.captureId, status: 'PENDING', custom_id: 'o-pend' });
  expect(await gateway.captureStatus(cap.captureId)).toEqual({ ok: true, status: 'pending', reason: 'PENDING_REVIEW' });
  // PayPal refuses to refund money it has not received.
  expect(await gateway.refund(cap.captureId, eur(8488), 'o-pend-refund')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('REFUND_NOT_ALLOWED') } });
  expect((await hooks.next('PAYMENT.CAPTURE.COMPLETED')).event.resource).toMatchObject({ id: cap.captureId, status: 'COMPLETED' });
  expect(await gateway.captureStatus(cap.captureId)).toEqual({ ok: true, status: 'completed' });

  const denied = await authorized(gateway, 'o-deny', 'vault-capture-pending-denied');
  const dcap = await gateway.capture(denied.authorizationId, 'o-deny-capture');
  if (!dcap.ok) throw new Error('expected a pending capture');
  expect((await hooks.next('PAYMENT.CAPTURE.DENIED')).event.resource).toMatchObject({ id: dcap.captureId, status: 'DECLINED' });
  expect(await gateway.captureStatus(dcap.captureId)).toEqual({ ok: true, status: 'denied', reason: expect.stringContaining('DECLINED') });
});

test('a pending refund: PENDING with its reason and holding its amount, then COMPLETED; a failed one gives the amount back', async () => {
  const { gateway } = await start({ pendingCaptureMs: 1_000 });
  const ok = await authorized(gateway, 'o-rp', 'vault-refund-pending');
  const cap = await gateway.capture(ok.authorizationId, 'o-rp-capture');
  if (!cap.ok) throw new Error('expected a capture');
  const r = await gateway.refund(cap.captureId, eur(8488), 'o-rp-refund');
  expect(r).toEqual({ ok: true, refundId: expect.any(String), pending: 'ECHECK' });
  if (!r.ok) return;
  expect(await gateway.refundStatus(r.refundId)).toEqual({ ok: true, status: 'pending', reason: 'ECHECK' });
  // Its amount is held: nothing more can be refunded meanwhile.
  expect(await gateway.refund(cap.captureId, eur(1), 'o-rp-refund-2')).toEqual({ ok: false, failure: { kind: 'fully-refunded', reason: expect.any(String) } });
  await new Promise((res) => setTimeout(res, 1_200));
  expect(await gateway.refundStatus(r.refundId)).toEqual({ ok: true, status: 'completed' });

  const f = await authorized(gateway, 'o-rf', 'vault-refund-pending-failed');
  const fcap = await gateway.capture(f.authorizationId, 'o-rf-capture');
  if (!fcap.ok) throw new Error('expected a capture');
  const fr = await gateway.refund(fcap.captureId, eur(100), 'o-rf-refund');
  if (!fr.ok) throw new Error('expected a pending refund');
  await new Promise((res) => setTimeout(res, 1_200));
  expect(await gateway.refundStatus(fr.refundId)).toEqual({ ok: true, status: 'failed', reason: expect.stringContaining('FAILED') });
  expect(await gateway.captureStatus(fcap.captureId)).toEqual({ ok: true, status: 'completed' });
});

test('503 on the first attempt, success on the retry with the same request id: exactly one authorization and one capture', async () => {
  const { gateway, base } = await start();
  const created = await gateway.createOrder({ orderId: 'o-flaky', amount: eur(2500), vaultId: 'vault-flaky', ...urls, requestId: 'o-flaky-create' });
  if (!created.ok) throw new Error(created.failure.reason);
  expect(await gateway.authorize(created.providerOrderId, 'o-flaky-auth')).toEqual({ ok: false, failure: { kind: 'unavailable', reason: expect.stringContaining('SERVICE_UNAVAILABLE') } });
  const auth = await gateway.authorize(created.providerOrderId, 'o-flaky-auth');
  if (!auth.ok) throw new Error(auth.failure.reason);
  expect(await gateway.capture(auth.authorizationId, 'o-flaky-cap')).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
  const capture = await gateway.capture(auth.authorizationId, 'o-flaky-cap');
  expect(capture).toMatchObject({ ok: true });
  // The saga retries again after a lost response: same capture, no second one.
  expect(await gateway.capture(auth.authorizationId, 'o-flaky-cap')).toEqual(capture);

  const state = await inspect(base, created.providerOrderId);
  expect(state.authorizations).toHaveLength(1);
  expect(state.captures).toMatchObject([{ status: 'COMPLETED', amount: { value: '25.00' } }]);
});

test('the same PayPal-Request-Id twice has one effect and returns the same response', async () => {
  const { gateway, base } = await start();
  const first = await gateway.createOrder({ orderId: 'o-idem', amount: eur(999), vaultId: 'vault-ok', ...urls, requestId: 'o-idem-create' });
  const second = await gateway.createOrder({ orderId: 'o-idem', amount: eur(999), vaultId: 'vault-ok', ...urls, requestId: 'o-idem-create' });
  expect(second).toEqual(first);
  const listed = (await (await fetch(`${base}/dev/paypal/orders?reference=o-idem`)).json()) as { orders: unknown[] };
  expect(listed.orders).toHaveLength(1);

  // Byte-identical replay at the HTTP level; a new request id really tries again and is refused.
  const { authorizationId } = await authorized(gateway, 'o-idem-2');
  const bearer = await token(base);
  const capture = (requestId: string) =>
    fetch(`${base}/sim/paypal/v2/payments/authorizations/${authorizationId}/capture`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'paypal-request-id': requestId, prefer: 'return=representation' },
      body: '{}',
    });
  const a = await capture('cap-A');
  const b = await capture('cap-A');
  expect([a.status, b.status]).toEqual([201, 201]);
  expect(await b.text()).toBe(await a.text());
  const c = await capture('cap-B');
  expect(c.status).toBe(422);
  expect(await c.json()).toMatchObject({ name: 'UNPROCESSABLE_ENTITY', debug_id: expect.any(String), details: [{ issue: 'AUTHORIZATION_ALREADY_CAPTURED' }], links: [{ rel: 'information_link' }] });
});

test('a slow authorization times out the client; the retry with the same request id gets the one authorization', async () => {
  const { base } = await start();
  const gateway = new PayPalGateway({ ...CLIENT, environment: 'sandbox', baseUrlOverride: `${base}/sim/paypal`, timeoutMs: 400 });
  const created = await gateway.createOrder({ orderId: 'o-slow', amount: eur(700), vaultId: 'vault-slow', ...urls, requestId: 'o-slow-create' });
  if (!created.ok) throw new Error(created.failure.reason);
  expect(await gateway.authorize(created.providerOrderId, 'o-slow-auth')).toEqual({ ok: false, failure: { kind: 'unavailable', reason: expect.stringMatching(/timeout/i) } });
  // The authorization was committed before the slow answer, so the replay answers at once.
  const retry = await gateway.authorize(created.providerOrderId, 'o-slow-auth');
  expect(retry).toMatchObject({ ok: true });
  expect((await inspect(base, created.providerOrderId)).authorizations).toHaveLength(1);
});

test('buyer approval: authorize before approval is declined; after approving on the checkout page it works', async () => {
  const hooks = await receiver();
  const { gateway, base } = await start({ webhookUrl: hooks.url });
  const created = await gateway.createOrder({ orderId: 'o-approve', amount: eur(4200), ...urls, requestId: 'o-approve-create' });
  if (!created.ok) throw new Error(created.failure.reason);
  expect(created.needsApproval).toBe(true);
  expect(created.approveUrl).toBe(`${base}/sim/paypal/checkoutnow?token=${created.providerOrderId}`);
  expect(await gateway.authorize(created.providerOrderId, 'o-approve-auth-early')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('ORDER_NOT_APPROVED') } });

  const page = await fetch(created.approveUrl!);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/42\.00 EUR[\s\S]*value="approve"/);
  const approval = await fetch(created.approveUrl!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve', redirect: 'manual' });
  expect(approval.status).toBe(303);
  const location = new URL(approval.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/paypal/return');
  expect(Object.fromEntries(location.searchParams)).toEqual({ orderId: 'o-1', token: created.providerOrderId, PayerID: expect.any(String) });
  expect((await inspect(base, created.providerOrderId)).order.status).toBe('APPROVED');
  const approvedHook = await hooks.next('CHECKOUT.ORDER.APPROVED');
  expect(approvedHook.event.resource.id).toBe(created.providerOrderId);

  expect(await gateway.authorize(created.providerOrderId, 'o-approve-auth')).toMatchObject({ ok: true });

  const other = await gateway.createOrder({ orderId: 'o-cancel', amount: eur(100), ...urls, requestId: 'o-cancel-create' });
  if (!other.ok) throw new Error(other.failure.reason);
  const cancel = await fetch(other.approveUrl!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=cancel', redirect: 'manual' });
  expect(cancel.status).toBe(303);
  expect(cancel.headers.get('location')).toBe(`https://shop.example/paypal/cancel?orderId=o-1&token=${other.providerOrderId}`);
  expect((await inspect(base, other.providerOrderId)).order.status).toBe('PAYER_ACTION_REQUIRED');
});

test('wrong client secret: the token request fails with invalid_client (unauthorized) and nothing is created', async () => {
  const { base } = await start();
  const wrong = new PayPalGateway({ clientId: CLIENT.clientId, clientSecret: 'nope', environment: 'sandbox', baseUrlOverride: `${base}/sim/paypal` });
  const result = await wrong.createOrder({ orderId: 'o-oauth', amount: eur(100), vaultId: 'vault-ok', ...urls, requestId: 'o-oauth-create' });
  expect(result).toEqual({ ok: false, failure: { kind: 'unauthorized', reason: expect.stringContaining('invalid_client') } });
  const listed = (await (await fetch(`${base}/dev/paypal/orders?reference=o-oauth`)).json()) as { orders: unknown[] };
  expect(listed.orders).toEqual([]);

  const noBearer = await fetch(`${base}/sim/paypal/v2/checkout/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(noBearer.status).toBe(401);
  expect(await noBearer.json()).toMatchObject({ name: 'AUTHENTICATION_FAILURE' });
});

test('amounts are validated like PayPal: bad precision is 422, a missing intent 400', async () => {
  const { base } = await start();
  const bearer = await token(base);
  const create = async (body: object) => {
    const res = await fetch(`${base}/sim/paypal/v2/checkout/orders`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { name: string; details: { issue: string; field?: string }[] } };
  };
  const unit = (currency_code: string, value: string) => ({ intent: 'AUTHORIZE', purchase_units: [{ reference_id: 'o-x', amount: { currency_code, value } }] });
  expect(await create(unit('EUR', '84.881'))).toMatchObject({ status: 422, body: { details: [{ issue: 'DECIMAL_PRECISION', field: "/purchase_units/@reference_id=='o-x'/amount/value" }] } });
  expect(await create(unit('JPY', '100.5'))).toMatchObject({ status: 422, body: { details: [{ issue: 'DECIMAL_PRECISION' }] } });
  expect(await create(unit('EUR', '0.00'))).toMatchObject({ status: 422, body: { details: [{ issue: 'CANNOT_BE_ZERO_OR_NEGATIVE' }] } });
  expect(await create(unit('EUR', 'ten'))).toMatchObject({ status: 400, body: { name: 'INVALID_REQUEST', details: [{ issue: 'INVALID_PARAMETER_SYNTAX' }] } });
  expect(await create({ purchase_units: [] })).toMatchObject({ status: 400, body: { details: [{ issue: 'MISSING_REQUIRED_PARAMETER', field: '/intent' }] } });
  expect(await create(unit('JPY', '1200'))).toMatchObject({ status: 201 });
});

test('webhooks are signed like PayPal: they verify offline, and a tampered body or foreign cert URL does not', async () => {
  const hooks = await receiver();
  const { gateway, base } = await start({ webhookUrl: hooks.url });
  const { authorizationId } = await authorized(gateway, 'o-hook');
  expect(await gateway.capture(authorizationId, 'o-hook-capture')).toMatchObject({ ok: true });
  const delivery = await hooks.next('PAYMENT.CAPTURE.COMPLETED');
  expect(delivery.headers).toMatchObject({ 'paypal-auth-algo': 'SHA256withRSA', 'paypal-cert-url': expect.stringMatching(new RegExp(`^${base}/sim/paypal/certs/CERT-[0-9a-f]+\\.pem$`)) });
  expect(delivery.event).toMatchObject({ event_type: 'PAYMENT.CAPTURE.COMPLETED', resource_type: 'capture', summary: expect.any(String), create_time: expect.any(String) });
  expect((await hooks.next('PAYMENT.AUTHORIZATION.CREATED')).event.resource.id).toBe(authorizationId);

  const verify = async (rawBody: Buffer, allowedCertOrigins = [base], webhookId = WEBHOOK_ID) => (await verifyPayPalWebhook({ headers: delivery.headers, rawBody, webhookId, allowedCertOrigins })).ok;
  expect(await verify(delivery.raw)).toBe(true);
  const tampered = Buffer.from(delivery.raw.toString('utf8').replace('"COMPLETED"', '"REFUNDED"'));
  expect(tampered.equals(delivery.raw)).toBe(false);
  expect(await verify(tampered)).toBe(false);
  expect(await verify(delivery.raw, ['https://api.paypal.com'])).toBe(false);
  expect(await verify(delivery.raw, [base], 'WH-SOMEONE-ELSE')).toBe(false);
});

test('state survives a restart on the same database file; the gateway recovers from the outage', async () => {
  const dbFile = path.join(tempDir('paypal-'), 'sim.db');
  const first = await start({ dbFile });
  const gateway = first.gateway;
  const { paypalOrderId, authorizationId } = await authorized(gateway, 'o-restart');
  await stop(first);
  // Refused or hung up, depending on whether a kept-alive socket was reused.
  expect(await gateway.capture(authorizationId, 'o-restart-capture')).toEqual({ ok: false, failure: { kind: 'unavailable', reason: expect.stringMatching(/^PayPal unreachable/) } });
  // A gateway whose very first token request fails must not stay broken (the SDK caches that failure).
  const fresh = new PayPalGateway({ ...CLIENT, environment: 'sandbox', baseUrlOverride: `${first.base}/sim/paypal` });
  expect(await fresh.authorize(paypalOrderId, 'o-restart-authorize')).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });

  const second = await start({ dbFile, port: Number(new URL(first.base).port) });
  expect((await inspect(second.base, paypalOrderId)).authorizations).toMatchObject([{ id: authorizationId, status: 'CREATED' }]);
  // Idempotency records survived too: the old request id replays instead of authorizing again.
  expect(await fresh.authorize(paypalOrderId, 'o-restart-authorize')).toEqual({ ok: true, authorizationId, createdAt: expect.any(String), expiresAt: expect.any(String) });
  expect(await gateway.capture(authorizationId, 'o-restart-capture')).toMatchObject({ ok: true });
  expect((await inspect(second.base, paypalOrderId)).captures).toHaveLength(1);
});

// ---- authorization life cycle on the simulator's clock ----

test('authorizations carry create_time and a 29-day expiration_time; after the 3-day honour period a capture still works', async () => {
  const { gateway, base } = await start();
  const auth = await authorized(gateway, 'o-dates');
  expect(auth.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(Date.parse(auth.expiresAt!) - Date.parse(auth.createdAt!)).toBe(29 * DAY * 1000);
  const { result } = await sdk(base).payments.getAuthorizedPayment({ authorizationId: auth.authorizationId });
  expect(result).toMatchObject({ status: 'CREATED', createTime: auth.createdAt, expirationTime: auth.expiresAt });
  expect(result.links?.map((l) => l.rel)).toEqual(['self', 'capture', 'void', 'reauthorize', 'up']);

  // PayPal no longer guarantees the funds, but the authorization is still capturable.
  await advance(base, 4 * DAY);
  expect(await gateway.capture(auth.authorizationId, 'o-dates-capture')).toMatchObject({ ok: true });
});

test('the simulator clock: GET shows it, POST only moves it forward, PayPal timestamps follow it, and it survives a restart', async () => {
  const dbFile = path.join(tempDir('paypal-clock-'), 'sim.db');
  const first = await start({ dbFile });
  const clock = async (base: string) => (await (await fetch(`${base}/sim/paypal/clock`)).json()) as { now: string; offset_seconds: number };
  const before = await clock(first.base);
  expect(before.offset_seconds).toBe(0);
  expect(Math.abs(Date.parse(before.now) - Date.now())).toBeLessThan(5_000);

  const after = await advance(first.base, 3600);
  expect(after.offset_seconds).toBe(3600);
  expect(Date.parse(after.now) - Date.now()).toBeGreaterThan(3590_000);
  for (const advanceSeconds of [-1, 'soon', null]) {
    const res = await fetch(`${first.base}/sim/paypal/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: 'INVALID_REQUEST', details: [{ field: '/advanceSeconds', issue: 'INVALID_PARAMETER_VALUE' }] });
  }

  const { authorizationId, createdAt, expiresAt } = await authorized(first.gateway, 'o-clock');
  expect(Date.parse(createdAt!) - Date.now()).toBeGreaterThan(3590_000);
  await stop(first);

  const second = await start({ dbFile });
  expect((await clock(second.base)).offset_seconds).toBe(3600);
  expect((await sdk(second.base).payments.getAuthorizedPayment({ authorizationId })).result).toMatchObject({ createTime: createdAt, expirationTime: expiresAt, status: 'CREATED' });
});

test('past expiration_time: GET shows EXPIRED, capture is refused AUTHORIZATION_EXPIRED (gateway: expired), and a void has nothing left to release', async () => {
  const { gateway, base } = await start();
  const { paypalOrderId, authorizationId } = await authorized(gateway, 'o-expire');
  const { payments } = sdk(base);
  await advance(base, 29 * DAY);

  const { result } = await payments.getAuthorizedPayment({ authorizationId });
  expect(result.status).toBe('EXPIRED');
  expect(result.links?.map((l) => l.rel)).toEqual(['self', 'up']);
  expect(await refusal(payments.captureAuthorizedPayment({ authorizationId, paypalRequestId: 'o-expire-sdk-capture', body: {} }))).toEqual({ status: 422, name: 'UNPROCESSABLE_ENTITY', issue: 'AUTHORIZATION_EXPIRED' });
  expect(await gateway.capture(authorizationId, 'o-expire-capture')).toEqual({ ok: false, failure: { kind: 'expired', reason: expect.stringContaining(authorizationId) } });
  expect(await refusal(payments.reauthorizePayment({ authorizationId, paypalRequestId: 'o-expire-sdk-reauth' }))).toMatchObject({ status: 422, issue: 'AUTHORIZATION_EXPIRED' });
  expect(await gateway.reauthorize(authorizationId, eur(8488), 'o-expire-reauth')).toEqual({ ok: false, failure: { kind: 'expired', reason: expect.stringContaining('AUTHORIZATION_EXPIRED') } });
  // PayPal refuses the void, but holds nothing: for the gateway that is as good as voided.
  expect(await refusal(payments.voidPayment({ authorizationId, paypalRequestId: 'o-expire-sdk-void' }))).toMatchObject({ status: 422, issue: 'AUTHORIZATION_EXPIRED' });
  expect(await gateway.voidAuthorization(authorizationId, 'o-expire-void')).toEqual({ ok: true });

  const state = await inspect(base, paypalOrderId);
  expect(state.authorizations).toMatchObject([{ id: authorizationId, status: 'EXPIRED' }]);
  expect(state.captures).toEqual([]);
});

test('reauthorize: refused inside the honour period, allowed once after it, idempotent by PayPal-Request-Id; the new authorization captures and shows on the order', async () => {
  const hooks = await receiver();
  const { gateway, base } = await start({ webhookUrl: hooks.url });
  const original = await authorized(gateway, 'o-reauth');
  const { payments } = sdk(base);
  expect(await refusal(payments.reauthorizePayment({ authorizationId: original.authorizationId, paypalRequestId: 'o-reauth-sdk-early' }))).toEqual({ status: 422, name: 'UNPROCESSABLE_ENTITY', issue: 'REAUTHORIZATION_TOO_SOON' });
  expect(await gateway.reauthorize(original.authorizationId, eur(8488), 'o-reauth-early')).toEqual({ ok: false, failure: { kind: 'not-allowed', reason: expect.stringContaining('REAUTHORIZATION_TOO_SOON') } });

  await advance(base, 3 * DAY + 60);
  const renewed = await gateway.reauthorize(original.authorizationId, eur(8488), 'o-reauth-1');
  if (!renewed.ok) throw new Error(renewed.failure.reason);
  expect(renewed.authorizationId).not.toBe(original.authorizationId);
  expect(Date.parse(renewed.createdAt!) - Date.parse(original.createdAt!)).toBeGreaterThanOrEqual(3 * DAY * 1000);
  // Its own honour period, but no life beyond the original's 29 days.
  expect(renewed.expiresAt).toBe(original.expiresAt);
  // The same request id gets the same answer and no second authorization.
  expect(await gateway.reauthorize(original.authorizationId, eur(8488), 'o-reauth-1')).toEqual(renewed);
  // A new request id: one reauthorization per original.
  expect(await refusal(payments.reauthorizePayment({ authorizationId: original.authorizationId, paypalRequestId: 'o-reauth-sdk-2', body: {} }))).toMatchObject({ status: 422, issue: 'REAUTHORIZATION_TOO_SOON' });
  expect(await gateway.reauthorize(original.authorizationId, eur(8488), 'o-reauth-2')).toMatchObject({ ok: false, failure: { kind: 'not-allowed' } });

  const { result } = await payments.getAuthorizedPayment({ authorizationId: renewed.authorizationId });
  expect(result).toMatchObject({ status: 'CREATED', amount: { currencyCode: 'EUR', value: '84.88' }, customId: 'o-reauth', createTime: renewed.createdAt });
  // Captured directly; voided only through its original (see below); never renewed again.
  expect(result.links?.map((l) => l.rel)).toEqual(['self', 'capture', 'up']);
  expect((await hooks.next('PAYMENT.AUTHORIZATION.CREATED', renewed.authorizationId)).event.resource).toMatchObject({ status: 'CREATED' });

  const capture = await gateway.capture(renewed.authorizationId, 'o-reauth-capture');
  if (!capture.ok) throw new Error(capture.failure.reason);
  const state = await inspect(base, original.paypalOrderId);
  expect(state.authorizations.map((a) => a.id)).toEqual([original.authorizationId, renewed.authorizationId]);
  expect(state.authorizations[1]).toMatchObject({ status: 'CAPTURED' });
  expect(state.captures).toMatchObject([{ id: capture.captureId, status: 'COMPLETED', amount: { value: '84.88' } }]);
  expect(await gateway.findCapture(original.paypalOrderId)).toEqual({ ok: true, capture: { captureId: capture.captureId, amount: eur(8488) } });
});

test('reauthorize checks the amount as PayPal does: up to 115% and at most USD 75 more, same currency; no amount means the original one', async () => {
  const { gateway, base } = await start();
  const small = await authorized(gateway, 'o-limit-small');
  const large = await authorized(gateway, 'o-limit-large', 'vault-ok', 100_000);
  const same = await authorized(gateway, 'o-limit-same');
  await advance(base, 4 * DAY);
  const { payments } = sdk(base);
  const reauthorize = (authorizationId: string, value: string, requestId: string, currencyCode = 'EUR') =>
    payments.reauthorizePayment({ authorizationId, paypalRequestId: requestId, prefer: 'return=representation', body: { amount: { currencyCode, value } } });

  // 84.88 EUR: 115% (97.61) is below +USD 75 (+69.00 EUR at the simulator's fixed rate).
  expect(await refusal(reauthorize(small.authorizationId, '97.62', 'o-limit-s1'))).toEqual({ status: 422, name: 'UNPROCESSABLE_ENTITY', issue: 'AUTHORIZATION_AMOUNT_EXCEEDED' });
  expect(await refusal(reauthorize(small.authorizationId, '97.61', 'o-limit-s2', 'USD'))).toMatchObject({ status: 422, issue: 'AUTH_CURRENCY_MISMATCH' });
  expect(await refusal(reauthorize(small.authorizationId, '97.615', 'o-limit-s3'))).toMatchObject({ status: 422, issue: 'DECIMAL_PRECISION' });
  expect(await refusal(reauthorize(small.authorizationId, 'lots', 'o-limit-s4'))).toMatchObject({ status: 400, name: 'INVALID_REQUEST', issue: 'INVALID_PARAMETER_SYNTAX' });
  // 1000.00 EUR: +69.00 EUR is below 115% (1150.00).
  expect(await refusal(reauthorize(large.authorizationId, '1069.01', 'o-limit-l1'))).toMatchObject({ status: 422, issue: 'AUTHORIZATION_AMOUNT_EXCEEDED' });

  // Refused attempts used up nothing: the one reauthorization of each is still there.
  const s = await reauthorize(small.authorizationId, '97.61', 'o-limit-s5');
  expect([s.statusCode, s.result.amount]).toEqual([201, { currencyCode: 'EUR', value: '97.61' }]);
  const l = await reauthorize(large.authorizationId, '1069.00', 'o-limit-l2');
  expect([l.statusCode, l.result.amount]).toEqual([201, { currencyCode: 'EUR', value: '1069.00' }]);
  // No body and no Prefer: the original amount, answered minimally (id, status, links).
  const m = await payments.reauthorizePayment({ authorizationId: same.authorizationId, paypalRequestId: 'o-limit-m1' });
  expect(m.statusCode).toBe(201);
  expect(Object.keys(m.result).sort()).toEqual(['id', 'links', 'status']);
  expect((await payments.getAuthorizedPayment({ authorizationId: m.result.id! })).result.amount).toEqual({ currencyCode: 'EUR', value: '84.88' });
  // A smaller amount than the original is fine, too (the gateway asks for the order total).
  const lower = await authorized(gateway, 'o-limit-lower');
  await advance(base, 4 * DAY);
  expect(await gateway.reauthorize(lower.authorizationId, eur(5000), 'o-limit-lower-reauth')).toMatchObject({ ok: true });
});

test('a reauthorization is neither renewed nor voided itself: voiding its original releases both; captured or voided originals are not reauthorized', async () => {
  const { gateway, base } = await start();
  const { payments } = sdk(base);
  const original = await authorized(gateway, 'o-rv');
  const captured = await authorized(gateway, 'o-rv-captured');
  expect(await gateway.capture(captured.authorizationId, 'o-rv-captured-capture')).toMatchObject({ ok: true });
  await advance(base, 4 * DAY);
  const renewed = await gateway.reauthorize(original.authorizationId, eur(8488), 'o-rv-reauth');
  if (!renewed.ok) throw new Error(renewed.failure.reason);
  await advance(base, 4 * DAY);

  expect(await refusal(payments.reauthorizePayment({ authorizationId: renewed.authorizationId, paypalRequestId: 'o-rv-sdk-reauth' }))).toEqual({ status: 422, name: 'UNPROCESSABLE_ENTITY', issue: 'REAUTHORIZATION_NOT_SUPPORTED' });
  expect(await gateway.reauthorize(renewed.authorizationId, eur(8488), 'o-rv-reauth-2')).toMatchObject({ ok: false, failure: { kind: 'not-allowed' } });
  expect(await gateway.voidAuthorization(renewed.authorizationId, 'o-rv-void-renewed')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('CANNOT_BE_VOIDED') } });
  expect(await gateway.voidAuthorization(original.authorizationId, 'o-rv-void')).toEqual({ ok: true });
  expect((await inspect(base, original.paypalOrderId)).authorizations).toMatchObject([{ status: 'VOIDED' }, { status: 'VOIDED' }]);
  expect(await gateway.capture(renewed.authorizationId, 'o-rv-capture')).toEqual({ ok: false, failure: { kind: 'declined', reason: expect.stringContaining('AUTHORIZATION_VOIDED') } });

  expect(await refusal(payments.reauthorizePayment({ authorizationId: original.authorizationId, paypalRequestId: 'o-rv-sdk-voided' }))).toMatchObject({ status: 422, issue: 'AUTHORIZATION_VOIDED' });
  expect(await refusal(payments.reauthorizePayment({ authorizationId: captured.authorizationId, paypalRequestId: 'o-rv-sdk-captured' }))).toMatchObject({ status: 422, issue: 'AUTHORIZATION_ALREADY_CAPTURED' });
  expect(await gateway.reauthorize(captured.authorizationId, eur(8488), 'o-rv-captured-reauth')).toMatchObject({ ok: false, failure: { kind: 'not-allowed' } });
});

test('honour period and lifetime are options: 60 s and 600 s play out on the clock', async () => {
  const { gateway, base } = await start({ honorSeconds: 60, authorizationValidSeconds: 600 });
  const auth = await authorized(gateway, 'o-short');
  expect(Date.parse(auth.expiresAt!) - Date.parse(auth.createdAt!)).toBe(600_000);
  await advance(base, 30);
  expect(await gateway.reauthorize(auth.authorizationId, eur(8488), 'o-short-early')).toMatchObject({ ok: false, failure: { kind: 'not-allowed' } });
  await advance(base, 31);
  const renewed = await gateway.reauthorize(auth.authorizationId, eur(8488), 'o-short-reauth');
  if (!renewed.ok) throw new Error(renewed.failure.reason);
  expect(renewed.expiresAt).toBe(auth.expiresAt);
  await advance(base, 540);
  expect(await gateway.capture(renewed.authorizationId, 'o-short-capture')).toMatchObject({ ok: false, failure: { kind: 'expired' } });
});

test('PayPal-Request-Id windows on the clock: 45 days for Payments v2, 6 hours for Orders v2', async () => {
  const { gateway, base } = await start();
  const order = { orderId: 'o-window', amount: eur(999), vaultId: 'vault-ok', ...urls, requestId: 'o-window-create' };
  const created = await gateway.createOrder(order);
  if (!created.ok) throw new Error(created.failure.reason);
  const auth = await gateway.authorize(created.providerOrderId, 'o-window-authorize');
  if (!auth.ok) throw new Error(auth.failure.reason);
  const capture = await gateway.capture(auth.authorizationId, 'o-window-capture');
  expect(capture).toMatchObject({ ok: true });
  await advance(base, 7 * 3600);
  // A late retry of the capture still finds its answer ...
  expect(await gateway.capture(auth.authorizationId, 'o-window-capture')).toEqual(capture);
  // ... while an order create's key is forgotten: the same id makes a new order.
  const again = await gateway.createOrder(order);
  expect(again).toMatchObject({ ok: true });
  expect(again.ok && again.providerOrderId).not.toBe(created.providerOrderId);
});

// ---- credential failures ----

test('magic vaults vault-authorize-unauthorized-<n> and vault-capture-unauthorized-<n>: 401 / 403 n times, then PayPal works; the gateway reports unauthorized', async () => {
  const { gateway, base } = await start();
  const { orders, payments } = sdk(base);
  const created = await gateway.createOrder({ orderId: 'o-401', amount: eur(8488), vaultId: 'vault-authorize-unauthorized-2', ...urls, requestId: 'o-401-create' });
  if (!created.ok) throw new Error(created.failure.reason);
  // PayPal's answer for a token it no longer knows, in the OAuth error shape.
  expect(await refusal(orders.authorizeOrder({ id: created.providerOrderId, paypalRequestId: 'o-401-authorize' }))).toEqual({ status: 401, error: 'invalid_token' });
  expect(await gateway.authorize(created.providerOrderId, 'o-401-authorize')).toEqual({ ok: false, failure: { kind: 'unauthorized', reason: expect.stringContaining('401 invalid_token') } });
  // Refused before PayPal looked at the request, so the same request id now goes through.
  expect(await gateway.authorize(created.providerOrderId, 'o-401-authorize')).toMatchObject({ ok: true });
  expect((await inspect(base, created.providerOrderId)).authorizations).toHaveLength(1);

  const cap = await authorized(gateway, 'o-403', 'vault-capture-unauthorized-2');
  expect(await refusal(payments.captureAuthorizedPayment({ authorizationId: cap.authorizationId, paypalRequestId: 'o-403-capture', body: {} }))).toEqual({ status: 403, name: 'NOT_AUTHORIZED', issue: 'PERMISSION_DENIED' });
  expect(await gateway.capture(cap.authorizationId, 'o-403-capture')).toEqual({ ok: false, failure: { kind: 'unauthorized', reason: expect.stringContaining('403 NOT_AUTHORIZED/PERMISSION_DENIED') } });
  expect(await gateway.capture(cap.authorizationId, 'o-403-capture')).toMatchObject({ ok: true });

  // The same 401 for any made-up token; no Authorization header at all is AUTHENTICATION_FAILURE.
  const made = await fetch(`${base}/sim/paypal/v2/checkout/orders/${created.providerOrderId}`, { headers: { authorization: 'Bearer A21AAmadeup' } });
  expect([made.status, await made.json()]).toEqual([401, { error: 'invalid_token', error_description: expect.any(String) }]);
});
