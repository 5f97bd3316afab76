// Refunds after shipment: amounts come from the invoice, and however the goods come back (unit by
// unit, line by line, shipping with any of them) the refunds add up to exactly what was charged.
import fc from 'fast-check';
import { buildInvoice, buildPartialCreditNote } from '../../domain/invoice';
import { createOrder } from '../../domain/order';
import type { Order } from '../../domain/order';
import { priceCart } from '../../domain/pricing';
import { planRefund } from '../../domain/refund';
import type { Refund } from '../../domain/order';
import type { RefundRequest } from '../../domain/refund';
import { catalog, pricingRules } from '../../adapters/catalog/store-config';

const skus = [...catalog.keys()];
const seller = { name: 'Shop', lines: [] };

function order(lines: { sku: string; quantity: number }[], discountCode?: string, country = 'DE'): Order {
  const priced = priceCart({ lines, country, shippingMethod: 'standard', discountCode }, catalog, pricingRules);
  if (!priced.ok) throw new Error(priced.problems.map((p) => p.message).join('; '));
  return { ...createOrder({ id: 'ord_x', customer: { id: 'c', email: 'c@example.com', name: 'C' }, shippingAddress: { name: 'C', line1: 'l', city: 'Berlin', postalCode: '10117', country }, quote: priced.quote, payment: { method: 'paypal' }, at: '2026-11-25T10:00:00.000Z' }), status: 'delivered' };
}

/** Applies a request the way the API does: planned, then recorded as a standing refund. */
function refund(o: Order, req: RefundRequest, status: Refund['status'] = 'completed'): Order {
  const plan = planRefund(o, req);
  if (!plan.ok) throw new Error(plan.problems.map((p) => p.message).join('; '));
  const r: Refund = { id: `rf_${(o.refunds ?? []).length}`, status, lines: plan.lines, amount: plan.amount, reason: 'test', requestedAt: o.createdAt, requestedBy: 'admin' };
  return { ...o, refunds: [...(o.refunds ?? []), r] };
}

const refundedTotal = (o: Order) => (o.refunds ?? []).filter((r) => r.status !== 'failed').reduce((n, r) => n + r.amount.amount, 0);

test('returning everything, in any split and order, refunds exactly the order total; every part is positive or zero', () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.constantFrom(...skus), { minLength: 1, maxLength: 4 }),
    fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 4, maxLength: 4 }),
    fc.constantFrom(undefined, 'WELCOME10', 'SAVE5'),
    fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
    fc.nat(30),
    (lineSkus, qtys, discountCode, dice, shippingAt) => {
      const lines = lineSkus.map((sku, i) => ({ sku, quantity: qtys[i] }));
      const priced = priceCart({ lines, country: 'DE', shippingMethod: 'standard', discountCode }, catalog, pricingRules);
      fc.pre(priced.ok);
      let o = order(lines, discountCode);
      const left = new Map(lines.map((l) => [l.sku, l.quantity]));
      let shippingDone = false;
      for (let step = 0; [...left.values()].some((n) => n > 0) || !shippingDone; step++) {
        const open = [...left].filter(([, n]) => n > 0);
        const items = open.length === 0 ? [] : (() => {
          const [sku, n] = open[dice[step % dice.length] % open.length];
          return [{ sku, quantity: 1 + (dice[(step + 7) % dice.length] % n) }];
        })();
        const shipping: boolean = !shippingDone && (step >= shippingAt || open.length === 0);
        if (items.length === 0 && !shipping) continue;
        const plan = planRefund(o, { items, shipping, reason: 'r' });
        if (!plan.ok) {
          // Only a part of nothing (a free item) is refused.
          expect(plan.problems.map((p) => p.code)).toEqual(['nothing-to-refund']);
        } else {
          plan.lines.forEach((l) => { expect(l.net.amount).toBeGreaterThanOrEqual(0); expect(l.tax.amount).toBeGreaterThanOrEqual(0); });
          o = refund(o, { items, shipping, reason: 'r' });
        }
        items.forEach((i) => left.set(i.sku, left.get(i.sku)! - i.quantity));
        shippingDone ||= shipping;
      }
      expect(refundedTotal(o)).toBe(o.quote.totals.total.amount);
    },
  ));
});

test('a partial credit note repeats the refund: its gross is the refunded amount, tax broken down by rate', () => {
  const o = order([{ sku: 'COFFEE-ETH-250', quantity: 3 }, { sku: 'NOTE-A5-DOT', quantity: 2 }]);
  const plan = planRefund(o, { items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }, { sku: 'NOTE-A5-DOT', quantity: 2 }], shipping: true, reason: 'r' });
  if (!plan.ok) throw new Error('expected a plan');
  const cn = buildPartialCreditNote(o, plan.lines, { number: 'CN-2026-000002', corrects: 'INV-2026-000001', issuedAt: o.createdAt, seller });
  expect(cn.kind).toBe('credit-note');
  expect(cn.totals.gross).toEqual(plan.amount);
  expect(cn.taxBreakdown.reduce((n, r) => n + r.tax.amount, 0)).toBe(cn.totals.tax.amount);
  expect(cn.lines.map((l) => [l.sku, l.quantity])).toEqual([['COFFEE-ETH-250', 1], ['NOTE-A5-DOT', 2], ['SHIPPING', 1]]);
  // The full notebook line and the shipping fee are exactly the invoice's.
  const inv = buildInvoice(o, { number: 'INV-2026-000001', kind: 'invoice', issuedAt: o.createdAt, seller });
  expect(cn.lines.slice(1)).toEqual(inv.lines.slice(1));
});

test('what cannot be refunded is refused with a pointer to the field', () => {
  let o = order([{ sku: 'COFFEE-ETH-250', quantity: 2 }]);
  const problems = (req: RefundRequest) => {
    const p = planRefund(o, req);
    return p.ok ? [] : p.problems.map((x) => [x.code, x.pointer]);
  };
  expect(problems({ items: [{ sku: 'NOPE', quantity: 1 }], shipping: false, reason: 'r' })).toEqual([['unknown-sku', '/items/0/sku']]);
  expect(problems({ items: [{ sku: 'COFFEE-ETH-250', quantity: 3 }], shipping: false, reason: 'r' })).toEqual([['quantity-exceeded', '/items/0/quantity']]);
  expect(problems({ items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }, { sku: 'COFFEE-ETH-250', quantity: 1 }], shipping: false, reason: 'r' })).toEqual([['duplicate-sku', '/items/1/sku']]);
  expect(problems({ items: [], shipping: false, reason: 'r' })).toEqual([['nothing-to-refund', '/items']]);
  o = refund(o, { items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }], shipping: true, reason: 'r' });
  expect(problems({ items: [{ sku: 'COFFEE-ETH-250', quantity: 2 }], shipping: false, reason: 'r' })).toEqual([['quantity-exceeded', '/items/0/quantity']]);
  expect(problems({ items: [], shipping: true, reason: 'r' })).toEqual([['shipping-already-refunded', '/shipping']]);
  // A refund PayPal refused gives its share back.
  o = refund(o, { items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }], shipping: false, reason: 'r' }, 'failed');
  expect(problems({ items: [{ sku: 'COFFEE-ETH-250', quantity: 1 }], shipping: false, reason: 'r' })).toEqual([]);
});
