// What goes into a PayPal dispute's evidence pack, independent of where the facts are stored, and
// the pure decisions made from it: the rebuttal paragraph, the chronological timeline, and the
// `input.evidences[]` objects of PayPal's provide-evidence call (snake_case, PayPal's wire shape,
// because that is exactly what gets submitted). Rendering the PDF is the adapters' job.
import type { Money } from './money';
import { format } from './money';
import type { ShippingAddress } from './order';

export const disputeReasons = [
  'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
  'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED',
  'UNAUTHORISED',
  'CREDIT_NOT_PROCESSED',
  'DUPLICATE_TRANSACTION',
  'INCORRECT_AMOUNT',
  'PAYMENT_BY_OTHER_MEANS',
  'CANCELED_RECURRING_BILLING',
  'PROBLEM_WITH_REMITTANCE',
  'OTHER',
] as const;
export type DisputeReason = (typeof disputeReasons)[number];

export const disputeStages = ['INQUIRY', 'CHARGEBACK', 'PRE_ARBITRATION', 'ARBITRATION'] as const;
export type DisputeStage = (typeof disputeStages)[number];

export const disputeChannels = ['INTERNAL', 'EXTERNAL', 'ALERT'] as const;
export type DisputeChannel = (typeof disputeChannels)[number];

export interface EvidencePackInput {
  dispute: { disputeId: string; reason: DisputeReason; stage: DisputeStage; channel: DisputeChannel; amount: Money; dueAt?: string; createdAt: string };
  order: {
    orderId: string;
    placedAt: string;
    customer: { name: string; email: string; id: string };
    lines: { sku: string; name: string; quantity: number; unitPrice: Money; lineTotal: Money }[];
    totals: { items: Money; shipping: Money; tax: Money; total: Money };
    shippingAddress: ShippingAddress;
    checkout?: { ip?: string; userAgent?: string; termsVersion?: string; acceptedAt?: string };
  };
  invoice?: { number: string; issuedAt: string; total: Money };
  creditNotes: { number: string; issuedAt: string; corrects: string }[];
  payment: {
    provider: 'paypal';
    providerOrderId: string;
    authorizationId?: string;
    captureId?: string;
    capturedAt?: string;
    payerId?: string;
    payerEmail?: string;
    /** The address on PayPal's Transaction Details page: the one Seller Protection checks delivery against. */
    payPalShippingAddress?: ShippingAddress;
    sellerProtection?: { status: string; disputeCategories: string[] };
    amount: Money;
  };
  refunds: { id: string; providerRefundId?: string; amount: Money; at: string; reason: string }[];
  shipments: {
    carrier: string;
    /** Orders v2 ShipmentCarrier code used when the tracker was posted to PayPal. */
    payPalCarrier?: string;
    trackingNumber: string;
    trackingUrl: string;
    shippedAt: string;
    deliveredAt?: string;
    scans: { at: string; code: string; description: string; location?: string }[];
    payPalTrackerId?: string;
  }[];
  emails: { stage: string; subject: string; to: string; messageId: string; sentAt: string }[];
  policies: { name: string; version: string; url?: string }[];
  generatedAt: string;
  /** What built the pack, e.g. "order-backend 0.1.0". */
  generator: string;
}

/** The evidence types this module submits (a subset of PayPal's evidence_type enum). */
export type EvidenceType = 'PROOF_OF_FULFILLMENT' | 'PROOF_OF_REFUND' | 'ITEM_DESCRIPTION' | 'RETURN_POLICY' | 'OTHER';

export interface PayPalTrackingInfo {
  carrier_name: string;
  carrier_name_other?: string;
  tracking_url?: string;
  tracking_number: string;
}

/** One element of provide-evidence's `input.evidences[]`. */
export interface PayPalEvidence {
  evidence_type: EvidenceType;
  evidence_info?: { tracking_info?: PayPalTrackingInfo[]; refund_ids?: string[] };
  notes?: string;
  documents: { name: string }[];
}

/**
 * A fact without which PayPal refuses the evidence (tracking, refund) or the case cannot be won
 * (delivery, identity, return policy): the caller accepts or alerts instead of submitting.
 */
export type MissingFact = 'tracking' | 'delivery' | 'refund' | 'checkout-identity' | 'return-policy' | 'item-description';

export interface EvidenceSet {
  evidences: PayPalEvidence[];
  missing: MissingFact[];
}

export interface TimelineRow {
  at: string;
  source: 'order' | 'payment' | 'invoice' | 'shipment' | 'scan' | 'email' | 'refund' | 'dispute' | 'checkout';
  event: string;
  detail?: string;
}

/** The file name the pack's PDF is uploaded under; every evidence refers to it. */
export function evidenceDocumentName(disputeId: string): string {
  return `evidence-${disputeId}.pdf`;
}

/** PayPal's notes field is bounded; longer text goes into the PDF, which carries everything. */
const notesLimit = 2000;

/**
 * Our carrier names → the Disputes API's carrier_name list (a different, older list than the
 * Orders v2 tracker's ShipmentCarrier). Keys are normalized with `normalizeText`.
 */
const disputeCarrierNames: Record<string, string> = {
  dhlexpress: 'DHL',
  dhl: 'DHL',
  ups: 'UPS',
  usps: 'USPS',
  fedex: 'FEDEX',
  tnt: 'TNT',
  royalmail: 'ROYAL_MAIL',
  parcelforce: 'PARCELFORCE',
  gls: 'DE_GLS',
  hermes: 'DE_HERMES',
};

/** Letters and digits only, lower-cased: "St. Louis " and "st louis" compare equal. */
function normalizeText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Whether two addresses name the same recipient and place, ignoring case, whitespace and
 * punctuation (PayPal and our checkout format the same address differently). line2 and state
 * are left out: they are optional on either side and absent from many PayPal addresses.
 */
export function addressesMatch(a: ShippingAddress, b: ShippingAddress): boolean {
  return (['name', 'line1', 'city', 'postalCode', 'country'] as const).every((k) => normalizeText(a[k]) === normalizeText(b[k]));
}

export function disputeCarrierName(carrier: string): Pick<PayPalTrackingInfo, 'carrier_name' | 'carrier_name_other'> {
  const known = disputeCarrierNames[normalizeText(carrier)];
  return known ? { carrier_name: known } : { carrier_name: 'OTHER', carrier_name_other: carrier };
}

function trackingInfo(input: EvidencePackInput): PayPalTrackingInfo[] {
  return input.shipments.map((s) => ({ ...disputeCarrierName(s.carrier), tracking_url: s.trackingUrl, tracking_number: s.trackingNumber }));
}

const lastDelivered = (input: EvidencePackInput) => input.shipments.filter((s) => s.deliveredAt).at(-1);

/** Whether the order's delivery address is the PayPal shipping address; undefined when PayPal's is unknown. */
export function deliveryAddressMatches(input: EvidencePackInput): boolean | undefined {
  const paypal = input.payment.payPalShippingAddress;
  return paypal ? addressesMatch(input.order.shippingAddress, paypal) : undefined;
}

function oneLineAddress(a: ShippingAddress): string {
  return [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.state, a.country].filter(Boolean).join(', ');
}

function deliverySentence(input: EvidencePackInput): string {
  const delivered = lastDelivered(input);
  if (!delivered) {
    if (input.shipments.length === 0) return 'The order has not been shipped.';
    const s = input.shipments[0];
    return `The order was shipped on ${s.shippedAt} with ${s.carrier} (tracking ${s.trackingNumber}); the carrier has not yet reported delivery.`;
  }
  const match = deliveryAddressMatches(input);
  const where = match === true
    ? `to the shipping address on the PayPal transaction (${oneLineAddress(input.order.shippingAddress)})`
    : `to ${oneLineAddress(input.order.shippingAddress)}`;
  return `${delivered.carrier} delivered the order (tracking ${delivered.trackingNumber}) on ${delivered.deliveredAt} ${where}; the carrier's scan history is in section 5.`;
}

/** The cover letter's paragraph: the facts that answer this dispute's reason. */
export function rebuttalFor(input: EvidencePackInput): string {
  const { dispute, order, payment } = input;
  const opening = `Order ${order.orderId} was placed on ${order.placedAt} by ${order.customer.name} (${order.customer.email}) for ${format(order.totals.total)} and paid with PayPal (order ${payment.providerOrderId}${payment.captureId ? `, capture ${payment.captureId}` : ''}).`;
  const refunds = input.refunds.filter((r) => r.providerRefundId);
  switch (dispute.reason) {
    case 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED':
      return `${opening} ${deliverySentence(input)} The buyer's claim that the item was not received is contradicted by the carrier's proof of delivery.`;
    case 'CREDIT_NOT_PROCESSED':
      if (refunds.length === 0) return `${opening} No refund has been issued for this order; the payment record and any credit notes are attached.`;
      return `${opening} The refund the buyer asks for was already issued: ${refunds.map((r) => `PayPal refund ${r.providerRefundId} of ${format(r.amount)} on ${r.at}`).join('; ')}. The matching credit notes are in section 8.`;
    case 'UNAUTHORISED': {
      const c = order.checkout;
      const identity = [
        payment.payerId ? `PayPal payer ${payment.payerId}` : undefined,
        payment.payerEmail ? `payer email ${payment.payerEmail}` : undefined,
        c?.ip ? `checkout from IP address ${c.ip}` : undefined,
        c?.acceptedAt ? `terms accepted at ${c.acceptedAt}` : undefined,
      ].filter(Boolean);
      return `${opening} The payment was authorised by the account holder through PayPal${identity.length ? ` (${identity.join(', ')})` : ''}. ${deliverySentence(input)} These facts show the purchase was made and received by the buyer.`;
    }
    case 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED': {
      const items = order.lines.map((l) => `${l.quantity} x ${l.name} (${l.sku})`).join(', ');
      const policies = input.policies.map((p) => `${p.name} version ${p.version}`).join(', ');
      return `${opening} The buyer received exactly the items described at checkout: ${items}. ${deliverySentence(input)}${policies ? ` The policies shown and accepted at checkout (${policies}) are in section 7; returns are handled under them.` : ''}`;
    }
    default:
      return `${opening} ${deliverySentence(input)}${refunds.length ? ` Refunds issued: ${refunds.map((r) => `${r.providerRefundId} (${format(r.amount)}, ${r.at})`).join('; ')}.` : ''} The complete record of the order, payment, fulfilment and communication follows.`;
  }
}

/** Every dated fact, oldest first; equal instants keep their source order. */
export function timelineOf(input: EvidencePackInput): TimelineRow[] {
  const rows: TimelineRow[] = [{ at: input.order.placedAt, source: 'order', event: 'Order placed', detail: `${input.order.orderId}, ${format(input.order.totals.total)}` }];
  const c = input.order.checkout;
  if (c?.acceptedAt) rows.push({ at: c.acceptedAt, source: 'checkout', event: 'Terms accepted', detail: [c.termsVersion && `version ${c.termsVersion}`, c.ip && `IP ${c.ip}`].filter(Boolean).join(', ') || undefined });
  if (input.payment.capturedAt) rows.push({ at: input.payment.capturedAt, source: 'payment', event: 'Payment captured', detail: `${input.payment.captureId ?? input.payment.providerOrderId}, ${format(input.payment.amount)}` });
  if (input.invoice) rows.push({ at: input.invoice.issuedAt, source: 'invoice', event: 'Invoice issued', detail: `${input.invoice.number}, ${format(input.invoice.total)}` });
  for (const s of input.shipments) {
    rows.push({ at: s.shippedAt, source: 'shipment', event: 'Shipped', detail: `${s.carrier} ${s.trackingNumber}` });
    for (const scan of s.scans) rows.push({ at: scan.at, source: 'scan', event: scan.description, detail: [s.trackingNumber, scan.code, scan.location].filter(Boolean).join(', ') });
    if (s.deliveredAt) rows.push({ at: s.deliveredAt, source: 'shipment', event: 'Delivered', detail: `${s.carrier} ${s.trackingNumber}` });
  }
  for (const e of input.emails) rows.push({ at: e.sentAt, source: 'email', event: `Email: ${e.subject}`, detail: `${e.stage} to ${e.to}` });
  for (const r of input.refunds) rows.push({ at: r.at, source: 'refund', event: 'Refund', detail: `${r.providerRefundId ?? r.id}, ${format(r.amount)}, ${r.reason}` });
  for (const n of input.creditNotes) rows.push({ at: n.issuedAt, source: 'invoice', event: 'Credit note issued', detail: `${n.number} (corrects ${n.corrects})` });
  rows.push({ at: input.dispute.createdAt, source: 'dispute', event: 'Dispute opened', detail: `${input.dispute.disputeId}, ${input.dispute.reason}, ${format(input.dispute.amount)}` });
  const time = (s: string) => {
    const t = Date.parse(s);
    // Unreadable times sort last rather than breaking the order of the rest.
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
  return rows
    .map((row, i) => ({ row, i, t: time(row.at) }))
    .sort((a, b) => (a.t === b.t ? a.i - b.i : a.t < b.t ? -1 : 1))
    .map((x) => x.row);
}

function notes(text: string): string {
  return text.length <= notesLimit ? text : `${text.slice(0, notesLimit - 40)}… (full text in the attached PDF)`;
}

/** The provide-evidence `input.evidences[]` for the dispute's reason, and what is missing to make them. */
export function evidencesFor(input: EvidencePackInput): EvidenceSet {
  const documents = [{ name: evidenceDocumentName(input.dispute.disputeId) }];
  const rebuttal = notes(rebuttalFor(input));
  const evidences: PayPalEvidence[] = [];
  const missing: MissingFact[] = [];
  const refundIds = input.refunds.flatMap((r) => (r.providerRefundId ? [r.providerRefundId] : []));
  const fulfilment = (): PayPalEvidence => ({ evidence_type: 'PROOF_OF_FULFILLMENT', evidence_info: { tracking_info: trackingInfo(input) }, notes: rebuttal, documents });
  const refund = (): PayPalEvidence => ({ evidence_type: 'PROOF_OF_REFUND', evidence_info: { refund_ids: refundIds }, notes: rebuttal, documents });

  switch (input.dispute.reason) {
    case 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED':
      // PayPal refuses PROOF_OF_FULFILLMENT without tracking_info (MISSING_TRACKING_INFO).
      if (input.shipments.length === 0) missing.push('tracking');
      else {
        evidences.push(fulfilment());
        if (!lastDelivered(input)) missing.push('delivery');
      }
      break;
    case 'CREDIT_NOT_PROCESSED':
      if (refundIds.length === 0) missing.push('refund');
      else evidences.push(refund());
      break;
    case 'UNAUTHORISED': {
      const c = input.order.checkout;
      if (lastDelivered(input)) evidences.push(fulfilment());
      else missing.push('delivery');
      if (!c?.ip && !input.payment.payerId) missing.push('checkout-identity');
      const facts = [
        input.payment.payerId && `PayPal payer id: ${input.payment.payerId}`,
        input.payment.payerEmail && `Payer email: ${input.payment.payerEmail}`,
        `Customer account: ${input.order.customer.id} (${input.order.customer.email})`,
        c?.ip && `Checkout IP: ${c.ip}`,
        c?.userAgent && `User agent: ${c.userAgent}`,
        c?.acceptedAt && `Terms${c.termsVersion ? ` version ${c.termsVersion}` : ''} accepted at ${c.acceptedAt}`,
      ].filter(Boolean).join('. ');
      evidences.push({ evidence_type: 'OTHER', notes: notes(`${rebuttal}\n${facts}.`), documents });
      break;
    }
    case 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED': {
      if (input.order.lines.length === 0) missing.push('item-description');
      else {
        const items = input.order.lines.map((l) => `${l.quantity} x ${l.name} (SKU ${l.sku}) at ${format(l.unitPrice)}`).join('; ');
        evidences.push({ evidence_type: 'ITEM_DESCRIPTION', notes: notes(`${rebuttal}\nItems as described at checkout: ${items}.`), documents });
      }
      const returns = input.policies.filter((p) => /return|refund/i.test(p.name));
      if (returns.length === 0) missing.push('return-policy');
      else evidences.push({ evidence_type: 'RETURN_POLICY', notes: notes(returns.map((p) => `${p.name} version ${p.version}${p.url ? ` (${p.url})` : ''}`).join('; ')), documents });
      if (refundIds.length > 0) evidences.push(refund());
      break;
    }
    default:
      // No reason-specific proof: the facts go in as notes, with the refund when there is one.
      if (refundIds.length > 0) evidences.push(refund());
      evidences.push({ evidence_type: 'OTHER', notes: rebuttal, documents });
  }
  return { evidences, missing };
}
