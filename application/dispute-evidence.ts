// The evidence pack of a dispute: its input gathered from the order, the evidence ledger and the
// invoices; rendered, stored and recorded once (a rebuild after a crash renders the same bytes
// from the same input); then submitted to PayPal exactly once: before posting, PayPal's dispute
// is read again, and a submission PayPal already shows is recorded instead of sent twice.
import type { Dispute } from '../domain/dispute';
import { emailsOf, scansOf } from '../domain/evidence-ledger';
import type { LedgerEntry } from '../domain/evidence-ledger';
import { evidenceDocumentName, evidencesFor } from '../domain/evidence-pack';
import type { DisputeChannel, DisputeReason, DisputeStage, EvidencePackInput } from '../domain/evidence-pack';
import type { Invoice } from '../domain/invoice';
import type { Order } from '../domain/order';
import type { DisputeGateway } from './dispute-ports';
import type { DisputeStore, DocumentStore, EvidenceLedger, InvoiceStore, OrderStore } from './ports';
import { updateDispute } from './dispute-records';

export interface EvidenceDeps {
  disputes: DisputeStore;
  orders: OrderStore;
  ledger: EvidenceLedger;
  invoices: InvoiceStore;
  documents: DocumentStore;
  gateway: DisputeGateway;
  render: (input: EvidencePackInput) => Promise<{ pdf: Uint8Array; sha256: string; pages: number }>;
  generator: string;
}

/** Where a dispute's pack is stored. */
export const evidencePackBlob = (disputeId: string): string => `disputes/${disputeId}/${evidenceDocumentName(disputeId)}`;

/** The pack's input: everything the saga and the ledger recorded about the order, as of `generatedAt`. */
export function evidencePackInput(d: Dispute, order: Order, ledger: readonly LedgerEntry[], documents: readonly Invoice[], generatedAt: string, generator: string): EvidencePackInput {
  const q = order.quote;
  const c = order.charge;
  const invoice = documents.find((x) => x.kind === 'invoice');
  const s = order.shipment;
  const scans = scansOf(ledger).filter((e) => !s || e.trackingNumber === s.trackingNumber);
  return {
    dispute: { disputeId: d.id, reason: d.reason as DisputeReason, stage: d.stage as DisputeStage, channel: d.channel as DisputeChannel, amount: d.amount, ...(d.dueAt ? { dueAt: d.dueAt } : {}), createdAt: d.createdAt },
    order: {
      orderId: order.id,
      placedAt: order.createdAt,
      customer: { id: order.customer.id, name: order.customer.name, email: order.customer.email },
      lines: q.lines.map((l) => ({ sku: l.sku, name: l.name, quantity: l.quantity, unitPrice: l.unitPrice, lineTotal: l.lineTotal })),
      totals: { items: q.totals.subtotal, shipping: q.totals.shipping, tax: q.totals.tax, total: q.totals.total },
      shippingAddress: order.shippingAddress,
      ...(order.checkout
        ? {
            checkout: {
              ...(order.checkout.ip ? { ip: order.checkout.ip } : {}),
              ...(order.checkout.userAgent ? { userAgent: order.checkout.userAgent } : {}),
              ...(order.checkout.termsAccepted ? { termsVersion: order.checkout.policies.find((p) => p.name === 'terms')?.version ?? '', acceptedAt: order.checkout.at } : {}),
            },
          }
        : {}),
    },
    ...(invoice ? { invoice: { number: invoice.number, issuedAt: invoice.issuedAt, total: invoice.totals.gross } } : {}),
    creditNotes: documents.filter((x) => x.kind === 'credit-note').map((x) => ({ number: x.number, issuedAt: x.issuedAt, corrects: x.corrects ?? '' })),
    payment: {
      provider: 'paypal',
      providerOrderId: c?.providerOrderId ?? '',
      ...(c?.authorizationId ? { authorizationId: c.authorizationId } : {}),
      ...(c?.captureId ? { captureId: c.captureId } : {}),
      ...(c?.capturedAt ? { capturedAt: c.capturedAt } : {}),
      ...(c?.payer?.id ? { payerId: c.payer.id } : {}),
      ...(c?.payer?.email ? { payerEmail: c.payer.email } : {}),
      ...(c?.payPalShippingAddress ? { payPalShippingAddress: c.payPalShippingAddress } : {}),
      ...(c?.sellerProtection ? { sellerProtection: c.sellerProtection } : {}),
      amount: c?.amount ?? q.totals.total,
    },
    refunds: (order.refunds ?? [])
      .filter((r) => r.status === 'completed')
      .map((r) => ({ id: r.id, ...(r.providerRefundId ? { providerRefundId: r.providerRefundId } : {}), amount: r.amount, at: r.completedAt ?? r.requestedAt, reason: r.reason })),
    shipments: s
      ? [{
          carrier: s.carrier,
          ...(s.payPalTracker ? { payPalCarrier: s.payPalTracker.carrier, payPalTrackerId: s.payPalTracker.id } : {}),
          trackingNumber: s.trackingNumber,
          trackingUrl: s.trackingUrl,
          shippedAt: s.shippedAt,
          ...(s.deliveredAt ? { deliveredAt: s.deliveredAt } : {}),
          scans: scans.map((e) => ({ at: e.at, code: e.code, description: e.description })),
        }]
      : [],
    emails: emailsOf(ledger).map((e) => ({ stage: e.stage, subject: e.subject, to: e.to, messageId: e.messageId, sentAt: e.at })),
    policies: order.checkout?.policies ?? [],
    generatedAt,
    generator,
  };
}

async function packFacts(deps: EvidenceDeps, d: Dispute, at: string): Promise<EvidencePackInput> {
  if (!d.orderId || !d.customerId) throw new Error(`dispute ${d.id} has no order yet`);
  const order = await deps.orders.get(d.orderId, d.customerId);
  if (!order) throw new Error(`order ${d.orderId} of dispute ${d.id} not found`);
  const [ledger, documents] = await Promise.all([deps.ledger.entries(d.orderId), deps.invoices.forOrder(d.orderId)]);
  return evidencePackInput(d, order.value, ledger, documents, at, deps.generator);
}

/** Renders and stores the pack, and records it on the dispute; a pack already recorded is kept. */
export async function buildEvidencePack(deps: EvidenceDeps, a: { disputeId: string; at: string }): Promise<Dispute> {
  const current = await deps.disputes.get(a.disputeId);
  if (!current) throw new Error(`dispute ${a.disputeId} is not recorded`);
  if (current.value.pack) return current.value;
  const input = await packFacts(deps, current.value, a.at);
  const rendered = await deps.render(input);
  const document = evidencePackBlob(a.disputeId);
  await deps.documents.put(document, rendered.pdf, 'application/pdf');
  const { missing } = evidencesFor(input);
  return updateDispute(deps.disputes, a.disputeId, (d) => (d.pack ? undefined : { ...d, pack: { document, sha256: rendered.sha256, bytes: rendered.pdf.byteLength, pages: rendered.pages, builtAt: a.at, missing: [...missing] } }));
}

export type Submitted =
  | { ok: true; dispute: Dispute }
  /** PayPal does not take evidence now (no provide_evidence link): wait for the dispute to change. */
  | { ok: false; kind: 'not-allowed'; status: string }
  /** PayPal refused this evidence (its issue): a person must look. */
  | { ok: false; kind: 'refused'; reason: string };

/**
 * Submits the pack with its evidences. PayPal's dispute is read first: evidence already there with
 * our document (a submission whose answer was lost, or a crash after it) is recorded, not re-sent.
 */
export async function submitEvidence(deps: EvidenceDeps, a: { disputeId: string; at: string; by: string }): Promise<Submitted> {
  const current = await deps.disputes.get(a.disputeId);
  if (!current) throw new Error(`dispute ${a.disputeId} is not recorded`);
  const d = current.value;
  if (d.submission) return { ok: true, dispute: d };
  if (!d.pack) throw new Error(`dispute ${a.disputeId} has no evidence pack yet`);
  const name = evidenceDocumentName(a.disputeId);
  const p = await deps.gateway.get(a.disputeId);
  if (!p.ok) throw new Error(`PayPal did not answer for dispute ${a.disputeId}: ${p.kind} ${p.message}`);
  const input = await packFacts(deps, d, d.pack.builtAt);
  const { evidences } = evidencesFor(input);
  const record = (by: string) => updateDispute(deps.disputes, a.disputeId, (x) => (x.submission ? undefined : { ...x, submission: { at: a.at, by, evidenceTypes: evidences.map((e) => e.evidence_type), document: name } }));
  if (p.dispute.evidences.some((e) => e.documents.includes(name))) return { ok: true, dispute: await record(a.by) };
  if (!p.dispute.allowed.includes('provide_evidence')) return { ok: false, kind: 'not-allowed', status: p.dispute.status };
  // A pack lost from storage (a crash right after it was written) is rendered again from the
  // same facts and time: the same document, not a new one.
  let pdf = await deps.documents.get(d.pack.document);
  if (!pdf) {
    pdf = (await deps.render(input)).pdf;
    await deps.documents.put(d.pack.document, pdf, 'application/pdf');
  }
  const r = await deps.gateway.provideEvidence(a.disputeId, { evidences, files: [{ name, contentType: 'application/pdf', bytes: pdf }] }, { requestId: `${a.disputeId}:evidence` });
  if (!r.ok) {
    if (r.kind === 'refused' || r.kind === 'not-found') return { ok: false, kind: 'refused', reason: `${r.issue ?? r.kind}: ${r.message}` };
    throw new Error(`PayPal did not take the evidence for dispute ${a.disputeId}: ${r.kind} ${r.message}`);
  }
  return { ok: true, dispute: await record(a.by) };
}
