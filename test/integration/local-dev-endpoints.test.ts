// The product on the local stand-in, listening on 0.0.0.0: the dev endpoints, simulators and
// issuer stay loopback-only while the API serves the network.
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startHost } from 'azure-standin/testing';
import type { HostProcess } from 'azure-standin/testing';
import { sagaClient } from '../support/saga-client';

describe('listening on 0.0.0.0', () => {
  const appRoot = path.resolve(__dirname, '..', '..', '..');
  let product: HostProcess;
  // This machine's own non-loopback address: a connection from it to 127.0.0.1 reaches the host
  // with a remote address that is neither loopback nor the address it was made to, like a
  // caller from the network.
  const foreign = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  beforeAll(async () => {
    product = await startHost({ appRoot, args: ['--host', '0.0.0.0'], env: { API_RATE_LIMIT_PER_SECOND: '0' } });
  }, 60_000);
  afterAll(() => product?.stop(), 30_000);

  /** A request to the product host over loopback, optionally from `localAddress`. */
  function call(pathAndQuery: string, o: { method?: string; localAddress?: string; body?: string } = {}): Promise<{ status: number; type: string; json: Record<string, unknown> }> {
    const port = Number(new URL(product.url).port);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: pathAndQuery, method: o.method ?? 'GET', localAddress: o.localAddress, agent: false, headers: o.body ? { 'content-type': 'application/json' } : {} }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
          let json: Record<string, unknown> = {};
          try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), json });
        });
      });
      req.on('error', reject);
      req.end(o.body);
    });
  }

  test('warns at startup that the dev endpoints stay loopback-only', () => {
    expect(product.output()).toMatch(/WARNING Listening on 0\.0\.0\.0.*dev endpoints .*loopback-only/);
  });

  (foreign ? test : test.skip)('the dev endpoints, simulators and issuer answer other callers 403, and keep serving loopback callers, the app among them', async () => {
    for (const [method, p] of [['GET', '/dev/emails?to=a@example.com'], ['GET', '/dev/telemetry'], ['POST', '/sim/paypal/v1/oauth2/token'], ['GET', '/local-issuer/jwks.json'], ['POST', '/emails:send?api-version=2023-03-31']]) {
      const r = await call(p, { method, localAddress: foreign });
      expect({ p, status: r.status, type: r.type }).toEqual({ p, status: 403, type: 'application/problem+json; charset=utf-8' });
      expect(r.json).toMatchObject({ status: 403, title: 'Forbidden' });
    }
    // The API itself is for the network.
    expect((await call('/api/health', { localAddress: foreign })).status).toBe(200);
    expect((await call('/local-issuer/jwks.json')).json).toHaveProperty('keys');
    // The order's confirmation goes through the app's PayPal and ACS SDKs to the simulators.
    const c = sagaClient(() => product);
    const { email } = await c.place({ vaultId: 'vault-ok' });
    expect((await c.mailbox(email, 1)).length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  test('/dev/emails lists one recipient: without ?to= it answers 400, unless ?all=true', async () => {
    for (const p of ['/dev/emails', '/dev/emails.html', '/dev/emails?to=']) {
      const r = await call(p);
      expect({ p, status: r.status }).toEqual({ p, status: 400 });
      expect(r.json.detail).toContain('?to=<address>');
    }
    const all = await call('/dev/emails?all=true');
    expect(all.status).toBe(200);
    expect(all.json).toHaveProperty('items');
    expect((await call('/dev/emails?to=nobody@example.com')).json).toEqual({ items: [] });
  });
});
