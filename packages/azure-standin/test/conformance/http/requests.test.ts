// What an HTTP-triggered function sees of its request on Azure, on the host's two paths: the RPC
// path (no HTTP streaming: the host converts the request, GrpcMessageConversionExtensions.ToRpcHttp)
// and the streaming path (app.setup({ enableHttpStream: true }): the library reads the forwarded
// request, taking headers and params from the trigger metadata, HttpRequest.ts createStreamRequest).
import { HostProcess, startHost } from '../../support/host';
import { AppName, apps, json, request } from './support';

interface Inspected {
  invocationId: string;
  method: string;
  url: string;
  params: Record<string, string>;
  query: [string, string][];
  a: { get: string | null; getAll: string[] };
  headers: Record<string, string>;
  bodyLength: number;
}

const hosts = {} as Record<AppName, HostProcess>;
beforeAll(async () => {
  [hosts.buffered, hosts.streaming] = await Promise.all([startHost({ appRoot: apps.buffered }), startHost({ appRoot: apps.streaming })]);
});
afterAll(() => Promise.all(Object.values(hosts).map((h) => h.stop())));

describe.each(['buffered', 'streaming'] as const)('%s app', (name) => {
  const api = () => hosts[name].api;

  test('package.json "main" with braces loads every entry file it names', async () => {
    // inspect comes from index.js (through shared/functions.js), whichApp from functions/which.js.
    expect(await json(`${api()}/which`)).toEqual({ app: name });
    expect((await request(`${api()}/inspect/1`)).status).toBe(200);
  });

  test('route parameters: constrained, defaulted and catch-all, decoded', async () => {
    const a = await json<Inspected>(`${api()}/inspect/7/bob/x/y%20z`);
    expect(a.params).toEqual({ id: '7', name: 'bob', rest: 'x/y z' });
    const b = await json<Inspected>(`${api()}/inspect/8`);
    // {name=anon} takes its default; an absent catch-all is no parameter at all.
    expect(b.params).toEqual({ id: '8', name: 'anon' });
    // {id:int} rejects a non-number: no route matches.
    expect((await request(`${api()}/inspect/x`)).status).toBe(404);
  });

  test('headers arrive as the caller sent them, repeated ones joined with ",", plus only what the front end adds', async () => {
    const r = await json<Inspected>(`${api()}/inspect/1`, { method: 'POST', body: 'hello', headers: { 'X-Custom': 'yes', 'x-dup': ['a', 'b'], 'User-Agent': 'conformance', 'Content-Type': 'text/plain' } });
    const { 'client-ip': clientIp, 'x-client-ip': ip, 'x-client-port': port, 'x-forwarded-for': forwardedFor, ...sent } = r.headers;
    // Exactly what went over the wire (node's client adds Host and Connection)...
    expect(sent).toEqual({ host: new URL(api()).host, connection: 'close', 'x-custom': 'yes', 'x-dup': 'a,b', 'user-agent': 'conformance', 'content-type': 'text/plain', 'content-length': '5' });
    // ...and the caller's address as App Service's front end reports it (see client-address.ts).
    expect(ip).toBe('127.0.0.1');
    expect(clientIp).toBe(`127.0.0.1:${port}`);
    expect(forwardedFor).toBe(`127.0.0.1:${port}`);
    expect(r.bodyLength).toBe(5);
    // In particular nothing of the streaming proxy's own request (x-ms-invocation-id, X-Forwarded-Host/Proto).
    expect(Object.keys(r.headers).filter((h) => /^x-ms-|^x-forwarded-(host|proto)$/.test(h))).toEqual([]);
  });

  test('the request URL is the one the caller used', async () => {
    const r = await json<Inspected>(`${api()}/inspect/1/n?q=1`);
    expect(r.url).toBe(`${api()}/inspect/1/n?q=1`);
    expect(r.method).toBe('GET');
  });

  test('an unknown route, or a method the function does not take, is a bare 404', async () => {
    for (const r of [await request(`${api()}/no-such-route`), await request(`${api()}/which`, { method: 'DELETE' }), await request(`${hosts[name].url}/which`)]) {
      expect(r.status).toBe(404);
      expect(r.body.length).toBe(0);
    }
  });
});

test('repeated query keys without streaming: one value, the host\'s joined with "," (keys case-insensitive)', async () => {
  // The host copies ASP.NET's IQueryCollection (StringValues.ToString) into the RPC query map and
  // the library builds req.query from that map (azure-functions-nodejs-library#168).
  const r = await json<Inspected>(`${hosts.buffered.api}/inspect/1?a=1&a=2&A=3&b=&code=c`);
  expect(r.query).toEqual([['a', '1,2,3'], ['b', ''], ['code', 'c']]);
  expect(r.a).toEqual({ get: '1,2,3', getAll: ['1,2,3'] });
  expect(r.params).toEqual({ id: '1', name: 'anon' });
});

test('repeated query keys with streaming: the URL\'s own, each value separate', async () => {
  // createStreamRequest ignores the host's query and parses the forwarded URL.
  const r = await json<Inspected>(`${hosts.streaming.api}/inspect/1?a=1&a=2&A=3&b=&code=c`);
  expect(r.query).toEqual([['a', '1'], ['a', '2'], ['A', '3'], ['b', ''], ['code', 'c']]);
  expect(r.a).toEqual({ get: '1', getAll: ['1', '2'] });
});

test('with streaming, req.params also holds the query parameters (last value, without code), route values winning', async () => {
  // The library takes every string in the trigger metadata but Headers and Query as a param, and
  // the host's binding data holds each query parameter (HttpTriggerAttributeBindingProvider
  // GetRequestBindingData: GetQueryParameterDictionary, "last one wins", skipping "code") before
  // the route values.
  const r = await json<Inspected>(`${hosts.streaming.api}/inspect/1/bob?a=1&a=2&A=3&b=&code=c&ID=99`);
  expect(r.params).toEqual({ a: '3', b: '', ID: '1', name: 'bob' });
});

test('each invocation gets its own id; with streaming it is also the response\'s x-ms-invocation-id', async () => {
  const r = await request(`${hosts.streaming.api}/inspect/1`);
  const body = JSON.parse(r.body.toString()) as Inspected;
  // The library's proxy sets the header and the host's proxy passes it on.
  expect(r.headers['x-ms-invocation-id']).toBe(body.invocationId);
  const b = await request(`${hosts.buffered.api}/inspect/1`);
  expect(b.headers['x-ms-invocation-id']).toBeUndefined();
});
