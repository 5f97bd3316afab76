// Orders v2 tracking driven by the real @paypal/paypal-server-sdk, as an app posts it after
// creating a shipping label: the SDK's requests must parse and its responses deserialize.
import { ApiError, CheckoutPaymentIntent, PatchOp, ShipmentCarrier } from '@paypal/paypal-server-sdk';
import { PayPalHarness } from './support/paypal-harness';

const h = new PayPalHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());

/** create (vaulted) -> authorize -> capture, all through the SDK like the app's gateway. */
async function sdkCapturedOrder(vault = 'vault-ok'): Promise<{ orderId: string; captureId: string }> {
  const { orders, payments } = h.sdk();
  const created = await orders.createOrder({
    paypalRequestId: `create-${Math.random()}`,
    body: {
      intent: CheckoutPaymentIntent.Authorize,
      purchaseUnits: [{ referenceId: 'o-1', customId: 'o-1', amount: { currencyCode: 'EUR', value: '50.00' } }],
      paymentSource: { paypal: { vaultId: vault } },
    },
  });
  const orderId = created.result.id!;
  const authorized = await orders.authorizeOrder({ id: orderId, paypalRequestId: `auth-${orderId}`, prefer: 'return=representation' });
  const authorizationId = authorized.result.purchaseUnits![0].payments!.authorizations![0].id!;
  const captured = await payments.captureAuthorizedPayment({ authorizationId, paypalRequestId: `cap-${orderId}`, prefer: 'return=representation', body: { finalCapture: true } });
  return { orderId, captureId: captured.result.id! };
}

function issueOf(err: unknown): { status: number; name?: string; issue?: string } {
  if (!(err instanceof ApiError)) throw err;
  const body = JSON.parse(String(err.body)) as { name?: string; details?: { issue: string }[] };
  return { status: err.statusCode, name: body.name, issue: body.details?.[0]?.issue };
}

test('track adds a SHIPPED tracker that GET shows, and a PATCH cancels it', async () => {
  const { orders } = h.sdk();
  const { orderId, captureId } = await sdkCapturedOrder();
  const tracked = await orders.createOrderTracking({
    id: orderId,
    body: {
      captureId,
      trackingNumber: '1234567890',
      carrier: ShipmentCarrier.Dhl,
      notifyPayer: true,
      items: [{ name: 'Mug', quantity: '2', sku: 'MUG-1', upc: { type: 'UPC-A' as never, code: '012345678905' } }],
    },
  });
  expect(tracked.statusCode).toBe(201);
  const tracker = tracked.result.purchaseUnits![0].shipping!.trackers![0];
  expect(tracker).toMatchObject({ id: `${captureId}-1234567890`, status: 'SHIPPED', items: [{ name: 'Mug', quantity: '2', sku: 'MUG-1' }] });
  expect(tracker.createTime).toMatch(/Z$/);

  const shown = await orders.getOrder({ id: orderId });
  expect(shown.result.purchaseUnits![0].shipping!.trackers).toHaveLength(1);

  const patched = await orders.updateOrderTracking({
    id: orderId,
    trackerId: tracker.id!,
    body: [
      { op: PatchOp.Replace, path: '/status', value: 'CANCELLED' },
      { op: PatchOp.Add, path: '/notify_payer', value: false },
    ],
  });
  expect(patched.statusCode).toBe(204);
  const after = await orders.getOrder({ id: orderId });
  expect(after.result.purchaseUnits![0].shipping!.trackers![0].status).toBe('CANCELLED');
  const dev = await h.dev<{ trackers: { carrier: string; notify_payer: boolean; status: string }[] }>(`/orders/${orderId}`);
  expect(dev.trackers[0]).toMatchObject({ carrier: 'DHL', notify_payer: false, status: 'CANCELLED' });

  // A cancelled tracker can be posted again (it ships again under the same id).
  const again = await orders.createOrderTracking({ id: orderId, body: { captureId, trackingNumber: '1234567890', carrier: ShipmentCarrier.Dhl } });
  expect(again.result.purchaseUnits![0].shipping!.trackers![0].status).toBe('SHIPPED');
});

test('tracking refusals: unknown order, no capture, foreign capture, duplicates, schema errors', async () => {
  const { orders } = h.sdk();
  const { orderId, captureId } = await sdkCapturedOrder();
  const other = await sdkCapturedOrder();
  const track = (id: string, body: Record<string, unknown>) => orders.createOrderTracking({ id, body: { captureId, ...body } as never }).then(() => ({ status: 201 } as ReturnType<typeof issueOf>), issueOf);

  expect(await track('NOSUCHORDER', { trackingNumber: 'X1', carrier: 'UPS' })).toEqual({ status: 404, name: 'RESOURCE_NOT_FOUND', issue: 'INVALID_RESOURCE_ID' });

  const uncaptured = await orders.createOrder({
    body: { intent: CheckoutPaymentIntent.Authorize, purchaseUnits: [{ amount: { currencyCode: 'EUR', value: '5.00' } }], paymentSource: { paypal: { vaultId: 'vault-ok' } } },
  });
  await orders.authorizeOrder({ id: uncaptured.result.id! });
  expect(await track(uncaptured.result.id!, { trackingNumber: 'X1', carrier: 'UPS' })).toEqual({ status: 422, name: 'UNPROCESSABLE_ENTITY', issue: 'ORDER_NOT_CAPTURED' });
  expect(await track(orderId, { captureId: other.captureId, trackingNumber: 'X1', carrier: 'UPS' })).toMatchObject({ status: 422, issue: 'CAPTURE_ID_NOT_FOUND' });

  expect(await track(orderId, { trackingNumber: 'T-1', carrier: 'USPS' })).toEqual({ status: 201 });
  expect(await track(orderId, { trackingNumber: 'T-1', carrier: 'USPS' })).toMatchObject({ status: 422, issue: 'TRACKER_ALREADY_EXISTS' });

  expect(await track(orderId, { trackingNumber: 'T-2', carrier: 'OTHER' })).toMatchObject({ status: 400, name: 'INVALID_REQUEST', issue: 'MISSING_REQUIRED_PARAMETER' });
  expect(await track(orderId, { trackingNumber: 'T-2', carrier: 'OTHER', carrierNameOther: 'Local Courier' })).toEqual({ status: 201 });
  expect(await track(orderId, { trackingNumber: 'T-3' })).toMatchObject({ status: 400, issue: 'MISSING_REQUIRED_PARAMETER' });
  expect(await track(orderId, { trackingNumber: 'T-4', carrier: 'dhl lowercase' })).toMatchObject({ status: 400, issue: 'INVALID_PARAMETER_VALUE' });
  expect(await track(orderId, { trackingNumber: 'T-5', carrier: 'DHL_GLOBAL_ECOMMERCE' })).toEqual({ status: 201 });

  // capture_id missing: the SDK refuses to build such a request, so raw HTTP shows PayPal's 400.
  const raw = await h.api('POST', `/v2/checkout/orders/${orderId}/track`, { tracking_number: 'T-6', carrier: 'UPS' });
  expect(raw.status).toBe(400);
  expect(raw.body).toMatchObject({ name: 'INVALID_REQUEST', details: [{ field: '/capture_id', issue: 'MISSING_REQUIRED_PARAMETER' }] });
});

test('PATCH refusals: unknown tracker, status other than CANCELLED, unsupported ops and paths', async () => {
  const { orders } = h.sdk();
  const { orderId, captureId } = await sdkCapturedOrder();
  await orders.createOrderTracking({ id: orderId, body: { captureId, trackingNumber: 'P-1', carrier: ShipmentCarrier.Fedex } });
  const trackerId = `${captureId}-P-1`;
  const patch = (id: string, body: { op: PatchOp; path: string; value?: unknown }[]) =>
    orders.updateOrderTracking({ id: orderId, trackerId: id, body }).then(() => ({ status: 204 } as ReturnType<typeof issueOf>), issueOf);

  expect(await patch('nope', [{ op: PatchOp.Replace, path: '/status', value: 'CANCELLED' }])).toMatchObject({ status: 404, name: 'RESOURCE_NOT_FOUND' });
  expect(await patch(trackerId, [{ op: PatchOp.Replace, path: '/status', value: 'DELIVERED' }])).toMatchObject({ status: 422, issue: 'INVALID_PARAMETER_VALUE' });
  expect(await patch(trackerId, [{ op: PatchOp.Remove, path: '/items' }])).toMatchObject({ status: 422, issue: 'INVALID_PATCH_OPERATION' });
  expect(await patch(trackerId, [{ op: PatchOp.Replace, path: '/tracking_number', value: 'X' }])).toMatchObject({ status: 422, issue: 'NOT_PATCHABLE' });
  expect(await patch(trackerId, [{ op: PatchOp.Replace, path: '/notify_payer' }])).toMatchObject({ status: 400, issue: 'PATCH_VALUE_REQUIRED' });
  // Nothing of a refused patch applies.
  expect(await patch(trackerId, [{ op: PatchOp.Replace, path: '/items', value: [{ name: 'Plate', quantity: '1' }] }, { op: PatchOp.Replace, path: '/status', value: 'SHIPPED' }])).toMatchObject({ status: 422 });
  const shown = await orders.getOrder({ id: orderId });
  expect(shown.result.purchaseUnits![0].shipping!.trackers![0]).toMatchObject({ status: 'SHIPPED' });
  expect(shown.result.purchaseUnits![0].shipping!.trackers![0].items).toBeUndefined();
  expect(await patch(trackerId, [{ op: PatchOp.Replace, path: '/items', value: [{ name: 'Plate', quantity: '1' }] }])).toEqual({ status: 204 });
});

test('PayPal-Request-Id: a retried track returns the first answer without a second effect', async () => {
  const { orderId, captureId } = await sdkCapturedOrder();
  const body = { capture_id: captureId, tracking_number: 'R-1', carrier: 'UPS' };
  const first = await h.api('POST', `/v2/checkout/orders/${orderId}/track`, body, { 'paypal-request-id': 'track-once' });
  const retry = await h.api('POST', `/v2/checkout/orders/${orderId}/track`, body, { 'paypal-request-id': 'track-once' });
  expect(first.status).toBe(201);
  expect(retry).toEqual(first);
  const fresh = await h.api('POST', `/v2/checkout/orders/${orderId}/track`, body, { 'paypal-request-id': 'track-twice' });
  expect(fresh.body).toMatchObject({ details: [{ issue: 'TRACKER_ALREADY_EXISTS' }] });
});

test('captures carry seller_protection; vault-no-protection makes it NOT_ELIGIBLE', async () => {
  const { payments } = h.sdk();
  const protectedOne = await sdkCapturedOrder();
  const unprotected = await sdkCapturedOrder('vault-no-protection');
  const a = await payments.getCapturedPayment({ captureId: protectedOne.captureId });
  expect(a.result.sellerProtection).toEqual({ status: 'ELIGIBLE', disputeCategories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] });
  const b = await payments.getCapturedPayment({ captureId: unprotected.captureId });
  expect(b.result.sellerProtection).toEqual({ status: 'NOT_ELIGIBLE' });
});
