// Request schemas of the public API. Strict objects: unknown fields are rejected, so a typo in a
// client never silently drops data.
import { z } from 'zod';
import { shippingMethods } from '../../domain/pricing';

export const skuSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,63}$/, 'SKUs are 2 to 64 upper-case letters, digits and dashes');
export const itemSchema = z.strictObject({
  sku: skuSchema,
  quantity: z.number().int('quantity must be a whole number').min(1).max(99),
});
export const countrySchema = z.string().regex(/^[A-Z]{2}$/, 'country is an ISO 3166-1 alpha-2 code such as "DE"');

export const quoteRequestSchema = z.strictObject({
  items: z.array(itemSchema).min(1, 'the cart needs at least one item').max(50),
  shippingAddress: z.strictObject({ country: countrySchema, postalCode: z.string().max(16).optional() }),
  shippingMethod: z.enum(shippingMethods).default('standard'),
  discountCode: z.string().trim().min(1).max(32).optional(),
});
export type QuoteRequest = z.infer<typeof quoteRequestSchema>;
