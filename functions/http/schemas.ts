// Request schemas of the public API. Strict objects: unknown fields are rejected, so a typo in a
// client never silently drops data.
import { z } from 'zod';
import { shippingMethods } from '../../domain/pricing';
import { orderStatuses } from '../../domain/order-status';
import { problemTypeBase, problemTypes } from './problem-types';
import type { ProblemType } from './problem-types';

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

// ---- responses (the presenters are typed against these, so the document cannot drift) ----

export const productSchema = z.strictObject({
  sku: skuSchema,
  name: z.string(),
  unitPrice: z.number().int().describe('minor units'),
  currency: z.string().length(3),
  weightGrams: z.number().int(),
  taxCategory: z.enum(['standard', 'reduced', 'zero']),
  inStock: z.boolean(),
});
export const productListSchema = z.strictObject({ items: z.array(productSchema) });

const amount = z.number().int().describe('minor units');
export const quoteSchema = z.strictObject({
  currency: z.string().length(3),
  items: z.array(z.strictObject({
    sku: skuSchema, name: z.string(), quantity: z.number().int(), unitPrice: amount, lineTotal: amount, discount: amount,
    taxRate: z.number().int().describe('basis points (1900 = 19 %)'), tax: amount,
  })),
  shipping: z.strictObject({ method: z.enum(shippingMethods), weightGrams: z.number().int(), amount, taxRate: z.number().int(), tax: amount }),
  discountCode: z.string().nullable(),
  totals: z.strictObject({ currency: z.string().length(3), subtotal: amount, discount: amount, tax: amount, shipping: amount, total: amount }),
});

const problemTypeUris = Object.keys(problemTypes).map((slug) => `${problemTypeBase}${slug}`) as [string, ...string[]];

/** A problem as the API sends it: a type from the catalog, with the catalog's status. */
export const problemSchema = z.object({
  type: z.enum(problemTypeUris).describe('stable URI per error class'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string(),
  requestId: z.string(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string(), code: z.string().optional() })).optional(),
}).refine((p) => problemTypes[p.type.slice(problemTypeBase.length) as ProblemType] === p.status, { message: 'status differs from the problem type catalog' });

export const addressSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(16),
  country: countrySchema,
  state: z.string().trim().max(100).optional(),
});

const customerSchema = z.strictObject({
  id: z.string().min(1).max(128),
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200),
});

export const orderRequestSchema = z.strictObject({
  customer: customerSchema.extend({
    email: customerSchema.shape.email.optional().describe('defaults to the verified email in your token, and must equal it; admins ordering on behalf of a customer give it'),
  }),
  items: quoteRequestSchema.shape.items,
  shippingAddress: addressSchema,
  shippingMethod: quoteRequestSchema.shape.shippingMethod,
  discountCode: quoteRequestSchema.shape.discountCode,
  payment: z.strictObject({ method: z.literal('paypal'), vaultId: z.string().min(1).max(128).optional() }),
  acceptedTerms: z.string().min(1).max(64).optional().describe('the version of the store terms the buyer accepted at checkout (GET /v1/catalog shows the current one); recorded on the order as evidence for disputes'),
});
export type OrderRequest = z.infer<typeof orderRequestSchema>;

// ---- orders ----

export const orderIdSchema = z.string().regex(/^ord_[A-Za-z0-9_-]{16}$/);
const timestamp = z.string().describe('RFC 3339 UTC timestamp');
const statusSchema = z.enum(orderStatuses);
const totalsSchema = quoteSchema.shape.totals;

export const refundSchema = z.strictObject({
  id: z.string(),
  status: z.enum(['requested', 'completed', 'failed']).describe('requested: PayPal and the credit note are on their way; failed: PayPal refused, nothing was refunded'),
  items: z.array(z.strictObject({ sku: z.string().describe('an item, or SHIPPING for the shipping fee'), quantity: z.number().int(), net: amount, tax: amount })),
  amount: amount.describe('net plus tax of the refunded lines: what PayPal refunds'),
  currency: z.string().length(3),
  reason: z.string(),
  restock: z.array(z.strictObject({ sku: z.string(), quantity: z.number().int() })).describe('units put back into stock once the refund is completed'),
  requestedAt: timestamp,
  requestedBy: z.string(),
  completedAt: timestamp.nullable(),
  creditNote: z.string().nullable().describe('number of the credit note for exactly these lines'),
  paypalRefundId: z.string().nullable(),
  failure: z.string().nullable(),
});

export const orderSchema = z.strictObject({
  id: orderIdSchema,
  status: statusSchema,
  customer: customerSchema,
  shippingAddress: addressSchema,
  shippingMethod: z.enum(shippingMethods),
  discountCode: z.string().nullable(),
  items: z.array(z.strictObject({ sku: skuSchema, name: z.string(), quantity: z.number().int(), unitPrice: amount, lineTotal: amount, discount: amount, tax: amount })),
  totals: totalsSchema,
  payment: z.strictObject({
    method: z.literal('paypal'),
    vaulted: z.boolean().describe('true when a vaulted PayPal method is charged without buyer interaction'),
    paypalOrderId: z.string().nullable(),
    captureId: z.string().nullable(),
    approveUrl: z.string().nullable().describe('where the buyer approves the payment, while awaiting payment'),
    refunded: amount.nullable(),
    voided: z.boolean().describe('PayPal confirmed that the authorization was released (nothing captured)'),
    voidFailure: z.string().nullable().describe('why the authorization could not be voided; it then stays open until it expires'),
    sellerProtection: z
      .strictObject({ status: z.string().describe('ELIGIBLE, PARTIALLY_ELIGIBLE or NOT_ELIGIBLE'), disputeCategories: z.array(z.string()) })
      .nullable()
      .describe("PayPal's Seller Protection of the capture, as PayPal stated it when capturing"),
    refundFailure: z
      .strictObject({
        reason: z.string(),
        attempts: z.number().int(),
        lastAttemptAt: timestamp,
        retrying: z.boolean().describe('false once automatic retries have stopped and an operator must act'),
      })
      .nullable()
      .describe('while the order is refund-pending: the last refund attempt PayPal did not accept'),
  }),
  invoice: z.strictObject({ number: z.string(), issuedAt: timestamp }).nullable(),
  creditNote: z.strictObject({ number: z.string(), issuedAt: timestamp }).nullable().describe('the credit note that reverses the whole invoice (cancelled, failed or refunded orders); refunds after shipment have their own'),
  shipment: z
    .strictObject({
      carrier: z.string(),
      trackingNumber: z.string(),
      trackingUrl: z.string(),
      shippedAt: timestamp,
      deliveredAt: timestamp.nullable(),
      paypalTracker: z.strictObject({ id: z.string(), status: z.enum(['SHIPPED', 'CANCELLED']) }).nullable().describe('the tracker on the PayPal order: what Seller Protection and "item not received" claims rest on'),
    })
    .nullable(),
  disputes: z
    .array(z.strictObject({ disputeId: z.string(), reason: z.string(), stage: z.string(), status: z.string(), amount, currency: z.string().length(3), dueAt: timestamp.nullable(), outcome: z.string().nullable(), updatedAt: timestamp }))
    .describe('PayPal disputes on the payment; while one is open, refunds wait for PayPal\'s decision'),
  cancellationReason: z.string().nullable(),
  refunds: z.array(refundSchema).describe('refunds after shipment (returns), oldest first'),
  timeline: z.array(z.strictObject({ status: statusSchema, event: z.string(), at: timestamp })),
  createdAt: timestamp,
  updatedAt: timestamp,
  links: z.strictObject({ self: z.string(), cancel: z.string().nullable() }),
});

export const orderSummarySchema = z.strictObject({
  id: orderIdSchema,
  status: statusSchema,
  customerId: z.string(),
  itemCount: z.number().int(),
  totals: totalsSchema,
  createdAt: timestamp,
  updatedAt: timestamp,
  links: z.strictObject({ self: z.string() }),
});

export const orderListSchema = z.strictObject({
  items: z.array(orderSummarySchema),
  nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
  links: z.strictObject({ self: z.string(), next: z.string().nullable() }),
});

export const listOrdersQuerySchema = z.strictObject({
  status: statusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
  customerId: z.string().min(1).max(128).optional().describe('admins only: one customer\'s orders'),
});

export const refundRequestSchema = z.strictObject({
  items: z.array(z.strictObject({ sku: skuSchema, quantity: z.number().int().min(1).max(1000), restock: z.boolean().default(false).describe('the units came back sellable: put them back into stock once refunded') })).max(100).default([]).describe('items coming back (or not to be paid for), by SKU and quantity'),
  shipping: z.boolean().default(false).describe('refund the shipping fee too'),
  reason: z.string().trim().min(1).max(500).describe('shown to the customer in the refund email'),
});

export const cancelRequestSchema = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional(),
});

// ---- disputes (admin) ----

export const disputeSchema = z.strictObject({
  id: z.string().describe("PayPal's dispute id"),
  orderId: z.string().nullable().describe('null while no order matches the disputed capture (pending correlation)'),
  captureIds: z.array(z.string()),
  reason: z.string().describe("PayPal's reason, e.g. MERCHANDISE_OR_SERVICE_NOT_RECEIVED"),
  stage: z.string().describe('INQUIRY, CHARGEBACK, PRE_ARBITRATION or ARBITRATION'),
  status: z.string().describe('OPEN, WAITING_FOR_SELLER_RESPONSE, WAITING_FOR_BUYER_RESPONSE, UNDER_REVIEW, RESOLVED'),
  channel: z.string(),
  amount,
  currency: z.string().length(3),
  dueAt: timestamp.nullable().describe("PayPal's seller_response_due_date"),
  allowedActions: z.array(z.string()).describe('what PayPal accepts now (its HATEOAS links)'),
  decision: z.strictObject({ action: z.enum(['prove-fulfilment', 'prove-refund', 'accept-claim', 'review']), why: z.string(), at: timestamp }).nullable(),
  evidencePack: z.strictObject({ sha256: z.string(), bytes: z.number().int(), pages: z.number().int(), builtAt: timestamp, missing: z.array(z.string()) }).nullable(),
  submission: z.strictObject({ at: timestamp, by: z.string(), evidenceTypes: z.array(z.string()), document: z.string() }).nullable(),
  accepted: z.strictObject({ at: timestamp, by: z.string(), note: z.string() }).nullable(),
  messageSent: z.strictObject({ at: timestamp, text: z.string() }).nullable().describe('in an inquiry: what the buyer was told (the tracking)'),
  outcome: z.strictObject({ code: z.string(), at: timestamp, amountRefunded: amount.nullable() }).nullable(),
  moneyMovements: z.array(z.strictObject({ party: z.string(), type: z.string(), amount, reason: z.string().nullable(), at: timestamp.nullable() })).describe("PayPal's money movements, e.g. the seller's DEBIT when the buyer wins"),
  creditNote: z.string().nullable(),
  alerts: z.array(z.strictObject({ kind: z.string(), at: timestamp })),
  events: z.array(z.strictObject({ id: z.string(), type: z.string(), at: timestamp })).describe('PayPal webhook events received, by id'),
  createdAt: timestamp,
  updatedAt: timestamp,
  receivedAt: timestamp,
  links: z.strictObject({ self: z.string(), order: z.string().nullable(), evidencePack: z.string().nullable() }),
});

export const disputeListSchema = z.strictObject({
  items: z.array(disputeSchema),
  nextCursor: z.string().nullable(),
  links: z.strictObject({ self: z.string(), next: z.string().nullable() }),
});

export const listDisputesQuerySchema = z.strictObject({
  status: z.enum(['OPEN', 'WAITING_FOR_BUYER_RESPONSE', 'WAITING_FOR_SELLER_RESPONSE', 'UNDER_REVIEW', 'RESOLVED', 'OTHER']).optional(),
  reason: z.string().regex(/^[A-Z_]{1,64}$/).optional(),
  orderId: orderIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export const acceptDisputeSchema = z.strictObject({
  note: z.string().trim().min(1).max(2000).describe('what PayPal shows the buyer'),
});
