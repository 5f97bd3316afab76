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

/** Records the dispute's summary on its order (only when it changed). */
export async function recordOnOrder(orders: OrderStore, d: Dispute, at: string): Promise<Order | undefined> {
  if (!d.orderId || !d.customerId) return undefined;
  const summary = orderDisputeOf(d);
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await orders.get(d.orderId, d.customerId);
    if (!current) return undefined;
    const others = (current.value.disputes ?? []).filter((x) => x.disputeId !== d.id);
    const mine = (current.value.disputes ?? []).find((x) => x.disputeId === d.id);
    if (mine && JSON.stringify(mine) === JSON.stringify(summary)) return current.value;
    const next: Order = { ...current.value, disputes: [...others, summary], updatedAt: at };
    const written = await orders.replace(next, current.etag);
    if (written !== 'precondition-failed' && written !== 'not-found') return written.value;
  }
  throw new Error(`order ${d.orderId} kept changing while recording dispute ${d.id}`);
}
