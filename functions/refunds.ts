// Refunds after shipment (returns, damaged or lost goods): an admin names the items and quantities,
// and optionally the shipping fee; the amount comes from the invoice. Idempotent by
// Idempotency-Key per order; the refund saga moves the money and issues the credit note.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { randomBytes } from 'node:crypto';
import { requestRefund } from '../application/refund-order';
import { requestFingerprint } from '../application/request-fingerprint';
import { clientEndpoint } from './http/endpoint';
import { KeyedQueue } from './http/keyed-queue';
import { httpEtag } from './http/etag';
import { forbidden, guard } from './http/guard';
import { claimedElsewhere, idempotencyKey } from './http/idempotency-key';
import { orderPath, presentRefund, refundInvalid } from './http/presenters';
import { problemResponse, requestId } from './http/problem';
import { readJson } from './http/read-json';
import { refundRequestSchema } from './http/schemas';
import { DurableOrderWorkflow } from './wiring/durable-workflow';
import { orderForCaller } from './wiring/order-access';
import { getServices } from './wiring/services';
import { settings } from './wiring/settings';

const newRefundId = (): string => `rf_${randomBytes(9).toString('base64url')}`;
const refundQueue = new KeyedQueue();

df.app.client.http('createRefund', {
  route: 'v1/orders/{id}/refunds',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const g = await guard(req);
    if (!g.ok) return g.response;
    if (!g.principal.isAdmin) return forbidden(req, 'Refunds are made by the shop (role Orders.Admin). Customers cancel orders that have not shipped.');
    const idem = idempotencyKey(req, 'new refund');
    if (!idem.ok) return idem.response;
    const body = await readJson(req, refundRequestSchema);
    if (!body.ok) return problemResponse(req, body.problem);
    const id = req.params.id;
    const notFound = problemResponse(req, { status: 404, type: 'order-not-found', title: 'Order not found', detail: `There is no order ${id}.` });
    const order = await orderForCaller(g.principal, id);
    if (!order) return notFound;

    const services = getServices();
    const claim = await services.idempotency.claim(`refund:${id}`, idem.key, requestFingerprint(body.value), newRefundId());
    if (claim.kind === 'replay') {
      // The same request again: the answer stands, and the refund's saga runs again if it failed.
      const recorded = order.value.refunds?.find((r) => r.id === (JSON.parse(claim.response.body) as { id?: string }).id);
      if (recorded) await new DurableOrderWorkflow(client, settings().PAYMENT_APPROVAL_TIMEOUT_SECONDS).startRefund(order.value, recorded.id);
    }
    if (claim.kind !== 'owner') return claimedElsewhere(req, claim, g.headers, 'new refund');

    // One refund of an order is recorded at a time in this instance: racing requests queue here
    // instead of overwriting each other's ETag (across instances the ETag retries decide).
    const result = await refundQueue.run(id, () => requestRefund(
      { orders: services.orders, workflow: new DurableOrderWorkflow(client, settings().PAYMENT_APPROVAL_TIMEOUT_SECONDS) },
      { load: () => orderForCaller(g.principal, id), refundId: claim.resourceId, request: body.value, by: g.principal.customerId, at: new Date().toISOString() },
    ));
    if (result.kind !== 'requested') {
      // Nothing was recorded: the key is free for a corrected request, or the same one again.
      await services.idempotency.release(claim.token);
      if (result.kind === 'not-found') return notFound;
      if (result.kind === 'invalid') return problemResponse(req, refundInvalid(result.problems));
      if (result.kind === 'disputed') {
        return problemResponse(req, { status: 409, type: 'order-disputed', title: 'The payment is disputed', detail: `PayPal dispute ${result.disputeIds.join(', ')} is open on this order's capture: a refund now and a claim PayPal decides for the buyer would pay twice. Accept the claim (POST /api/v1/disputes/{id}/accept) or wait for PayPal's decision.` });
      }
      if (result.kind === 'busy') {
        return problemResponse(req, { status: 409, type: 'refund-in-progress', title: 'Another refund is being recorded', detail: 'The order changed under this request several times; nothing was recorded. Send the same request again.' }, { 'retry-after': '1' });
      }
      return problemResponse(req, { status: 409, type: 'order-not-refundable', title: 'The order cannot be refunded', detail: result.detail });
    }
    const headers = { 'content-type': 'application/json', location: orderPath(id), etag: httpEtag(result.order.etag) };
    const responseBody = JSON.stringify(presentRefund(result.refund));
    await services.idempotency.complete(claim.token, { status: 202, headers, body: responseBody });
    return { status: 202, headers: { ...headers, ...g.headers, 'x-request-id': requestId(req) }, body: responseBody };
  }),
});
