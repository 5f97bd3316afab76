// The public catalog and quote endpoints, end to end through HTTP on the embedded runtime.
import fs from 'node:fs';
import path from 'node:path';
import { HostProcess, startHost } from 'azure-standin/testing';
import { productListSchema, quoteSchema } from '../../functions/http/schemas';

let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot: path.resolve(__dirname, '..', '..', '..'), logLevel: 'warning' });
});
afterAll(() => host.stop());

const quote = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${host.api}/v1/quotes`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

const cart = { items: [{ sku: 'MUG-CER-350', quantity: 2 }, { sku: 'BOOK-DDD-EN', quantity: 1 }], shippingAddress: { country: 'DE' } };

test('GET /v1/products lists the catalog with prices in minor units', async () => {
  const res = await fetch(`${host.api}/v1/products`);
  expect(res.status).toBe(200);
  const { items } = productListSchema.parse(await res.json());
  expect(items.length).toBeGreaterThanOrEqual(10);
  expect(items.find((p) => p.sku === 'MUG-CER-350')).toMatchObject({ unitPrice: 1499, currency: 'EUR', inStock: true });
});

test('POST /v1/quotes prices on the server and ignores nothing silently', async () => {
  const res = await quote({ ...cart, discountCode: 'welcome10' });
  expect(res.status).toBe(200);
  // The response matches the documented schema exactly (strict: no undocumented fields).
  const q = quoteSchema.parse(await res.json());
  // 2 × 14.99 + 54.90 = 84.88; 10 % off = 8.49 (half up); shipping 4.90 + 2 started kg × 0.50
  expect(q.totals).toMatchObject({ currency: 'EUR', subtotal: 8488, discount: 849, shipping: 590 });
  expect(q.totals.total).toBe(8488 - 849 + 590 + q.totals.tax);
  expect(q.items.map((i) => i.sku)).toEqual(['BOOK-DDD-EN', 'MUG-CER-350']);
});

test('client-sent prices are rejected as unknown fields', async () => {
  const res = await quote({ ...cart, items: [{ sku: 'MUG-CER-350', quantity: 1, unitPrice: 1 }] });
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const p = (await res.json()) as { type: string; errors: { pointer: string; detail: string }[] };
  expect(p.type).toBe('https://errors.order-backend.dev/validation-failed');
  expect(p.errors[0].pointer).toBe('/items/0');
  expect(p.errors[0].detail).toMatch(/unitPrice/);
});

test('each error class has its status and stable type, and the request id is echoed', async () => {
  const cases: [Response, number, string][] = [
    [await quote(cart, { 'content-type': 'text/plain' }), 415, 'unsupported-media-type'],
    [await quote('{"items": [', { 'content-type': 'application/json' }), 400, 'malformed-json'],
    [await quote({ ...cart, shippingAddress: { country: 'germany' } }), 400, 'validation-failed'],
    [await quote({ ...cart, items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] }), 422, 'cart-invalid'],
    [await quote({ ...cart, shippingAddress: { country: 'US' } }), 422, 'cart-invalid'],
    [await quote({ ...cart, note: 'x'.repeat(70_000) }), 413, 'payload-too-large'],
  ];
  for (const [res, status, type] of cases) {
    expect(res.status).toBe(status);
    expect(((await res.json()) as { type: string }).type).toBe(`https://errors.order-backend.dev/${type}`);
  }
  const res = await quote({ ...cart, items: [] }, { 'content-type': 'application/json', 'x-request-id': 'abc-123' });
  expect(res.headers.get('x-request-id')).toBe('abc-123');
  expect(await res.json()).toMatchObject({ status: 400, requestId: 'abc-123', instance: '/api/v1/quotes' });
});

test('pricing problems point at the offending field', async () => {
  const res = await quote({ ...cart, items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }], discountCode: 'NOPE' });
  const p = (await res.json()) as { errors: { code: string; pointer: string }[] };
  expect(p.errors).toEqual([
    expect.objectContaining({ code: 'unknown-sku', pointer: '/items/0/sku' }),
    expect.objectContaining({ code: 'unknown-discount-code', pointer: '/discountCode' }),
  ]);
});

test('the served OpenAPI document matches the committed docs/openapi.json (run `npm run openapi` after API changes)', async () => {
  const res = await fetch(`${host.api}/v1/openapi.json`);
  expect(res.status).toBe(200);
  const served = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
  const committed = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'openapi.json'), 'utf8')) as unknown;
  expect(served).toEqual(committed);
  expect(served.openapi).toBe('3.1.0');
  expect(Object.keys(served.paths)).toEqual(['/v1/products', '/v1/quotes', '/v1/orders', '/v1/orders/{id}', '/v1/orders/{id}/invoice', '/v1/orders/{id}/refunds', '/v1/orders/{id}/cancel', '/v1/disputes', '/v1/disputes/{id}', '/v1/disputes/{id}/evidence-pack', '/v1/disputes/{id}/submit', '/v1/disputes/{id}/accept']);
});

test('the docs page is Swagger UI on the served document (api-docs.test.ts drives it in a browser)', async () => {
  const res = await fetch(`${host.api}/v1/docs`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toMatch(/<script src="docs\/swagger-ui-bundle\.js\?v=\w+"><\/script>/);
  expect(await (await fetch(`${host.api}/v1/docs/docs.js`)).text()).toContain("url: 'openapi.json'");
});
