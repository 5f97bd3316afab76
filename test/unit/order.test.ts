import { money } from '../../domain/money';
import { applyEvent, createOrder } from '../../domain/order';
import { IllegalTransitionError } from '../../domain/order-status';
import { priceCart, Product } from '../../domain/pricing';
import { orderRequestSchema } from '../../functions/http/schemas';

const mug: Product = { sku: 'MUG-1', name: 'Mug', unitPrice: money(1000, 'EUR'), weightGrams: 300, taxCategory: 'standard' };
const priced = priceCart({ lines: [{ sku: 'MUG-1', quantity: 1 }], country: 'DE', shippingMethod: 'standard' }, new Map([[mug.sku, mug]]), {
  currency: 'EUR', taxRates: { DE: { standard: 1900, reduced: 700, zero: 0 } }, shipping: { standard: { DE: { base: 490, perKg: 0 } }, express: {} },
  discounts: {}, maxQuantityPerLine: 99, maxLines: 50,
});
if (!priced.ok) throw new Error('fixture');

const order = createOrder({
  id: 'ord_1',
  customer: { id: 'c1', email: 'ada@example.com', name: 'Ada' },
  shippingAddress: { name: 'Ada', line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  quote: priced.quote,
  payment: { method: 'paypal', vaultId: 'v1' },
  at: '2026-11-25T10:00:00.000Z',
});

test('a new order is received, with one timeline entry', () => {
  expect(order.status).toBe('received');
  expect(order.timeline).toEqual([{ status: 'received', at: '2026-11-25T10:00:00.000Z', event: 'order-received' }]);
});

test('events move the order through the state machine and stamp the timeline, without mutating', () => {
  const reserved = applyEvent(order, 'stock-reserved', '2026-11-25T10:00:01.000Z');
  const invoiced = applyEvent(reserved, 'invoice-issued', '2026-11-25T10:00:02.000Z');
  expect(invoiced.status).toBe('invoiced');
  expect(invoiced.timeline.map((t) => t.status)).toEqual(['received', 'reserved', 'invoiced']);
  expect(invoiced.updatedAt).toBe('2026-11-25T10:00:02.000Z');
  expect(order.status).toBe('received');
  expect(() => applyEvent(order, 'shipment-created', '2026-11-25T10:00:03.000Z')).toThrow(IllegalTransitionError);
});

test('the order request schema accepts the documented body and rejects unknown or malformed fields', () => {
  const body = {
    customer: { id: 'c1', email: 'ada@example.com', name: 'Ada' },
    items: [{ sku: 'MUG-1', quantity: 2 }],
    shippingAddress: { name: 'Ada', line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    payment: { method: 'paypal', vaultId: 'v1' },
  };
  expect(orderRequestSchema.parse(body)).toMatchObject({ shippingMethod: 'standard' });
  expect(orderRequestSchema.safeParse({ ...body, total: 1 }).success).toBe(false);
  expect(orderRequestSchema.safeParse({ ...body, customer: { ...body.customer, email: 'not-an-email' } }).success).toBe(false);
  expect(orderRequestSchema.safeParse({ ...body, payment: { method: 'card' } }).success).toBe(false);
  expect(orderRequestSchema.safeParse({ ...body, items: [{ sku: 'MUG-1', quantity: 1, unitPrice: 1 }] }).success).toBe(false);
});
