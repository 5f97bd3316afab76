// The saga's activities as plain functions over the ports: each is idempotent, so Durable
// Functions may run it again after a crash or a retry without a second effect.
import { applyEvent } from '../domain/order';
import type { Order, Shipment } from '../domain/order';
import { canTransition } from '../domain/order-status';
import type { OrderEvent, OrderStatus } from '../domain/order-status';
import type { EmailStage, OrderStageEvent } from '../domain/order-events';
import { buildInvoice, buildPartialCreditNote } from '../domain/invoice';
import { sum } from '../domain/money';
import type { Refund } from '../domain/order';
import type { Party } from '../domain/invoice';
import type { DocumentStore, InvoiceStore, OrderStore, StageEventPublisher, Versioned } from './ports';

/** Fields the saga records on the order besides its status. */
export type OrderPatch = Partial<Pick<Order, 'invoice' | 'creditNote' | 'charge' | 'shipment' | 'cancellationReason'>>;

export type AdvanceResult = { ok: true; order: Order } | { ok: false; status: OrderStatus };

export async function mustLoad(orders: OrderStore, orderId: string, customerId: string): Promise<Versioned<Order>> {
  const v = await orders.get(orderId, customerId);
  if (!v) throw new Error(`order ${orderId} of customer ${customerId} not found`);
  return v;
}

/**
 * The order as this process last saw it, read only if it holds none: for what never changes after
 * placing (lines, totals, address, payment method), which even a stale version has right.
 */
export async function knownOrder(orders: OrderStore, orderId: string, customerId: string): Promise<Order> {
  return orders.recent?.(orderId, customerId)?.value ?? (await mustLoad(orders, orderId, customerId)).value;
}

/**
 * The saga's order, stored from the saga's own input if the request that started the saga died
 * before storing it (the saga is started first, so it can).
 */
export async function ensureOrder(orders: OrderStore, a: { orderId: string; customerId: string; order?: Order }): Promise<Order> {
  const found = await orders.get(a.orderId, a.customerId);
  if (found) return found.value;
  if (!a.order || a.order.id !== a.orderId) throw new Error(`order ${a.orderId} of customer ${a.customerId} not found`);
  const created = await orders.create(a.order);
  return created === 'exists' ? (await mustLoad(orders, a.orderId, a.customerId)).value : created.value;
}

/**
 * Rewrites the order under its ETag until one write lands (the saga, the API and other activities
 * write the same document). It starts from the version this process last saw, if any, without a
 * read; a refused write, or a decision to write nothing, is made again on a fresh read, since the
 * remembered version may be stale. `change` returning undefined writes nothing.
 */
async function updateOrder(orders: OrderStore, a: { orderId: string; customerId: string }, change: (order: Order) => Order | undefined): Promise<Order> {
  let current = orders.recent?.(a.orderId, a.customerId);
  let fresh = current === undefined;
  current ??= await mustLoad(orders, a.orderId, a.customerId);
  for (;;) {
    const next = change(current.value);
    if (next) {
      const written = await orders.replace(next, current.etag);
      if (written !== 'precondition-failed' && written !== 'not-found') return written.value;
    } else if (fresh) {
      return current.value;
    }
    current = await mustLoad(orders, a.orderId, a.customerId);
    fresh = true;
  }
}

/**
 * Moves the order through the state machine with an optimistic-concurrency write. Repeating an
 * event that is already on the timeline succeeds without a change; an event the current status
 * does not allow (typically because the customer cancelled meanwhile) is reported, not thrown.
 */
export async function advanceOrder(orders: OrderStore, a: { orderId: string; customerId: string; event: OrderEvent; key?: string; at: string; patch?: OrderPatch }): Promise<AdvanceResult> {
  let refusedBy: OrderStatus | undefined;
  const order = await updateOrder(orders, a, (o) => {
    refusedBy = undefined;
    if (o.timeline.some((t) => t.event === a.event && t.key === a.key)) return undefined;
    if (!canTransition(o.status, a.event)) {
      refusedBy = o.status;
      return undefined;
    }
    return { ...applyEvent(o, a.event, a.at, a.key), ...a.patch };
  });
  return refusedBy ? { ok: false, status: refusedBy } : { ok: true, order };
}

/** How recording a stage went: landed (now or before), or refused by the order's status. */
export type StageResult = { ok: true } | { ok: false; status: OrderStatus };

/**
 * Records a stage in one write: its events in order (one stage may take several, e.g. captured and
 * handed to fulfilment), with the facts it learnt, then publishes its email. Events already on the
 * timeline are skipped, so a repeat after a crash writes nothing and publishes again (the topic
 * drops the duplicate). If the status allows none of the remaining events (the customer cancelled
 * first), nothing is written or published.
 */
export async function recordStage(
  deps: { orders: OrderStore; publisher: StageEventPublisher },
  a: { orderId: string; customerId: string; events: readonly OrderEvent[]; at: string; patch?: OrderPatch; shipmentFacts?: Partial<Shipment>; email?: { stage: EmailStage; reason?: string } },
): Promise<StageResult> {
  let refusedBy: OrderStatus | undefined;
  const order = await updateOrder(deps.orders, a, (o) => {
    refusedBy = undefined;
    const todo = a.events.filter((e) => !o.timeline.some((t) => t.event === e && t.key === undefined));
    if (todo.length === 0) return undefined;
    let next = o;
    for (const event of todo) {
      if (!canTransition(next.status, event)) {
        refusedBy = o.status;
        return undefined;
      }
      next = applyEvent(next, event, a.at);
    }
    const patched = { ...next, ...a.patch };
    return a.shipmentFacts && patched.shipment ? { ...patched, shipment: { ...patched.shipment, ...a.shipmentFacts } } : patched;
  });
  if (refusedBy) return { ok: false, status: refusedBy };
  if (a.email) await deps.publisher.publish(stageEvent(order, a.email.stage, a.at, { reason: a.email.reason }));
  return { ok: true };
}

/**
 * The saga's first step: the order, stored from the saga's own input if the request that placed
 * it died first, and its `received` email. The version this process just wrote, if it holds one,
 * saves the read: the saga needs only what never changes after placing.
 */
export async function openOrder(deps: { orders: OrderStore; publisher: StageEventPublisher }, a: { orderId: string; customerId: string; order?: Order; at: string }): Promise<Order> {
  const order = deps.orders.recent?.(a.orderId, a.customerId)?.value ?? (await ensureOrder(deps.orders, a));
  await deps.publisher.publish(stageEvent(order, 'received', a.at));
  return order;
}

/** Records facts without a status change (e.g. the refund on a cancelled order). */
export function patchOrder(orders: OrderStore, a: { orderId: string; customerId: string; patch: OrderPatch; at: string }): Promise<Order> {
  return updateOrder(orders, a, (o) => ({ ...o, ...a.patch, updatedAt: a.at }));
}

/** Adds facts to the order's shipment as it is stored now (the carrier's or PayPal's answers about it). */
export function updateShipment(orders: OrderStore, a: { orderId: string; customerId: string; at: string }, facts: Partial<Shipment>): Promise<Order> {
  return updateOrder(orders, a, (o) => (o.shipment ? { ...o, shipment: { ...o.shipment, ...facts }, updatedAt: a.at } : undefined));
}

/** A refund recorded on the order, or an error: the refund saga is only started for recorded ones. */
export function refundOf(order: Order, refundId: string): Refund {
  const r = order.refunds?.find((x) => x.id === refundId);
  if (!r) throw new Error(`order ${order.id} has no refund ${refundId}`);
  return r;
}

const withRefund = (order: Order, changed: Refund): Refund[] => (order.refunds ?? []).map((r) => (r.id === changed.id ? changed : r));

/** Keeps PayPal's refund id on the refund the moment the money moved, so nothing refunds it twice. */
export async function recordRefundPaid(orders: OrderStore, a: { orderId: string; customerId: string; refundId: string; providerRefundId: string }): Promise<void> {
  await updateOrder(orders, a, (o) => {
    const r = refundOf(o, a.refundId);
    return r.providerRefundId ? undefined : { ...o, refunds: withRefund(o, { ...r, providerRefundId: a.providerRefundId }) };
  });
}

/**
 * Records how a refund ended. Completed: the order's refunded total is the sum of its completed
 * refunds. Recording it again changes nothing.
 */
export async function recordRefundOutcome(
  orders: OrderStore,
  a: { orderId: string; customerId: string; refundId: string; at: string } & ({ outcome: 'completed'; providerRefundId: string; creditNote: { number: string; issuedAt: string } } | { outcome: 'failed'; reason: string }),
): Promise<Refund> {
  const order = await updateOrder(orders, a, (o) => {
    const before = refundOf(o, a.refundId);
    if (before.status !== 'requested') return undefined;
    const after: Refund = a.outcome === 'completed'
      ? { ...before, status: 'completed', completedAt: a.at, providerRefundId: a.providerRefundId, creditNote: a.creditNote }
      : { ...before, status: 'failed', completedAt: a.at, failure: a.reason };
    const refunds = withRefund(o, after);
    const completed = refunds.filter((r) => r.status === 'completed').map((r) => r.amount);
    return { ...o, refunds, updatedAt: a.at, ...(o.charge && completed.length > 0 ? { charge: { ...o.charge, refunded: sum(o.charge.amount.currency, completed) } } : {}) };
  });
  return refundOf(order, a.refundId);
}

export function stageEvent(order: Order, stage: EmailStage, at: string, extra: { reason?: string; refundId?: string } = {}): OrderStageEvent {
  const refund = extra.refundId ? refundOf(order, extra.refundId) : undefined;
  if (refund) {
    // A refund after shipment: its own amount and reason, and its own event (and email) id.
    return { ...stageEvent(order, stage, at, { reason: refund.reason }), refundId: refund.id, refunded: refund.amount };
  }
  return {
    orderId: order.id,
    stage,
    occurredAt: at,
    placedAt: order.createdAt,
    customer: order.customer,
    total: order.quote.totals.total,
    totals: order.quote.totals,
    lines: order.quote.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, lineTotal: l.lineTotal })),
    ...(order.invoice ? { invoiceNumber: order.invoice.number } : {}),
    ...(order.charge?.approveUrl && order.status === 'awaiting-payment' ? { approveUrl: order.charge.approveUrl } : {}),
    ...(order.shipment ? { carrier: order.shipment.carrier, trackingNumber: order.shipment.trackingNumber, trackingUrl: order.shipment.trackingUrl } : {}),
    ...(order.charge?.refunded ? { refunded: order.charge.refunded } : {}),
    ...(order.status === 'refund-pending' && order.charge ? { refundPending: order.charge.amount } : {}),
    ...(extra.reason ?? order.cancellationReason ? { reason: extra.reason ?? order.cancellationReason } : {}),
  };
}

export async function publishStage(deps: { orders: OrderStore; publisher: StageEventPublisher }, a: { orderId: string; customerId: string; stage: EmailStage; at: string; reason?: string; refundId?: string }): Promise<void> {
  const order = (await mustLoad(deps.orders, a.orderId, a.customerId)).value;
  await deps.publisher.publish(stageEvent(order, a.stage, a.at, { reason: a.reason, refundId: a.refundId }));
}

/** Stores the invoice (or credit note) and its PDF; the number comes from the sequence entity. */
export async function issueDocument(
  deps: { orders: OrderStore; invoices: InvoiceStore; documents: DocumentStore; seller: Party; renderPdf: (inv: ReturnType<typeof buildInvoice>) => Promise<Uint8Array> },
  a: { orderId: string; customerId: string; number: string; kind: 'invoice' | 'credit-note'; corrects?: string; at: string; refundId?: string },
): Promise<{ number: string; issuedAt: string }> {
  // A refund's lines need the order as it is now; an invoice, or a credit note reversing it, only
  // what never changes after placing.
  const order = a.refundId ? (await mustLoad(deps.orders, a.orderId, a.customerId)).value : await knownOrder(deps.orders, a.orderId, a.customerId);
  // A refund's credit note covers only its lines; otherwise the credit note reverses the invoice.
  const inv = a.refundId
    ? buildPartialCreditNote(order, refundOf(order, a.refundId).lines, { number: a.number, corrects: a.corrects ?? order.invoice?.number, issuedAt: a.at, seller: deps.seller })
    : buildInvoice(order, { number: a.number, kind: a.kind, corrects: a.corrects, issuedAt: a.at, seller: deps.seller });
  // PDF first: the JSON record is what marks the document as issued.
  await deps.documents.put(`${a.number}.pdf`, await deps.renderPdf(inv), 'application/pdf');
  await deps.invoices.save(inv);
  return { number: a.number, issuedAt: a.at };
}
