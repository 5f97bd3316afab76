// Server-side pricing of a cart: catalog prices, discount codes, tax by destination and shipping
// by weight, destination and method. Client-sent prices are never an input.
//
// Rounding (documented for invoices): a discount is split over the lines in proportion to their
// totals (largest remainder, so it adds up exactly); tax is computed per line on the discounted
// line total and on shipping, each rounded half-to-even to the minor unit; totals are sums of
// the rounded parts, so every figure on the invoice adds up. A percentage discount rounds half
// up (the customer keeps the half cent).
import { add, allocate, applyRate, Currency, Money, money, multiply, subtract, sum, zero } from './money';

export type TaxCategory = 'standard' | 'reduced' | 'zero';
export const shippingMethods = ['standard', 'express'] as const;
export type ShippingMethod = (typeof shippingMethods)[number];

export interface Product {
  sku: string;
  name: string;
  unitPrice: Money;
  weightGrams: number;
  taxCategory: TaxCategory;
}

export type Discount =
  | { kind: 'percent'; basisPoints: number; minSubtotal?: number }
  | { kind: 'fixed'; amount: number; minSubtotal?: number }
  | { kind: 'freeShipping'; minSubtotal?: number };

export interface PricingRules {
  currency: Currency;
  /** Country (ISO 3166-1 alpha-2) → basis points per tax category; a country absent here is not served. */
  taxRates: Record<string, Record<TaxCategory, number>>;
  /** Per method and country: a base fee plus a fee per started kilogram, in minor units. */
  shipping: Record<ShippingMethod, Record<string, { base: number; perKg: number }>>;
  /** Upper-case code → discount. */
  discounts: Record<string, Discount>;
  maxQuantityPerLine: number;
  maxLines: number;
}

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface PricingInput {
  lines: readonly CartLine[];
  country: string;
  shippingMethod: ShippingMethod;
  discountCode?: string;
}

export interface PricedLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
  discount: Money;
  taxRate: number;
  tax: Money;
}

export interface Quote {
  currency: Currency;
  lines: PricedLine[];
  shipping: { method: ShippingMethod; weightGrams: number; amount: Money; taxRate: number; tax: Money };
  discountCode: string | null;
  totals: { subtotal: Money; discount: Money; tax: Money; shipping: Money; total: Money };
}

export type PricingProblemCode =
  | 'empty-cart' | 'too-many-lines' | 'duplicate-sku' | 'unknown-sku' | 'invalid-quantity'
  | 'destination-not-served' | 'shipping-method-unavailable' | 'unknown-discount-code' | 'discount-minimum-not-met' | 'currency-mismatch';

export interface PricingProblem {
  code: PricingProblemCode;
  message: string;
  /** JSON-pointer-like location in the request, e.g. "/items/2/sku". */
  pointer: string;
}

export type PricingResult = { ok: true; quote: Quote } | { ok: false; problems: PricingProblem[] };

export function priceCart(input: PricingInput, catalog: ReadonlyMap<string, Product>, rules: PricingRules): PricingResult {
  const problems: PricingProblem[] = [];
  const cur = rules.currency;
  if (input.lines.length === 0) problems.push({ code: 'empty-cart', message: 'The cart has no items.', pointer: '/items' });
  if (input.lines.length > rules.maxLines) problems.push({ code: 'too-many-lines', message: `At most ${rules.maxLines} different items per order.`, pointer: '/items' });
  const seen = new Set<string>();
  input.lines.forEach((line, i) => {
    const product = catalog.get(line.sku);
    if (seen.has(line.sku)) problems.push({ code: 'duplicate-sku', message: `SKU ${line.sku} appears more than once; send one line with the total quantity.`, pointer: `/items/${i}/sku` });
    seen.add(line.sku);
    if (!product) problems.push({ code: 'unknown-sku', message: `No product with SKU ${line.sku}.`, pointer: `/items/${i}/sku` });
    else if (product.unitPrice.currency !== cur) problems.push({ code: 'currency-mismatch', message: `SKU ${line.sku} is priced in ${product.unitPrice.currency}, the store sells in ${cur}.`, pointer: `/items/${i}/sku` });
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > rules.maxQuantityPerLine) {
      problems.push({ code: 'invalid-quantity', message: `Quantity must be a whole number from 1 to ${rules.maxQuantityPerLine}.`, pointer: `/items/${i}/quantity` });
    }
  });
  const rates = rules.taxRates[input.country];
  if (!rates) problems.push({ code: 'destination-not-served', message: `We do not ship to ${input.country}.`, pointer: '/shippingAddress/country' });
  const shippingRate = rules.shipping[input.shippingMethod]?.[input.country];
  if (rates && !shippingRate) problems.push({ code: 'shipping-method-unavailable', message: `${input.shippingMethod} shipping is not available to ${input.country}.`, pointer: '/shippingMethod' });
  const code = input.discountCode?.trim().toUpperCase();
  const discount = code ? rules.discounts[code] : undefined;
  if (code && !discount) problems.push({ code: 'unknown-discount-code', message: `The discount code ${input.discountCode} is not valid.`, pointer: '/discountCode' });
  if (problems.length > 0) return { ok: false, problems };

  // Canonical order, so the same cart prices the same whatever order its lines arrive in.
  const lines = [...input.lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)).map((l) => {
    const p = catalog.get(l.sku)!;
    return { product: p, quantity: l.quantity, lineTotal: multiply(p.unitPrice, l.quantity) };
  });
  const subtotal = sum(cur, lines.map((l) => l.lineTotal));
  if (discount?.minSubtotal !== undefined && subtotal.amount < discount.minSubtotal) {
    return { ok: false, problems: [{ code: 'discount-minimum-not-met', message: `The discount code ${code} needs a subtotal of at least ${discount.minSubtotal} minor units.`, pointer: '/discountCode' }] };
  }

  let discountTotal = zero(cur);
  if (discount?.kind === 'percent') discountTotal = applyRate(subtotal, Math.min(discount.basisPoints, 10_000), 'halfUp');
  if (discount?.kind === 'fixed') discountTotal = money(Math.min(discount.amount, subtotal.amount), cur);
  const lineDiscounts = subtotal.amount > 0 ? allocate(discountTotal, lines.map((l) => l.lineTotal.amount)) : lines.map(() => zero(cur));

  const priced: PricedLine[] = lines.map((l, i) => {
    const taxRate = rates![l.product.taxCategory];
    return {
      sku: l.product.sku,
      name: l.product.name,
      quantity: l.quantity,
      unitPrice: l.product.unitPrice,
      lineTotal: l.lineTotal,
      discount: lineDiscounts[i],
      taxRate,
      tax: applyRate(subtract(l.lineTotal, lineDiscounts[i]), taxRate),
    };
  });

  const weightGrams = lines.reduce((w, l) => w + l.product.weightGrams * l.quantity, 0);
  const startedKg = Math.ceil(weightGrams / 1000);
  const shippingAmount = discount?.kind === 'freeShipping' ? zero(cur) : money(shippingRate!.base + shippingRate!.perKg * startedKg, cur);
  const shippingTaxRate = rates!.standard;
  const shippingTax = applyRate(shippingAmount, shippingTaxRate);

  const tax = add(sum(cur, priced.map((l) => l.tax)), shippingTax);
  const total = add(add(subtract(subtotal, discountTotal), shippingAmount), tax);
  return {
    ok: true,
    quote: {
      currency: cur,
      lines: priced,
      shipping: { method: input.shippingMethod, weightGrams, amount: shippingAmount, taxRate: shippingTaxRate, tax: shippingTax },
      discountCode: discount ? code! : null,
      totals: { subtotal, discount: discountTotal, tax, shipping: shippingAmount, total },
    },
  };
}
