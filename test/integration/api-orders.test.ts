// The order API end to end: HTTP on the embedded runtime, Cosmos DB emulator, Durable saga,
// tokens from the local issuer.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { completed, HostProcess, startHost, status, waitFor } from 'azure-standin/testing';
import { mintToken } from 'azure-standin';
import { orderListSchema, orderSchema, problemSchema, quoteSchema } from '../../functions/http/schemas';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning' });
});
afterAll(() => host.stop());

const token = (sub: string, roles: string[] = []) => mintToken(host.dataDir, { subject: sub, roles, email: `${sub}@example.com` });
const newCustomer = () => `cust-${randomUUID().slice(0, 8)}`;

// No vaulted method: each saga stops at awaiting-payment (buyer approval), so these API tests
// see orders that stay cancellable. The saga's own flows are tested in saga-*.test.ts.
function orderBody(customerId: string, over: Record<string, unknown> = {}) {
  return {
    customer: { id: customerId, email: `${customerId}@example.com`, name: 'Ada Lovelace' },
    items: [{ sku: 'GIFT-CARD-25', quantity: 2 }, { sku: 'NOTE-A5-DOT', quantity: 1 }],
    shippingAddress: { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
    payment: { method: 'paypal' },
    ...over,
  };
}

async function post(pathname: string, o: { token?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.headers ?? {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.key) headers['idempotency-key'] = o.key;
  return fetch(`${host.url}${pathname}`, { method: 'POST', headers, body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body) });
}

const get = (pathname: string, bearer: string, headers: Record<string, string> = {}) =>
  fetch(`${host.url}${pathname}`, { headers: { authorization: `Bearer ${bearer}`, ...headers } });

async function expectProblem(res: Response, status: number, type: string) {
  expect({ status: res.status, contentType: res.headers.get('content-type') }).toEqual({ status, contentType: 'application/problem+json' });
  const p = problemSchema.parse(await res.json());
  expect(p.type).toBe(`https://errors.order-backend.dev/${type}`);
  return p;
}

/** Waits until the saga parks the order at the buyer's approval, where it stays unchanged. */
async function parked(customerId: string, id: string) {
  const t = await token(customerId);
  return waitFor(async () => {
    const res = await get(`/api/v1/orders/${id}`, t);
    const o = orderSchema.parse(await res.json());
    return o.status === 'awaiting-payment' ? { order: o, etag: res.headers.get('etag')! } : undefined;
  }, `${id} awaiting payment`);
}

async function placeOrder(customerId: string, over: Record<string, unknown> = {}) {
  const res = await post('/api/v1/orders', { token: await token(customerId), key: randomUUID(), body: orderBody(customerId, over) });
  expect(res.status).toBe(202);
  return orderSchema.parse(await res.json());
}

describe('authentication', () => {
  test('no token: 401 with a Bearer challenge', async () => {
    const res = await fetch(`${host.api}/v1/orders`);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="orders"');
    await expectProblem(res, 401, 'unauthenticated');
  });

  test('a token from another issuer or for another audience: 401 invalid_token', async () => {
    const wrongAudience = await mintToken(host.dataDir, { subject: 'c1', audience: 'api://someone-else' });
    const res = await get('/api/v1/orders', wrongAudience);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders", error="invalid_token", error_description="/);
    await expectProblem(res, 401, 'invalid-token');
    await expectProblem(await get('/api/v1/orders', 'eyJhbGciOiJub25lIn0.e30.'), 401, 'invalid-token');
  });

  test('placing an order for another customer is forbidden', async () => {
    const res = await post('/api/v1/orders', { token: await token('mallory'), key: randomUUID(), body: orderBody('victim') });
    await expectProblem(res, 403, 'forbidden');
  });
});

describe('the customer email', () => {
  test('order emails go only to the verified email in the token: another address is 403, none in the token is 403', async () => {
    const me = newCustomer();
    const stranger = await post('/api/v1/orders', { token: await token(me), key: randomUUID(), body: orderBody(me, { customer: { id: me, email: 'victim@example.org', name: 'Ada' } }) });
    const p = await expectProblem(stranger, 403, 'email-mismatch');
    expect(p.errors).toEqual([{ pointer: '/customer/email', detail: 'not the email in your token' }]);
    const noEmail = await mintToken(host.dataDir, { subject: me });
    await expectProblem(await post('/api/v1/orders', { token: noEmail, key: randomUUID(), body: orderBody(me) }), 403, 'email-unverified');
    const listed = orderListSchema.parse(await (await get('/api/v1/orders', await token(me))).json());
    expect(listed.items).toHaveLength(0);
  });

  test('left out, the email is the token\'s; an admin ordering on behalf of a customer names it', async () => {
    const me = newCustomer();
    const placed = await post('/api/v1/orders', { token: await token(me), key: randomUUID(), body: orderBody(me, { customer: { id: me, name: 'Ada' } }) });
    expect(placed.status).toBe(202);
    expect(orderSchema.parse(await placed.json()).customer.email).toBe(`${me}@example.com`);
    const admin = await token('support-7', ['Orders.Admin']);
    const other = newCustomer();
    await expectProblem(await post('/api/v1/orders', { token: admin, key: randomUUID(), body: orderBody(other, { customer: { id: other, name: 'Bob' } }) }), 400, 'validation-failed');
    const onBehalf = await post('/api/v1/orders', { token: admin, key: randomUUID(), body: orderBody(other, { customer: { id: other, email: 'bob@example.org', name: 'Bob' } }) });
    expect(onBehalf.status).toBe(202);
    expect(orderSchema.parse(await onBehalf.json()).customer).toEqual({ id: other, email: 'bob@example.org', name: 'Bob' });
  });
});

describe('POST /v1/orders', () => {
  test('202 with Location, ETag and the server-priced order; the saga runs under the order id', async () => {
    const customer = newCustomer();
    const res = await post('/api/v1/orders', { token: await token(customer), key: randomUUID(), body: orderBody(customer), headers: { 'x-request-id': 'req-123' } });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe('req-123');
    const order = orderSchema.parse(await res.json());
    expect(res.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    expect(res.headers.get('etag')).toMatch(/^".+"$/);
    expect(order).toMatchObject({ status: 'received', customer: { id: customer }, payment: { method: 'paypal', vaulted: false }, links: { self: `/api/v1/orders/${order.id}`, cancel: `/api/v1/orders/${order.id}/cancel` } });
    // Same prices as a quote for the same cart.
    const quote = quoteSchema.parse(await (await post('/api/v1/quotes', { body: { items: orderBody(customer).items, shippingAddress: { country: 'DE' } } })).json());
    expect(order.totals).toEqual(quote.totals);
    const saga = await waitFor(() => status(host, order.id), 'the saga');
    expect(saga).toMatchObject({ name: 'orderSaga', instanceId: order.id, input: { orderId: order.id, customerId: customer } });
    // The saga records its stages on the order: it waits for the buyer's PayPal approval.
    const waiting = await waitFor(async () => {
      const o = orderSchema.parse(await (await get(`/api/v1/orders/${order.id}`, await token(customer))).json());
      return o.status === 'awaiting-payment' ? o : undefined;
    }, 'awaiting-payment');
    // An order the buyer still has to approve reserves its stock only once approved.
    expect(waiting.timeline.map((t) => t.status)).toEqual(['received', 'invoiced', 'awaiting-payment']);
    expect(waiting.payment.approveUrl).toMatch(/\/sim\/paypal\/checkoutnow\?token=/);
    expect(waiting.invoice?.number).toMatch(/^INV-\d{4}-\d{6}$/);
  });

  test('the same key and body answer the same response again, with one order only', async () => {
    const customer = newCustomer();
    const t = await token(customer);
    const key = randomUUID();
    const first = await post('/api/v1/orders', { token: t, key, body: orderBody(customer) });
    const firstBody = await first.text();
    // Reordered keys are the same request.
    const body = orderBody(customer);
    const reordered = { payment: body.payment, shippingAddress: body.shippingAddress, items: body.items, customer: body.customer };
    const again = await post('/api/v1/orders', { token: t, key, body: reordered });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await again.text()).toBe(firstBody);
    const list = orderListSchema.parse(await (await get('/api/v1/orders', t)).json());
    expect(list.items).toHaveLength(1);
  });

  test('the same key with another body is 422, and changes nothing', async () => {
    const customer = newCustomer();
    const t = await token(customer);
    const key = randomUUID();
    expect((await post('/api/v1/orders', { token: t, key, body: orderBody(customer) })).status).toBe(202);
    const res = await post('/api/v1/orders', { token: t, key, body: orderBody(customer, { items: [{ sku: 'MUG-CER-350', quantity: 3 }] }) });
    await expectProblem(res, 422, 'idempotency-key-reused');
    expect(orderListSchema.parse(await (await get('/api/v1/orders', t)).json()).items).toHaveLength(1);
  });

  test('concurrent duplicates: one order; the others replay it or get 409 with Retry-After', async () => {
    const customer = newCustomer();
    const t = await token(customer);
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/orders', { token: t, key, body: orderBody(customer) })));
    const accepted = responses.filter((r) => r.status === 202);
    const conflicts = responses.filter((r) => r.status === 409);
    expect(accepted.length + conflicts.length).toBe(6);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(conflicts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.headers.get('location'))).size).toBe(1);
    for (const c of conflicts) {
      expect(Number(c.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      await expectProblem(c, 409, 'idempotency-key-in-use');
    }
    expect(orderListSchema.parse(await (await get('/api/v1/orders', t)).json()).items).toHaveLength(1);
  });

  test('an unpriceable cart is 422 with pointers, and leaves the key free for the corrected cart', async () => {
    const customer = newCustomer();
    const t = await token(customer);
    const key = randomUUID();
    const bad = await post('/api/v1/orders', { token: t, key, body: orderBody(customer, { items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] }) });
    const p = await expectProblem(bad, 422, 'cart-invalid');
    expect(p.errors?.[0]).toMatchObject({ pointer: '/items/0/sku' });
    expect((await post('/api/v1/orders', { token: t, key, body: orderBody(customer) })).status).toBe(202);
  });

  test.each([
    ['no Idempotency-Key → 400', { key: undefined }, 400, 'idempotency-key-required'],
    ['an Idempotency-Key with spaces → 400', { key: 'has spaces' }, 400, 'idempotency-key-invalid'],
    ['malformed JSON → 400', { body: '{"customer":' }, 400, 'malformed-json'],
    ['a client-sent price → 400', { body: 'PRICE' }, 400, 'validation-failed'],
    ['text/plain → 415', { headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-media-type'],
    ['a 70 KiB body → 413', { body: 'HUGE' }, 413, 'payload-too-large'],
  ])('%s', async (_name, o: { key?: string; body?: string; headers?: Record<string, string> }, statusCode, type) => {
    const customer = newCustomer();
    const base = orderBody(customer);
    const body = o.body === 'PRICE' ? { ...base, items: [{ sku: 'MUG-CER-350', quantity: 1, unitPrice: 1 }] } : o.body === 'HUGE' ? { ...base, note: 'x'.repeat(70 * 1024) } : o.body ?? base;
    const res = await post('/api/v1/orders', { token: await token(customer), key: 'key' in o ? o.key : randomUUID(), body, headers: o.headers });
    const p = await expectProblem(res, statusCode, type);
    if (type === 'validation-failed') expect(p.errors).toEqual([expect.objectContaining({ pointer: '/items/0' })]);
  });
});

describe('GET /v1/orders/{id}', () => {
  test('the owner reads it with an ETag; If-None-Match answers 304', async () => {
    const customer = newCustomer();
    const placed = await placeOrder(customer);
    const t = await token(customer);
    await parked(customer, placed.id);
    const res = await get(`/api/v1/orders/${placed.id}`, t);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag')!;
    const order = orderSchema.parse(await res.json());
    expect({ ...order, status: undefined, timeline: undefined, updatedAt: undefined, invoice: undefined, payment: undefined, links: undefined }).toEqual({ ...placed, status: undefined, timeline: undefined, updatedAt: undefined, invoice: undefined, payment: undefined, links: undefined });
    expect(order.timeline[0]).toEqual({ status: 'received', event: 'order-received', at: order.createdAt });
    expect(order).toMatchObject({ shipment: null, payment: { captureId: null } });
    const cached = await get(`/api/v1/orders/${placed.id}`, t, { 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(etag);
  });

  test('other customers get 404 (no hint that it exists); admins can read it', async () => {
    const placed = await placeOrder(newCustomer());
    await expectProblem(await get(`/api/v1/orders/${placed.id}`, await token(newCustomer())), 404, 'order-not-found');
    expect((await get(`/api/v1/orders/${placed.id}`, await token('support-1', ['Orders.Admin']))).status).toBe(200);
    await expectProblem(await get('/api/v1/orders/not-an-order-id', await token('support-1', ['Orders.Admin'])), 404, 'order-not-found');
  });
});

describe('GET /v1/orders', () => {
  test('pages newest first with a cursor, each order exactly once', async () => {
    const customer = newCustomer();
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) placed.push((await placeOrder(customer)).id);
    const t = await token(customer);
    const seen: string[] = [];
    let next: string | null = '/api/v1/orders?limit=2';
    let pages = 0;
    while (next) {
      const page = orderListSchema.parse(await (await get(next, t)).json());
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((o) => o.id));
      next = page.links.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...placed].reverse());
  });

  test('filters by status; admins list everyone and one customer; customers only themselves', async () => {
    const customer = newCustomer();
    const a = await placeOrder(customer);
    const b = await placeOrder(customer);
    const t = await token(customer);
    expect((await post(`/api/v1/orders/${a.id}/cancel`, { token: t })).status).toBe(200);
    const cancelled = orderListSchema.parse(await (await get('/api/v1/orders?status=cancelled', t)).json());
    expect(cancelled.items.map((o) => o.id)).toEqual([a.id]);
    const all = orderListSchema.parse(await (await get('/api/v1/orders', t)).json());
    expect(all.items.map((o) => o.id)).toEqual([b.id, a.id]);
    const admin = await token('support-1', ['Orders.Admin']);
    const one = orderListSchema.parse(await (await get(`/api/v1/orders?customerId=${customer}`, admin)).json());
    expect(one.items.map((o) => o.id)).toEqual([b.id, a.id]);
    const everyone = orderListSchema.parse(await (await get('/api/v1/orders?limit=100', admin)).json());
    expect(new Set(everyone.items.map((o) => o.customerId)).size).toBeGreaterThan(1);
    await expectProblem(await get(`/api/v1/orders?customerId=${newCustomer()}`, t), 403, 'forbidden');
  });

  test.each([
    ['limit=0', 'validation-failed'],
    ['limit=abc', 'validation-failed'],
    ['status=lost', 'validation-failed'],
    ['colour=red', 'validation-failed'],
    ['cursor=bm9wZQ', 'invalid-cursor'],
  ])('?%s → 400 %s', async (query, type) => {
    await expectProblem(await get(`/api/v1/orders?${query}`, await token(newCustomer())), 400, type);
  });

  test('a cursor reused with another filter is refused', async () => {
    const customer = newCustomer();
    await placeOrder(customer);
    await placeOrder(customer);
    const t = await token(customer);
    const page = orderListSchema.parse(await (await get('/api/v1/orders?limit=1', t)).json());
    await expectProblem(await get(`/api/v1/orders?limit=1&status=paid&cursor=${page.nextCursor}`, t), 400, 'invalid-cursor');
  });
});

describe('POST /v1/orders/{id}/cancel', () => {
  test('cancels, ends the saga, and answers 200 again when repeated', async () => {
    const customer = newCustomer();
    const placed = await placeOrder(customer);
    const t = await token(customer);
    const res = await post(`/api/v1/orders/${placed.id}/cancel`, { token: t, body: { reason: 'ordered twice' } });
    expect(res.status).toBe(200);
    const order = orderSchema.parse(await res.json());
    expect(order).toMatchObject({ status: 'cancelled', cancellationReason: 'ordered twice', links: { cancel: null } });
    expect(order.timeline.map((e) => e.status).at(-1)).toBe('cancelled');
    const saga = await completed(host, placed.id);
    expect(saga.output).toEqual({ orderId: placed.id, outcome: 'cancelled' });
    const again = await post(`/api/v1/orders/${placed.id}/cancel`, { token: t });
    expect(again.status).toBe(200);
    expect(orderSchema.parse(await again.json()).timeline).toHaveLength(order.timeline.length);
  });

  test('If-Match with a stale ETag is 412; unknown orders 404; bad bodies 400', async () => {
    const customer = newCustomer();
    const placed = await placeOrder(customer);
    const t = await token(customer);
    const stale = await post(`/api/v1/orders/${placed.id}/cancel`, { token: t, headers: { 'if-match': '"not-the-version"' } });
    await expectProblem(stale, 412, 'precondition-failed');
    expect(stale.headers.get('etag')).toMatch(/^".+"$/);
    await expectProblem(await post(`/api/v1/orders/ord_AAAAAAAAAAAAAAAA/cancel`, { token: t }), 404, 'order-not-found');
    await expectProblem(await post(`/api/v1/orders/${placed.id}/cancel`, { token: t, body: { reason: 'x', refund: 'double' } }), 400, 'validation-failed');
    const { etag } = await parked(customer, placed.id);
    const ok = await post(`/api/v1/orders/${placed.id}/cancel`, { token: t, headers: { 'if-match': etag } });
    expect(ok.status).toBe(200);
  });
});

test('a burst beyond the caller\'s rate limit gets 429 with Retry-After', async () => {
  const t = await token(newCustomer());
  const responses = await Promise.all(Array.from({ length: 80 }, () => get('/api/v1/orders?limit=1', t)));
  const limited = responses.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  expect(responses.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(40);
  expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  await expectProblem(limited[0], 429, 'rate-limited');
});

test('orders survive a crash of the runtime (SIGKILL) with the same content and ETag', async () => {
  const customer = newCustomer();
  const placed = await placeOrder(customer);
  const t = await token(customer);
  await parked(customer, placed.id);
  const before = await get(`/api/v1/orders/${placed.id}`, t);
  const etag = before.headers.get('etag');
  await host.kill();
  host = await startHost({ appRoot, dataDir: host.dataDir, logLevel: 'warning' });
  const after = await get(`/api/v1/orders/${placed.id}`, t);
  expect(after.status).toBe(200);
  expect(after.headers.get('etag')).toBe(etag);
  expect(await after.json()).toEqual(await before.json());
});
