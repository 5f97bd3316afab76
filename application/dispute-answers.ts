// The shop's answers to a dispute besides evidence: the decision per reason (recorded once),
// stopping a shipment that never left, accepting the claim, and recording how PayPal settled it.
import { buyerWon, decideResponse, fulfilmentFacts, trackingMessage } from '../domain/dispute';
import type { Dispute, DisputeDecision } from '../domain/dispute';
import { scansOf } from '../domain/evidence-ledger';
import { isCancellable } from '../domain/order-status';
import type { Money } from '../domain/money';
import type { DisputeGateway } from './dispute-ports';
import type { DisputeStore, EvidenceLedger, OrderStore, PaymentGateway } from './ports';
import { changeOrder, recordOnOrder, updateDispute } from './dispute-records';
import { updateShipment } from './saga-steps';

/** Decides how to answer from the order's facts now, and records the decision (a repeat keeps the first). */
export async function decideDispute(deps: { disputes: DisputeStore; orders: OrderStore; ledger: EvidenceLedger }, a: { disputeId: string; at: string }): Promise<DisputeDecision> {
  const current = await deps.disputes.get(a.disputeId);
  if (!current) throw new Error(`dispute ${a.disputeId} is not recorded`);
  const d = current.value;
  if (d.decision) return { action: d.decision.action, why: d.decision.why };
  if (!d.orderId || !d.customerId) throw new Error(`dispute ${a.disputeId} has no order yet`);
  const order = await deps.orders.get(d.orderId, d.customerId);
  if (!order) throw new Error(`order ${d.orderId} of dispute ${a.disputeId} not found`);
  const scans = order.value.shipment ? scansOf(await deps.ledger.entries(d.orderId)).filter((e) => e.trackingNumber === order.value.shipment!.trackingNumber).length : 0;
  const decision = decideResponse(d.reason, fulfilmentFacts(order.value, scans));
  const stored = await updateDispute(deps.disputes, a.disputeId, (x) => (x.decision ? undefined : { ...x, decision: { ...decision, at: a.at } }));
  return { action: stored.decision!.action, why: stored.decision!.why };
}

export type Stopped = { tracker: 'cancelled' | 'none'; cancellable: boolean; status: string };

/**
 * Stops a shipment that never reached the carrier: its PayPal tracker is cancelled (so PayPal
 * does not count a parcel that will not arrive) and the label is marked stopped on the order.
 * Says whether the order itself can still be cancelled (then its saga undoes the rest).
 */
export async function stopShipment(deps: { orders: OrderStore; payments: PaymentGateway }, a: { orderId: string; customerId: string; at: string }): Promise<Stopped> {
  const found = await deps.orders.get(a.orderId, a.customerId);
  if (!found) throw new Error(`order ${a.orderId} not found`);
  const o = found.value;
  const cancellable = isCancellable(o.status);
  const t = o.shipment?.payPalTracker;
  if (!t || t.status === 'CANCELLED' || !o.charge) return { tracker: 'none', cancellable, status: o.status };
  const r = await deps.payments.cancelTracking(o.charge.providerOrderId, t.id);
  if (!r.ok && (r.failure.kind === 'unavailable' || r.failure.kind === 'unauthorized')) throw new Error(`PayPal did not cancel tracker ${t.id}: ${r.failure.reason}`);
  await updateShipment(deps.orders, a, { payPalTracker: { ...t, status: 'CANCELLED', at: a.at } });
  return { tracker: 'cancelled', cancellable, status: o.status };
}

export type Accepted = { ok: true; dispute: Dispute } | { ok: false; kind: 'not-allowed' | 'refused'; reason: string };

/** Accepts the claim (PayPal refunds the buyer from the seller's balance), once: an acceptance PayPal already shows is recorded. */
export async function acceptClaim(deps: { disputes: DisputeStore; gateway: DisputeGateway }, a: { disputeId: string; at: string; by: string; note: string; refundAmount?: Money }): Promise<Accepted> {
  const current = await deps.disputes.get(a.disputeId);
  if (!current) throw new Error(`dispute ${a.disputeId} is not recorded`);
  if (current.value.accepted) return { ok: true, dispute: current.value };
  const record = () => updateDispute(deps.disputes, a.disputeId, (x) => (x.accepted ? undefined : { ...x, accepted: { at: a.at, by: a.by, note: a.note } }));
  const p = await deps.gateway.get(a.disputeId);
  if (!p.ok) throw new Error(`PayPal did not answer for dispute ${a.disputeId}: ${p.kind} ${p.message}`);
  if (p.dispute.status === 'RESOLVED') {
    return p.dispute.outcome && buyerWon(p.dispute.outcome.code) ? { ok: true, dispute: await record() } : { ok: false, kind: 'not-allowed', reason: `the dispute is resolved (${p.dispute.outcome?.code ?? 'no outcome'})` };
  }
  if (!p.dispute.allowed.includes('accept_claim')) return { ok: false, kind: 'not-allowed', reason: `PayPal offers no accept_claim while the dispute is ${p.dispute.status}` };
  const r = await deps.gateway.acceptClaim(a.disputeId, { note: a.note, acceptClaimType: 'REFUND', ...(a.refundAmount ? { refundAmount: a.refundAmount } : {}) }, { requestId: `${a.disputeId}:accept` });
  if (!r.ok) {
    if (r.kind === 'refused' || r.kind === 'not-found') return { ok: false, kind: 'refused', reason: `${r.issue ?? r.kind}: ${r.message}` };
    throw new Error(`PayPal did not take the acceptance of dispute ${a.disputeId}: ${r.kind} ${r.message}`);
  }
  return { ok: true, dispute: await record() };
}

/**
 * What PayPal's settlement means for the order: when the buyer won, PayPal took the disputed
 * amount back, which the order records as refunded; a whole-order amount also needs a credit note
 * (`creditNote` says whether the caller issues one: not when the order's own saga does).
 */
export async function settleOnOrder(deps: { disputes: DisputeStore; orders: OrderStore }, a: { disputeId: string; at: string }): Promise<{ buyerWon: boolean; creditNote: boolean; orderId?: string; customerId?: string }> {
  const current = await deps.disputes.get(a.disputeId);
  if (!current) throw new Error(`dispute ${a.disputeId} is not recorded`);
  const d = current.value;
  const won = buyerWon(d.outcome?.code);
  if (!d.orderId || !d.customerId) return { buyerWon: won, creditNote: false };
  const order = await recordOnOrder(deps.orders, d, a.at);
  if (!won || !order) return { buyerWon: won, creditNote: false, orderId: d.orderId, customerId: d.customerId };
  const refunded = d.outcome?.amountRefunded ?? d.amount;
  const wholeOrder = refunded.amount >= order.quote.totals.total.amount;
  // A cancelled order's saga records its refund and issues its own credit note; a second would
  // reverse the invoice twice.
  const ownSaga = order.status === 'cancelled' || order.status === 'refunded' || order.status === 'refund-pending';
  if (!ownSaga) await recordDisputeRefund(deps.orders, { orderId: d.orderId, customerId: d.customerId, amount: refunded, at: a.at });
  const creditNote = wholeOrder && !order.creditNote && !ownSaga && !d.creditNote;
  return { buyerWon: won, creditNote, orderId: d.orderId, customerId: d.customerId };
}

/** Records on the order that PayPal took the disputed amount back (and the credit note, when one was issued). */
export async function recordDisputeRefund(orders: OrderStore, a: { orderId: string; customerId: string; amount: Money; creditNote?: { number: string; issuedAt: string }; at: string }): Promise<void> {
  await changeOrder(orders, a, (o) => {
    const charge = o.charge;
    if (!charge) return undefined;
    const refunded = charge.refunded && charge.refunded.amount >= a.amount.amount ? charge.refunded : a.amount;
    if (charge.refunded === refunded && (!a.creditNote || o.creditNote)) return undefined;
    return { ...o, charge: { ...charge, refunded }, ...(a.creditNote && !o.creditNote ? { creditNote: a.creditNote } : {}), updatedAt: a.at };
  }, 'recording its dispute refund');
}

/**
 * In an inquiry (before any claim) about an order the carrier has, the buyer is told where it is:
 * often that settles it. Once: a message recorded on the dispute is not sent again.
 */
export async function sendTrackingMessage(deps: { disputes: DisputeStore; orders: OrderStore; gateway: DisputeGateway }, a: { disputeId: string; at: string }): Promise<{ sent: boolean }> {
  const current = await deps.disputes.get(a.disputeId);
  if (!current) throw new Error(`dispute ${a.disputeId} is not recorded`);
  const d = current.value;
  if (d.messageSent || !d.orderId || !d.customerId) return { sent: false };
  const order = await deps.orders.get(d.orderId, d.customerId);
  const shipment = order?.value.shipment;
  if (!shipment || d.stage !== 'INQUIRY' || !d.allowed.includes('send_message')) return { sent: false };
  const text = trackingMessage(shipment);
  const r = await deps.gateway.sendMessage(a.disputeId, text, { requestId: `${a.disputeId}:message` });
  if (!r.ok) {
    if (r.kind === 'unavailable' || r.kind === 'unauthorized') throw new Error(`PayPal did not take the message for dispute ${a.disputeId}: ${r.kind} ${r.message}`);
    return { sent: false };
  }
  await updateDispute(deps.disputes, a.disputeId, (x) => (x.messageSent ? undefined : { ...x, messageSent: { at: a.at, text } }));
  return { sent: true };
}
