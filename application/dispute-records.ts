// Writing the shop's dispute record and its summary on the order: optimistic-concurrency loops
// that re-read on a conflict, so the webhook's and the orchestration's writes never overwrite
// each other.
import type { Dispute } from '../domain/dispute';
import type { Order, OrderDispute } from '../domain/order';
import type { DisputeStore, OrderStore } from './ports';

/** Applies `change` to the stored dispute (undefined: nothing to write) and answers the result. */
export async function updateDispute(store: DisputeStore, id: string, change: (d: Dispute) => Dispute | undefined): Promise<Dispute> {
  for (;;) {
    const current = await store.get(id);
    if (!current) throw new Error(`dispute ${id} is not recorded`);
    const next = change(current.value);
    if (!next) return current.value;
    const written = await store.replace(next, current.etag);
    if (written !== 'precondition-failed') return written.value;
  }
}

/** Creates the record, or applies `change` to the one another writer created first. */
export async function upsertDispute(store: DisputeStore, fresh: Dispute, change: (d: Dispute) => Dispute | undefined): Promise<Dispute> {
  const existing = await store.get(fresh.id);
  if (!existing) {
    const created = await store.create(fresh);
    if (created !== 'exists') return created.value;
  }
  return updateDispute(store, fresh.id, change);
}

export const orderDisputeOf = (d: Dispute): OrderDispute => ({
  disputeId: d.id,
  reason: d.reason,
  stage: d.stage,
  status: d.status,
  amount: d.amount,
  ...(d.dueAt ? { dueAt: d.dueAt } : {}),
  ...(d.outcome ? { outcome: d.outcome.code } : {}),
  updatedAt: d.updatedAt,
});

/**
 * Applies `change` to the stored order (undefined: nothing to write) with its ETag, reading again
 * on a conflict, up to ten times; undefined when the order does not exist.
 */
export async function changeOrder(orders: OrderStore, ids: { orderId: string; customerId: string }, change: (o: Order) => Order | undefined, what: string): Promise<Order | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await orders.get(ids.orderId, ids.customerId);
    if (!current) return undefined;
    const next = change(current.value);
    if (!next) return current.value;
    const written = await orders.replace(next, current.etag);
    if (written !== 'precondition-failed' && written !== 'not-found') return written.value;
  }
  throw new Error(`order ${ids.orderId} kept changing while ${what}`);
}

/** Records the dispute's summary on its order (only when it changed). */
export async function recordOnOrder(orders: OrderStore, d: Dispute, at: string): Promise<Order | undefined> {
  if (!d.orderId || !d.customerId) return undefined;
  const summary = orderDisputeOf(d);
  return changeOrder(orders, { orderId: d.orderId, customerId: d.customerId }, (o) => {
    const mine = (o.disputes ?? []).find((x) => x.disputeId === d.id);
    if (mine && JSON.stringify(mine) === JSON.stringify(summary)) return undefined;
    return { ...o, disputes: [...(o.disputes ?? []).filter((x) => x.disputeId !== d.id), summary], updatedAt: at };
  }, `recording dispute ${d.id}`);
}
