// Books the order's shipment with the carrier and records it on the order with the `shipped`
// email. The carrier does not deduplicate bookings, so an earlier attempt whose answer was lost
// (a timeout, a crash) is looked up by the order's reference before booking again.
import type { Order, Shipment } from '../domain/order';
import type { CarrierFailureKind, CarrierGateway, OrderStore, StageEventPublisher } from './ports';
import { knownOrder, recordStage } from './saga-steps';
import type { StageResult } from './saga-steps';

export type BookResult = { ok: true; shipment: Shipment } | { ok: false; kind: CarrierFailureKind; reason: string };

/** Finds or books the shipment. A lookup the carrier refuses is a fault of our query, never the order's: it throws. */
export async function bookShipment(carrier: CarrierGateway, o: Order, at: string): Promise<BookResult> {
  const found = await carrier.findShipment(o.id);
  if (!found.ok) {
    if (found.kind === 'refused') throw new Error(`carrier lookup refused: ${found.reason}`);
    return { ok: false, kind: found.kind, reason: found.reason };
  }
  if (found.shipment) return { ok: true, shipment: { carrier: found.shipment.carrier, trackingNumber: found.shipment.trackingNumber, trackingUrl: found.shipment.trackingUrl, shippedAt: at } };
  const a = o.shippingAddress;
  const r = await carrier.createShipment({
    orderId: o.id,
    reference: o.id,
    recipient: { name: a.name, line1: a.line1, ...(a.line2 ? { line2: a.line2 } : {}), city: a.city, postalCode: a.postalCode, country: a.country, email: o.customer.email },
    packages: [{ weightGrams: Math.max(o.quote.shipping.weightGrams, 100) }],
    declaredValue: o.quote.totals.total,
    service: o.quote.shipping.method,
  });
  if (!r.ok) return { ok: false, kind: r.kind, reason: r.reason };
  return { ok: true, shipment: { carrier: r.carrier, trackingNumber: r.trackingNumber, trackingUrl: r.trackingUrl, shippedAt: at } };
}

/**
 * Books the shipment and records the order shipped with its email. `recorded` is refused when the
 * order was cancelled while it was on hold: the label then exists and must be cancelled by hand.
 */
export async function shipOrder(
  deps: { orders: OrderStore; carrier: CarrierGateway; publisher: StageEventPublisher },
  a: { orderId: string; customerId: string; at: string },
): Promise<({ ok: true; shipment: Shipment; recorded: StageResult }) | Extract<BookResult, { ok: false }>> {
  const booked = await bookShipment(deps.carrier, await knownOrder(deps.orders, a.orderId, a.customerId), a.at);
  if (!booked.ok) return booked;
  const recorded = await recordStage(deps, { ...a, events: ['shipment-created'], patch: { shipment: booked.shipment }, email: { stage: 'shipped' } });
  return { ok: true, shipment: booked.shipment, recorded };
}
