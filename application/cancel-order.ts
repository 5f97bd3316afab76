// Cancels an order on the customer's request. The status change is an optimistic-concurrency
// write that races the saga's own writes fairly: whichever lands first wins, the other re-reads.
// Refunds, voids and stock release are the saga's job once it hears of the cancellation.
import { applyEvent } from '../domain/order';
import type { Order } from '../domain/order';
import { isCancellable } from '../domain/order-status';
import type { OrderStatus } from '../domain/order-status';
import type { OrderStore, OrderWorkflow, Versioned } from './ports';

export type CancelOrderResult =
  | { kind: 'cancelled'; order: Versioned<Order> }
  | { kind: 'not-found' }
  | { kind: 'precondition-failed'; etag: string }
  | { kind: 'not-cancellable'; status: OrderStatus };

export interface CancelOrderRequest {
  load: () => Promise<Versioned<Order> | undefined>;
  /** The client's If-Match: cancel only if the current version passes this check. */
  ifMatch?: (etag: string) => boolean;
  reason: string;
  at: string;
}

const maxAttempts = 5;

export async function cancelOrder(deps: { orders: OrderStore; workflow: OrderWorkflow }, req: CancelOrderRequest): Promise<CancelOrderResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await req.load();
    if (!current) return { kind: 'not-found' };
    if (req.ifMatch && !req.ifMatch(current.etag)) return { kind: 'precondition-failed', etag: current.etag };
    if (current.value.status === 'cancelled') {
      // Repeating a cancel is not an error; re-notifying covers a notification lost to a crash.
      await deps.workflow.notifyCancelled(current.value);
      return { kind: 'cancelled', order: current };
    }
    if (!isCancellable(current.value.status)) return { kind: 'not-cancellable', status: current.value.status };
    const next = { ...applyEvent(current.value, 'cancel', req.at), cancellationReason: req.reason };
    const written = await deps.orders.replace(next, current.etag);
    if (written === 'not-found') return { kind: 'not-found' };
    if (written !== 'precondition-failed') {
      await deps.workflow.notifyCancelled(written.value);
      return { kind: 'cancelled', order: written };
    }
    if (attempt >= maxAttempts) throw new Error(`order ${current.value.id} kept changing while being cancelled`);
  }
}
