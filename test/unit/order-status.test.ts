import fc from 'fast-check';
import { canTransition, IllegalTransitionError, isCancellable, OrderEvent, orderStatuses, OrderStatus, terminalOrderStatuses, transition } from '../../domain/order-status';

const events: OrderEvent[] = ['stock-reserved', 'invoice-issued', 'approval-requested', 'payment-authorized', 'payment-captured', 'payment-declined', 'approval-timed-out', 'fulfilment-started', 'shipment-created', 'delivery-confirmed', 'cancel', 'refund-completed', 'stock-unavailable'];

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

test('cancellation is possible exactly until fulfilment starts', () => {
  expect(orderStatuses.filter(isCancellable)).toEqual(['received', 'reserved', 'invoiced', 'awaiting-payment', 'authorized', 'paid']);
  expect([...terminalOrderStatuses].sort()).toEqual(['cancelled', 'delivered', 'payment-failed', 'refunded']);
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
