// Refunds a shipped or delivered order, in part or in full, on an admin's request. The refund is
// planned from the invoice and recorded on the order (optimistic concurrency, so two requests
// cannot both take the same units); the refund saga then moves the money and issues the credit
// note. Repeating a request (the same refund id) only makes sure its saga runs.
import { disputeOpen, underDispute } from '../domain/order';
import type { Order } from '../domain/order';
import type { OrderStatus } from '../domain/order-status';
import { planRefund, refundableStatuses } from '../domain/refund';
import type { Refund } from '../domain/order';
import type { RefundProblem, RefundRequest } from '../domain/refund';
import type { OrderStore, OrderWorkflow, Versioned } from './ports';

export type RequestRefundResult =
  | { kind: 'requested'; order: Versioned<Order>; refund: Refund }
  | { kind: 'not-found' }
  | { kind: 'not-refundable'; status: OrderStatus; detail: string }
  | { kind: 'invalid'; problems: RefundProblem[] }
  /** A PayPal dispute on the capture is open: PayPal's decision may refund the buyer, so a refund now could pay twice. */
  | { kind: 'disputed'; disputeIds: string[] }
  /** Others kept changing the order (refunds being recorded, the refund sagas): nothing recorded; try again shortly. */
  | { kind: 'busy' };

const maxAttempts = 8;
/** Between attempts: 10, 20, 40 … ms with jitter, so racing writers fall out of step. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** (attempt - 1)) * (0.5 + Math.random())));

export async function requestRefund(
  deps: { orders: OrderStore; workflow: OrderWorkflow },
  req: { load: () => Promise<Versioned<Order> | undefined>; refundId: string; request: RefundRequest; by: string; at: string },
): Promise<RequestRefundResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await req.load();
    if (!current) return { kind: 'not-found' };
    const order = current.value;
    const earlier = order.refunds?.find((r) => r.id === req.refundId);
    if (earlier) {
      await deps.workflow.startRefund(order, earlier.id);
      return { kind: 'requested', order: current, refund: earlier };
    }
    if (!refundableStatuses.has(order.status)) {
      return { kind: 'not-refundable', status: order.status, detail: `The order is ${order.status}. Refunds are for shipped or delivered orders; cancel an order that has not shipped.` };
    }
    if (!order.charge?.captureId) return { kind: 'not-refundable', status: order.status, detail: 'Nothing was captured for this order.' };
    if (underDispute(order)) return { kind: 'disputed', disputeIds: (order.disputes ?? []).filter(disputeOpen).map((d) => d.disputeId) };
    const plan = planRefund(order, req.request);
    if (!plan.ok) return { kind: 'invalid', problems: plan.problems };
    const restock = req.request.items.filter((i) => i.restock).map((i) => ({ sku: i.sku, quantity: i.quantity }));
    const refund: Refund = { id: req.refundId, status: 'requested', lines: plan.lines, amount: plan.amount, reason: req.request.reason, requestedAt: req.at, requestedBy: req.by, ...(restock.length > 0 ? { restock } : {}) };
    const written = await deps.orders.replace({ ...order, refunds: [...(order.refunds ?? []), refund], updatedAt: req.at }, current.etag);
    if (written === 'not-found') return { kind: 'not-found' };
    if (written !== 'precondition-failed') {
      await deps.workflow.startRefund(written.value, refund.id);
      return { kind: 'requested', order: written, refund };
    }
    if (attempt >= maxAttempts) return { kind: 'busy' };
    await backoff(attempt);
  }
}
