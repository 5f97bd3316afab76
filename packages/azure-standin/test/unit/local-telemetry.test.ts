// The embedded runtime's telemetry plumbing: W3C trace context as the host hands it to
// invocations, and the ingestion endpoint's contract as the Application Insights SDK sees it.
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { childSpan, formatTraceparent, parseTraceparent, stableId } from '../../src/telemetry/trace-context';
import { LocalTelemetry } from '../../src/telemetry/local-telemetry';
import { IngestionEndpoint } from '../../src/telemetry/ingestion-endpoint';
import { Logger } from '../../src/core/logger';

describe('trace context', () => {
  const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

  test('a child continues the parent trace under the parent span; format and parse round-trip', () => {
    fc.assert(fc.property(hex(32), hex(16), (traceId, spanId) => {
      fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(spanId));
      const child = childSpan(`00-${traceId}-${spanId}-01`);
      expect(child).toMatchObject({ traceId, parentId: spanId });
      expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(parseTraceparent(formatTraceparent(child))).toEqual({ traceId, spanId: child.spanId });
    }));
  });

  test.each([
    undefined, '', 'garbage', '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01',
  ])('an invalid traceparent (%p) starts a new trace', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    const span = childSpan(value);
    expect(span.parentId).toBeUndefined();
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('stable ids are the same for the same seed and differ across seeds', () => {
    expect(stableId('ord_1:exec', 8)).toBe(stableId('ord_1:exec', 8));
    expect(stableId('ord_1:exec', 8)).not.toBe(stableId('ord_2:exec', 8));
    expect(stableId('x', 16)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('ingestion endpoint', () => {
  const ikey = '00000000-0000-4000-8000-00000000a11c';
  const lines: string[] = [];
  const telemetry = new LocalTelemetry(new Logger('information', (l) => lines.push(l)));
  const endpoint = new IngestionEndpoint(telemetry, ikey);
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => void endpoint.handle(req, res, new URL(req.url ?? '/', 'http://x')).then((ok) => ok || res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const envelope = (baseType: string, baseData: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name: `Microsoft.ApplicationInsights.${baseType}`, time: '2026-11-25T10:00:00.000Z', iKey: ikey,
    tags: { 'ai.operation.id': '0af7651916cd43dd8448eb211c80319c', 'ai.operation.parentId': 'b7ad6b7169203331' },
    data: { baseType, baseData: { ver: 2, ...baseData } }, ...extra,
  });
  const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(`${base}/sim/appinsights/v2.1/track`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  test('accepts a batch, answers 200 with the counts, and keeps operation, parent and properties', async () => {
    const res = await post(JSON.stringify([
      envelope('MessageData', { message: 'order placed', severityLevel: 'Information', properties: { orderId: 'ord_1' } }),
      envelope('RemoteDependencyData', { id: 'c02767096fa7e79d', name: 'GET /dbs/orders', duration: '00:00:00.012', success: true, resultCode: '200', type: 'Http', target: '127.0.0.1' }),
      envelope('MetricData', { metrics: [{ name: 'orders.created', value: 3, count: 3 }], properties: { currency: 'EUR' } }),
    ]));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ itemsReceived: 3, itemsAccepted: 3, errors: [] });
    const op = telemetry.query({ operationId: '0af7651916cd43dd8448eb211c80319c' });
    expect(op.find((i) => i.kind === 'trace')).toMatchObject({ name: 'order placed', parentId: 'b7ad6b7169203331', properties: { orderId: 'ord_1' }, severity: 'Information' });
    expect(op.find((i) => i.kind === 'dependency')).toMatchObject({ id: 'c02767096fa7e79d', durationMs: 12, success: true, resultCode: '200' });
    expect(telemetry.query({ kind: 'metric', name: 'orders.created' })).toEqual([expect.objectContaining({ value: 3, count: 3, properties: { currency: 'EUR' } })]);
    expect(telemetry.query({ orderId: 'ord_1' })).toHaveLength(1);
    expect(lines.some((l) => l.includes('[app] order placed') && l.includes('orderId=ord_1'))).toBe(true);
    expect(lines.some((l) => l.includes('[app] metric orders.created') && l.includes('sum=3'))).toBe(true);
  });

  test('answers 206 with per-item errors for a partly invalid batch, 400 when nothing is valid', async () => {
    const partial = await post(JSON.stringify([envelope('MessageData', { message: 'ok' }), envelope('MessageData', { message: 'x' }, { iKey: 'someone-else' }), { name: 'x' }]));
    expect(partial.status).toBe(206);
    const body = (await partial.json()) as { itemsReceived: number; itemsAccepted: number; errors: { index: number; statusCode: number }[] };
    expect(body).toMatchObject({ itemsReceived: 3, itemsAccepted: 1 });
    expect(body.errors.map((e) => [e.index, e.statusCode])).toEqual([[1, 400], [2, 400]]);
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify([envelope('UnknownData', {})]))).status).toBe(400);
  });

  test('accepts gzip and newline-delimited JSON, as the SDK may send', async () => {
    const ndjson = [envelope('MessageData', { message: 'gz one' }), envelope('MessageData', { message: 'gz two' })].map((e) => JSON.stringify(e)).join('\n');
    const res = await post(gzipSync(ndjson), { 'content-encoding': 'gzip' });
    expect(await res.json()).toMatchObject({ itemsAccepted: 2 });
    expect(telemetry.query({ kind: 'trace' }).map((i) => i.name)).toEqual(expect.arrayContaining(['gz one', 'gz two']));
  });

  test('Live Metrics pings are told nobody is watching', async () => {
    const res = await fetch(`${base}/sim/appinsights-live/QuickPulseService.svc/ping?ikey=${ikey}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ms-qps-subscribed')).toBe('false');
  });
});
