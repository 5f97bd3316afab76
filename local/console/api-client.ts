// How the console reaches the app: like a support person, through the public REST API with an
// admin token (minted by the local issuer), and through the simulators' /dev views and buyer
// pages and the Durable HTTP management API, all on the stand-in's own base URL.
import { randomUUID } from 'node:crypto';
import { mintToken } from 'azure-standin';
import type { z } from 'zod';
import type { disputeSchema, orderListSchema, orderSchema } from '../../functions/http/schemas';

export type OrderView = z.infer<typeof orderSchema>;
export type OrderList = z.infer<typeof orderListSchema>;
export type DisputeView = z.infer<typeof disputeSchema>;

/** RFC 9457 problem details as the API sends them (or as the console words a transport failure). */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { pointer: string; detail: string }[];
}

export type ApiAnswer<T> = { ok: true; status: number; body: T } | { ok: false; status: number; problem: Problem };

export interface InvoiceDocuments {
  number: string;
  documents: { number: string; kind: string; issuedAt: string }[];
}

export interface MailboxItem {
  operationId: string;
  subject: string;
  text: string;
  html: string;
  status: string;
  sentAt: string;
  to: string[];
}

/** Who the console acts as: its calls show up in the API's logs under this subject. */
export const consoleSubject = 'local-console';

export class ConsoleApi {
  private token?: { value: Promise<string>; expiresAt: number };

  constructor(private readonly o: { baseUrl: string; dataDir: string }) {}

  /** A fresh-enough admin token; minted again ten minutes before the hour it lives runs out. */
  private adminToken(): Promise<string> {
    if (!this.token || this.token.expiresAt - 600_000 < Date.now()) {
      this.token = { value: mintToken(this.o.dataDir, { subject: consoleSubject, roles: ['Orders.Admin'], expiresIn: 3600 }), expiresAt: Date.now() + 3_600_000 };
    }
    return this.token.value;
  }

  /** A JSON call to /api/v1/…; failures come back as the API's problem detail. */
  async api<T>(method: 'GET' | 'POST', path: string, o: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiAnswer<T>> {
    try {
      const res = await fetch(`${this.o.baseUrl}/api/v1${path}`, {
        method,
        headers: { accept: 'application/json', authorization: `Bearer ${await this.adminToken()}`, ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers },
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      const json = text ? (JSON.parse(text) as unknown) : undefined;
      if (res.ok) return { ok: true, status: res.status, body: json as T };
      return { ok: false, status: res.status, problem: isProblem(json) ? json : { title: `HTTP ${res.status}`, status: res.status, detail: text.slice(0, 500) } };
    } catch (err) {
      return { ok: false, status: 502, problem: { title: 'The API did not answer', status: 502, detail: err instanceof Error ? err.message : String(err) } };
    }
  }

  getOrder(id: string): Promise<ApiAnswer<OrderView>> {
    return this.api<OrderView>('GET', `/orders/${encodeURIComponent(id)}`);
  }

  listOrders(q: { status?: string; customerId?: string; cursor?: string; limit: number }): Promise<ApiAnswer<OrderList>> {
    const p = new URLSearchParams({ limit: String(q.limit) });
    if (q.status) p.set('status', q.status);
    if (q.customerId) p.set('customerId', q.customerId);
    if (q.cursor) p.set('cursor', q.cursor);
    return this.api<OrderList>('GET', `/orders?${p.toString()}`);
  }

  cancel(id: string, reason: string | undefined): Promise<ApiAnswer<OrderView>> {
    return this.api<OrderView>('POST', `/orders/${encodeURIComponent(id)}/cancel`, { body: reason ? { reason } : {} });
  }

  /** `idempotencyKey`: rendered into the form, so a second click of the same form is the same refund. */
  refund(id: string, request: { items: { sku: string; quantity: number; restock: boolean }[]; shipping: boolean; reason: string }, idempotencyKey: string = randomUUID()): Promise<ApiAnswer<{ id: string; amount: number; currency: string; status: string }>> {
    return this.api('POST', `/orders/${encodeURIComponent(id)}/refunds`, { body: request, headers: { 'idempotency-key': idempotencyKey } });
  }

  documents(id: string): Promise<ApiAnswer<InvoiceDocuments>> {
    return this.api<InvoiceDocuments>('GET', `/orders/${encodeURIComponent(id)}/invoice`);
  }

  dispute(id: string): Promise<ApiAnswer<DisputeView>> {
    return this.api<DisputeView>('GET', `/disputes/${encodeURIComponent(id)}`);
  }

  /** An invoice or credit note as the PDF the API serves (the API needs a token, a link cannot carry one). */
  async pdf(orderId: string, number: string): Promise<{ status: number; contentType: string; bytes: Buffer }> {
    const res = await fetch(`${this.o.baseUrl}/api/v1/orders/${encodeURIComponent(orderId)}/invoice?number=${encodeURIComponent(number)}`, {
      headers: { accept: 'application/pdf', authorization: `Bearer ${await this.adminToken()}` },
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/octet-stream', bytes: Buffer.from(await res.arrayBuffer()) };
  }

  /** A stand-in or simulator JSON view under /dev/. */
  async dev<T>(path: string): Promise<ApiAnswer<T>> {
    try {
      const res = await fetch(`${this.o.baseUrl}${path}`, { signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      if (res.ok) return { ok: true, status: res.status, body: JSON.parse(text) as T };
      return { ok: false, status: res.status, problem: { title: `GET ${path}: HTTP ${res.status}`, status: res.status, detail: text.slice(0, 500) } };
    } catch (err) {
      return { ok: false, status: 502, problem: { title: `GET ${path} failed`, status: 502, detail: err instanceof Error ? err.message : String(err) } };
    }
  }

  async mailbox(to: string): Promise<ApiAnswer<MailboxItem[]>> {
    const r = await this.dev<{ items: MailboxItem[] }>(`/dev/emails?to=${encodeURIComponent(to)}`);
    return r.ok ? { ok: true, status: r.status, body: r.body.items } : r;
  }

  /** Raises an event on an orchestration through the Durable HTTP management API (202 when delivered). */
  async raiseEvent(instanceId: string, event: string, data: unknown = {}): Promise<ApiAnswer<null>> {
    const res = await fetch(`${this.o.baseUrl}/durabletask/instances/${encodeURIComponent(instanceId)}/raiseEvent/${encodeURIComponent(event)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status === 202) return { ok: true, status: 202, body: null };
    return { ok: false, status: res.status, problem: { title: res.status === 404 || res.status === 410 ? 'The order\'s orchestration is not running' : `raiseEvent answered ${res.status}`, status: res.status, detail: text.slice(0, 500) || undefined } };
  }

  /**
   * What the buyer's click on PayPal's approval page does: the form post to the simulator's
   * checkout page, then the redirect back to the shop's return URL, as the browser follows it.
   * Only URLs on this stand-in are called.
   */
  async approve(approveUrl: string): Promise<ApiAnswer<{ returnedTo: string; page: string }>> {
    const target = new URL(approveUrl);
    if (target.origin !== new URL(this.o.baseUrl).origin) {
      return { ok: false, status: 400, problem: { title: 'Not a local approval page', status: 400, detail: `${approveUrl} is not on ${this.o.baseUrl}; approve it in a browser.` } };
    }
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=approve', redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    const location = res.headers.get('location');
    if (res.status !== 303 || !location) {
      return { ok: false, status: res.status, problem: { title: 'PayPal did not approve', status: res.status, detail: stripTags(await res.text()).slice(0, 300) } };
    }
    await res.body?.cancel();
    const back = new URL(location, target);
    if (back.origin !== target.origin) return { ok: true, status: 200, body: { returnedTo: back.toString(), page: 'not followed: another origin' } };
    const returned = await fetch(back, { signal: AbortSignal.timeout(30_000) });
    const text = stripTags(await returned.text());
    if (!returned.ok) return { ok: false, status: returned.status, problem: { title: 'The shop\'s return page failed', status: returned.status, detail: text.slice(0, 300) } };
    return { ok: true, status: returned.status, body: { returnedTo: back.toString(), page: text.slice(0, 300) } };
  }
}

function isProblem(v: unknown): v is Problem {
  return typeof v === 'object' && v !== null && typeof (v as Problem).title === 'string' && typeof (v as Problem).status === 'number';
}

function stripTags(s: string): string {
  return s.replace(/<style[\s\S]*?<\/style>|<title[\s\S]*?<\/title>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}
