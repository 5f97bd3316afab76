// A realistic evidence pack input (one order, delivered by DHL Express, disputed as not received),
// sized by the caller: the evidence-pack tests and bench/evidence-pack-bench.ts build from it.
import type { DisputeReason, EvidencePackInput } from '../../domain/evidence-pack';
import { money } from '../../domain/money';

const eur = (cents: number) => money(cents, 'EUR');
const address = { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };
const scanSteps = [
  ['PU', 'Shipment picked up', 'Leipzig Hub - Germany'],
  ['PL', 'Processed at facility', 'Leipzig Hub - Germany'],
  ['DF', 'Departed facility', 'Leipzig Hub - Germany'],
  ['AF', 'Arrived at delivery facility', 'Berlin - Germany'],
  ['WC', 'With delivery courier', 'Berlin - Germany'],
] as const;

/** Minutes after the order was placed (2026-11-02T09:00:00Z), as ISO time. */
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 2, 9, 0) + minutes * 60_000).toISOString();

export interface SampleSize {
  shipments?: number;
  /** Per shipment, the last being the delivery scan. */
  scans?: number;
  emails?: number;
  reason?: DisputeReason;
  delivered?: boolean;
}

export function sampleEvidencePackInput(size: SampleSize = {}): EvidencePackInput {
  const { shipments = 1, scans = 8, emails = 7, reason = 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', delivered = true } = size;
  return {
    dispute: { disputeId: 'PP-D-4711', reason, stage: 'CHARGEBACK', channel: 'INTERNAL', amount: eur(8488), dueAt: '2026-11-30T23:59:59Z', createdAt: at(60 * 24 * 14) },
    order: {
      orderId: 'ord-20261102-0042',
      placedAt: at(0),
      customer: { name: 'Ada Lovelace', email: 'ada@example.com', id: 'cust-1' },
      lines: [
        { sku: 'MUG-CER-350', name: 'Ceramic mug 350 ml, stoneware', quantity: 2, unitPrice: eur(1499), lineTotal: eur(2998) },
        { sku: 'TEA-EARLGREY-250', name: 'Earl Grey loose leaf tea 250 g', quantity: 4, unitPrice: eur(1095), lineTotal: eur(4380) },
      ],
      totals: { items: eur(7378), shipping: eur(490), tax: eur(620), total: eur(8488) },
      shippingAddress: address,
      checkout: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Safari/605.1.15', termsVersion: '2026-09', acceptedAt: at(0) },
    },
    invoice: { number: 'INV-2026-000042', issuedAt: at(62), total: eur(8488) },
    creditNotes: [],
    payment: {
      provider: 'paypal',
      providerOrderId: '5O190127TN364715T',
      authorizationId: '0VF52814937998046',
      captureId: '3C679366HH908993F',
      capturedAt: at(61),
      payerId: 'QYR5Z8XDVJNXQ',
      payerEmail: 'ada.buyer@example.com',
      payPalShippingAddress: { ...address, name: 'ADA LOVELACE', line1: 'Unter den Linden 1.' },
      sellerProtection: { status: 'ELIGIBLE', disputeCategories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
      amount: eur(8488),
    },
    refunds: [],
    shipments: Array.from({ length: shipments }, (_, s) => {
      const shippedAt = 120 + s * 60;
      const trackingNumber = String(1234567890 + s);
      return {
        carrier: 'DHL Express',
        payPalCarrier: 'DHL',
        trackingNumber,
        trackingUrl: `https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=${trackingNumber}`,
        shippedAt: at(shippedAt),
        ...(delivered ? { deliveredAt: at(shippedAt + scans * 90) } : {}),
        scans: Array.from({ length: scans }, (_, i) => {
          const last = delivered && i === scans - 1;
          const [code, description, location] = last ? (['OK', 'Delivered - signed for by ADA LOVELACE', 'Berlin - Germany'] as const) : scanSteps[i % scanSteps.length];
          return { at: at(shippedAt + (i + 1) * 90), code, description, location };
        }),
        payPalTrackerId: `3C679366HH908993F-${trackingNumber}`,
      };
    }),
    emails: Array.from({ length: emails }, (_, i) => ({
      stage: ['order-received', 'payment-authorized', 'payment-captured', 'invoice-issued', 'shipped', 'out-for-delivery', 'delivered'][i % 7],
      subject: `Your order ord-20261102-0042: update ${i + 1}`,
      to: 'ada@example.com',
      messageId: `<${i + 1}.ord-20261102-0042@mail.example.com>`,
      sentAt: at(1 + i * 100),
    })),
    policies: [
      { name: 'Terms of service', version: '2026-09', url: 'https://shop.example.com/terms?v=2026-09' },
      { name: 'Return and refund policy', version: '2026-03', url: 'https://shop.example.com/returns?v=2026-03' },
      { name: 'Shipping policy', version: '2025-12' },
    ],
    generatedAt: '2026-11-16T10:00:00.000Z',
    generator: 'order-backend 0.1.0',
  };
}
