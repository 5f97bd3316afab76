// The order's lifecycle as an explicit state machine: every status change goes through
// `transition`, which rejects anything the table does not allow.

export const orderStatuses = [
  'received', // accepted and priced; the saga has started
  'reserved', // stock reserved
  'invoiced', // invoice number issued
  'awaiting-payment', // waiting for the buyer to approve the PayPal payment
  'authorized', // PayPal authorized the amount; nothing captured yet
  'payment-on-hold', // PayPal refuses our credentials (our fault, not the buyer's): the payment step is retried; nothing captured; cancellable
  'payment-pending', // PayPal accepted the capture but holds the money (review, eCheck): not paid, not shipped
  'paid', // payment captured
  'packing', // handed to fulfilment: the shipment is being booked, no longer cancellable
  'on-hold', // the carrier refuses our credentials (our fault, not the order's): retried, never refunded automatically; cancellable
  'shipped', // handed to the carrier, tracking number known
  'delivered', // carrier confirmed delivery
  'cancelled', // cancelled before shipment; nothing charged, or the charge voided/refunded
  'payment-failed', // declined, or approval timed out
  'payment-expired', // the authorization expired (29 days) before it could be captured: nothing charged
  'refunded', // charged, then refunded (e.g. carrier failure after payment)
  'refund-pending', // charged, and a refund is owed that PayPal has not accepted yet: retried, then left for an operator
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const orderEvents = [
  'stock-reserved', 'invoice-issued', 'approval-requested', 'payment-authorized', 'capture-pending', 'payment-captured', 'payment-declined',
  'approval-timed-out', 'fulfilment-started', 'shipment-created', 'delivery-confirmed', 'cancel', 'refund-completed', 'stock-unavailable',
  'shipment-held', 'refund-failed', 'payment-held', 'authorization-expired',
] as const;
export type OrderEvent = (typeof orderEvents)[number];

const table: Record<OrderStatus, Partial<Record<OrderEvent, OrderStatus>>> = {
  // Orders the buyer still has to approve reserve their stock only once approved, so unpaid
  // orders hold no units: they go straight to their invoice.
  received: { 'stock-reserved': 'reserved', 'invoice-issued': 'invoiced', 'stock-unavailable': 'cancelled', cancel: 'cancelled' },
  reserved: { 'invoice-issued': 'invoiced', 'payment-authorized': 'authorized', 'payment-declined': 'payment-failed', 'payment-held': 'payment-on-hold', cancel: 'cancelled' },
  invoiced: { 'approval-requested': 'awaiting-payment', 'payment-authorized': 'authorized', 'payment-declined': 'payment-failed', 'payment-held': 'payment-on-hold', cancel: 'cancelled' },
  'awaiting-payment': { 'stock-reserved': 'reserved', 'stock-unavailable': 'cancelled', 'payment-authorized': 'authorized', 'payment-declined': 'payment-failed', 'approval-timed-out': 'payment-failed', cancel: 'cancelled' },
  authorized: { 'payment-captured': 'paid', 'capture-pending': 'payment-pending', 'payment-declined': 'payment-failed', 'payment-held': 'payment-on-hold', 'authorization-expired': 'payment-expired', cancel: 'cancelled' },
  // PayPal refuses our credentials: the step that met it (create, authorize or capture) is retried
  // and the order goes on from there; an authorization held past its 29 days expires.
  'payment-on-hold': {
    'approval-requested': 'awaiting-payment', 'payment-authorized': 'authorized', 'payment-captured': 'paid', 'capture-pending': 'payment-pending',
    'payment-declined': 'payment-failed', 'authorization-expired': 'payment-expired', cancel: 'cancelled',
  },
  // Nothing ships until PayPal completes the capture; a cancel is refunded once the money is in.
  'payment-pending': { 'payment-captured': 'paid', 'payment-declined': 'payment-failed', cancel: 'cancelled' },
  // Capture happens right before fulfilment; cancelling a paid order refunds it.
  paid: { 'fulfilment-started': 'packing', 'refund-completed': 'refunded', cancel: 'cancelled' },
  // The carrier refused the shipment after payment: the saga refunds. A carrier that refuses our
  // credentials puts the order on hold instead: that is for an operator to fix, not a reason to
  // refund; the customer may still cancel (and is refunded).
  packing: { 'shipment-created': 'shipped', 'refund-completed': 'refunded', 'refund-failed': 'refund-pending', 'shipment-held': 'on-hold' },
  'on-hold': { 'shipment-created': 'shipped', 'refund-completed': 'refunded', 'refund-failed': 'refund-pending', cancel: 'cancelled' },
  shipped: { 'delivery-confirmed': 'delivered' },
  delivered: {},
  // A refund PayPal did not accept leaves a cancelled or failed order owing money: refund-pending
  // until it goes through.
  cancelled: { 'refund-failed': 'refund-pending' },
  'payment-failed': { 'refund-failed': 'refund-pending' },
  'payment-expired': {},
  refunded: {},
  'refund-pending': { 'refund-completed': 'refunded' },
};

export const terminalOrderStatuses: ReadonlySet<OrderStatus> = new Set(orderStatuses.filter((s) => Object.keys(table[s]).length === 0));

export class IllegalTransitionError extends Error {
  constructor(readonly from: OrderStatus, readonly event: OrderEvent) {
    super(`An order that is ${from} cannot take '${event}'.`);
  }
}

export function transition(from: OrderStatus, event: OrderEvent): OrderStatus {
  const to = table[from][event];
  if (!to) throw new IllegalTransitionError(from, event);
  return to;
}

export function canTransition(from: OrderStatus, event: OrderEvent): boolean {
  return table[from][event] !== undefined;
}

/** A customer may cancel until the order is handed to fulfilment, and while it is on hold. */
export const isCancellable = (status: OrderStatus): boolean => canTransition(status, 'cancel');
