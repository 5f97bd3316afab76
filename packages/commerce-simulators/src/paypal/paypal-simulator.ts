// HTTP front of the PayPal simulator: routing, OAuth client credentials and bearer tokens,
// PayPal-Request-Id idempotency, the magic vault ids that inject failures, the checkout page,
// the webhook certificate, the controllable clock, order tracking, the Disputes API and its
// trigger control plane (dispute-routes.ts) and read-only /dev/paypal inspection. The real SDK
// talks to it.
import type http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Database } from 'azure-standin/sqlite';
import { approvalPage, notFoundPage } from './approval-page';
import { DisputeOperations } from './dispute-operations';
import type { Delivery } from './dispute-operations';
import { DisputeResources } from './dispute-resources';
import { DisputeRoutes } from './dispute-routes';
import { DisputeStore } from './dispute-store';
import { OrderTracking } from './order-tracking';
import { headerString, readBody, sendError, sendHtml, sendJson, sendRaw } from './http-io';
import { SimulatorClock } from './paypal-clock';
import { authenticationFailure, internalServerError, INVALID_TOKEN_BODY, invalidRequest, notAuthorized, PayPalApiError, serviceUnavailable, unprocessable } from './paypal-errors';
import { DEFAULT_AUTHORIZATION_TIMES, PayPalOperations } from './paypal-operations';
import type { OperationResult } from './paypal-operations';
import { PayPalResources } from './paypal-resources';
import { PayPalStore } from './paypal-store';
import type { OrderRecord } from './paypal-store';
import { WebhookDispatcher } from './webhook-dispatcher';
import type { WebhookEvent } from './webhook-event';
import { WebhookSigner } from './webhook-signer';

export interface PayPalSimulatorOptions {
  /** Owned by the caller; the simulator keeps its tables (pp_*) in it and never closes it. */
  db: Database;
  /** e.g. http://127.0.0.1:7071; the simulator answers under `${publicBaseUrl}/sim/paypal`. */
  publicBaseUrl: string;
  /** Where webhook events are POSTed; none are sent when absent. */
  webhookUrl?: string;
  webhookId: string;
  clientId: string;
  clientSecret: string;
  /** Real time; the simulator's business clock runs this plus the offset moved by POST /sim/paypal/clock. */
  now?: () => number;
  /** PayPal's honour period of an authorization (default 3 days; env SIM_PAYPAL_HONOR_SECONDS). */
  honorSeconds?: number;
  /** How long an authorization can be captured (default 29 days; env SIM_PAYPAL_AUTHORIZATION_VALID_SECONDS). */
  authorizationValidSeconds?: number;
  /** How long `vault-slow` authorizations and `vault-slow-capture` captures take to answer (default 15 s). */
  slowResponseMs?: number;
  /** How long `vault-capture-pending[-denied]` captures stay PENDING (default 3 s). */
  pendingCaptureMs?: number;
  /** Delays before each webhook delivery attempt (default 0, 0.5, 2, 8 s). */
  webhookRetryDelaysMs?: readonly number[];
}

const API_PREFIX = '/sim/paypal';
const DEV_PREFIX = '/dev/paypal';
const TOKEN_LIFETIME_S = 32_400;
/** How long PayPal keeps PayPal-Request-Id keys (the SDK's docs): 6 hours for Orders v2, 45 days for Payments v2. */
const ORDERS_IDEMPOTENCY_MS = 6 * 3600 * 1000;
const PAYMENTS_IDEMPOTENCY_MS = 45 * 24 * 3600 * 1000;

/** Magic vault ids (docs/paypal-simulator.md); the declining ones live in PayPalOperations. */
const FLAKY_VAULT = 'vault-flaky';
const DOWN_VAULT = 'vault-down';
const SLOW_VAULT = 'vault-slow';
const SLOW_CAPTURE_VAULT = 'vault-slow-capture';
/** The capture is committed, but every answer to it (retries included) is a 500: an answer lost on the way. */
const CAPTURE_LOST_VAULT = 'vault-capture-lost';
/** `vault-refund-declined`: every refund is refused; `vault-refund-declined-<n>`: the first n refund attempts per capture. */
const REFUND_DECLINED_VAULT = /^vault-refund-declined(?:-(\d+))?$/;

/** `vault-refund-lost-<n>`: a refund is made at once, but the first n answers per request id (its retries included) are 500. */
const REFUND_LOST_VAULT = /^vault-refund-lost-(\d+)$/;

/**
 * `vault-authorize-unauthorized-<n>`: the first n authorize calls for the order get 401 (the token
 * PayPal no longer knows); `vault-capture-unauthorized-<n>`: the first n captures get 403
 * (credentials without the permission). Refused before idempotency, as PayPal's auth layer does.
 */
const UNAUTHORIZED_VAULT = /^vault-(authorize|capture)-unauthorized-(\d+)$/;

/** How many refund attempts per capture the vault's magic refuses (0: none). */
function refundDeclines(vault: string | undefined): number {
  const m = vault === undefined ? null : REFUND_DECLINED_VAULT.exec(vault);
  if (!m) return 0;
  return m[1] === undefined ? Number.POSITIVE_INFINITY : Number(m[1]);
}

type Action = 'create' | 'authorize' | 'reauthorize' | 'capture' | 'void' | 'refund' | 'track';

/** The order a request touches, for the magic vault ids. */
interface Subject {
  vault?: string;
  orderId?: string;
}

const subjectOf = (order: OrderRecord | undefined): Subject => ({ vault: order?.vault_id, orderId: order?.id });

interface Route {
  method: string;
  pattern: RegExp;
  run: (ctx: ApiContext, id: string, second: string) => Promise<void>;
}

interface ApiContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  clientId: string;
  /** METHOD + path below /sim/paypal: the idempotency scope of a PayPal-Request-Id. */
  endpoint: string;
  body: unknown;
  representation: boolean;
}

export class PayPalSimulator {
  readonly name = 'PayPal REST API (Orders v2, Payments v2, webhooks)';
  private readonly store: PayPalStore;
  private readonly operations: PayPalOperations;
  private readonly tracking: OrderTracking;
  private readonly disputes: DisputeOperations;
  private readonly disputeRoutes: DisputeRoutes;
  private readonly signer: WebhookSigner;
  private readonly dispatcher?: WebhookDispatcher;
  /** Transport time (tokens, webhook transmission, delays): the SDK's own clock never sees simulated time. */
  private readonly realNow: () => number;
  /** Business time: every payment decision, timestamp and idempotency window. */
  private readonly clock: SimulatorClock;
  private readonly apiBase: string;
  private readonly pendingDelays = new Set<() => void>();
  private readonly routes: Route[];
  /** Settles PENDING captures when due (and sends their webhooks); reads settle first as well. */
  private readonly settler: NodeJS.Timeout;

  constructor(private readonly o: PayPalSimulatorOptions) {
    this.realNow = o.now ?? Date.now;
    this.apiBase = `${o.publicBaseUrl.replace(/\/+$/, '')}${API_PREFIX}`;
    this.store = new PayPalStore(o.db);
    this.clock = new SimulatorClock(this.store, this.realNow);
    const times = {
      honorMs: o.honorSeconds === undefined ? DEFAULT_AUTHORIZATION_TIMES.honorMs : o.honorSeconds * 1000,
      validMs: o.authorizationValidSeconds === undefined ? DEFAULT_AUTHORIZATION_TIMES.validMs : o.authorizationValidSeconds * 1000,
    };
    const resources = new PayPalResources(this.store, this.apiBase);
    const disputeStore = new DisputeStore(o.db);
    this.operations = new PayPalOperations(this.store, resources, this.clock.now, o.pendingCaptureMs, times, disputeStore);
    this.tracking = new OrderTracking(this.store, resources, () => new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    this.disputes = new DisputeOperations(disputeStore, this.store, new DisputeResources(this.store, this.apiBase), this.clock.now);
    this.disputeRoutes = new DisputeRoutes({
      operations: this.disputes,
      authenticate: (req, res) => this.authenticate(req, res) !== undefined,
      transaction: (work) => this.store.transaction(work),
      settleDue: () => this.settleDue(),
      deliver: (deliveries) => this.deliver(deliveries),
      apiBase: this.apiBase,
    });
    this.signer = new WebhookSigner(this.store, o.webhookId, `${this.apiBase}/certs`, this.realNow);
    if (o.webhookUrl) this.dispatcher = new WebhookDispatcher({ url: o.webhookUrl, signer: this.signer, delaysMs: o.webhookRetryDelaysMs, now: this.realNow });
    const ops = this.operations;
    this.settler = setInterval(() => this.settleDue(), 250);
    this.settler.unref();
    this.routes = [
      { method: 'POST', pattern: /^\/v2\/checkout\/orders$/, run: (c) => this.mutate(c, 'create', () => ({ vault: this.vaultOfCreate(c.body) }), () => ops.createOrder(c.body, c.representation)) },
      { method: 'GET', pattern: /^\/v2\/checkout\/orders\/([^/]+)$/, run: (c, id) => this.read(c, () => ops.getOrder(id)) },
      { method: 'POST', pattern: /^\/v2\/checkout\/orders\/([^/]+)\/authorize$/, run: (c, id) => this.mutate(c, 'authorize', () => subjectOf(ops.orderOf('order', id)), () => ops.authorizeOrder(id)) },
      { method: 'POST', pattern: /^\/v2\/checkout\/orders\/([^/]+)\/capture$/, run: (c, id) => this.mutate(c, 'capture', () => subjectOf(ops.orderOf('order', id)), () => ops.captureOrder(id)) },
      { method: 'POST', pattern: /^\/v2\/checkout\/orders\/([^/]+)\/track$/, run: (c, id) => this.mutate(c, 'track', () => subjectOf(ops.orderOf('order', id)), () => this.tracking.track(id, c.body)) },
      {
        method: 'PATCH',
        pattern: /^\/v2\/checkout\/orders\/([^/]+)\/trackers\/([^/]+)$/,
        run: (c, id, trackerId) => this.mutate(c, 'track', () => subjectOf(ops.orderOf('order', id)), () => this.tracking.patch(id, trackerId, c.body)),
      },
      { method: 'GET', pattern: /^\/v2\/payments\/authorizations\/([^/]+)$/, run: (c, id) => this.read(c, () => ops.getAuthorization(id)) },
      {
        method: 'POST',
        pattern: /^\/v2\/payments\/authorizations\/([^/]+)\/capture$/,
        run: (c, id) => this.mutate(c, 'capture', () => subjectOf(ops.orderOf('authorization', id)), () => ops.captureAuthorization(id, c.body, c.representation)),
      },
      {
        method: 'POST',
        pattern: /^\/v2\/payments\/authorizations\/([^/]+)\/reauthorize$/,
        run: (c, id) => this.mutate(c, 'reauthorize', () => subjectOf(ops.orderOf('authorization', id)), () => ops.reauthorize(id, c.body, c.representation)),
      },
      {
        method: 'POST',
        pattern: /^\/v2\/payments\/authorizations\/([^/]+)\/void$/,
        run: (c, id) => this.mutate(c, 'void', () => subjectOf(ops.orderOf('authorization', id)), () => ops.voidAuthorization(id, c.representation)),
      },
      { method: 'GET', pattern: /^\/v2\/payments\/captures\/([^/]+)$/, run: (c, id) => this.read(c, () => ops.getCapture(id)) },
      {
        method: 'POST',
        pattern: /^\/v2\/payments\/captures\/([^/]+)\/refund$/,
        run: (c, id) => this.mutate(c, 'refund', () => subjectOf(ops.orderOf('capture', id)), () => ops.refundCapture(id, c.body, c.representation)),
      },
      { method: 'GET', pattern: /^\/v2\/payments\/refunds\/([^/]+)$/, run: (c, id) => this.read(c, () => ops.getRefund(id)) },
    ];
  }

  /** Answers requests under /sim/paypal/ and /dev/paypal/; false for anything else. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path.startsWith(`${DEV_PREFIX}/`)) {
      this.inspect(req, res, url);
      return true;
    }
    if (!path.startsWith(`${API_PREFIX}/`)) return false;
    const sub = path.slice(API_PREFIX.length);
    try {
      if (sub === '/v1/oauth2/token') await this.token(req, res);
      else if (sub === '/clock') await this.clockControl(req, res);
      else if (sub === '/checkoutnow') await this.checkout(req, res, url);
      else if (sub.startsWith('/certs/')) this.certificate(req, res, sub.slice('/certs/'.length));
      else if (DisputeRoutes.isControlPath(sub)) await this.disputeRoutes.control(req, res, sub);
      else if (DisputeRoutes.isApiPath(sub)) await this.disputeRoutes.api(req, res, sub, url);
      else await this.api(req, res, sub);
    } catch (err) {
      if (!res.headersSent) sendError(res, err instanceof PayPalApiError ? err : internalServerError());
      else res.destroy();
    }
    return true;
  }

  /** Stops webhook deliveries and cuts pending slow responses; the database stays open. */
  close(): void {
    this.dispatcher?.close();
    clearInterval(this.settler);
    for (const cancel of [...this.pendingDelays]) cancel();
  }

  // ---- OAuth 2 client credentials ----

  private async token(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const [id, ...secret] = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8').split(':') : [];
    if (id !== this.o.clientId || secret.join(':') !== this.o.clientSecret) {
      return sendJson(res, 401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
    }
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: grant ? `Grant Type ${grant} is not supported` : 'Grant Type is NULL' });
    }
    const token = `A21AA${randomBytes(48).toString('base64url')}`;
    this.store.saveToken(token, id, this.realNow() + TOKEN_LIFETIME_S * 1000);
    sendJson(res, 200, {
      scope: 'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/vault/payment-tokens/read',
      access_token: token,
      token_type: 'Bearer',
      app_id: 'APP-SIMULATOR',
      expires_in: TOKEN_LIFETIME_S,
      nonce: `${new Date(this.realNow()).toISOString()}${randomBytes(8).toString('hex')}`,
    });
  }

  // ---- the simulator's clock (no PayPal counterpart; no auth, like /dev/paypal) ----

  private async clockControl(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method === 'POST') {
      let advance: unknown;
      try {
        advance = (JSON.parse((await readBody(req)).toString('utf8')) as { advanceSeconds?: unknown } | null)?.advanceSeconds;
      } catch {
        return sendError(res, invalidRequest({ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }, 'payments'));
      }
      if (typeof advance !== 'number' || !Number.isFinite(advance) || advance < 0) {
        return sendError(res, invalidRequest({ field: '/advanceSeconds', value: String(advance), issue: 'INVALID_PARAMETER_VALUE', description: 'advanceSeconds must be a number of seconds >= 0.' }, 'payments'));
      }
      this.clock.advance(advance);
      // What became due at the new time happens now, webhooks included.
      this.settleDue();
    } else if (req.method !== 'GET') {
      return sendError(res, new PayPalApiError(405, 'METHOD_NOT_SUPPORTED', 'The server does not implement the requested HTTP method.'));
    }
    sendJson(res, 200, { now: new Date(this.clock.now()).toISOString(), offset_seconds: this.clock.offsetSeconds });
  }

  // ---- Orders v2 / Payments v2 ----

  private async api(req: http.IncomingMessage, res: http.ServerResponse, sub: string): Promise<void> {
    const candidates = this.routes.filter((r) => r.pattern.test(sub));
    if (candidates.length === 0) return sendError(res, new PayPalApiError(404, 'NOT_FOUND', 'The specified resource does not exist.'));
    const route = candidates.find((r) => r.method === req.method);
    if (!route) return sendError(res, new PayPalApiError(405, 'METHOD_NOT_SUPPORTED', 'The server does not implement the requested HTTP method.'));
    const clientId = this.authenticate(req, res);
    if (!clientId) return;
    const raw = (await readBody(req)).toString('utf8');
    let body: unknown;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendError(res, invalidRequest({ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }, sub.startsWith('/v2/payments') ? 'payments' : 'orders'));
      }
    }
    const prefer = String(req.headers.prefer ?? '');
    const ctx: ApiContext = { req, res, clientId, endpoint: `${req.method} ${sub}`, body, representation: /return=representation/.test(prefer) };
    const match = route.pattern.exec(sub);
    await route.run(ctx, decodeURIComponent(match?.[1] ?? ''), decodeURIComponent(match?.[2] ?? ''));
  }

  /** The caller's client id for a valid bearer token; otherwise PayPal's 401 is sent and undefined returned. */
  private authenticate(req: http.IncomingMessage, res: http.ServerResponse): string | undefined {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) {
      sendError(res, authenticationFailure());
      return undefined;
    }
    const clientId = this.bearerClient(bearer);
    if (!clientId) sendJson(res, 401, INVALID_TOKEN_BODY);
    return clientId;
  }

  private deliver(deliveries: readonly Delivery[]): void {
    for (const d of deliveries) this.dispatcher?.send(d.event, d.afterMs);
  }

  private bearerClient(bearer: string): string | undefined {
    const token = this.store.findToken(bearer);
    return token && token.expiresAt > this.realNow() ? token.clientId : undefined;
  }

  /**
   * Settles what is due by the business clock: PENDING captures and refunds, expired
   * authorizations, disputes whose seller missed seller_response_due_date.
   */
  private settleDue(): void {
    const { events, deliveries } = this.o.db.transaction(() => {
      this.operations.expireDueAuthorizations();
      return { events: [...this.operations.settleDueCaptures(), ...this.operations.settleDueRefunds()], deliveries: this.disputes.expireDue() };
    })();
    for (const e of events) this.dispatcher?.send(e);
    this.deliver(deliveries);
  }

  private async read(ctx: ApiContext, run: () => OperationResult): Promise<void> {
    this.settleDue();
    try {
      const result = run();
      sendJson(ctx.res, result.status, result.body);
    } catch (err) {
      if (!(err instanceof PayPalApiError)) throw err;
      sendError(ctx.res, err);
    }
  }

  /**
   * A state-changing call: applies credential refusals (before anything else, as PayPal's auth
   * layer does), replays the stored response for a known PayPal-Request-Id, applies the other
   * magic failures, runs the operation atomically with its idempotency record, then sends
   * webhooks. 5xx answers are never stored, so a retry with the same id gets a real attempt.
   */
  private async mutate(ctx: ApiContext, action: Action, subject: () => Subject, run: () => OperationResult): Promise<void> {
    const requestId = headerString(ctx.req.headers['paypal-request-id']);
    const { vault, orderId } = subject();
    const unauthorized = vault === undefined ? null : UNAUTHORIZED_VAULT.exec(vault);
    if (unauthorized && unauthorized[1] === action && this.store.countAttempt(`unauthorized|${action}|${orderId ?? ''}`) <= Number(unauthorized[2])) {
      // Not stored under the request id: PayPal never got past authentication.
      return action === 'authorize' ? sendJson(ctx.res, 401, INVALID_TOKEN_BODY) : sendError(ctx.res, notAuthorized('payments'));
    }
    this.settleDue();
    const now = this.clock.now();
    const refundLost = action === 'refund' && vault !== undefined ? REFUND_LOST_VAULT.exec(vault) : null;
    const answerLost = (vault === CAPTURE_LOST_VAULT && action === 'capture')
      || (refundLost !== null && this.store.countAttempt(`refund-lost|${ctx.endpoint}|${requestId ?? ''}`) <= Number(refundLost[1]));
    if (requestId) {
      const window = ctx.endpoint.startsWith('POST /v2/payments/') ? PAYMENTS_IDEMPOTENCY_MS : ORDERS_IDEMPOTENCY_MS;
      const stored = this.store.findResponse(ctx.clientId, ctx.endpoint, requestId, now - window);
      if (stored) return answerLost ? sendError(ctx.res, internalServerError()) : sendRaw(ctx.res, stored.status, stored.body);
    }
    if (vault === DOWN_VAULT) return sendError(ctx.res, internalServerError());
    if (vault === FLAKY_VAULT && (action === 'authorize' || action === 'capture')) {
      // Every first attempt fails; the retry (same PayPal-Request-Id) goes through.
      if (this.store.countAttempt(`${ctx.clientId}|${ctx.endpoint}|${requestId ?? ''}`) === 1) return sendError(ctx.res, serviceUnavailable());
    }
    if (action === 'refund' && refundDeclines(vault) > 0 && this.store.countAttempt(`refund-declined|${ctx.endpoint}`) <= refundDeclines(vault)) {
      // A business refusal: stored under the request id like any 4xx, so only a new id retries.
      const err = unprocessable('REFUND_FAILED_INSUFFICIENT_FUNDS', 'Capture could not be refunded due to insufficient funds. Please check to see if you have sufficient funds in your PayPal account.', 'payments');
      const body = JSON.stringify(err.toBody());
      if (requestId) this.store.saveResponse(ctx.clientId, ctx.endpoint, requestId, { status: err.status, body }, now);
      return sendRaw(ctx.res, err.status, body);
    }
    let status: number;
    let body: string;
    let events: WebhookEvent[] = [];
    try {
      ({ status, body, events } = this.store.transaction(() => {
        const result = run();
        const serialized = result.body === undefined ? '' : JSON.stringify(result.body);
        if (requestId) this.store.saveResponse(ctx.clientId, ctx.endpoint, requestId, { status: result.status, body: serialized }, now);
        return { status: result.status, body: serialized, events: result.events };
      }));
    } catch (err) {
      if (!(err instanceof PayPalApiError)) throw err;
      status = err.status;
      body = JSON.stringify(err.toBody());
      // Business outcomes (4xx) are final for a request id, as with PayPal.
      if (requestId && status < 500) this.store.saveResponse(ctx.clientId, ctx.endpoint, requestId, { status, body }, now);
    }
    for (const event of events) this.dispatcher?.send(event);
    if (answerLost) return sendError(ctx.res, internalServerError());
    if ((vault === SLOW_VAULT && action === 'authorize') || (vault === SLOW_CAPTURE_VAULT && action === 'capture')) {
      // The effect is already committed: a client that times out and retries with the same
      // PayPal-Request-Id gets the stored response at once.
      if (!(await this.delay(this.o.slowResponseMs ?? 15_000))) return void ctx.res.destroy();
    }
    sendRaw(ctx.res, status, body);
  }

  private vaultOfCreate(body: unknown): string | undefined {
    const vault = (body as { payment_source?: { paypal?: { vault_id?: unknown } } } | undefined)?.payment_source?.paypal?.vault_id;
    return typeof vault === 'string' ? vault : undefined;
  }

  /** Resolves true after `ms`, or false at once when the simulator closes. */
  private delay(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const cancel = () => {
        clearTimeout(timer);
        this.pendingDelays.delete(cancel);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.pendingDelays.delete(cancel);
        resolve(true);
      }, ms);
      this.pendingDelays.add(cancel);
    });
  }

  // ---- buyer approval page ----

  private async checkout(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const token = url.searchParams.get('token') ?? '';
    const order = this.store.getOrder(token);
    if (!order) return sendHtml(res, 404, notFoundPage(token));
    if (req.method === 'GET') return sendHtml(res, 200, approvalPage(order, `${this.apiBase}/checkoutnow?token=${encodeURIComponent(token)}`));
    if (req.method !== 'POST') return sendHtml(res, 405, notFoundPage(token));
    const action = new URLSearchParams((await readBody(req)).toString('utf8')).get('action');
    if (action === 'cancel') return redirectOrPage(res, order.cancel_url, { token }, 'Payment cancelled.');
    if (action !== 'approve') return sendHtml(res, 400, approvalPage(order, `${this.apiBase}/checkoutnow?token=${encodeURIComponent(token)}`));
    const { order: approved, events } = this.store.transaction(() => this.operations.approve(token));
    for (const event of events) this.dispatcher?.send(event);
    redirectOrPage(res, approved.return_url, { token, PayerID: approved.payer_id ?? '' }, 'Payment approved.');
  }

  private certificate(req: http.IncomingMessage, res: http.ServerResponse, file: string): void {
    if (req.method !== 'GET' || file !== `${this.signer.certName}.pem`) return sendError(res, new PayPalApiError(404, 'NOT_FOUND', 'The specified resource does not exist.'));
    res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(this.signer.certificatePem);
  }

  // ---- /dev/paypal: read-only inspection for people and tests ----

  /** The order with its payments, every tracker (carrier and number included) and its disputes. */
  private inspectOrder(order: OrderRecord): Record<string, unknown> {
    return { ...this.operations.inspect(order), trackers: this.store.trackersOf(order.id), disputes: this.disputes.inspectOrder(order.id) };
  }

  private inspect(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'read-only' });
    // Reads show what the business clock made due (an expired seller deadline, a settled capture).
    this.settleDue();
    const byId = /^\/dev\/paypal\/orders\/([^/]+)$/.exec(url.pathname);
    if (byId) {
      const order = this.store.getOrder(decodeURIComponent(byId[1]));
      return order ? sendJson(res, 200, this.inspectOrder(order)) : sendJson(res, 404, { error: 'no such PayPal order' });
    }
    if (url.pathname === '/dev/paypal/orders') {
      const reference = url.searchParams.get('reference');
      if (reference) return sendJson(res, 200, { orders: this.store.findOrdersByReference(reference).map((o) => this.inspectOrder(o)) });
      // Without a reference: every order, newest first (at most ?limit=, default 500).
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 500) || 500, 1), 5000);
      return sendJson(res, 200, { orders: this.store.allOrders(limit).map((o) => this.inspectOrder(o)) });
    }
    if (url.pathname === '/dev/paypal/disputes') return sendJson(res, 200, { disputes: this.disputes.inspectAll() });
    sendJson(res, 404, { error: 'not found' });
  }
}

function redirectOrPage(res: http.ServerResponse, target: string | undefined, params: Record<string, string>, fallback: string): void {
  if (!target) return sendHtml(res, 200, `<!doctype html><html lang="en"><body><p>${fallback}</p></body></html>\n`);
  const location = new URL(target);
  for (const [k, v] of Object.entries(params)) location.searchParams.set(k, v);
  res.writeHead(303, { location: location.toString() }).end();
}
