// The dispute's evidence use cases over in-memory ports and a scripted PayPal: the pack is built
// once and the evidence is submitted once, even when PayPal took it but the answer (or the
// process) was lost before it was recorded.
import { buildEvidencePack, evidencePackBlob, submitEvidence } from '../../application/dispute-evidence';
import type { EvidenceDeps } from '../../application/dispute-evidence';
import type { DisputeGateway, PayPalDispute } from '../../application/dispute-ports';
import { syncDispute } from '../../application/sync-dispute';
import type { DocumentStore, EvidenceLedger, InvoiceStore } from '../../application/ports';
import { createOrder } from '../../domain/order';
import type { Order } from '../../domain/order';
import type { LedgerEntry } from '../../domain/evidence-ledger';
import { evidenceDocumentName } from '../../domain/evidence-pack';
import { priceCart } from '../../domain/pricing';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';
import { MemoryDisputeStore } from '../support/memory-dispute-store';
import { MemoryOrderStore } from '../support/memory-order-store';
import { orderInput } from '../support/order-input';

const at = '2026-12-05T10:00:00.000Z';

function shippedOrder(): Order {
  const q = priceCart({ lines: orderInput.items, country: 'DE', shippingMethod: 'standard' }, catalog, pricingRules);
  if (!q.ok) throw new Error('cart');
  const o = createOrder({ id: 'ord_AAAAAAAAAAAAAAAA', customer: orderInput.customer, shippingAddress: orderInput.shippingAddress, quote: q.quote, payment: orderInput.payment, at });
  return {
    ...o,
    status: 'delivered',
    charge: { provider: 'paypal', providerOrderId: 'PPO1', authorizationId: 'AUTH1', captureId: 'CAP1', amount: q.quote.totals.total },
    shipment: { carrier: 'DHL Express', trackingNumber: '1234567890', trackingUrl: 'https://dhl.test/1234567890', shippedAt: at, deliveredAt: '2026-12-07T10:00:00.000Z' },
  };
}

/** PayPal's side of one dispute, with the calls our code makes. */
function payPal(order: Order) {
  const calls: string[] = [];
  const dispute: PayPalDispute = {
    disputeId: 'PP-D-1',
    createdAt: at,
    updatedAt: at,
    reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
    status: 'WAITING_FOR_SELLER_RESPONSE',
    stage: 'CHARGEBACK',
    channel: 'INTERNAL',
    amount: order.charge!.amount,
    sellerResponseDueDate: '2026-12-20T10:00:00.000Z',
    transactions: [{ captureId: 'CAP1', custom: order.id }],
    evidences: [],
    moneyMovements: [],
    allowed: ['provide_evidence', 'accept_claim'],
  };
  const gateway: DisputeGateway = {
    get: async () => (calls.push('get'), { ok: true, dispute: structuredClone(dispute) }),
    list: async () => ({ ok: true, items: [] }),
    provideEvidence: async (_id, e) => {
      calls.push(`provide ${e.files.map((f) => f.name).join(',')}`);
      dispute.evidences.push({ type: e.evidences[0].evidence_type, documents: e.files.map((f) => f.name) });
      dispute.status = 'UNDER_REVIEW';
      dispute.allowed = [];
      return { ok: true };
    },
    acceptClaim: async () => ({ ok: true }),
    sendMessage: async () => ({ ok: true }),
    makeOffer: async () => ({ ok: true }),
    acknowledgeReturnItem: async () => ({ ok: true }),
  };
  return { calls, dispute, gateway };
}

function setup() {
  const orders = new MemoryOrderStore();
  const order = shippedOrder();
  orders.put(order);
  const disputes = new MemoryDisputeStore();
  const blobs = new Map<string, Uint8Array>();
  const documents: DocumentStore = { put: async (n, b) => void blobs.set(n, b), get: async (n) => blobs.get(n) };
  const entries: LedgerEntry[] = [{ kind: 'carrier-scan', orderId: order.id, at: '2026-12-06T08:00:00.000Z', trackingNumber: '1234567890', code: 'PU', description: 'Picked up', status: 'picked-up' }];
  const ledger: EvidenceLedger = { record: async (e) => void entries.push(e), entries: async () => entries };
  const invoices: InvoiceStore = { save: async () => {}, forOrder: async () => [] };
  const pp = payPal(order);
  let renders = 0;
  const deps: EvidenceDeps = {
    disputes, orders, ledger, invoices, documents, gateway: pp.gateway, generator: 'test',
    render: async (input) => (renders++, { pdf: new TextEncoder().encode(`%PDF-1.7 ${input.dispute.disputeId}`), sha256: 'abc', pages: 1 }),
  };
  return { deps, pp, blobs, order, renders: () => renders };
}

test('the dispute is matched to its order by the capture and recorded on both', async () => {
  const { deps, order } = setup();
  const r = await syncDispute(deps, { disputeId: 'PP-D-1', at, event: { id: 'WH-1', type: 'CUSTOMER.DISPUTE.CREATED' } });
  expect(r.ok && r.dispute.orderId).toBe(order.id);
  const again = await syncDispute(deps, { disputeId: 'PP-D-1', at, event: { id: 'WH-1', type: 'CUSTOMER.DISPUTE.CREATED' } });
  expect(again.ok && again.dispute.events).toHaveLength(1);
  const stored = await deps.orders.get(order.id, order.customer.id);
  expect(stored?.value.disputes).toEqual([expect.objectContaining({ disputeId: 'PP-D-1', status: 'WAITING_FOR_SELLER_RESPONSE' })]);
});

test('the pack is built and stored once; the evidence is submitted once', async () => {
  const { deps, pp, blobs, renders } = setup();
  await syncDispute(deps, { disputeId: 'PP-D-1', at });
  const built = await buildEvidencePack(deps, { disputeId: 'PP-D-1', at });
  await buildEvidencePack(deps, { disputeId: 'PP-D-1', at });
  expect(renders()).toBe(1);
  expect(built.pack?.missing).toEqual([]);
  expect(blobs.has(evidencePackBlob('PP-D-1'))).toBe(true);
  const first = await submitEvidence(deps, { disputeId: 'PP-D-1', at, by: 'saga' });
  expect(first.ok && first.dispute.submission?.evidenceTypes).toEqual(['PROOF_OF_FULFILLMENT']);
  const second = await submitEvidence(deps, { disputeId: 'PP-D-1', at, by: 'saga' });
  expect(second.ok).toBe(true);
  expect(pp.calls.filter((c) => c.startsWith('provide'))).toEqual([`provide ${evidenceDocumentName('PP-D-1')}`]);
});

test('evidence PayPal already holds (an answer lost before it was recorded) is recorded, not sent again', async () => {
  const { deps, pp } = setup();
  await syncDispute(deps, { disputeId: 'PP-D-1', at });
  await buildEvidencePack(deps, { disputeId: 'PP-D-1', at });
  pp.dispute.evidences.push({ type: 'PROOF_OF_FULFILLMENT', documents: [evidenceDocumentName('PP-D-1')] });
  const r = await submitEvidence(deps, { disputeId: 'PP-D-1', at, by: 'saga' });
  expect(r.ok && r.dispute.submission).toBeDefined();
  expect(pp.calls.some((c) => c.startsWith('provide'))).toBe(false);
});

test('no evidence is sent while PayPal offers no provide_evidence action', async () => {
  const { deps, pp } = setup();
  await syncDispute(deps, { disputeId: 'PP-D-1', at });
  await buildEvidencePack(deps, { disputeId: 'PP-D-1', at });
  pp.dispute.allowed = ['send_message'];
  pp.dispute.status = 'OPEN';
  expect(await submitEvidence(deps, { disputeId: 'PP-D-1', at, by: 'saga' })).toEqual({ ok: false, kind: 'not-allowed', status: 'OPEN' });
  expect(pp.calls.some((c) => c.startsWith('provide'))).toBe(false);
});
