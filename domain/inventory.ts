// Stock of one SKU as its Durable Entity holds it: on-hand units and the reservations of open
// orders. Operations run one at a time per SKU, so two orders can never both take the last unit.

export interface StockState {
  onHand: number;
  /** Units held per order id until the order ships (commit) or fails (release). */
  reservations: Record<string, number>;
}

export const reserved = (s: StockState): number => Object.values(s.reservations).reduce((a, b) => a + b, 0);
export const available = (s: StockState): number => s.onHand - reserved(s);

/** Holds `quantity` for the order if that many are available; repeating it changes nothing. */
export function reserve(s: StockState, orderId: string, quantity: number): { state: StockState; ok: boolean } {
  if (!Number.isInteger(quantity) || quantity <= 0) throw new Error(`quantity must be a positive integer, got ${quantity}`);
  if (s.reservations[orderId] !== undefined) return { state: s, ok: true };
  if (available(s) < quantity) return { state: s, ok: false };
  return { state: { ...s, reservations: { ...s.reservations, [orderId]: quantity } }, ok: true };
}

/** Gives the order's units back (failure or cancellation); unknown orders change nothing. */
export function release(s: StockState, orderId: string): StockState {
  if (s.reservations[orderId] === undefined) return s;
  const { [orderId]: _released, ...rest } = s.reservations;
  return { ...s, reservations: rest };
}

/** The order shipped: its units leave the warehouse. */
export function commit(s: StockState, orderId: string): StockState {
  const quantity = s.reservations[orderId];
  if (quantity === undefined) return s;
  const { [orderId]: _committed, ...rest } = s.reservations;
  return { onHand: s.onHand - quantity, reservations: rest };
}

/** Returned goods back on the shelf (a refund with restock): they can be sold again. */
export function restock(s: StockState, quantity: number): StockState {
  if (!Number.isInteger(quantity) || quantity <= 0) throw new Error(`quantity must be a positive integer, got ${quantity}`);
  return { ...s, onHand: s.onHand + quantity };
}
