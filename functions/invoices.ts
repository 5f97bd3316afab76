// GET /v1/orders/{id}/invoice: the order's invoice as JSON (with its credit notes) or as the
// PDF, by Accept; `?number=` picks a credit note's PDF.
import { app } from '@azure/functions';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { endpoint } from './http/endpoint';
import { guard } from './http/guard';
import { jsonResponse, problemResponse, requestId } from './http/problem';
import { getSagaServices } from './wiring/saga-services';
import { orderForCaller } from './wiring/order-access';

/** The preferred of the offered types per the Accept header (q-values honoured), or undefined. */
export function negotiate(accept: string | null, offered: readonly string[]): string | undefined {
  if (!accept) return offered[0];
  const ranges = accept.split(',').map((part) => {
    const [type, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { type: type.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
  });
  let best: { type: string; q: number } | undefined;
  for (const o of offered) {
    const [major] = o.split('/');
    const match = ranges.filter((r) => r.type === o || r.type === `${major}/*` || r.type === '*/*').sort((a, b) => b.type.length - a.type.length)[0];
    if (match && match.q > 0 && (!best || match.q > best.q)) best = { type: o, q: match.q };
  }
  return best?.type;
}

app.http('getInvoice', {
  route: 'v1/orders/{id}/invoice',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> => {
    const g = await guard(req);
    if (!g.ok) return g.response;
    const id = req.params.id;
    const notFound = (detail: string) => problemResponse(req, { status: 404, type: 'invoice-not-found', title: 'Invoice not found', detail });
    const order = await orderForCaller(g.principal, id);
    if (!order) return notFound(`There is no order ${id} for this caller.`);
    const type = negotiate(req.headers.get('accept'), ['application/json', 'application/pdf']);
    if (!type) return problemResponse(req, { status: 406, type: 'not-acceptable', title: 'Not acceptable', detail: 'The invoice is available as application/json or application/pdf.' });
    const s = getSagaServices();
    // The store is the record of what was issued: an invoice counts even before the order notes it.
    const documents = await s.invoices.forOrder(id);
    const invoice = order.value.invoice?.number ?? documents.find((d) => d.kind === 'invoice')?.number;
    if (!invoice) return notFound('The order has no invoice yet; it is issued right after stock is reserved.');
    const number = req.query.get('number') ?? invoice;
    const doc = documents.find((d) => d.number === number);
    if (!doc) return notFound(`Order ${id} has no document ${number}.`);
    if (type === 'application/json') {
      return jsonResponse(req, 200, { ...doc, documents: documents.map((d) => ({ number: d.number, kind: d.kind, issuedAt: d.issuedAt })) }, { 'cache-control': 'private, max-age=60', vary: 'accept' });
    }
    const pdf = await s.documents.get(`${doc.number}.pdf`);
    if (!pdf) return notFound(`The PDF of ${doc.number} is not stored.`);
    return {
      status: 200,
      headers: { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="${doc.number}.pdf"`, 'cache-control': 'private, max-age=3600', vary: 'accept', 'x-request-id': requestId(req) },
      body: pdf,
    };
  }),
});
