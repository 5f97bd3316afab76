// HTTP triggers on the embedded host, driven through the unmodified @azure/functions library.
import fs from 'node:fs';
import path from 'node:path';
import { HostProcess, startHost } from '../support/host';

let host: HostProcess;
let keys: { master: string; function: string };

beforeAll(async () => {
  host = await startHost();
  keys = JSON.parse(fs.readFileSync(path.join(host.dataDir, 'keys.json'), 'utf8')) as typeof keys;
});
afterAll(() => host.stop());

test('serves an anonymous route with a constrained parameter under the routePrefix', async () => {
  const res = await fetch(`${host.api}/hello/World`);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('Hello, World!');
  // {name:alpha} rejects digits, so no route matches.
  expect((await fetch(`${host.api}/hello/123`)).status).toBe(404);
  // Routes live under the prefix only.
  expect((await fetch(`${host.url}/hello/World`)).status).toBe(404);
});

test('function-level auth accepts the function key by query or header and rejects others', async () => {
  const url = `${host.api}/echo/7/a/b`;
  expect((await fetch(url, { method: 'POST' })).status).toBe(401);
  expect((await fetch(`${url}?code=wrong`, { method: 'POST' })).status).toBe(401);
  expect((await fetch(`${url}?code=${keys.function}`, { method: 'POST' })).status).toBe(201);
  expect((await fetch(url, { method: 'POST', headers: { 'x-functions-key': keys.master } })).status).toBe(201);
});

test('admin-level auth needs the master key', async () => {
  expect((await fetch(`${host.api}/admin-only?code=${keys.function}`)).status).toBe(401);
  expect((await fetch(`${host.api}/admin-only?code=${keys.master}`)).status).toBe(200);
});

test('converts requests and responses as the host does: params, query, headers, bytes, status, cookies', async () => {
  const body = Buffer.from([0, 1, 2, 250, 255]);
  const res = await fetch(`${host.api}/echo/42/deep/path?x=1&x=2&y=z&code=${keys.function}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'x-custom': 'yes' },
    body,
  });
  expect(res.status).toBe(201);
  expect(res.headers.get('x-invocation-id')).toMatch(/^[0-9a-f-]{36}$/);
  // ASP.NET Core's Set-Cookie shape (SetCookieHeaderValue), which the host writes.
  expect(res.headers.get('set-cookie')).toBe('session=abc; path=/; samesite=strict; httponly');
  const json = (await res.json()) as Record<string, unknown>;
  expect(json).toMatchObject({
    method: 'PUT',
    params: { id: '42', rest: 'deep/path' },
    query: { x: '1,2', y: 'z' },
    contentType: 'application/octet-stream',
    custom: 'yes',
    functionName: 'echo',
  });
  expect(Buffer.from(json.bodyBase64 as string, 'base64')).toEqual(body);
  expect(json.url).toBe(`${host.api}/echo/42/deep/path?x=1&x=2&y=z&code=${keys.function}`);
});

test('methods not registered for a route do not match', async () => {
  expect((await fetch(`${host.api}/hello/World`, { method: 'DELETE' })).status).toBe(404);
});

test('an unhandled error in a function answers 500 and is logged with the function name', async () => {
  const res = await fetch(`${host.api}/boom`);
  expect(res.status).toBe(500);
  expect(host.output()).toMatch(/Executed 'Functions\.boom' \(Failed.*error=kaboom/);
});

test('reports host status on the admin endpoint', async () => {
  const res = await fetch(`${host.url}/admin/host/status`);
  expect(await res.json()).toMatchObject({ state: 'Running' });
});
