// Inbound notifications: PayPal (buyer approved), the buyer's return from PayPal, and carrier
// tracking. Each is verified, then turned into an event for the order's saga. Duplicates and
// races are harmless: the saga waits for the first PaymentApproved and authorizes/captures with
// fixed PayPal-Request-Ids, so a webhook racing the return URL can never charge twice.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { verifyPayPalWebhook } from '../adapters/paypal/webhook-verifier';
import { carrierTrackingEventSchema, verifyCarrierWebhook } from '../adapters/carrier/dhl-carrier-gateway';
import { clientEndpoint } from './http/endpoint';
import { orderIdSchema } from './http/schemas';
import { problemResponse } from './http/problem';
import { captureSettledEvent, deliveredEvent, paymentApprovedEvent, raiseUnlessFinished } from './wiring/durable-workflow';
import { getServices } from './wiring/services';
import { carrierWebhookSecrets, settings } from './wiring/settings';

const payPalOrigins = ['https://api.paypal.com', 'https://api.sandbox.paypal.com'];
const maxWebhookBytes = 256 * 1024;

/** How a pending capture settles; the same events for captures that never were pending are ignored. */
const captureSettled = new Set(['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.DENIED', 'PAYMENT.CAPTURE.DECLINED']);

/** The body exactly as sent (signatures cover the bytes), or the 413 answer. */
async function rawBody(req: HttpRequest): Promise<Buffer | HttpResponseInit> {
  const raw = Buffer.from(await req.arrayBuffer());
  return raw.length > maxWebhookBytes ? problemResponse(req, { status: 413, type: 'payload-too-large', title: 'Request body too large' }) : raw;
}

const payPalEventSchema = z.object({
  id: z.string(),
  event_type: z.string(),
  // Orders carry our order id as the purchase unit's reference_id, captures as custom_id.
  resource: z.object({ id: z.string().optional(), custom_id: z.string().optional(), purchase_units: z.array(z.object({ reference_id: z.string().optional() })).optional() }).passthrough(),
});

df.app.client.http('paypalWebhook', {
  route: 'v1/webhooks/paypal',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient, context): Promise<HttpResponseInit> => {
    const raw = await rawBody(req);
    if (!Buffer.isBuffer(raw)) return raw;
    const s = settings();
    const allowed = [...payPalOrigins, ...(s.PAYPAL_CERT_ORIGINS ? s.PAYPAL_CERT_ORIGINS.split(',').map((o) => o.trim()) : [])];
    const valid = await verifyPayPalWebhook({ headers: Object.fromEntries(req.headers.entries()), rawBody: raw, webhookId: s.PAYPAL_WEBHOOK_ID, allowedCertOrigins: allowed });
    if (!valid) return problemResponse(req, { status: 401, type: 'invalid-signature', title: 'Webhook signature not valid' });
    const parsed = payPalEventSchema.safeParse(JSON.parse(raw.toString('utf8')));
    if (!parsed.success) return problemResponse(req, { status: 400, type: 'validation-failed', title: 'Not a PayPal webhook event' });
    const e = parsed.data;
    const orderId = e.resource.purchase_units?.[0]?.reference_id ?? e.resource.custom_id;
    context.log(`PayPal webhook ${e.event_type} ${e.id} for ${orderId ?? 'an unknown order'}`);
    if (e.event_type === 'CHECKOUT.ORDER.APPROVED' && orderId) await raiseUnlessFinished(client, orderId, paymentApprovedEvent, { providerOrderId: e.resource.id, via: 'webhook' });
    if (captureSettled.has(e.event_type) && orderId && orderIdSchema.safeParse(orderId).success) {
      // Only a saga waiting on a pending capture (cancelled meanwhile or not) listens; it then
      // asks PayPal itself: this is a hint.
      const order = await getServices().orders.find(orderId);
      if (order?.value.charge?.capturePending) await raiseUnlessFinished(client, orderId, captureSettledEvent, { captureId: e.resource.id, eventType: e.event_type });
    }
    return { status: 200 };
  }),
});

const page = (title: string, text: string, orderId: string): HttpResponseInit => ({
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  body: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${title}</h1><p>${text}</p><p>Order <code>${orderId.replace(/[^\w-]/g, '')}</code></p></body></html>`,
});

df.app.client.http('paypalReturn', {
  route: 'v1/payments/paypal/return',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const orderId = req.query.get('orderId') ?? '';
    const token = req.query.get('token') ?? '';
    // Only the buyer (redirected by PayPal) knows the PayPal order id of this order.
    const found = orderIdSchema.safeParse(orderId).success ? await getServices().orders.find(orderId) : undefined;
    if (!found || !token || found.value.charge?.providerOrderId !== token) {
      return problemResponse(req, { status: 404, type: 'order-not-found', title: 'Order not found', detail: 'This payment return link does not match an order.' });
    }
    if (req.query.get('cancelled') === 'true') return page('Payment not completed', 'You left PayPal without approving. You can approve later from the link in your email, or cancel the order.', orderId);
    await raiseUnlessFinished(client, orderId, paymentApprovedEvent, { providerOrderId: token, via: 'return-url' });
    return page('Thank you', 'Your payment is approved. We will email you when your order ships.', orderId);
  }),
});

df.app.client.http('carrierWebhook', {
  route: 'v1/webhooks/carrier',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient, context): Promise<HttpResponseInit> => {
    const raw = await rawBody(req);
    if (!Buffer.isBuffer(raw)) return raw;
    // During a rotation the previous secret is accepted too, so no push is dropped (docs/architecture.md §6).
    if (!verifyCarrierWebhook(raw.toString('utf8'), req.headers.get('x-dhl-signature'), carrierWebhookSecrets(settings()))) {
      return problemResponse(req, { status: 401, type: 'invalid-signature', title: 'Webhook signature not valid' });
    }
    const parsed = carrierTrackingEventSchema.safeParse(JSON.parse(raw.toString('utf8')));
    if (!parsed.success) return problemResponse(req, { status: 400, type: 'validation-failed', title: 'Not a tracking event' });
    const e = parsed.data;
    context.log(`tracking ${e.shipmentTrackingNumber} ${e.event.typeCode} for ${e.reference}`);
    if (e.event.typeCode === 'OK') await raiseUnlessFinished(client, e.reference, deliveredEvent, { trackingNumber: e.shipmentTrackingNumber, at: e.event.timestamp });
    return { status: 200 };
  }),
});
