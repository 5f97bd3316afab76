// The store's sellable catalog and pricing rules. Locally the catalog is the sample data below;
// prices are EUR minor units, tax rates basis points (EU VAT 2026 standard/reduced rates).
import { money } from '../../domain/money';
import type { PricingRules, Product, TaxCategory } from '../../domain/pricing';
import sample from './sample-catalog.json';

export interface CatalogEntry extends Product {
  stock: number;
}

export const catalog: ReadonlyMap<string, CatalogEntry> = new Map(
  sample.map((p) => [p.sku, { sku: p.sku, name: p.name, unitPrice: money(p.unitPrice, 'EUR'), weightGrams: p.weightGrams, taxCategory: p.taxCategory as TaxCategory, stock: p.stock }]),
);

export const pricingRules: PricingRules = {
  currency: 'EUR',
  taxRates: {
    DE: { standard: 1900, reduced: 700, zero: 0 },
    AT: { standard: 2000, reduced: 1000, zero: 0 },
    FR: { standard: 2000, reduced: 550, zero: 0 },
    NL: { standard: 2100, reduced: 900, zero: 0 },
    IT: { standard: 2200, reduced: 1000, zero: 0 },
    ES: { standard: 2100, reduced: 1000, zero: 0 },
  },
  shipping: {
    standard: {
      DE: { base: 490, perKg: 50 }, AT: { base: 790, perKg: 100 }, FR: { base: 890, perKg: 100 },
      NL: { base: 790, perKg: 100 }, IT: { base: 990, perKg: 120 }, ES: { base: 990, perKg: 120 },
    },
    express: { DE: { base: 1290, perKg: 100 }, AT: { base: 1890, perKg: 150 }, NL: { base: 1790, perKg: 150 } },
  },
  discounts: {
    WELCOME10: { kind: 'percent', basisPoints: 1000 },
    SAVE5: { kind: 'fixed', amount: 500, minSubtotal: 3000 },
    FREESHIP: { kind: 'freeShipping', minSubtotal: 5000 },
  },
  maxQuantityPerLine: 99,
  maxLines: 50,
};

/** The seller on invoices and the shipper on labels. */
export const seller = {
  name: 'Example Store GmbH',
  lines: ['Friedrichstraße 68', '10117 Berlin', 'DE'],
  vatId: 'DE123456789',
  email: 'billing@orders.example.com',
  address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE', phone: '+49 30 1234567' },
};

/**
 * The policies a buyer accepts at checkout, by version: each order records the ones in force, and
 * a dispute answer cites them. A new text gets a new version; clients send the terms version they
 * showed (`acceptedTerms`).
 */
export const storePolicies = [
  { name: 'terms', version: '2026-01-01', url: 'https://shop.example.com/policies/terms' },
  { name: 'returns', version: '2026-01-01', url: 'https://shop.example.com/policies/returns' },
  { name: 'shipping', version: '2026-01-01', url: 'https://shop.example.com/policies/shipping' },
] as const;
export const termsVersion = storePolicies[0].version;
