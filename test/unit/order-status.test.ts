import fc from 'fast-check';
import { canTransition, IllegalTransitionError, isCancellable, OrderEvent, orderStatuses, OrderStatus, terminalOrderStatuses, transition } from '../../domain/order-status';

const events: OrderEvent[] = ['stock-reserved', 'invoice-issued', 'approval-requested', 'payment-authorized', 'payment-captured', 'payment-declined', 'approval-timed-out', 'fulfilment-started', 'shipment-created', 'delivery-confirmed', 'cancel', 'refund-completed', 'stock-unavailable', 'shipment-held', 'refund-failed'];

test('the happy paths, vaulted and with buyer approval', () => {
  const vaulted: OrderEvent[] = ['stock-reserved', 'invoice-issued', 'payment-authorized', 'payment-captured', 'fulfilment-started', 'shipment-created', 'delivery-confirmed'];
  expect(vaulted.reduce<OrderStatus>(transition, 'received')).toBe('delivered');
  const approved: OrderEvent[] = ['stock-reserved', 'invoice-issued', 'approval-requested', 'payment-authorized', 'payment-captured', 'fulfilment-started', 'shipment-created'];
  expect(approved.reduce<OrderStatus>(transition, 'received')).toBe('shipped');
});

test('illegal transitions are rejected with a clear error', () => {
  expect(() => transition('received', 'shipment-created')).toThrow(new IllegalTransitionError('received', 'shipment-created'));
  expect(() => transition('shipped', 'cancel')).toThrow("An order that is shipped cannot take 'cancel'.");
  expect(() => transition('cancelled', 'payment-captured')).toThrow(IllegalTransitionError);
});

test('nothing unpaid can be shipped: every path to shipped captured the payment first', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom(...events), { maxLength: 30 }), (seq) => {
    let s: OrderStatus = 'received';
    let captured = false;
    for (const e of seq) {
      if (!canTransition(s, e)) continue;
      s = transition(s, e);
      if (e === 'payment-captured') captured = true;
      if (s === 'shipped') expect(captured).toBe(true);
    }
  }));
});

test('cancellation is possible until fulfilment starts, and while the shipment is on hold', () => {
  expect(orderStatuses.filter(isCancellable)).toEqual(['received', 'reserved', 'invoiced', 'awaiting-payment', 'authorized', 'paid', 'on-hold']);
  expect([...terminalOrderStatuses].sort()).toEqual(['delivered', 'refunded']);
});

test('a refund PayPal refuses leaves the order refund-pending until it goes through', () => {
  for (const from of ['packing', 'on-hold', 'cancelled', 'payment-failed'] as const) {
    expect(transition(from, 'refund-failed')).toBe('refund-pending');
  }
  expect(transition('refund-pending', 'refund-completed')).toBe('refunded');
  // Owing money is not cancellable and cannot ship.
  expect(isCancellable('refund-pending')).toBe(false);
  expect(canTransition('refund-pending', 'shipment-created')).toBe(false);
});

test('a carrier credential failure holds the order: it ships, is refunded by a carrier refusal, or is cancelled', () => {
  expect(transition('packing', 'shipment-held')).toBe('on-hold');
  expect(transition('on-hold', 'shipment-created')).toBe('shipped');
  expect(transition('on-hold', 'refund-completed')).toBe('refunded');
  expect(transition('on-hold', 'cancel')).toBe('cancelled');
  expect(canTransition('paid', 'shipment-held')).toBe(false);
});

test('any sequence of events either follows the table or throws, and terminal states are final', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom(...events), { maxLength: 30 }), (seq) => {
    let s: OrderStatus = 'received';
    for (const e of seq) {
      if (canTransition(s, e)) {
        const next = transition(s, e);
        expect(orderStatuses).toContain(next);
        s = next;
      } else {
        expect(() => transition(s, e)).toThrow(IllegalTransitionError);
      }
    }
    if (terminalOrderStatuses.has(s)) events.forEach((e) => expect(canTransition(s, e)).toBe(false));
  }));
});
