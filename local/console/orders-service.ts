// The order console: a local service on the stand-in that serves the order, PayPal and shipment
// pages under <root>/orders, <root>/paypal and <root>/shipments, and turns its forms into API
// calls (post, then redirect back with the answer as a flash message, so a reload never repeats
// an action). Callers on this machine only (guard.ts).
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { LocalService } from 'azure-standin';
import { ConsoleApi } from './api-client';
import type { ApiAnswer, DisputeView, OrderView, Problem } from './api-client';
import { refusal } from './guard';
import { esc, money } from './html';
import type { Flash } from './html';
import { emailPage, messagePage, orderHref, orderPage, ordersListPage, refundableUnits } from './order-pages';
import type { OrderPageData } from './order-pages';
import { paypalPage, shipmentsPage } from './simulator-pages';
import type { DevShipment, PayPalDevOrder } from './simulator-pages';

/** The event a held saga waits for (functions/wiring/durable-workflow.ts, retryNowEvent). */
const retryNowEvent = 'RetryNow';
const maxFormBytes = 64 * 1024;

export interface OrdersConsoleOptions {
  baseUrl: string;
  dataDir: string;
}

/** Where the stand-in's console lets the app's pages answer. */
const roots = ['/console'] as const;

export class OrdersConsole implements LocalService {
  readonly name = 'Order console (orders, PayPal, shipments)';
  private readonly api: ConsoleApi;
  /** Flash messages waiting for the redirect that shows them once. */
  private readonly flashes = new Map<string, { flash: Flash; at: number }>();

  constructor(private readonly o: OrdersConsoleOptions) {
    this.api = new ConsoleApi({ baseUrl: o.baseUrl.replace(/\/+$/, ''), dataDir: o.dataDir });
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const root = roots.find((r) => url.pathname === r || url.pathname.startsWith(`${r}/`));
    if (!root) return false;
    const rest = url.pathname.slice(root.length);
    // The stand-in's own console owns /console itself; this one only its three sections.
    const mine = /^\/(orders|paypal|shipments)(\/|$)/.test(rest);
    if (!mine) return false;
    const refused = refusal(req, this.o.baseUrl);
    if (refused) {
      send(res, refused.status, messagePage({ root, title: 'Forbidden', detail: refused.reason }));
      return true;
    }
    try {
      await this.route(req, res, url, root, rest);
    } catch (err) {
      if (!res.headersSent) send(res, 500, messagePage({ root, title: 'The console failed', detail: err instanceof Error ? err.message : String(err) }));
      else res.destroy();
    }
    return true;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, url: URL, root: string, rest: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'POST') {
      const action = /^\/orders\/([^/]+)\/(approve|cancel|refund|retry)$/.exec(rest);
      if (!action) return send(res, 404, messagePage({ root, title: 'Not found' }));
      const id = decodeURIComponent(action[1]);
      const form = await readForm(req);
      const flash = form ? await this.act(id, action[2] as Action, form) : { ok: false, text: 'The form is too large.' };
      return redirect(res, `${orderHref(root, id)}?flash=${this.keep(flash)}`);
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, messagePage({ root, title: 'Method not allowed' }));
    if (rest === '/orders' || rest === '/orders/') return this.list(res, url, root);
    if (rest === '/orders/find') {
      const id = (url.searchParams.get('id') ?? '').trim();
      return redirect(res, id ? orderHref(root, id) : `${root}/orders`);
    }
    if (rest === '/paypal') {
      const r = await this.api.dev<{ orders: PayPalDevOrder[] }>('/dev/paypal/orders');
      return send(res, r.ok ? 200 : 502, paypalPage(root, r.ok ? r.body.orders : r.problem));
    }
    if (rest === '/shipments') {
      const r = await this.api.dev<{ shipments: DevShipment[] }>('/dev/shipments');
      return send(res, r.ok ? 200 : 502, shipmentsPage(root, r.ok ? r.body.shipments : r.problem));
    }
    const doc = /^\/orders\/([^/]+)\/documents\/([^/]+)\.pdf$/.exec(rest);
    if (doc) return this.document(res, root, decodeURIComponent(doc[1]), decodeURIComponent(doc[2]));
    const mail = /^\/orders\/([^/]+)\/emails\/([^/]+)$/.exec(rest);
    if (mail) return this.email(res, root, decodeURIComponent(mail[1]), decodeURIComponent(mail[2]));
    const one = /^\/orders\/([^/]+)$/.exec(rest);
    if (one) return this.order(res, url, root, decodeURIComponent(one[1]));
    send(res, 404, messagePage({ root, title: 'Not found', detail: `The console has no page ${url.pathname}.` }));
  }

  private async list(res: http.ServerResponse, url: URL, root: string): Promise<void> {
    const q = url.searchParams;
    const filters = { status: q.get('status') || undefined, customerId: q.get('customerId')?.trim() || undefined, cursor: q.get('cursor') || undefined, refresh: q.get('refresh') === '1' };
    const r = await this.api.listOrders({ ...filters, limit: 20 });
    if (!r.ok) return send(res, r.status >= 500 ? 502 : r.status, messagePage({ root, title: 'Could not list the orders', problem: r.problem }));
    send(res, 200, ordersListPage({ root, filters, list: r.body, flash: this.take(q.get('flash')) }));
  }

  private async order(res: http.ServerResponse, url: URL, root: string, id: string): Promise<void> {
    const found = await this.api.getOrder(id);
    if (!found.ok) return this.failed(res, root, id, found);
    const order = found.body;
    const [docs, disputes, mailbox] = await Promise.all([
      this.api.documents(id),
      Promise.all(order.disputes.map(async (d): Promise<DisputeView | { id: string; problem: Problem }> => {
        const r = await this.api.dispute(d.disputeId);
        return r.ok ? r.body : { id: d.disputeId, problem: r.problem };
      })),
      this.api.mailbox(order.customer.email),
    ]);
    const data: OrderPageData = {
      order,
      documents: docs.ok ? docs.body.documents : [],
      disputes,
      // Stage emails name their order in the subject; the mailbox holds all of the customer's.
      emails: mailbox.ok ? mailbox.body.filter((m) => m.subject.includes(id)) : mailbox.problem,
    };
    send(res, 200, orderPage({ root, data, refresh: url.searchParams.get('refresh') === '1', flash: this.take(url.searchParams.get('flash')) }));
  }

  private async document(res: http.ServerResponse, root: string, id: string, number: string): Promise<void> {
    const pdf = await this.api.pdf(id, number);
    if (pdf.status !== 200) return send(res, pdf.status === 404 ? 404 : 502, messagePage({ root, title: `No document ${number}`, detail: `The API answered ${pdf.status} for ${number} of order ${id}.` }));
    res.writeHead(200, { 'content-type': pdf.contentType, 'content-disposition': `inline; filename="${number.replace(/[^\w.-]/g, '_')}.pdf"`, 'cache-control': 'no-store' }).end(pdf.bytes);
  }

  private async email(res: http.ServerResponse, root: string, id: string, operationId: string): Promise<void> {
    const found = await this.api.getOrder(id);
    if (!found.ok) return this.failed(res, root, id, found);
    const mailbox = await this.api.mailbox(found.body.customer.email);
    const email = mailbox.ok ? mailbox.body.find((m) => m.operationId === operationId) : undefined;
    if (!email) return send(res, 404, messagePage({ root, title: 'No such email', detail: `No email ${operationId} to ${found.body.customer.email}.` }));
    send(res, 200, emailPage({ root, order: found.body, email }));
  }

  private failed(res: http.ServerResponse, root: string, id: string, r: Extract<ApiAnswer<unknown>, { ok: false }>): void {
    if (r.status === 404) return send(res, 404, messagePage({ root, title: 'Order not found', detail: `There is no order ${id}.`, problem: r.problem }));
    send(res, r.status >= 500 ? 502 : r.status, messagePage({ root, title: `Could not read order ${id}`, problem: r.problem }));
  }

  private async act(id: string, action: Action, form: URLSearchParams): Promise<Flash> {
    switch (action) {
      case 'approve': {
        const found = await this.api.getOrder(id);
        if (!found.ok) return problemFlash('Approve', found.problem);
        if (!found.body.payment.approveUrl) return { ok: false, text: 'Approve: nothing to approve', detail: `The order is ${found.body.status} and has no PayPal approval page.` };
        const r = await this.api.approve(found.body.payment.approveUrl);
        return r.ok ? { ok: true, text: 'Approved at PayPal', detail: `Returned to the shop: ${r.body.page}` } : problemFlash('Approve', r.problem);
      }
      case 'cancel': {
        const r = await this.api.cancel(id, form.get('reason')?.trim() || undefined);
        return r.ok ? { ok: true, text: `Cancelled: the order is ${r.body.status}` } : problemFlash('Cancel', r.problem);
      }
      case 'refund': {
        const found = await this.api.getOrder(id);
        if (!found.ok) return problemFlash('Refund', found.problem);
        const request = refundRequest(found.body, form);
        if (!request.items.length && !request.shipping) return { ok: false, text: 'Refund: nothing selected', detail: 'Choose units of at least one item, or the shipping fee.' };
        const r = await this.api.refund(id, request, form.get('idempotencyKey') || undefined);
        return r.ok ? { ok: true, text: `Refund ${r.body.id} ${r.body.status}: ${money({ amount: r.body.amount, currency: r.body.currency })}`, detail: 'PayPal and the credit note follow; the refunds table shows the outcome.' } : problemFlash('Refund', r.problem);
      }
      case 'retry': {
        const r = await this.api.raiseEvent(id, retryNowEvent);
        return r.ok ? { ok: true, text: 'RetryNow raised: the held step is tried at once' } : problemFlash('Retry now', r.problem);
      }
    }
  }

  private keep(flash: Flash): string {
    const now = Date.now();
    for (const [k, v] of this.flashes) if (now - v.at > 300_000) this.flashes.delete(k);
    const key = randomUUID();
    this.flashes.set(key, { flash, at: now });
    return key;
  }

  /** The flash message behind a key, once: a reload (or an auto-refresh) shows it no more. */
  private take(key: string | null): Flash | undefined {
    if (!key) return undefined;
    const f = this.flashes.get(key);
    this.flashes.delete(key);
    return f?.flash;
  }
}

type Action = 'approve' | 'cancel' | 'refund' | 'retry';

function problemFlash(action: string, p: Problem): Flash {
  const errors = p.errors?.map((e) => `${e.pointer}: ${e.detail}`).join('; ');
  return { ok: false, text: `${action} refused: ${p.status} ${p.title}`, detail: [p.detail, errors].filter(Boolean).join(' — ') || undefined };
}

/** The refund form as the API's request: units per SKU (at most what is left), restock, shipping, reason. */
function refundRequest(order: OrderView, form: URLSearchParams): { items: { sku: string; quantity: number; restock: boolean }[]; shipping: boolean; reason: string } {
  const left = refundableUnits(order);
  const items = order.items
    .map((i) => ({ sku: i.sku, quantity: Math.min(Math.max(Math.trunc(Number(form.get(`qty:${i.sku}`) ?? 0)) || 0, 0), left.get(i.sku) ?? 0), restock: form.get(`restock:${i.sku}`) === 'on' }))
    .filter((i) => i.quantity > 0);
  return { items, shipping: form.get('shipping') === 'on', reason: form.get('reason')?.trim() || 'refunded by support' };
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxFormBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'same-origin' }).end(body);
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' }).end(`<a href="${esc(location)}">${esc(location)}</a>`);
}

