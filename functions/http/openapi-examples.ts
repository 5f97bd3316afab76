// Examples in the OpenAPI document: what the API docs page shows beside each schema and puts into
// "Try it out". Typed by the same zod schemas as the API, and parsed by a unit test, so an
// example cannot describe a request the API would refuse or a response it cannot send.
import type { z } from 'zod';
import { termsVersion } from '../../adapters/catalog/store-config';
import type { orderRequestSchema, orderSchema, problemSchema, refundRequestSchema } from './schemas';

export const vaultedOrderRequest: z.input<typeof orderRequestSchema> = {
  customer: { id: 'cust-1001', email: 'ada@example.com', name: 'Ada Lovelace' },
  items: [{ sku: 'MUG-CER-350', quantity: 2 }, { sku: 'BOOK-DDD-EN', quantity: 1 }],
  shippingAddress: { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
  shippingMethod: 'standard',
  discountCode: 'WELCOME10',
  payment: { method: 'paypal', vaultId: 'vault-ok' },
  acceptedTerms: termsVersion,
};

export const approvalOrderRequest: z.input<typeof orderRequestSchema> = {
  ...vaultedOrderRequest,
  payment: { method: 'paypal' },
};

const placed = '2026-12-06T09:15:02.371Z';
const received: z.output<typeof orderSchema> = {
  id: 'ord_umbf7lNkzg3tS6mu',
  status: 'received',
  customer: vaultedOrderRequest.customer as z.output<typeof orderSchema>['customer'],
  shippingAddress: vaultedOrderRequest.shippingAddress,
  shippingMethod: 'standard',
  discountCode: 'WELCOME10',
  items: [
    { sku: 'BOOK-DDD-EN', name: 'Domain-Driven Design (paperback)', quantity: 1, unitPrice: 5490, lineTotal: 5490, discount: 549, tax: 346 },
    { sku: 'MUG-CER-350', name: 'Ceramic mug, 350 ml, matte black', quantity: 2, unitPrice: 1499, lineTotal: 2998, discount: 300, tax: 513 },
  ],
  totals: { currency: 'EUR', subtotal: 8488, discount: 849, tax: 971, shipping: 590, total: 9200 },
  payment: { method: 'paypal', vaulted: false, paypalOrderId: null, captureId: null, approveUrl: null, refunded: null, voided: false, voidFailure: null, sellerProtection: null, refundFailure: null },
  invoice: null,
  creditNote: null,
  shipment: null,
  disputes: [],
  cancellationReason: null,
  refunds: [],
  timeline: [{ status: 'received', event: 'order-received', at: placed }],
  createdAt: placed,
  updatedAt: placed,
  links: { self: '/api/v1/orders/ord_umbf7lNkzg3tS6mu', cancel: '/api/v1/orders/ord_umbf7lNkzg3tS6mu/cancel' },
};

/** The answer to POST /v1/orders: stored and priced; the saga takes it from here. */
export const receivedOrder = received;

/** An order the buyer still has to approve on PayPal (placed without a vaultId). */
export const awaitingPaymentOrder: z.output<typeof orderSchema> = {
  ...received,
  status: 'awaiting-payment',
  payment: { ...received.payment, paypalOrderId: '3PQLJXQ26WHQWW1BJ', approveUrl: 'https://www.paypal.com/checkoutnow?token=3PQLJXQ26WHQWW1BJ' },
  invoice: { number: 'INV-2026-000001', issuedAt: '2026-12-06T09:15:02.653Z' },
  timeline: [
    ...received.timeline,
    { status: 'invoiced', event: 'invoice-issued', at: '2026-12-06T09:15:02.653Z' },
    { status: 'awaiting-payment', event: 'approval-requested', at: '2026-12-06T09:15:02.830Z' },
  ],
  updatedAt: '2026-12-06T09:15:02.830Z',
};

/** A paid order with a vaulted method, handed to DHL. */
export const shippedOrder: z.output<typeof orderSchema> = {
  ...received,
  id: 'ord_2mHGr0Jrnzjl9qCd',
  status: 'shipped',
  payment: {
    ...received.payment,
    vaulted: true,
    paypalOrderId: '51Z81SWV2ARZIZG35',
    captureId: 'TPMQRON21FWV7W8J8',
    sellerProtection: { status: 'ELIGIBLE', disputeCategories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
  },
  invoice: { number: 'INV-2026-000002', issuedAt: '2026-12-06T09:15:02.488Z' },
  shipment: {
    carrier: 'DHL Express',
    trackingNumber: '1463206010',
    trackingUrl: 'https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=1463206010',
    shippedAt: '2026-12-06T09:15:02.604Z',
    deliveredAt: null,
    paypalTracker: { id: 'TPMQRON21FWV7W8J8-1463206010', status: 'SHIPPED' },
  },
  timeline: [
    ...received.timeline,
    { status: 'reserved', event: 'stock-reserved', at: '2026-12-06T09:15:02.488Z' },
    { status: 'invoiced', event: 'invoice-issued', at: '2026-12-06T09:15:02.488Z' },
    { status: 'authorized', event: 'payment-authorized', at: '2026-12-06T09:15:02.515Z' },
    { status: 'paid', event: 'payment-captured', at: '2026-12-06T09:15:02.564Z' },
    { status: 'packing', event: 'fulfilment-started', at: '2026-12-06T09:15:02.564Z' },
    { status: 'shipped', event: 'shipment-created', at: '2026-12-06T09:15:02.604Z' },
  ],
  updatedAt: '2026-12-06T09:15:02.659Z',
  links: { self: '/api/v1/orders/ord_2mHGr0Jrnzjl9qCd', cancel: null },
};

export const refundRequest: z.input<typeof refundRequestSchema> = {
  items: [{ sku: 'MUG-CER-350', quantity: 1, restock: false }],
  shipping: false,
  reason: 'Arrived broken',
};

type Problem = z.output<typeof problemSchema>;
const problemExample = (slug: string, status: number, title: string, detail: string, instance: string, extra: Partial<Problem> = {}): Problem => ({
  type: `https://errors.order-backend.dev/${slug}`,
  title,
  status,
  detail,
  instance,
  requestId: 'c6f064e1-3e01-4859-a78c-7dc646e7ac9a',
  ...extra,
});

export const problems = {
  validationFailed: problemExample('validation-failed', 400, 'The request is not valid', '1 problem(s) in the request body.', '/api/v1/orders', {
    errors: [{ pointer: '/items/0/quantity', detail: 'Too small: expected number to be >=1' }],
  }),
  orderNotFound: problemExample('order-not-found', 404, 'Order not found', 'There is no order ord_umbf7lNkzg3tS6mu for this caller.', '/api/v1/orders/ord_umbf7lNkzg3tS6mu'),
  orderNotCancellable: problemExample('order-not-cancellable', 409, 'The order can no longer be cancelled', 'The order is shipped; orders can be cancelled until fulfilment starts.', '/api/v1/orders/ord_2mHGr0Jrnzjl9qCd/cancel'),
  cartInvalid: problemExample('cart-invalid', 422, 'The cart cannot be priced', 'No product with SKU NO-SUCH-SKU.', '/api/v1/orders', {
    errors: [{ code: 'unknown-sku', pointer: '/items/0/sku', detail: 'No product with SKU NO-SUCH-SKU.' }],
  }),
  refundInvalid: problemExample('refund-invalid', 422, 'The refund cannot be made', '2 × MUG-CER-350 were ordered and 1 already refunded: at most 1 more.', '/api/v1/orders/ord_2mHGr0Jrnzjl9qCd/refunds', {
    errors: [{ code: 'quantity-exceeded', pointer: '/items/0/quantity', detail: '2 × MUG-CER-350 were ordered and 1 already refunded: at most 1 more.' }],
  }),
  unauthenticated: problemExample('unauthenticated', 401, 'Authentication required', 'Send a bearer token in the Authorization header.', '/api/v1/orders'),
};
