// Inbound notifications: PayPal (buyer approved), the buyer's return from PayPal, and carrier
// tracking. Each is verified, then turned into an event for the order's saga. Duplicates and
// races are harmless: the saga waits for the first PaymentApproved and authorizes/captures with
// fixed PayPal-Request-Ids, so a webhook racing the return URL can never charge twice.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { payPalCertOrigins, verifyPayPalWebhook } from '../adapters/paypal/webhook-verifier';
import { carrierTrackingEventSchema, verifyCarrierWebhook } from '../adapters/carrier/dhl-carrier-gateway';
import { clientEndpoint } from './http/endpoint';
import { limitPublic } from './http/public-guard';
import { orderIdSchema } from './http/schemas';
import { problemResponse } from './http/problem';
import { maxWebhookBytes, parseJson, readBody } from './http/read-body';
import { validationProblem } from './http/read-json';
import { captureSettledEvent, deliveredEvent, paymentApprovedEvent, raiseUnlessFinished } from './wiring/durable-workflow';
import { getServices } from './wiring/services';
import { startOrNotify } from './wiring/dispute-workflow';
import { carrierWebhookSecrets, settings } from './wiring/settings';

/** How a pending capture settles; the same events for captures that never were pending are ignored. */
const captureSettled = new Set(['PAYMENT.CAPTURE.COMPLETED', 'PAYMENT.CAPTURE.DENIED', 'PAYMENT.CAPTURE.DECLINED']);

const ourOrderId = orderIdSchema.describe('one of our order ids');
const payPalEventSchema = z.object({
  id: z.string().min(1).max(128),
  event_type: z.string().min(1).max(128),
  // Orders carry our order id as the purchase unit's reference_id, captures as custom_id.
  resource: z.object({
    id: z.string().max(128).optional(),
    custom_id: ourOrderId.optional(),
    // Disputes carry no resource id, only dispute_id.
    dispute_id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/).optional(),
    purchase_units: z.array(z.object({ reference_id: ourOrderId.optional() })).optional(),
  }).passthrough(),
});

const unsigned = (req: HttpRequest) => problemResponse(req, { status: 401, type: 'invalid-signature', title: 'Webhook signature not valid' });
const stale = (req: HttpRequest, toleranceSeconds: number) =>
  problemResponse(req, { status: 401, type: 'stale-webhook', title: 'Webhook too old or too new', detail: `Deliveries are accepted within ${toleranceSeconds} s of their signed time.` });

df.app.client.http('paypalWebhook', {
  route: 'v1/webhooks/paypal',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: clientEndpoint(async (req: HttpRequest, client: df.DurableClient, context): Promise<HttpResponseInit> => {
    const limited = limitPublic(req, 'webhook');
    if (limited) return limited;
    const raw = await readBody(req, maxWebhookBytes);
    if (!raw.ok) return problemResponse(req, raw.problem);
    const s = settings();
    const allowed = [...payPalCertOrigins[s.PAYPAL_ENVIRONMENT === 'production' ? 'production' : 'sandbox'], ...(s.PAYPAL_CERT_ORIGINS ? s.PAYPAL_CERT_ORIGINS.split(',').map((o) => o.trim()) : [])];
    const verdict = await verifyPayPalWebhook({ headers: Object.fromEntries(req.headers.entries()), rawBody: raw.bytes, webhookId: s.PAYPAL_WEBHOOK_ID, allowedCertOrigins: allowed, toleranceSeconds: s.PAYPAL_WEBHOOK_TOLERANCE_SECONDS });
    if (!verdict.ok) return verdict.reason === 'stale' ? stale(req, s.PAYPAL_WEBHOOK_TOLERANCE_SECONDS) : unsigned(req);
    const json = parseJson(raw.bytes);
    if (!json.ok) return problemResponse(req, json.problem);
    const parsed = payPalEventSchema.safeParse(json.value);
    if (!parsed.success) return problemResponse(req, { ...validationProblem(parsed.error, 'request body'), title: 'Not a PayPal webhook event of ours' });
    const e = parsed.data;

    // Only approvals, and the settling of a capture a saga waits on, concern a saga; the rest
    // (authorization created, refunds…) is acknowledged without touching the store.
    const orderId = e.resource.purchase_units?.[0]?.reference_id ?? e.resource.custom_id;
    context.log(`PayPal webhook ${e.event_type} ${e.id} for ${orderId ?? 'an unknown order'}`);
    let raise: (() => Promise<void>) | undefined;
    // A transmission is used once; a dispute event once per event id, since PayPal's redeliveries
    // of one event come as new transmissions and duplicates must not wake the dispute twice.
    let claimKey: { scope: string; key: string; fingerprint: string } = { scope: 'webhook:paypal', key: verdict.transmissionId, fingerprint: createHash('sha256').update(raw.bytes).digest('base64url') };
    if (e.event_type.startsWith('CUSTOMER.DISPUTE.')) {
      const disputeId = e.resource.dispute_id;
      if (!disputeId) return problemResponse(req, { status: 400, type: 'validation-failed', title: 'Not a PayPal dispute event', detail: 'A CUSTOMER.DISPUTE event carries resource.dispute_id.', errors: [{ pointer: '/resource/dispute_id', detail: 'required' }] });
      const event = { id: e.id, type: e.event_type };
      raise = async () => {
        await startOrNotify(client, { disputeId, event, retryDelaySeconds: s.SAGA_RETRY_DELAY_SECONDS, resyncSeconds: s.DISPUTE_RESYNC_SECONDS }, { event });
      };
      claimKey = { scope: 'webhook:paypal-event', key: e.id, fingerprint: e.id };
    } else if (e.event_type === 'CHECKOUT.ORDER.APPROVED' && orderId) {
      raise = () => raiseUnlessFinished(client, orderId, paymentApprovedEvent, { providerOrderId: e.resource.id, via: 'webhook' });
    } else if (captureSettled.has(e.event_type) && orderId) {
      // Only a saga waiting on a pending capture (cancelled meanwhile or not) listens; it then
      // asks PayPal itself: this is a hint.
      const order = await getServices().orders.find(orderId);
      if (order?.value.charge?.capturePending) raise = () => raiseUnlessFinished(client, orderId, captureSettledEvent, { captureId: e.resource.id, eventType: e.event_type });
    }
    if (!raise) return { status: 200 };

    // A transmission is used once: a replay inside the time window, or a body re-made to match
    // the signed CRC-32, finds its transmission id taken.
    const idempotency = getServices().idempotency;
    const claim = await idempotency.claim(claimKey.scope, claimKey.key, claimKey.fingerprint, e.id);
    if (claim.kind === 'replay') return { status: 200 };
    if (claim.kind === 'in-progress') return problemResponse(req, { status: 409, type: 'webhook-in-progress', title: 'This delivery is being processed' }, { 'retry-after': String(claim.retryAfterSeconds) });
    if (claim.kind === 'mismatch') return problemResponse(req, { status: 400, type: 'webhook-replayed', title: 'Transmission id already used for another body' });
    try {
      await raise();
    } catch (err) {
      // Not processed: PayPal delivers it again, and that delivery must not find the id taken.
      await idempotency.release(claim.token);
      throw err;
    }
    await idempotency.complete(claim.token, { status: 200, headers: {}, body: '' });
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
    const limited = limitPublic(req, 'api');
    if (limited) return limited;
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
    const limited = limitPublic(req, 'webhook');
    if (limited) return limited;
    const raw = await readBody(req, maxWebhookBytes);
    if (!raw.ok) return problemResponse(req, raw.problem);
    const s = settings();
    // During a rotation the previous secret is accepted too, so no push is dropped (docs/architecture.md §6).
    const verdict = verifyCarrierWebhook({
      rawBody: raw.bytes,
      signature: req.headers.get('x-dhl-signature'),
      timestamp: req.headers.get('x-dhl-timestamp'),
      secrets: carrierWebhookSecrets(s),
      nowMs: Date.now(),
      toleranceSeconds: s.CARRIER_WEBHOOK_TOLERANCE_SECONDS,
    });
    if (verdict === 'stale') return stale(req, s.CARRIER_WEBHOOK_TOLERANCE_SECONDS);
    if (verdict !== 'ok') return unsigned(req);
    const json = parseJson(raw.bytes);
    if (!json.ok) return problemResponse(req, json.problem);
    const parsed = carrierTrackingEventSchema.extend({ reference: ourOrderId }).safeParse(json.value);
    if (!parsed.success) return problemResponse(req, { ...validationProblem(parsed.error, 'request body'), title: 'Not a tracking event of ours' });
    const e = parsed.data;
    context.log(`tracking ${e.shipmentTrackingNumber} ${e.event.typeCode} for ${e.reference}`);
    await getServices().ledger.record({ kind: 'carrier-scan', orderId: e.reference, at: new Date(e.event.timestamp).toISOString(), trackingNumber: e.shipmentTrackingNumber, code: e.event.typeCode, description: e.event.description, status: e.status });
    if (e.event.typeCode === 'OK') await raiseUnlessFinished(client, e.reference, deliveredEvent, { trackingNumber: e.shipmentTrackingNumber, at: e.event.timestamp });
    return { status: 200 };
  }),
});
