// Reads a dispute from PayPal (the source of truth: webhooks are partial and may come out of
// order), matches it to our order by the disputed capture, and records what PayPal says on the
// shop's dispute record and on the order. PayPal trouble throws, for the caller's retries.
import type { Dispute } from '../domain/dispute';
import type { Order } from '../domain/order';
import type { DisputeGateway, PayPalDispute } from './dispute-ports';
import type { DisputeStore, OrderStore, Versioned } from './ports';
import { recordOnOrder, upsertDispute } from './dispute-records';

export interface DisputeDeps {
  disputes: DisputeStore;
  gateway: DisputeGateway;
  orders: OrderStore;
}

export type Synced =
  | { ok: true; dispute: Dispute }
  /** PayPal does not know it (a forged or foreign webhook): nothing to do. */
  | { ok: false; reason: string };

/** Our order for the disputed capture: by the order id PayPal carries in `custom` (our custom_id), else by the capture id. */
export async function correlate(orders: OrderStore, p: PayPalDispute): Promise<Order | undefined> {
  for (const t of p.transactions) {
    if (t.custom) {
      const byId = await orders.find(t.custom);
      if (byId && byId.value.charge?.captureId === t.captureId) return byId.value;
    }
    const byCapture: Versioned<Order> | undefined = await orders.findByCapture(t.captureId);
    if (byCapture) return byCapture.value;
  }
  return undefined;
}

export async function syncDispute(deps: DisputeDeps, a: { disputeId: string; at: string; event?: { id: string; type: string } }): Promise<Synced> {
  const r = await deps.gateway.get(a.disputeId);
  if (!r.ok) {
    if (r.kind === 'not-found') return { ok: false, reason: `PayPal knows no dispute ${a.disputeId}` };
    throw new Error(`PayPal did not answer for dispute ${a.disputeId}: ${r.kind} ${r.issue ?? ''} ${r.message}`.trim());
  }
  const p = r.dispute;
  const order = await correlate(deps.orders, p);
  const facts = {
    ...(order ? { orderId: order.id, customerId: order.customer.id } : {}),
    captureIds: p.transactions.map((t) => t.captureId),
    reason: p.reason,
    stage: p.stage,
    status: p.status,
    channel: p.channel,
    amount: p.amount,
    ...(p.sellerResponseDueDate ? { dueAt: p.sellerResponseDueDate } : {}),
    allowed: [...p.allowed],
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    ...(p.moneyMovements.length > 0 ? { moneyMovements: p.moneyMovements.map((m) => ({ party: m.affectedParty, type: m.type, amount: m.amount, ...(m.reason ? { reason: m.reason } : {}), ...(m.initiatedAt ? { at: m.initiatedAt } : {}) })) } : {}),
    ...(p.outcome && p.status === 'RESOLVED' ? { outcome: { code: p.outcome.code, at: p.updatedAt, ...(p.outcome.amountRefunded ? { amountRefunded: p.outcome.amountRefunded } : {}) } } : {}),
  };
  const seen = a.event ? [{ id: a.event.id, type: a.event.type, at: a.at }] : [];
  const fresh: Dispute = { id: p.disputeId, ...facts, receivedAt: a.at, alerts: [], events: seen };
  const dispute = await upsertDispute(deps.disputes, fresh, (d) => {
    const events = a.event && !d.events.some((e) => e.id === a.event!.id) ? [...d.events, ...seen] : d.events;
    const next: Dispute = { ...d, ...facts, orderId: facts.orderId ?? d.orderId, customerId: facts.customerId ?? d.customerId, events };
    if (!next.orderId) delete next.orderId;
    if (!next.customerId) delete next.customerId;
    return JSON.stringify(next) === JSON.stringify(d) ? undefined : next;
  });
  await recordOnOrder(deps.orders, dispute, a.at);
  return { ok: true, dispute };
}
