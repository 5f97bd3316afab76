// The DisputeGateway port over PayPal's Disputes API v1 (/v1/customer/disputes), with fetch: the
// PayPal SDK has no disputes controller. Same origin and credentials as the SDK-based gateway
// (including the local simulator's base URL), its own OAuth2 client-credentials token, no retries
// of its own (the caller's durable activity retries 'unavailable').
import { z } from 'zod';
import type {
  AcceptClaimType,
  AcknowledgementType,
  DisputeAction,
  DisputeFailure,
  DisputeGateway,
  DisputeListQuery,
  DisputeSummary,
  Done,
  EvidenceFile,
  OfferType,
  PayPalDispute,
  PostOptions,
} from '../../application/dispute-ports';
import { disputeStatuses } from '../../application/dispute-ports';
import { disputeChannels, disputeReasons, disputeStages } from '../../domain/evidence-pack';
import type { PayPalEvidence } from '../../domain/evidence-pack';
import type { Money } from '../../domain/money';
import { rewritePayPalUrl } from './base-url-redirect';
import type { PayPalGatewayConfig } from './paypal-gateway';
import { fromPayPalAmount, toPayPalAmount } from './paypal-money';

const origins = { sandbox: 'https://api-m.sandbox.paypal.com', production: 'https://api-m.paypal.com' } as const;

/** A token is replaced this long before PayPal says it expires, so none expires in flight. */
const tokenMarginMs = 60_000;

const actions = new Set<string>(['provide_evidence', 'accept_claim', 'send_message', 'make_offer', 'acknowledge_return_item', 'escalate', 'appeal'] satisfies DisputeAction[]);

const amountSchema = z.looseObject({ currency_code: z.string(), value: z.string() });
const linkSchema = z.looseObject({ rel: z.string(), href: z.string().optional() });

const summaryShape = {
  dispute_id: z.string().min(1),
  create_time: z.string(),
  update_time: z.string(),
  // A reason or status PayPal adds later reads as OTHER instead of failing the whole call.
  reason: z.enum(disputeReasons).catch('OTHER'),
  status: z.enum(disputeStatuses).catch('OTHER'),
  dispute_life_cycle_stage: z.enum(disputeStages),
  dispute_channel: z.enum(disputeChannels),
  dispute_amount: amountSchema,
  seller_response_due_date: z.string().optional(),
  links: z.array(linkSchema).optional(),
};
const summarySchema = z.looseObject(summaryShape);
const disputeSchema = z.looseObject({
  ...summaryShape,
  disputed_transactions: z.array(z.looseObject({ seller_transaction_id: z.string().optional(), custom: z.string().optional(), invoice_number: z.string().optional() })).optional(),
  evidences: z.array(z.looseObject({ evidence_type: z.string(), notes: z.string().optional(), documents: z.array(z.looseObject({ name: z.string().optional() })).optional(), date: z.string().optional() })).optional(),
  dispute_outcome: z.looseObject({ outcome_code: z.string(), amount_refunded: amountSchema.optional() }).optional(),
  money_movements: z.array(z.looseObject({ affected_party: z.string(), type: z.string(), amount: amountSchema, reason: z.string().optional(), initiated_time: z.string().optional() })).optional(),
});
const searchSchema = z.looseObject({ items: z.array(summarySchema).optional(), links: z.array(linkSchema).optional() });
const tokenSchema = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive() });
const errorSchema = z.looseObject({
  name: z.string().optional(),
  message: z.string().optional(),
  debug_id: z.string().optional(),
  details: z.array(z.looseObject({ issue: z.string().optional(), description: z.string().optional() })).optional(),
  // The OAuth endpoint answers in this shape instead.
  error: z.string().optional(),
  error_description: z.string().optional(),
});

type Answer = { ok: true; body: unknown } | DisputeFailure;
type Body = { json: unknown } | { form: FormData };

export class PayPalDisputesClient implements DisputeGateway {
  private token: { value: string; refreshAt: number } | undefined;
  private tokenRequest: Promise<{ ok: true; value: string } | DisputeFailure> | undefined;

  constructor(private readonly config: PayPalGatewayConfig, private readonly now: () => number = Date.now) {}

  async get(disputeId: string): ReturnType<DisputeGateway['get']> {
    const r = await this.call('GET', `/v1/customer/disputes/${encodeURIComponent(disputeId)}`);
    if (!r.ok) return r;
    return read(r.body, (body) => ({ ok: true as const, dispute: toDispute(disputeSchema.parse(body)) }));
  }

  async list(query: DisputeListQuery): ReturnType<DisputeGateway['list']> {
    const params = new URLSearchParams();
    if (query.disputedTransactionId) params.set('disputed_transaction_id', query.disputedTransactionId);
    if (query.startTime) params.set('start_time', query.startTime);
    if (query.states?.length) params.set('dispute_state', query.states.join(','));
    if (query.pageSize) params.set('page_size', String(query.pageSize));
    if (query.pageToken) params.set('next_page_token', query.pageToken);
    const qs = params.toString();
    const r = await this.call('GET', `/v1/customer/disputes${qs ? `?${qs}` : ''}`);
    if (!r.ok) return r;
    return read(r.body, (body) => {
      const page = searchSchema.parse(body);
      // The token for the next page travels only inside the `next` link.
      const next = page.links?.find((l) => l.rel === 'next')?.href;
      const nextPageToken = next ? new URL(next, 'https://paypal.invalid').searchParams.get('next_page_token') ?? undefined : undefined;
      return { ok: true as const, items: (page.items ?? []).map(toSummary), ...(nextPageToken ? { nextPageToken } : {}) };
    });
  }

  async provideEvidence(disputeId: string, evidence: { evidences: PayPalEvidence[]; files: EvidenceFile[] }, options?: PostOptions): Promise<Done> {
    const form = new FormData();
    form.append('input', new Blob([JSON.stringify({ evidences: evidence.evidences })], { type: 'application/json' }));
    for (const f of evidence.files) form.append('evidence-file', new Blob([new Uint8Array(f.bytes)], { type: f.contentType }), f.name);
    return this.post(disputeId, 'provide-evidence', { form }, options);
  }

  async acceptClaim(disputeId: string, claim: { note: string; acceptClaimType?: AcceptClaimType; refundAmount?: Money }, options?: PostOptions): Promise<Done> {
    const json = { note: claim.note, ...(claim.acceptClaimType ? { accept_claim_type: claim.acceptClaimType } : {}), ...(claim.refundAmount ? { refund_amount: toPayPalAmount(claim.refundAmount) } : {}) };
    return this.post(disputeId, 'accept-claim', { json }, options);
  }

  async sendMessage(disputeId: string, message: string, options?: PostOptions): Promise<Done> {
    return this.post(disputeId, 'send-message', { json: { message } }, options);
  }

  async makeOffer(disputeId: string, offer: { note: string; offerType: OfferType; offerAmount?: Money }, options?: PostOptions): Promise<Done> {
    const json = { note: offer.note, offer_type: offer.offerType, ...(offer.offerAmount ? { offer_amount: toPayPalAmount(offer.offerAmount) } : {}) };
    return this.post(disputeId, 'make-offer', { json }, options);
  }

  async acknowledgeReturnItem(disputeId: string, ack: { note: string; acknowledgementType: AcknowledgementType }, options?: PostOptions): Promise<Done> {
    return this.post(disputeId, 'acknowledge-return-item', { json: { note: ack.note, acknowledgement_type: ack.acknowledgementType } }, options);
  }

  private async post(disputeId: string, action: string, body: Body, options?: PostOptions): Promise<Done> {
    const r = await this.call('POST', `/v1/customer/disputes/${encodeURIComponent(disputeId)}/${action}`, body, options?.requestId);
    return r.ok ? { ok: true } : r;
  }

  /** One API call; a 401 drops the cached token and tries once more with a fresh one. */
  private async call(method: 'GET' | 'POST', path: string, body?: Body, requestId?: string): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.accessToken();
      if (!token.ok) return token;
      const headers: Record<string, string> = { authorization: `Bearer ${token.value}`, accept: 'application/json' };
      if (body && 'json' in body) headers['content-type'] = 'application/json';
      if (requestId) headers['paypal-request-id'] = requestId;
      // FormData sets its own multipart content type with the boundary.
      const payload = body === undefined ? undefined : 'json' in body ? JSON.stringify(body.json) : body.form;
      const r = await this.exchange(path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      if (!r.ok) return r;
      if (r.status === 401 && attempt === 1) {
        this.token = undefined;
        continue;
      }
      if (r.status >= 200 && r.status < 300) return parseJson(r.text, r.status);
      return failureOf(r.status, r.text, r.debugId, `${method} ${path.split('?')[0]}`);
    }
  }

  private async accessToken(): Promise<{ ok: true; value: string } | DisputeFailure> {
    if (this.token && this.now() < this.token.refreshAt) return { ok: true, value: this.token.value };
    // Concurrent calls share one token request.
    this.tokenRequest ??= this.requestToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async requestToken(): Promise<{ ok: true; value: string } | DisputeFailure> {
    const basic = Buffer.from(`${this.config.clientId}:${this.config.clientSecret}`, 'utf8').toString('base64');
    const r = await this.exchange('/v1/oauth2/token', {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=client_credentials',
    });
    if (!r.ok) return r;
    if (r.status !== 200) {
      const f = failureOf(r.status, r.text, r.debugId, 'POST /v1/oauth2/token');
      // invalid_client comes back as 400 or 401: either way our credentials, not the request.
      return f.kind === 'refused' ? { ...f, kind: 'unauthorized' } : f;
    }
    const parsed = parseJson(r.text, r.status);
    if (!parsed.ok) return parsed;
    const token = tokenSchema.safeParse(parsed.body);
    if (!token.success) return { ok: false, kind: 'unavailable', status: r.status, message: `PayPal token response unreadable: ${token.error.message}` };
    const lifetimeMs = token.data.expires_in * 1000;
    this.token = { value: token.data.access_token, refreshAt: this.now() + lifetimeMs - Math.min(tokenMarginMs, lifetimeMs / 2) };
    return { ok: true, value: token.data.access_token };
  }

  private async exchange(path: string, init: RequestInit): Promise<{ ok: true; status: number; text: string; debugId?: string } | DisputeFailure> {
    const { timeoutMs = 30_000 } = this.config;
    try {
      // The timeout covers reading the body too.
      const res = await fetch(this.url(path), { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      const debugId = res.headers.get('paypal-debug-id') ?? undefined;
      return { ok: true, status: res.status, text, ...(debugId ? { debugId } : {}) };
    } catch (err) {
      // A DOMException, which need not be an Error of this realm (e.g. under a test runner's vm context).
      const name = typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const why = timedOut ? `no answer within ${timeoutMs} ms` : err instanceof Error ? `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);
      return { ok: false, kind: 'unavailable', message: `PayPal unreachable: ${init.method} ${path.split('?')[0]}: ${why}` };
    }
  }

  /** PayPal's origin, or the override (e.g. the local simulator) with the same rewriting as the SDK's calls get. */
  private url(path: string): string {
    const origin = origins[this.config.environment];
    return this.config.baseUrlOverride ? rewritePayPalUrl(origin + path, origin, this.config.baseUrlOverride) : origin + path;
  }
}

function parseJson(text: string, status: number): Answer {
  if (text.trim() === '') return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, kind: 'unavailable', status, message: `PayPal answered ${status} with a body that is not JSON` };
  }
}

/** Maps a 2xx body; one PayPal shape we cannot read fails the call rather than throwing into the caller. */
function read<T>(body: unknown, map: (body: unknown) => T): T | DisputeFailure {
  try {
    return map(body);
  } catch (err) {
    return { ok: false, kind: 'unavailable', message: `PayPal response unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function failureOf(status: number, text: string, headerDebugId: string | undefined, what: string): DisputeFailure {
  let body: z.infer<typeof errorSchema> = {};
  try {
    const parsed = errorSchema.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Not JSON (a proxy's HTML page): status alone decides.
  }
  const issue = body.details?.[0]?.issue ?? body.error ?? body.name;
  const description = body.details?.[0]?.description ?? body.message ?? body.error_description ?? '';
  const message = `${what}: ${status} ${body.name ?? body.error ?? 'HTTP_ERROR'}${body.details?.[0]?.issue ? `/${body.details[0].issue}` : ''}${description ? `: ${description}` : ''}`;
  const debugId = body.debug_id ?? headerDebugId;
  const kind: DisputeFailure['kind'] =
    status === 404 ? 'not-found'
      : status === 401 || status === 403 ? 'unauthorized'
        // 409: the same PayPal-Request-Id is still being processed.
        : status >= 500 || status === 429 || status === 408 || status === 409 ? 'unavailable'
          : 'refused';
  return { ok: false, kind, status, ...(issue ? { issue } : {}), message, ...(debugId ? { debugId } : {}) };
}

function toSummary(d: z.infer<typeof summarySchema>): DisputeSummary {
  return {
    disputeId: d.dispute_id,
    createdAt: d.create_time,
    updatedAt: d.update_time,
    reason: d.reason,
    status: d.status,
    stage: d.dispute_life_cycle_stage,
    channel: d.dispute_channel,
    amount: fromPayPalAmount(d.dispute_amount),
    ...(d.seller_response_due_date ? { sellerResponseDueDate: d.seller_response_due_date } : {}),
  };
}

function toDispute(d: z.infer<typeof disputeSchema>): PayPalDispute {
  const outcome = d.dispute_outcome;
  return {
    ...toSummary(d),
    transactions: (d.disputed_transactions ?? []).flatMap((t) =>
      t.seller_transaction_id ? [{ captureId: t.seller_transaction_id, ...(t.custom ? { custom: t.custom } : {}), ...(t.invoice_number ? { invoiceNumber: t.invoice_number } : {}) }] : [],
    ),
    evidences: (d.evidences ?? []).map((e) => ({
      type: e.evidence_type,
      ...(e.notes ? { notes: e.notes } : {}),
      documents: (e.documents ?? []).flatMap((doc) => (doc.name ? [doc.name] : [])),
      ...(e.date ? { date: e.date } : {}),
    })),
    ...(outcome ? { outcome: { code: outcome.outcome_code, ...(outcome.amount_refunded ? { amountRefunded: fromPayPalAmount(outcome.amount_refunded) } : {}) } } : {}),
    moneyMovements: (d.money_movements ?? []).map((m) => ({
      affectedParty: m.affected_party,
      type: m.type,
      amount: fromPayPalAmount(m.amount),
      ...(m.reason ? { reason: m.reason } : {}),
      ...(m.initiated_time ? { initiatedAt: m.initiated_time } : {}),
    })),
    allowed: [...new Set((d.links ?? []).map((l) => l.rel).filter((rel): rel is DisputeAction => actions.has(rel)))],
  };
}
