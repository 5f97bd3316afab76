import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { canTransition, IllegalTransitionError, isCancellable, OrderEvent, orderEvents, orderStatuses, OrderStatus, terminalOrderStatuses, transition } from '../../domain/order-status';

const events: OrderEvent[] = [...orderEvents];

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

test('cancellation is possible until fulfilment starts, and while the payment or the shipment is on hold', () => {
  expect(orderStatuses.filter(isCancellable)).toEqual(['received', 'reserved', 'invoiced', 'awaiting-payment', 'authorized', 'payment-on-hold', 'payment-pending', 'paid', 'on-hold']);
  expect([...terminalOrderStatuses].sort()).toEqual(['delivered', 'payment-expired', 'refunded']);
});

test('an order awaiting the buyer reserves its stock once approved, or is cancelled when it is gone', () => {
  expect(transition('received', 'invoice-issued')).toBe('invoiced');
  expect(transition('awaiting-payment', 'stock-reserved')).toBe('reserved');
  expect(transition('reserved', 'payment-authorized')).toBe('authorized');
  expect(transition('awaiting-payment', 'stock-unavailable')).toBe('cancelled');
});

test('PayPal refusing our credentials holds the payment step; the order goes on from there, or its authorization expires', () => {
  for (const from of ['invoiced', 'reserved', 'authorized'] as const) expect(transition(from, 'payment-held')).toBe('payment-on-hold');
  expect(transition('payment-on-hold', 'approval-requested')).toBe('awaiting-payment');
  expect(transition('payment-on-hold', 'payment-authorized')).toBe('authorized');
  expect(transition('payment-on-hold', 'payment-captured')).toBe('paid');
  expect(transition('payment-on-hold', 'authorization-expired')).toBe('payment-expired');
  expect(transition('authorized', 'authorization-expired')).toBe('payment-expired');
  // Nothing ships from a payment hold, and an expired authorization charged nothing.
  expect(canTransition('payment-on-hold', 'fulfilment-started')).toBe(false);
  expect(canTransition('payment-expired', 'refund-failed')).toBe(false);
});

test('a capture PayPal holds (pending) is neither paid nor shippable until it completes; a denial fails the payment', () => {
  expect(transition('authorized', 'capture-pending')).toBe('payment-pending');
  expect(transition('payment-pending', 'payment-captured')).toBe('paid');
  expect(transition('payment-pending', 'payment-declined')).toBe('payment-failed');
  expect(canTransition('payment-pending', 'fulfilment-started')).toBe(false);
  expect(canTransition('payment-pending', 'shipment-created')).toBe(false);
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

test('the state diagram in docs/architecture.md shows exactly the transitions of the table', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'architecture.md'), 'utf8');
  const diagram = /```mermaid\nstateDiagram-v2\n([\s\S]*?)```/.exec(doc)![1];
  const state = (alias: string) => alias.replace(/_/g, '-');
  const drawn = [...diagram.matchAll(/^\s*([\w]+) --> ([\w]+) : ([\w-]+)$/gm)].map(([, from, to, e]) => `${state(from)} -${e}-> ${state(to)}`).sort();
  const table = orderStatuses.flatMap((from) => events.filter((e) => canTransition(from, e)).map((e) => `${from} -${e}-> ${transition(from, e)}`)).sort();
  expect(drawn).toEqual(table);
  const ends = [...diagram.matchAll(/^\s*([\w]+) --> \[\*\]$/gm)].map(([, s]) => state(s)).sort();
  expect(ends).toEqual(expect.arrayContaining([...terminalOrderStatuses].sort()));
});
