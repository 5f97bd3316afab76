// Domain objects → the public JSON shapes (amounts in minor units, currency stated once per object).
import type { Money } from '../../domain/money';
import type { Quote } from '../../domain/pricing';
import type { CatalogEntry } from '../../adapters/catalog/store-config';
import type { z } from 'zod';
import type { productSchema, quoteSchema } from './schemas';

const minor = (m: Money): number => m.amount;

export function presentQuote(q: Quote): z.infer<typeof quoteSchema> {
  return {
    currency: q.currency,
    items: q.lines.map((l) => ({
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPrice: minor(l.unitPrice),
      lineTotal: minor(l.lineTotal),
      discount: minor(l.discount),
      taxRate: l.taxRate,
      tax: minor(l.tax),
    })),
    shipping: { method: q.shipping.method, weightGrams: q.shipping.weightGrams, amount: minor(q.shipping.amount), taxRate: q.shipping.taxRate, tax: minor(q.shipping.tax) },
    discountCode: q.discountCode,
    totals: {
      currency: q.currency,
      subtotal: minor(q.totals.subtotal),
      discount: minor(q.totals.discount),
      tax: minor(q.totals.tax),
      shipping: minor(q.totals.shipping),
      total: minor(q.totals.total),
    },
  };
}

export function presentProduct(p: CatalogEntry): z.infer<typeof productSchema> {
  return { sku: p.sku, name: p.name, unitPrice: minor(p.unitPrice), currency: p.unitPrice.currency, weightGrams: p.weightGrams, taxCategory: p.taxCategory, inStock: p.stock > 0 };
}
