// The OpenAPI document's examples are what the docs page shows and what "Try it out" sends: each
// must be something the API accepts or answers, by the same schemas that validate requests and
// type responses.
import { openApiDocument } from '../../functions/http/openapi';
import { approvalOrderRequest, awaitingPaymentOrder, problems, receivedOrder, refundRequest, shippedOrder, vaultedOrderRequest } from '../../functions/http/openapi-examples';
import { orderRequestSchema, orderSchema, problemSchema, refundRequestSchema } from '../../functions/http/schemas';

interface MediaType { schema: { $ref?: string }; example?: unknown; examples?: Record<string, { value: unknown }> }
interface Operation { security?: unknown[]; requestBody?: { content: Record<string, MediaType> }; responses: Record<string, { content?: Record<string, MediaType> }> }
const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { examples?: unknown[] }> } };

test('request examples are requests the API accepts', () => {
  for (const r of [vaultedOrderRequest, approvalOrderRequest]) expect(orderRequestSchema.safeParse(r).error).toBeUndefined();
  expect(approvalOrderRequest.payment.vaultId).toBeUndefined();
  expect(refundRequestSchema.safeParse(refundRequest).error).toBeUndefined();
});

test('response examples are answers the API can send', () => {
  for (const o of [receivedOrder, awaitingPaymentOrder, shippedOrder]) expect(orderSchema.safeParse(o).error).toBeUndefined();
  expect(awaitingPaymentOrder.payment.approveUrl).toMatch(/^https:\/\//);
  for (const p of Object.values(problems)) expect(problemSchema.safeParse(p).error).toBeUndefined();
});

test('the main operations carry their examples, and every example sits beside the schema it matches', () => {
  const op = (path: string, method: string) => doc.paths[path][method];
  const json = (o: Operation, status?: string) => (status ? o.responses[status].content!['application/json'] : o.requestBody!.content['application/json']);
  expect(json(op('/v1/orders', 'post')).examples).toEqual({ vaulted: expect.objectContaining({ value: vaultedOrderRequest }), approval: expect.objectContaining({ value: approvalOrderRequest }) });
  expect(json(op('/v1/orders', 'post'), '202').examples?.received.value).toEqual(receivedOrder);
  expect(json(op('/v1/orders/{id}', 'get'), '200').examples?.awaitingPayment.value).toEqual(awaitingPaymentOrder);
  expect(json(op('/v1/orders/{id}/refunds', 'post')).examples?.brokenMug.value).toEqual(refundRequest);
  expect(doc.components.schemas.Problem.examples).toHaveLength(1);

  const validators: Record<string, { safeParse(v: unknown): { success: boolean } }> = { OrderRequest: orderRequestSchema, Order: orderSchema, RefundRequest: refundRequestSchema, Problem: problemSchema };
  let checked = 0;
  for (const operation of Object.values(doc.paths).flatMap((p) => Object.values(p))) {
    const media = [...Object.values(operation.requestBody?.content ?? {}), ...Object.values(operation.responses).flatMap((r) => Object.values(r.content ?? {}))];
    for (const m of media) {
      const values = [...(m.example !== undefined ? [m.example] : []), ...Object.values(m.examples ?? {}).map((e) => e.value)];
      const name = m.schema.$ref?.split('/').pop() ?? '';
      for (const v of values) {
        expect({ name, valid: validators[name]?.safeParse(v).success }).toEqual({ name, valid: true });
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThanOrEqual(15);
});

test('operations that need a token name the bearer scheme, which "Authorize" on the docs page fills', () => {
  expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const secured = Object.entries(doc.paths).flatMap(([p, ms]) => Object.entries(ms).filter(([, o]) => o.security).map(([m]) => `${m} ${p}`));
  expect(secured).toContain('get /v1/orders');
  expect(secured).not.toContain('get /v1/products');
});
