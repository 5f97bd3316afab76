import fc from 'fast-check';
import { money, sum } from '../../domain/money';
import { priceCart, PricingRules, Product, TaxCategory } from '../../domain/pricing';

const rules: PricingRules = {
  currency: 'EUR',
  taxRates: {
    DE: { standard: 1900, reduced: 700, zero: 0 },
    FR: { standard: 2000, reduced: 550, zero: 0 },
  },
  shipping: {
    standard: { DE: { base: 490, perKg: 100 }, FR: { base: 890, perKg: 150 } },
    express: { DE: { base: 1290, perKg: 200 } },
  },
  discounts: {
    WELCOME10: { kind: 'percent', basisPoints: 1000 },
    FIVEOFF: { kind: 'fixed', amount: 500, minSubtotal: 2000 },
    SHIPFREE: { kind: 'freeShipping' },
  },
  maxQuantityPerLine: 99,
  maxLines: 50,
};

const product = (sku: string, price: number, grams: number, taxCategory: TaxCategory = 'standard'): Product => ({ sku, name: `Product ${sku}`, unitPrice: money(price, 'EUR'), weightGrams: grams, taxCategory });
const catalog = new Map([product('MUG-1', 1299, 400), product('BOOK-1', 2450, 700, 'reduced'), product('GIFT-1', 1000, 0, 'zero')].map((p) => [p.sku, p]));

test('prices a cart: line totals, discount spread over lines, tax per line and on shipping', () => {
  const r = priceCart({ lines: [{ sku: 'MUG-1', quantity: 2 }, { sku: 'BOOK-1', quantity: 1 }], country: 'DE', shippingMethod: 'standard', discountCode: 'welcome10' }, catalog, rules);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const q = r.quote;
  expect(q.lines.map((l) => [l.sku, l.lineTotal.amount, l.discount.amount, l.tax.amount])).toEqual([
    ['BOOK-1', 2450, 245, 154], // (2450-245) × 7 % = 154.35
    ['MUG-1', 2598, 260, 444], // (2598-260) × 19 % = 444.22
  ]);
  expect(q.shipping).toMatchObject({ weightGrams: 1500, amount: money(690, 'EUR'), tax: money(131, 'EUR') }); // 490 + 2 started kg × 100; 19 %
  expect(q.discountCode).toBe('WELCOME10');
  expect(q.totals).toEqual({
    subtotal: money(5048, 'EUR'),
    discount: money(505, 'EUR'), // 10 % of 50.48 = 5.048, half-up
    tax: money(729, 'EUR'),
    shipping: money(690, 'EUR'),
    total: money(5048 - 505 + 690 + 729, 'EUR'),
  });
});

test('reports every problem with a pointer into the request', () => {
  const r = priceCart({ lines: [{ sku: 'NOPE', quantity: 1 }, { sku: 'MUG-1', quantity: 0 }, { sku: 'MUG-1', quantity: 1 }], country: 'US', shippingMethod: 'standard', discountCode: 'BOGUS' }, catalog, rules);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.problems.map((p) => [p.code, p.pointer])).toEqual([
    ['unknown-sku', '/items/0/sku'],
    ['invalid-quantity', '/items/1/quantity'],
    ['duplicate-sku', '/items/2/sku'],
    ['destination-not-served', '/shippingAddress/country'],
    ['unknown-discount-code', '/discountCode'],
  ]);
});

test('shipping method availability, discount minimums, empty carts', () => {
  const express = priceCart({ lines: [{ sku: 'MUG-1', quantity: 1 }], country: 'FR', shippingMethod: 'express' }, catalog, rules);
  expect(!express.ok && express.problems[0].code).toBe('shipping-method-unavailable');
  const min = priceCart({ lines: [{ sku: 'MUG-1', quantity: 1 }], country: 'DE', shippingMethod: 'standard', discountCode: 'FIVEOFF' }, catalog, rules);
  expect(!min.ok && min.problems[0].code).toBe('discount-minimum-not-met');
  const empty = priceCart({ lines: [], country: 'DE', shippingMethod: 'standard' }, catalog, rules);
  expect(!empty.ok && empty.problems[0].code).toBe('empty-cart');
});

test('free shipping zeroes shipping and its tax', () => {
  const r = priceCart({ lines: [{ sku: 'MUG-1', quantity: 1 }], country: 'DE', shippingMethod: 'express', discountCode: 'SHIPFREE' }, catalog, rules);
  expect(r.ok && r.quote.totals.shipping.amount).toBe(0);
  expect(r.ok && r.quote.shipping.tax.amount).toBe(0);
});

// Property: for any valid cart, every figure adds up exactly and nothing is negative.
const arbCatalog = fc.uniqueArray(
  fc.record({ sku: fc.stringMatching(/^[A-Z]{2,5}-\d{1,3}$/), price: fc.integer({ min: 0, max: 500_000 }), grams: fc.integer({ min: 0, max: 30_000 }), cat: fc.constantFrom<TaxCategory>('standard', 'reduced', 'zero') }),
  { minLength: 1, maxLength: 12, selector: (p) => p.sku },
);
const arbCase = arbCatalog.chain((products) => fc.record({
  products: fc.constant(products),
  lines: fc.uniqueArray(fc.record({ sku: fc.constantFrom(...products.map((p) => p.sku)), quantity: fc.integer({ min: 1, max: 99 }) }), { minLength: 1, maxLength: products.length, selector: (l) => l.sku }),
  country: fc.constantFrom('DE', 'FR'),
  discountCode: fc.constantFrom(undefined, 'WELCOME10', 'FIVEOFF', 'SHIPFREE'),
}));

test('totals invariants hold for any cart', () => {
  fc.assert(fc.property(arbCase, ({ products, lines, country, discountCode }) => {
    const cat = new Map(products.map((p) => [p.sku, product(p.sku, p.price, p.grams, p.cat)]));
    const r = priceCart({ lines, country, shippingMethod: 'standard', discountCode }, cat, rules);
    if (!r.ok) {
      expect(r.problems.map((p) => p.code)).toEqual(['discount-minimum-not-met']);
      return;
    }
    const { lines: priced, totals, shipping } = r.quote;
    const all = [...priced.flatMap((l) => [l.unitPrice, l.lineTotal, l.discount, l.tax]), ...Object.values(totals), shipping.amount, shipping.tax];
    expect(new Set(all.map((m) => m.currency))).toEqual(new Set(['EUR']));
    all.forEach((m) => expect(m.amount).toBeGreaterThanOrEqual(0));
    expect(sum('EUR', priced.map((l) => l.lineTotal))).toEqual(totals.subtotal);
    expect(sum('EUR', priced.map((l) => l.discount))).toEqual(totals.discount);
    expect(totals.discount.amount).toBeLessThanOrEqual(totals.subtotal.amount);
    expect(sum('EUR', [...priced.map((l) => l.tax), shipping.tax])).toEqual(totals.tax);
    expect(totals.total.amount).toBe(totals.subtotal.amount - totals.discount.amount + totals.shipping.amount + totals.tax.amount);
    priced.forEach((l) => expect(l.lineTotal.amount).toBe(l.unitPrice.amount * l.quantity));
  }));
});

test('the order of lines never changes the price', () => {
  fc.assert(fc.property(arbCase, fc.integer(), ({ products, lines, country, discountCode }, seed) => {
    const cat = new Map(products.map((p) => [p.sku, product(p.sku, p.price, p.grams, p.cat)]));
    const shuffled = [...lines].sort((a, b) => ((a.sku.length * 31 + seed) % 7) - ((b.sku.length * 31 + seed) % 7));
    expect(priceCart({ lines: shuffled, country, shippingMethod: 'standard', discountCode }, cat, rules)).toEqual(priceCart({ lines, country, shippingMethod: 'standard', discountCode }, cat, rules));
  }));
});
