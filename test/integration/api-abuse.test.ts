// The public edge under abuse: webhook deliveries signed with PayPal's scheme but replayed, stale,
// re-bodied or malformed; bodies with invalid UTF-8 or announced far over the limit; callers
// without a token going over their per-address rate. Deliveries are signed here with the PayPal
// simulator's own key, so the app's real verification runs against them.
import path from 'node:path';
import net from 'node:net';
import { createHash, createSign, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Database } from 'azure-standin/sqlite';
import { HostProcess, startHost } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';
import { problemSchema } from '../../functions/http/schemas';

const appRoot = path.resolve(__dirname, '..', '..', '..');
let host: HostProcess;
beforeAll(async () => {
  host = await startHost({ appRoot, logLevel: 'warning', env: { API_RATE_LIMIT_PER_SECOND: '0', PUBLIC_RATE_LIMIT_PER_SECOND: '5' } });
}, 60_000);
afterAll(async () => {
  if (process.env.DEBUG_HOST) console.log(host.output().split('\n').filter((l) => /error|fail/i.test(l)).join('\n'));
  await host.stop();
}, 30_000);
jest.setTimeout(60_000);
const c = sagaClient(() => host);

function signer() {
  const db = new Database(path.join(host.dataDir, 'simulators.db'), { readonly: true });
  const meta = (key: string) => (db.prepare('SELECT value FROM pp_meta WHERE key = ?').get(key) as { value: string }).value;
  const key = meta('webhook_private_key');
  const cert = meta('webhook_certificate');
  db.close();
  const certUrl = `${host.url}/sim/paypal/certs/CERT-${createHash('sha256').update(cert).digest('hex').slice(0, 32)}.pem`;
  return (body: Buffer, o: { id?: string; time?: Date } = {}) => {
    const id = o.id ?? randomUUID();
    const time = (o.time ?? new Date()).toISOString();
    return {
      'content-type': 'application/json',
      'paypal-transmission-id': id,
      'paypal-transmission-time': time,
      'paypal-transmission-sig': createSign('RSA-SHA256').update(`${id}|${time}|LOCAL-WEBHOOK-1|${crc32(body)}`).sign(key, 'base64'),
      'paypal-cert-url': certUrl,
      'paypal-auth-algo': 'SHA256withRSA',
    };
  };
}

const deliver = (body: Buffer, headers: Record<string, string>) => fetch(`${host.api}/v1/webhooks/paypal`, { method: 'POST', headers, body });
const event = (resource: Record<string, unknown>) => Buffer.from(JSON.stringify({ id: `WH-${randomUUID()}`, event_type: 'CHECKOUT.ORDER.APPROVED', resource }));
async function problem(res: Response, status: number, type: string) {
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status, type: 'application/problem+json' });
  expect(problemSchema.parse(await res.json()).type).toBe(`https://errors.order-backend.dev/${type}`);
}

describe('PayPal webhooks', () => {
  test('a genuine delivery is accepted once; the same transmission again is acknowledged, the same id with another body refused', async () => {
    const sign = signer();
    const body = event({ id: 'PAYPAL-ORDER-1', purchase_units: [{ reference_id: 'ord_AAAAAAAAAAAAAAAA' }] });
    const headers = sign(body);
    expect((await deliver(body, headers)).status).toBe(200);
    expect((await deliver(body, headers)).status).toBe(200);
    // Validly signed (the signature covers only a CRC-32 of the body), but the id is used up.
    const other = event({ id: 'PAYPAL-ORDER-2', purchase_units: [{ reference_id: 'ord_BBBBBBBBBBBBBBBB' }] });
    await problem(await deliver(other, sign(other, { id: headers['paypal-transmission-id'], time: new Date(headers['paypal-transmission-time']) })), 400, 'webhook-replayed');
  });

  test('a delivery signed more than five minutes before or after now is refused', async () => {
    const sign = signer();
    const body = event({ id: 'PAYPAL-ORDER-3' });
    await problem(await deliver(body, sign(body, { time: new Date(Date.now() - 10 * 60_000) })), 401, 'stale-webhook');
    await problem(await deliver(body, sign(body, { time: new Date(Date.now() + 10 * 60_000) })), 401, 'stale-webhook');
  });

  test('signed but malformed: not JSON, invalid UTF-8, or an id that is not one of ours, is a 400, never a 500', async () => {
    const sign = signer();
    for (const body of [Buffer.from('not json at all'), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])]) await problem(await deliver(body, sign(body)), 400, 'malformed-json');
    for (const resource of [{ id: 'X', purchase_units: [{ reference_id: '../../x' }] }, { id: 'X', custom_id: 'ord_../../../etc' }]) {
      const body = event(resource);
      await problem(await deliver(body, sign(body)), 400, 'validation-failed');
    }
    const unsigned = event({ id: 'X' });
    await problem(await deliver(unsigned, { 'content-type': 'application/json' }), 401, 'invalid-signature');
  });
});

describe('request bodies', () => {
  test('invalid UTF-8 in a JSON body is a 400 problem, not a U+FFFD stored in the order', async () => {
    const customer = `cust-${randomUUID().slice(0, 8)}`;
    const json = JSON.stringify({
      customer: { id: customer, name: 'Grace NAME' },
      items: [{ sku: 'MUG-CER-350', quantity: 1 }],
      shippingAddress: { name: 'Grace Hopper', line1: 'Invalidenstraße 117', city: 'Berlin', postalCode: '10115', country: 'DE' },
      payment: { method: 'paypal', vaultId: 'vault-ok' },
    });
    const [before, after] = json.split('NAME');
    const body = Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28]), Buffer.from(after)]);
    const res = await fetch(`${host.api}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await c.token(customer)}`, 'idempotency-key': randomUUID() }, body });
    await problem(res, 400, 'malformed-json');
  });

  test('a body announced far over the limit is refused at once, before it is sent', async () => {
    // Only the headers go out: an answer proves nobody waited for the 60 MB.
    const answer = await new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(host.url);
      const socket = net.connect(Number(port), hostname, () => {
        socket.write(`POST /api/v1/webhooks/carrier HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${60 * 1024 * 1024}\r\n\r\n{"x":`);
      });
      let got = '';
      socket.on('data', (d) => {
        got += d.toString();
        if (got.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(got.split('\r\n')[0]);
        }
      });
      socket.on('error', reject);
      setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref();
    });
    expect(answer).toBe('HTTP/1.1 413 Payload Too Large');
  });
});

describe('rate limits without a token', () => {
  test('quotes are limited per client address (5/s, bursts of 10): 429 with Retry-After', async () => {
    const quote = () => fetch(`${host.api}/v1/quotes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ sku: 'MUG-CER-350', quantity: 1 }], shippingAddress: { country: 'DE' }, shippingMethod: 'standard' }) });
    const answers = await Promise.all(Array.from({ length: 30 }, quote));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(15);
    const limited = answers.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await problem(limited, 429, 'rate-limited');
  });

  test('the PayPal return page and webhooks are limited too (webhooks at five times the rate)', async () => {
    await new Promise((r) => setTimeout(r, 3000)); // the bucket refills
    const returns = await Promise.all(Array.from({ length: 30 }, () => fetch(`${host.api}/v1/payments/paypal/return?orderId=ord_AAAAAAAAAAAAAAAA&token=x`)));
    expect(returns.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const hooks = await Promise.all(Array.from({ length: 80 }, () => deliver(Buffer.from('{}'), { 'content-type': 'application/json' })));
    const statuses = hooks.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(50);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});
