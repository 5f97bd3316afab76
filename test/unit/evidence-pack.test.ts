import fc from 'fast-check';
import { addressesMatch, disputeCarrierName, evidencesFor, rebuttalFor, timelineOf } from '../../domain/evidence-pack';
import type { EvidencePackInput } from '../../domain/evidence-pack';
import { money } from '../../domain/money';
import type { ShippingAddress } from '../../domain/order';
import { sampleEvidencePackInput } from '../support/evidence-pack-input';

const eur = (cents: number) => money(cents, 'EUR');
const doc = [{ name: 'evidence-PP-D-4711.pdf' }];

describe('evidencesFor', () => {
  test('not received: PROOF_OF_FULFILLMENT with one tracking_info per shipment, carriers mapped to the Disputes list', () => {
    const input = sampleEvidencePackInput({ shipments: 2 });
    input.shipments[1].carrier = 'Speedy Parcels GmbH';
    const { evidences, missing } = evidencesFor(input);
    expect(missing).toEqual([]);
    expect(evidences).toHaveLength(1);
    expect(evidences[0]).toMatchObject({
      evidence_type: 'PROOF_OF_FULFILLMENT',
      evidence_info: {
        tracking_info: [
          { carrier_name: 'DHL', tracking_number: '1234567890', tracking_url: input.shipments[0].trackingUrl },
          { carrier_name: 'OTHER', carrier_name_other: 'Speedy Parcels GmbH', tracking_number: '1234567891', tracking_url: input.shipments[1].trackingUrl },
        ],
      },
      documents: doc,
    });
    expect(evidences[0].evidence_info?.tracking_info?.[0]).not.toHaveProperty('carrier_name_other');
    expect(evidences[0].notes).toContain('1234567891');
  });

  test('not received without a shipment: nothing to submit, tracking missing', () => {
    expect(evidencesFor(sampleEvidencePackInput({ shipments: 0 }))).toEqual({ evidences: [], missing: ['tracking'] });
  });

  test('not received, shipped but no delivery scan: tracking goes in, delivery is reported missing', () => {
    const r = evidencesFor(sampleEvidencePackInput({ delivered: false }));
    expect(r.evidences.map((e) => e.evidence_type)).toEqual(['PROOF_OF_FULFILLMENT']);
    expect(r.missing).toEqual(['delivery']);
  });

  test('credit not processed: PROOF_OF_REFUND with PayPal refund ids only', () => {
    const input = sampleEvidencePackInput({ reason: 'CREDIT_NOT_PROCESSED' });
    input.refunds = [
      { id: 'rf-1', providerRefundId: '1JU08902781691411', amount: eur(2998), at: '2026-11-10T08:00:00Z', reason: 'returned mugs' },
      { id: 'rf-2', amount: eur(100), at: '2026-11-11T08:00:00Z', reason: 'requested, not yet at PayPal' },
    ];
    const { evidences, missing } = evidencesFor(input);
    expect(missing).toEqual([]);
    expect(evidences).toEqual([expect.objectContaining({ evidence_type: 'PROOF_OF_REFUND', evidence_info: { refund_ids: ['1JU08902781691411'] }, documents: doc })]);
  });

  test('credit not processed without a PayPal refund: refund missing', () => {
    expect(evidencesFor(sampleEvidencePackInput({ reason: 'CREDIT_NOT_PROCESSED' }))).toEqual({ evidences: [], missing: ['refund'] });
  });

  test('unauthorised: proof of delivery plus the payer identity as OTHER notes', () => {
    const { evidences, missing } = evidencesFor(sampleEvidencePackInput({ reason: 'UNAUTHORISED' }));
    expect(missing).toEqual([]);
    expect(evidences.map((e) => e.evidence_type)).toEqual(['PROOF_OF_FULFILLMENT', 'OTHER']);
    expect(evidences[1].notes).toContain('Checkout IP: 203.0.113.7');
    expect(evidences[1].notes).toContain('QYR5Z8XDVJNXQ');
  });

  test('unauthorised without delivery or identity: both reported missing', () => {
    const input = sampleEvidencePackInput({ reason: 'UNAUTHORISED', shipments: 0 });
    delete input.order.checkout;
    delete input.payment.payerId;
    const r = evidencesFor(input);
    expect(r.missing).toEqual(['delivery', 'checkout-identity']);
    expect(r.evidences.map((e) => e.evidence_type)).toEqual(['OTHER']);
  });

  test('not as described: ITEM_DESCRIPTION and RETURN_POLICY; without a return policy it is missing', () => {
    const input = sampleEvidencePackInput({ reason: 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED' });
    const r = evidencesFor(input);
    expect(r.evidences.map((e) => e.evidence_type)).toEqual(['ITEM_DESCRIPTION', 'RETURN_POLICY']);
    expect(r.evidences[0].notes).toContain('MUG-CER-350');
    expect(r.evidences[1].notes).toContain('Return and refund policy version 2026-03');
    input.policies = input.policies.filter((p) => !/return/i.test(p.name));
    expect(evidencesFor(input).missing).toEqual(['return-policy']);
  });

  test('other reasons: the facts as OTHER notes, with PROOF_OF_REFUND when refunded', () => {
    const input = sampleEvidencePackInput({ reason: 'DUPLICATE_TRANSACTION' });
    expect(evidencesFor(input).evidences.map((e) => e.evidence_type)).toEqual(['OTHER']);
    input.refunds = [{ id: 'rf-1', providerRefundId: 'R1', amount: eur(8488), at: '2026-11-10T08:00:00Z', reason: 'duplicate' }];
    expect(evidencesFor(input).evidences.map((e) => e.evidence_type)).toEqual(['PROOF_OF_REFUND', 'OTHER']);
  });

  test('every evidence names the pack PDF and keeps notes within PayPal\'s bound', () => {
    const input = sampleEvidencePackInput({ reason: 'UNAUTHORISED' });
    input.order.customer.name = 'N'.repeat(5000);
    for (const e of evidencesFor(input).evidences) {
      expect(e.documents).toEqual(doc);
      expect(e.notes!.length).toBeLessThanOrEqual(2000);
    }
  });

  test('carrier names map case- and punctuation-insensitively', () => {
    expect(disputeCarrierName('dhl  express')).toEqual({ carrier_name: 'DHL' });
    expect(disputeCarrierName('Fed-Ex')).toEqual({ carrier_name: 'FEDEX' });
    expect(disputeCarrierName('Pony Express')).toEqual({ carrier_name: 'OTHER', carrier_name_other: 'Pony Express' });
  });
});

describe('addressesMatch', () => {
  // Printable ASCII (fast-check's default unit), where upper and lower case map one to one.
  const text = fc.string({ minLength: 1, maxLength: 30 });
  const addressArb = fc.record({ name: text, line1: text, city: text, postalCode: fc.stringMatching(/^[0-9A-Z]{3,8}$/), country: fc.constantFrom('DE', 'FR', 'GB', 'US') });

  /** The same text as a person or another system might type it. */
  const restyled = (s: string, seed: number) => {
    let out = '';
    for (const [i, ch] of [...s].entries()) {
      const r = (seed >> i % 24) & 3;
      out += r === 0 ? ch.toUpperCase() : r === 1 ? ch.toLowerCase() : r === 2 ? ` ${ch}` : `${ch}.`;
    }
    return `  ${out}, `;
  };

  test('case, whitespace and punctuation do not matter', () => {
    fc.assert(
      fc.property(addressArb, fc.integer(), (a, seed) => {
        const b: ShippingAddress = { name: restyled(a.name, seed), line1: restyled(a.line1, seed + 1), city: restyled(a.city, seed + 2), postalCode: restyled(a.postalCode, seed + 3), country: a.country.toLowerCase() };
        return addressesMatch(a, b);
      }),
    );
  });

  test('symmetric', () => {
    fc.assert(fc.property(addressArb, addressArb, (a, b) => addressesMatch(a, b) === addressesMatch(b, a)));
    fc.assert(fc.property(addressArb, fc.integer(), (a, seed) => {
      const b = { ...a, city: restyled(a.city, seed) };
      return addressesMatch(a, b) === addressesMatch(b, a);
    }));
  });

  test('a different postal code, street or recipient is a mismatch', () => {
    const a = { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };
    expect(addressesMatch(a, { ...a, name: 'ADA  LOVELACE', line1: 'unter den linden 1.' })).toBe(true);
    expect(addressesMatch(a, { ...a, postalCode: '10115' })).toBe(false);
    expect(addressesMatch(a, { ...a, line1: 'Unter den Linden 11' })).toBe(false);
    expect(addressesMatch(a, { ...a, name: 'Charles Babbage' })).toBe(false);
    expect(addressesMatch(a, { ...a, country: 'AT' })).toBe(false);
  });
});

describe('timelineOf', () => {
  test('all sources in chronological order, ties in source order', () => {
    const input: EvidencePackInput = sampleEvidencePackInput({ scans: 3, emails: 3 });
    input.refunds = [{ id: 'rf-1', providerRefundId: 'R1', amount: eur(100), at: '2026-11-03T00:00:00.000Z', reason: 'goodwill' }];
    input.creditNotes = [{ number: 'CN-2026-000001', issuedAt: '2026-11-03T00:00:00.000Z', corrects: 'INV-2026-000042' }];
    const rows = timelineOf(input);
    const times = rows.map((r) => Date.parse(r.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['order', 'checkout', 'payment', 'invoice', 'shipment', 'scan', 'email', 'refund', 'dispute']));
    expect(rows[0]).toMatchObject({ source: 'order', event: 'Order placed' });
    // Order placed and terms accepted share an instant: the order comes first, as given.
    expect(rows[1]).toMatchObject({ source: 'checkout', event: 'Terms accepted' });
    const refund = rows.findIndex((r) => r.source === 'refund');
    expect(rows[refund + 1]).toMatchObject({ event: 'Credit note issued' });
    expect(rows.at(-1)).toMatchObject({ source: 'dispute' });
    expect(rows.filter((r) => r.source === 'scan')).toHaveLength(3);
  });

  test('times in other offsets sort by instant', () => {
    const input = sampleEvidencePackInput({ scans: 0, emails: 0, shipments: 0 });
    input.emails = [
      { stage: 'b', subject: 'later', to: 'x', messageId: '2', sentAt: '2026-11-02T12:00:00+01:00' },
      { stage: 'a', subject: 'earlier', to: 'x', messageId: '1', sentAt: '2026-11-02T10:30:00Z' },
    ];
    expect(timelineOf(input).filter((r) => r.source === 'email').map((r) => r.event)).toEqual(['Email: earlier', 'Email: later']);
  });
});

describe('rebuttalFor', () => {
  test('not received and delivered: proof of delivery to the PayPal address', () => {
    const text = rebuttalFor(sampleEvidencePackInput());
    expect(text).toContain('delivered the order (tracking 1234567890)');
    expect(text).toContain('shipping address on the PayPal transaction');
  });

  test('not received, PayPal address different: no claim of matching it', () => {
    const input = sampleEvidencePackInput();
    input.payment.payPalShippingAddress = { ...input.order.shippingAddress, postalCode: '80331', city: 'Munich' };
    expect(rebuttalFor(input)).not.toContain('PayPal transaction');
  });

  test('credit not processed with a refund: refund id and date', () => {
    const input = sampleEvidencePackInput({ reason: 'CREDIT_NOT_PROCESSED' });
    input.refunds = [{ id: 'rf-1', providerRefundId: '1JU08902781691411', amount: eur(8488), at: '2026-11-10T08:00:00Z', reason: 'return' }];
    expect(rebuttalFor(input)).toContain('PayPal refund 1JU08902781691411 of EUR 84.88 on 2026-11-10T08:00:00Z');
  });

  test('unauthorised: payer identity, IP and delivery', () => {
    const text = rebuttalFor(sampleEvidencePackInput({ reason: 'UNAUTHORISED' }));
    expect(text).toContain('PayPal payer QYR5Z8XDVJNXQ');
    expect(text).toContain('203.0.113.7');
    expect(text).toContain('delivered the order');
  });

  test('not as described: items and policies', () => {
    const text = rebuttalFor(sampleEvidencePackInput({ reason: 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED' }));
    expect(text).toContain('2 x Ceramic mug 350 ml, stoneware (MUG-CER-350)');
    expect(text).toContain('Return and refund policy version 2026-03');
  });

  test('other reasons: the facts', () => {
    const text = rebuttalFor(sampleEvidencePackInput({ reason: 'INCORRECT_AMOUNT' }));
    expect(text).toContain('Order ord-20261102-0042');
    expect(text).toContain('EUR 84.88');
  });
});
