// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and type
// responses (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits natively).
import { z } from 'zod';
import { approvalOrderRequest, awaitingPaymentOrder, problems, receivedOrder, refundRequest, shippedOrder, vaultedOrderRequest } from './openapi-examples';
import { acceptDisputeSchema, cancelRequestSchema, disputeListSchema, disputeSchema, listDisputesQuerySchema, refundRequestSchema, refundSchema, listOrdersQuerySchema, orderListSchema, orderRequestSchema, orderSchema, productListSchema, problemSchema, quoteRequestSchema, quoteSchema } from './schemas';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') => {
  // The document's dialect is already JSON Schema 2020-12; a per-schema $schema is redundant.
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
};

/** Named examples of a media type, as the docs page offers them (the first one preselected). */
type Examples = Record<string, { summary: string; value: unknown }>;
const problem = (description: string, headers?: Record<string, unknown>, example?: unknown) => ({ description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, ...(example ? { example } : {}) } } });
const json = (description: string, ref: string, headers?: Record<string, unknown>, examples?: Examples) => ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` }, ...(examples ? { examples } : {}) } } });
const jsonBody = (ref: string, examples: Examples) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` }, examples } } });
const header = (description: string) => ({ description, schema: { type: 'string' } });

// Shared by every authenticated operation.
const authProblems = {
  '401': problem('No bearer token (…/unauthenticated) or an invalid one (…/invalid-token); see WWW-Authenticate', { 'WWW-Authenticate': header('RFC 6750 Bearer challenge') }, problems.unauthenticated),
  '429': problem('Too many requests from this caller (…/rate-limited)', { 'Retry-After': header('seconds to wait') }),
  '500': problem('Unexpected server error (…/internal-error); quote requestId'),
};
const orderId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^ord_[A-Za-z0-9_-]{16}$' } };
const disputeId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, description: 'PayPal\'s dispute id, e.g. PP-D-12345678' };
const bodyProblems = {
  '400': problem('Malformed JSON or a request that does not match the schema (…/malformed-json, …/validation-failed)'),
  '413': problem('Body larger than 64 KiB (…/payload-too-large)'),
  '415': problem('Body is not application/json (…/unsupported-media-type)'),
};
const listParameters = (query: z.ZodType = listOrdersQuerySchema) => {
  const shape = schema(query, 'input') as { properties: Record<string, Record<string, unknown>> };
  return Object.entries(shape.properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s, ...(s.description ? { description: s.description } : {}) }));
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Order backend API',
      version: '1.0.0',
      description: 'Prices carts on the server and runs each order through invoice, payment, shipment and notification. Amounts are integer minor units; errors are RFC 9457 problem details.',
    },
    servers: [{ url: '/api' }],
    paths: {
      '/v1/products': {
        get: {
          operationId: 'listProducts',
          summary: 'The catalog',
          responses: { '200': { description: 'All products', content: { 'application/json': { schema: { $ref: '#/components/schemas/ProductList' } } } } },
        },
      },
      '/v1/quotes': {
        post: {
          operationId: 'createQuote',
          summary: 'Price a cart without ordering',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/QuoteRequest' } } } },
          responses: {
            '200': { description: 'The priced cart', content: { 'application/json': { schema: { $ref: '#/components/schemas/Quote' } } } },
            '400': problem('Malformed JSON or a request that does not match the schema (type …/malformed-json, …/validation-failed)'),
            '413': problem('Body larger than 64 KiB (…/payload-too-large)'),
            '415': problem('Body is not application/json (…/unsupported-media-type)'),
            '422': problem('Valid request, but the cart cannot be priced (…/cart-invalid): unknown SKU, destination not served, invalid discount code'),
          },
        },
      },
      '/v1/orders': {
        post: {
          operationId: 'createOrder',
          summary: 'Place an order (idempotent)',
          description: 'Prices the cart on the server, stores the order and starts its saga. The same Idempotency-Key with the same body answers the first response again (header Idempotent-Replayed: true); with another body 422; while the first is still running 409.',
          security: [{ bearer: [] }],
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 1, maxLength: 255 }, description: 'unique per new order, repeated on retries; remembered for 24 h' }],
          requestBody: jsonBody('OrderRequest', {
            vaulted: { summary: 'Vaulted PayPal method: paid and shipped without the buyer', value: vaultedOrderRequest },
            approval: { summary: 'No vaultId: the buyer approves on PayPal (payment.approveUrl)', value: approvalOrderRequest },
          }),
          responses: {
            '202': json('Accepted: the order is stored and its saga started', 'Order', { Location: header('the order URL'), ETag: header('version of the order') }, {
              received: { summary: 'Stored and priced; invoice, payment and shipment follow', value: receivedOrder },
            }),
            ...bodyProblems,
            '400': problem('Malformed JSON, schema violations, or a missing/invalid Idempotency-Key (…/idempotency-key-required, …/idempotency-key-invalid)', undefined, problems.validationFailed),
            '403': problem('customer.id is not the caller (…/forbidden)'),
            '409': problem('A request with this Idempotency-Key is still being processed (…/idempotency-key-in-use)', { 'Retry-After': header('seconds') }),
            '422': problem('The cart cannot be priced (…/cart-invalid) or the Idempotency-Key was used with another body (…/idempotency-key-reused)', undefined, problems.cartInvalid),
            ...authProblems,
          },
        },
        get: {
          operationId: 'listOrders',
          summary: 'List orders, newest first',
          description: 'Customers see their own orders; admins all, or one customer with customerId. Pages are keyset-based: follow nextCursor.',
          security: [{ bearer: [] }],
          parameters: listParameters(),
          responses: {
            '200': json('One page of orders', 'OrderList'),
            '400': problem('Invalid query parameters (…/validation-failed) or cursor (…/invalid-cursor)'),
            '403': problem('customerId of someone else without the admin role (…/forbidden)'),
            ...authProblems,
          },
        },
      },
      '/v1/orders/{id}': {
        get: {
          operationId: 'getOrder',
          summary: 'An order with its timeline, invoice, payment and shipment',
          security: [{ bearer: [] }],
          parameters: [orderId, { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
          responses: {
            '200': json('The order', 'Order', { ETag: header('version of the order') }, {
              shipped: { summary: 'Paid with a vaulted method and handed to DHL', value: shippedOrder },
              awaitingPayment: { summary: 'Waiting for the buyer to approve at payment.approveUrl', value: awaitingPaymentOrder },
            }),
            '304': { description: 'Not modified since the ETag in If-None-Match' },
            '404': problem('No such order for this caller (…/order-not-found)', undefined, problems.orderNotFound),
            ...authProblems,
          },
        },
      },
      '/v1/orders/{id}/invoice': {
        get: {
          operationId: 'getInvoice',
          summary: 'The order\'s invoice (or, with ?number=, one of its credit notes) as JSON or PDF',
          security: [{ bearer: [] }],
          parameters: [orderId, { name: 'number', in: 'query', required: false, schema: { type: 'string' }, description: 'a document number of this order, e.g. CN-2026-000001' }],
          responses: {
            '200': {
              description: 'The document: JSON (seller, buyer, lines, tax breakdown, totals, and the order\'s documents) or the PDF, by Accept',
              content: { 'application/json': { schema: { type: 'object' } }, 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
            },
            '404': problem('No such order for this caller, or no invoice yet (…/invoice-not-found)'),
            '406': problem('Accept names neither application/json nor application/pdf (…/not-acceptable)'),
            ...authProblems,
          },
        },
      },
      '/v1/orders/{id}/refunds': {
        post: {
          operationId: 'createRefund',
          summary: 'Refund items (and the shipping fee) of a shipped or delivered order',
          description: 'Role Orders.Admin. The amount comes from the invoice: a line is refunded by its share per unit, and all refunds of a line add up exactly to what was charged for it. PayPal refunds it and a credit note for exactly these lines is issued asynchronously; the refund then shows as completed (or failed) in the order\'s `refunds`, and the customer is emailed. Idempotent per order by Idempotency-Key.',
          security: [{ bearer: [] }],
          parameters: [orderId, { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', maxLength: 255 }, description: 'unique per refund; repeat it when retrying' }],
          requestBody: jsonBody('RefundRequest', { brokenMug: { summary: 'One item arrived broken; not restocked, shipping kept', value: refundRequest } }),
          responses: {
            '202': json('The refund, requested', 'Refund', { Location: header('the order, whose `refunds` show how it ends'), ETag: header('version of the order') }),
            ...bodyProblems,
            '403': problem('Not an admin (…/forbidden)'),
            '404': problem('No such order (…/order-not-found)'),
            '409': problem('The order has not shipped, or nothing was captured (…/order-not-refundable); a PayPal dispute on the payment is open (…/order-disputed); or the same Idempotency-Key is in progress (…/idempotency-key-in-use)'),
            '422': problem('Unknown or twice-listed SKU, more units than were ordered and not yet refunded, the shipping fee twice, nothing to refund (…/refund-invalid, with errors[]); or the Idempotency-Key was used with another body (…/idempotency-key-reused)', undefined, problems.refundInvalid),
            ...authProblems,
          },
        },
      },
      '/v1/orders/{id}/cancel': {
        post: {
          operationId: 'cancelOrder',
          summary: 'Cancel an order that is not yet shipped',
          description: 'Idempotent: cancelling a cancelled order answers 200. Refund or void and stock release follow asynchronously.',
          security: [{ bearer: [] }],
          parameters: [orderId, { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'cancel only this version' }],
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/CancelRequest' } } } },
          responses: {
            '200': json('The cancelled order', 'Order', { ETag: header('version of the order') }),
            ...bodyProblems,
            '404': problem('No such order for this caller (…/order-not-found)'),
            '409': problem('The order has shipped or ended (…/order-not-cancellable)', undefined, problems.orderNotCancellable),
            '412': problem('If-Match names an older version (…/precondition-failed)'),
            ...authProblems,
          },
        },
      },
      '/v1/disputes': {
        get: {
          operationId: 'listDisputes',
          summary: 'PayPal disputes on our captures, most recently updated first',
          description: 'Role Orders.Admin. Each dispute PayPal opens (its CUSTOMER.DISPUTE webhooks) is matched to its order by the capture and answered by its own orchestration: proof of fulfilment (item not received, delivered or in transit), proof of refund (credit not processed, refunded), claim accepted (not shipped), or an evidence pack left for review (other reasons). Pages are keyset-based: follow nextCursor.',
          security: [{ bearer: [] }],
          parameters: listParameters(listDisputesQuerySchema),
          responses: {
            '200': json('One page of disputes', 'DisputeList'),
            '400': problem('Invalid query parameters (…/validation-failed) or cursor (…/invalid-cursor)'),
            '403': problem('Not an admin (…/forbidden)'),
            ...authProblems,
          },
        },
      },
      '/v1/disputes/{id}': {
        get: {
          operationId: 'getDispute',
          summary: 'One dispute: PayPal\'s state, the decision, the evidence pack, the submission or acceptance, the outcome',
          security: [{ bearer: [] }],
          parameters: [disputeId],
          responses: { '200': json('The dispute', 'Dispute'), '403': problem('Not an admin (…/forbidden)'), '404': problem('No such dispute (…/dispute-not-found)'), ...authProblems },
        },
      },
      '/v1/disputes/{id}/evidence-pack': {
        get: {
          operationId: 'getDisputeEvidencePack',
          summary: 'The evidence pack (PDF) built for the dispute',
          description: 'Cover with the rebuttal, timeline, invoice, payment record, fulfilment proof with the delivery address against PayPal\'s, communications log, policies and checkout record, refunds. The same document PayPal receives.',
          security: [{ bearer: [] }],
          parameters: [disputeId],
          responses: {
            '200': { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
            '403': problem('Not an admin (…/forbidden)'),
            '404': problem('No such dispute (…/dispute-not-found), or no pack yet (…/evidence-pack-not-ready)'),
            ...authProblems,
          },
        },
      },
      '/v1/disputes/{id}/submit': {
        post: {
          operationId: 'submitDispute',
          summary: 'Submit the evidence pack to PayPal now',
          description: 'Role Orders.Admin. Builds the pack if needed and submits it with the evidence PayPal expects for the reason; idempotent: a dispute already submitted answers 200 unchanged, and evidence PayPal already holds is recorded, not sent again.',
          security: [{ bearer: [] }],
          parameters: [disputeId],
          responses: {
            '200': json('The dispute, submitted', 'Dispute'),
            '403': problem('Not an admin (…/forbidden)'),
            '404': problem('No such dispute (…/dispute-not-found)'),
            '409': problem('Accepted, resolved, not matched to an order, or PayPal takes no evidence in its current state (…/dispute-not-actionable)'),
            '422': problem('PayPal refused the evidence (…/dispute-action-refused), e.g. MISSING_TRACKING_INFO'),
            '502': problem('PayPal did not answer; nothing changed (…/provider-unavailable)', { 'Retry-After': header('seconds') }),
            ...authProblems,
          },
        },
      },
      '/v1/disputes/{id}/accept': {
        post: {
          operationId: 'acceptDispute',
          summary: 'Accept the claim: PayPal refunds the buyer from the seller\'s balance',
          description: 'Role Orders.Admin. Idempotent: an accepted dispute answers 200 unchanged. The order records the refund and gets a credit note once PayPal settles.',
          security: [{ bearer: [] }],
          parameters: [disputeId],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/AcceptDispute' } } } },
          responses: {
            '200': json('The dispute, accepted', 'Dispute'),
            ...bodyProblems,
            '403': problem('Not an admin (…/forbidden)'),
            '404': problem('No such dispute (…/dispute-not-found)'),
            '409': problem('Evidence was submitted, or PayPal offers no acceptance now (…/dispute-not-actionable)'),
            '422': problem('PayPal refused the acceptance (…/dispute-action-refused)'),
            '502': problem('PayPal did not answer; nothing changed (…/provider-unavailable)', { 'Retry-After': header('seconds') }),
            ...authProblems,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Entra ID access token in Azure; `npm run token -- --sub <customer>` on the embedded runtime. Role Orders.Admin reads all orders.' },
      },
      schemas: {
        OrderRequest: schema(orderRequestSchema, 'input'),
        Order: schema(orderSchema),
        OrderList: schema(orderListSchema),
        CancelRequest: schema(cancelRequestSchema, 'input'),
        RefundRequest: schema(refundRequestSchema, 'input'),
        Refund: schema(refundSchema),
        ProductList: schema(productListSchema),
        QuoteRequest: schema(quoteRequestSchema, 'input'),
        Quote: schema(quoteSchema),
        Dispute: schema(disputeSchema),
        DisputeList: schema(disputeListSchema),
        AcceptDispute: schema(acceptDisputeSchema, 'input'),
        Problem: { ...schema(problemSchema), examples: [problems.orderNotFound] },
      },
    },
  };
}
