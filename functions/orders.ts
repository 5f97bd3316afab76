// The order API: place (idempotent), read (ETag), list (cursor, newest first) and cancel.
import { app } from '@azure/functions';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { randomBytes } from 'node:crypto';
import { cancelOrder } from '../application/cancel-order';
import { customerEmail, placeOrder } from '../application/place-order';
import type { CustomerEmail } from '../application/place-order';
import { requestFingerprint } from '../application/request-fingerprint';
import { recordOrderCreated } from '../adapters/telemetry/order-telemetry';
import { decodeCursor, encodeCursor } from './http/cursor';
import { clientEndpoint, endpoint } from './http/endpoint';
import { httpEtag, ifMatchPasses, ifNoneMatchHits } from './http/etag';
import { claimedElsewhere, idempotencyKey } from './http/idempotency-key';
import { forbidden, guard } from './http/guard';
import { cartInvalid, orderPath, presentOrder, presentOrderSummary } from './http/presenters';
import { jsonResponse, problemResponse, requestId } from './http/problem';
import { readJson, validationProblem } from './http/read-json';
import { cancelRequestSchema, listOrdersQuerySchema, orderRequestSchema } from './http/schemas';
import { DurableOrderWorkflow } from './wiring/durable-workflow';
import { getServices } from './wiring/services';
import { orderForCaller } from './wiring/order-access';
import { settings } from './wiring/settings';
import { clientAddress } from './http/public-guard';
import { storePolicies, termsVersion } from '../adapters/catalog/store-config';
import type { CheckoutContext } from '../domain/order';

const newOrderId = (): string => `ord_${randomBytes(12).toString('base64url')}`;

const notFound = (req: HttpRequest, id: string): HttpResponseInit =>
  problemResponse(req, { status: 404, type: 'order-not-found', title: 'Order not found', detail: `There is no order ${id} for this caller.` });

const emailProblem = (req: HttpRequest, problem: Extract<CustomerEmail, { ok: false }>['problem']): HttpResponseInit => {
  switch (problem) {
    case 'mismatch':
      return problemResponse(req, { status: 403, type: 'email-mismatch', title: 'Not your email address', detail: 'customer.email must be the verified email in your token (order and invoice emails go only there); leave it out to use it.', errors: [{ pointer: '/customer/email', detail: 'not the email in your token' }] });
    case 'unverified':
      return problemResponse(req, { status: 403, type: 'email-unverified', title: 'No verified email', detail: 'Your token carries no verified email address, so the shop cannot email you about the order. Sign in with an account that has one.' });
    case 'required':
      return problemResponse(req, { status: 400, type: 'validation-failed', title: 'The request is not valid', detail: 'Ordering on behalf of a customer needs the customer\'s email.', errors: [{ pointer: '/customer/email', detail: 'required when ordering on behalf of a customer' }] });
  }
};

/** Who checked out, from where, on which terms: the evidence a dispute answer cites. */
function checkoutContext(req: HttpRequest, termsAccepted: boolean): Omit<CheckoutContext, 'at'> {
  const ip = clientAddress(req);
  const userAgent = req.headers.get('user-agent')?.slice(0, 512);
  return { ...(ip !== 'unknown' ? { ip } : {}), ...(userAgent ? { userAgent } : {}), policies: storePolicies.map((p) => ({ ...p })), termsAccepted };
}

df.app.client.http('createOrder', {
  route: 'v1/orders',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const g = await guard(req);
    if (!g.ok) return g.response;
    const idem = idempotencyKey(req, 'new order');
    if (!idem.ok) return idem.response;
    const key = idem.key;
    const body = await readJson(req, orderRequestSchema);
    if (!body.ok) return problemResponse(req, body.problem);
    const principal = g.principal;
    if (body.value.customer.id !== principal.customerId && !principal.isAdmin) {
      return forbidden(req, 'Customers can place orders only for themselves: customer.id must be the id in your token.');
    }
    const email = customerEmail({ email: principal.email, onBehalf: body.value.customer.id !== principal.customerId }, body.value.customer.email);
    if (!email.ok) return emailProblem(req, email.problem);
    const { acceptedTerms, ...orderRequest } = body.value;
    if (acceptedTerms !== undefined && acceptedTerms !== termsVersion) {
      return problemResponse(req, { status: 422, type: 'terms-outdated', title: 'Not the current terms', detail: `The buyer accepted terms version ${acceptedTerms}; the store's terms are version ${termsVersion}. Show the current terms and ask again.`, errors: [{ pointer: '/acceptedTerms', detail: `current version is ${termsVersion}` }] });
    }

    const services = getServices();
    const candidate = newOrderId();
    const claim = await services.idempotency.claim(principal.customerId, key, requestFingerprint(body.value), candidate);
    if (claim.kind !== 'owner') return claimedElsewhere(req, claim, g.headers, 'new order');

    // On an unexpected failure the claim is kept: its lease runs out and a retry takes over with
    // the same order id, converging on one order.
    const result = await placeOrder(
      { orders: services.orders, workflow: new DurableOrderWorkflow(client, settings().PAYMENT_APPROVAL_TIMEOUT_SECONDS), catalog: services.catalog, rules: services.pricingRules },
      claim.resourceId,
      { ...orderRequest, customer: { ...orderRequest.customer, email: email.email }, checkout: checkoutContext(req, acceptedTerms !== undefined) },
      new Date().toISOString(),
      claim.resourceId !== candidate,
    );
    if (!result.ok) {
      await services.idempotency.release(claim.token); // nothing happened: the fixed cart may reuse the key
      return problemResponse(req, cartInvalid(result.problems));
    }
    const order = result.order;
    const headers = { 'content-type': 'application/json', location: orderPath(order.value.id), etag: httpEtag(order.etag) };
    const responseBody = JSON.stringify(presentOrder(order.value));
    await services.idempotency.complete(claim.token, { status: 202, headers, body: responseBody });
    recordOrderCreated({ orderId: order.value.id, customerId: order.value.customer.id, total: order.value.quote.totals.total });
    return { status: 202, headers: { ...headers, ...g.headers, 'x-request-id': requestId(req) }, body: responseBody };
  }),
});

app.http('getOrder', {
  route: 'v1/orders/{id}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> => {
    const g = await guard(req);
    if (!g.ok) return g.response;
    const id = req.params.id;
    const found = await orderForCaller(g.principal, id);
    if (!found) return notFound(req, id);
    const etag = httpEtag(found.etag);
    const cache = { etag, 'cache-control': 'private, no-cache', ...g.headers };
    const inm = req.headers.get('if-none-match');
    if (inm && ifNoneMatchHits(inm, found.etag)) return { status: 304, headers: { ...cache, 'x-request-id': requestId(req) } };
    return jsonResponse(req, 200, presentOrder(found.value), cache);
  }),
});

app.http('listOrders', {
  route: 'v1/orders',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> => {
    const g = await guard(req);
    if (!g.ok) return g.response;
    const parsed = listOrdersQuerySchema.safeParse(Object.fromEntries(req.query.entries()));
    if (!parsed.success) return problemResponse(req, validationProblem(parsed.error, 'query string'));
    const q = parsed.data;
    const principal = g.principal;
    if (q.customerId !== undefined && q.customerId !== principal.customerId && !principal.isAdmin) {
      return forbidden(req, 'Only admins can list other customers\' orders.');
    }
    const customerId = principal.isAdmin ? q.customerId : principal.customerId;
    const filter = JSON.stringify([customerId ?? null, q.status ?? null]);
    let after;
    if (q.cursor !== undefined) {
      after = decodeCursor(q.cursor, filter);
      if (after === 'invalid' || after === 'wrong-filter') {
        return problemResponse(req, {
          status: 400,
          type: 'invalid-cursor',
          title: 'Invalid cursor',
          detail: after === 'invalid' ? 'The cursor is not one this API issued.' : 'The cursor belongs to a listing with other filters; keep status and customerId unchanged while paging.',
          errors: [{ pointer: '/cursor', detail: 'invalid cursor' }],
        });
      }
    }
    const page = await getServices().orders.list({ customerId, status: q.status, limit: q.limit, after });
    const nextCursor = page.next ? encodeCursor(page.next, filter) : null;
    const link = (cursor?: string) => {
      const u = new URLSearchParams();
      if (q.status) u.set('status', q.status);
      if (q.customerId) u.set('customerId', q.customerId);
      u.set('limit', String(q.limit));
      if (cursor) u.set('cursor', cursor);
      return `/api/v1/orders?${u.toString()}`;
    };
    return jsonResponse(req, 200, {
      items: page.items.map((v) => presentOrderSummary(v.value)),
      nextCursor,
      links: { self: link(q.cursor), next: nextCursor ? link(nextCursor) : null },
    }, { 'cache-control': 'private, no-cache', ...g.headers });
  }),
});

df.app.client.http('cancelOrder', {
  route: 'v1/orders/{id}/cancel',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const g = await guard(req);
    if (!g.ok) return g.response;
    const id = req.params.id;
    // The body is optional: an empty POST cancels without a reason.
    let reason = 'cancelled by the customer';
    if (req.headers.get('content-length') !== '0' && (req.headers.get('content-type') !== null || req.headers.get('transfer-encoding') !== null)) {
      const body = await readJson(req, cancelRequestSchema);
      if (!body.ok) return problemResponse(req, body.problem);
      reason = body.value.reason ?? reason;
    }
    const ifMatch = req.headers.get('if-match');
    const result = await cancelOrder(
      { orders: getServices().orders, workflow: new DurableOrderWorkflow(client, settings().PAYMENT_APPROVAL_TIMEOUT_SECONDS) },
      { load: () => orderForCaller(g.principal, id), ifMatch: ifMatch === null ? undefined : (etag) => ifMatchPasses(ifMatch, etag), reason, at: new Date().toISOString() },
    );
    switch (result.kind) {
      case 'not-found':
        return notFound(req, id);
      case 'precondition-failed':
        return problemResponse(req, { status: 412, type: 'precondition-failed', title: 'The order has changed', detail: 'The order is no longer the version named in If-Match. Fetch it again and decide anew.' }, { etag: httpEtag(result.etag) });
      case 'not-cancellable':
        return problemResponse(req, { status: 409, type: 'order-not-cancellable', title: 'The order can no longer be cancelled', detail: `The order is ${result.status}; orders can be cancelled until fulfilment starts.`, orderStatus: result.status });
      case 'cancelled':
        return jsonResponse(req, 200, presentOrder(result.order.value), { etag: httpEtag(result.order.etag), ...g.headers });
    }
  }),
});
