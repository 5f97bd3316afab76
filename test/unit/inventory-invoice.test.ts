import fc from 'fast-check';
import { available, commit, release, reserve, restock } from '../../domain/inventory';
import type { StockState } from '../../domain/inventory';
import { buildInvoice, formatDocumentNumber } from '../../domain/invoice';
import { createOrder } from '../../domain/order';
import { priceCart } from '../../domain/pricing';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';

describe('inventory', () => {
  test('reservations never exceed stock, whatever the order of operations', () => {
    type Op = { kind: 'reserve'; order: number; qty: number } | { kind: 'release' | 'commit'; order: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), order: fc.nat(9), qty: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constantFrom('release' as const, 'commit' as const), order: fc.nat(9) }),
    );
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.array(op, { maxLength: 60 }), (onHand, ops) => {
      let s: StockState = { onHand, reservations: {} };
      let shipped = 0;
      for (const o of ops) {
        const id = `ord_${o.order}`;
        if (o.kind === 'reserve') s = reserve(s, id, o.qty).state;
        else if (o.kind === 'release') s = release(s, id);
        else {
          shipped += s.reservations[id] ?? 0;
          s = commit(s, id);
        }
        expect(available(s)).toBeGreaterThanOrEqual(0);
        expect(s.onHand).toBe(onHand - shipped);
      }
    }));
  });

  test('restocked units can be sold again; a restock is of whole positive units', () => {
    let s: StockState = { onHand: 1, reservations: {} };
    s = commit(reserve(s, 'a', 1).state, 'a');
    expect(reserve(s, 'b', 1).ok).toBe(false);
    s = restock(s, 1);
    expect(available(s)).toBe(1);
    expect(reserve(s, 'b', 1).ok).toBe(true);
    expect(() => restock(s, 0)).toThrow('positive integer');
  });

  test('reserving twice for the same order is a no-op; releasing gives the units back', () => {
    let s: StockState = { onHand: 3, reservations: {} };
    s = reserve(s, 'a', 2).state;
    expect(reserve(s, 'a', 2)).toEqual({ state: s, ok: true });
    expect(reserve(s, 'b', 2).ok).toBe(false);
    s = release(s, 'a');
    expect(reserve(s, 'b', 2).ok).toBe(true);
  });
});

describe('invoices', () => {
  const skus = [...catalog.keys()];
  test('an invoice repeats exactly what the order charges, with tax broken down by rate', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.constantFrom(...skus), { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 5, maxLength: 5 }),
      fc.constantFrom('DE', 'AT', 'FR', 'NL'),
      fc.constantFrom(undefined, 'WELCOME10', 'SAVE5', 'FREESHIP'),
      (lineSkus, qtys, country, discountCode) => {
        const priced = priceCart({ lines: lineSkus.map((sku, i) => ({ sku, quantity: qtys[i] })), country, shippingMethod: 'standard', discountCode }, catalog, pricingRules);
        fc.pre(priced.ok);
        if (!priced.ok) return;
        const order = createOrder({ id: 'ord_x', customer: { id: 'c', email: 'c@example.com', name: 'C' }, shippingAddress: { name: 'C', line1: 'l', city: 'Berlin', postalCode: '10117', country }, quote: priced.quote, payment: { method: 'paypal' }, at: '2026-11-25T10:00:00.000Z' });
        const inv = buildInvoice(order, { number: 'INV-2026-000001', kind: 'invoice', issuedAt: order.createdAt, seller: { name: 'Shop', lines: [] } });
        expect(inv.totals.gross).toEqual(priced.quote.totals.total);
        expect(inv.totals.tax).toEqual(priced.quote.totals.tax);
        const byRate = inv.taxBreakdown.reduce((a, r) => a + r.tax.amount, 0);
        expect(byRate).toBe(inv.totals.tax.amount);
      },
    ));
  });

  test('document numbers are series, year and a zero-padded sequence', () => {
    expect(formatDocumentNumber('INV', 2026, 42)).toBe('INV-2026-000042');
    expect(formatDocumentNumber('CN', 2027, 1)).toBe('CN-2027-000001');
  });
});
