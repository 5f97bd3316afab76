// The OpenAPI 3.1 document, generated from the same zod schemas that validate requests and type
// responses (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits natively).
import { z } from 'zod';
import { productListSchema, problemSchema, quoteRequestSchema, quoteSchema } from './schemas';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') => {
  // The document's dialect is already JSON Schema 2020-12; a per-schema $schema is redundant.
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

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
    },
    components: {
      schemas: {
        ProductList: schema(productListSchema),
        QuoteRequest: schema(quoteRequestSchema, 'input'),
        Quote: schema(quoteSchema),
        Problem: schema(problemSchema),
      },
    },
  };
}
