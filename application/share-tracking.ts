// Tells PayPal how the order shipped: the tracking number on the PayPal order's capture. PayPal
// bases Seller Protection on it and settles "item not received" claims with it, so it goes out
// right after the label is booked. Idempotent: the tracker already on the PayPal order is taken.
import type { Order } from '../domain/order';
import type { OrderStore, PaymentFailure, PaymentGateway } from './ports';
import { knownOrder, mustLoad, updateShipment } from './saga-steps';

export type TrackingShared =
  | { ok: true; trackerId: string }
  /** Nothing to tell PayPal (no capture or no shipment), or PayPal refused the tracking for good (recorded on the order). */
  | { ok: false; reason: string };

/** What PayPal is sent for the order's shipment: its capture, the tracking number and the items with their SKUs. */
export function trackingRequest(order: Order): Parameters<PaymentGateway['addTracking']>[0] | undefined {
  const c = order.charge;
  const s = order.shipment;
  if (!c?.captureId || !s) return undefined;
  return {
    providerOrderId: c.providerOrderId,
    captureId: c.captureId,
    trackingNumber: s.trackingNumber,
    carrier: s.carrier,
    notifyPayer: true,
    items: order.quote.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity })),
  };
}

/**
 * Adds the tracker and records it on the order's shipment. PayPal trouble (unavailable, our
 * credentials refused) is thrown for the activity's retries; a refusal is recorded and answered.
 */
export async function shareTracking(deps: { orders: OrderStore; payments: PaymentGateway }, a: { orderId: string; customerId: string; at: string }): Promise<TrackingShared> {
  let order = await knownOrder(deps.orders, a.orderId, a.customerId);
  // What this process remembers may predate the shipment: then the stored order decides.
  if (!order.shipment || !order.charge?.captureId) order = (await mustLoad(deps.orders, a.orderId, a.customerId)).value;
  if (order.shipment?.payPalTracker) return { ok: true, trackerId: order.shipment.payPalTracker.id };
  const req = trackingRequest(order);
  if (!req) return { ok: false, reason: 'no captured payment or no shipment to track' };
  const r = await deps.payments.addTracking(req);
  if (!r.ok) {
    if (retryable(r.failure)) throw new Error(`PayPal did not take tracking ${req.trackingNumber}: ${r.failure.reason}`);
    await updateShipment(deps.orders, a, { payPalTrackerFailure: r.failure.reason });
    return { ok: false, reason: r.failure.reason };
  }
  await updateShipment(deps.orders, a, { payPalTracker: { id: r.tracker.id, status: r.tracker.status, carrier: req.carrier, at: a.at } });
  return { ok: true, trackerId: r.tracker.id };
}

const retryable = (f: PaymentFailure): boolean => f.kind === 'unavailable' || f.kind === 'unauthorized';
