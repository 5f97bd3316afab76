// The client-address headers a function sees, as App Service's front end adds them: taken from
// the socket over a real connection, never from what the caller sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toRpcHttp } from '../../src/host/http-trigger';

/** Headers the function would get for one request to a server listening on `listen`. */
async function seen(listen: string, connect: string, sent: Record<string, string>): Promise<{ headers: Record<string, string>; clientPort: number }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.end(JSON.stringify(toRpcHttp(req, url, {}, Buffer.alloc(0)).headers));
  });
  await new Promise<void>((resolve) => server.listen(0, listen, resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      let clientPort = 0;
      const req = http.get({ host: connect, port, headers: sent, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ headers: JSON.parse(body) as Record<string, string>, clientPort }));
      });
      req.on('socket', (s) => s.once('connect', () => (clientPort = s.localPort ?? 0)));
      req.on('error', reject);
    });
  } finally {
    server.close();
  }
}

const spoofed = { 'x-forwarded-for': '203.0.113.9', 'x-client-ip': '203.0.113.9', 'x-client-port': '1', 'client-ip': '203.0.113.9:1' };

test('CLIENT-IP, X-Client-IP, X-Client-Port and X-Forwarded-For carry the socket address, replacing the caller\'s', async () => {
  const { headers, clientPort } = await seen('127.0.0.1', '127.0.0.1', { ...spoofed, 'x-custom': 'kept' });
  expect(clientPort).toBeGreaterThan(0);
  expect(headers).toMatchObject({
    'client-ip': `127.0.0.1:${clientPort}`,
    'x-client-ip': '127.0.0.1',
    'x-client-port': String(clientPort),
    'x-forwarded-for': `127.0.0.1:${clientPort}`,
    'x-custom': 'kept',
  });
});

test('an IPv4 caller of a dual-stack listener shows as a.b.c.d; an IPv6 caller in brackets with its port', async () => {
  const v4 = await seen('::', '127.0.0.1', {});
  expect(v4.headers['x-client-ip']).toBe('127.0.0.1');
  expect(v4.headers['x-forwarded-for']).toBe(`127.0.0.1:${v4.clientPort}`);
  const v6 = await seen('::1', '::1', spoofed);
  expect(v6.headers['x-client-ip']).toBe('::1');
  expect(v6.headers['client-ip']).toBe(`[::1]:${v6.clientPort}`);
  expect(v6.headers['x-forwarded-for']).toBe(`[::1]:${v6.clientPort}`);
});
