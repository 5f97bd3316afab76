// The Application Insights ingestion API (Breeze, `POST /v2/track` and `/v2.1/track`) as the
// app's real SDK calls it: a JSON array (or newline-delimited JSON) of envelopes, optionally
// gzipped; 200 when all are accepted, 206 with per-item errors for some, 400 when none is.
// Each body is decompressed on libuv's thread pool and parsed once, straight from its bytes;
// envelopes are then read field by field, never serialized and parsed again.
// Live Metrics pings are answered "not subscribed", so the SDK only polls slowly.
// Also serves GET /dev/telemetry to read what was received.
import type http from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { LocalTelemetry, TelemetryItem, TelemetryKind } from './local-telemetry';
import { timeSpanMs } from '../core/settings';

const gunzipAsync = promisify(gunzip);
const ingestionPath = '/sim/appinsights';
const livePath = '/sim/appinsights-live';

const kinds: Record<string, TelemetryKind> = {
  RequestData: 'request',
  RemoteDependencyData: 'dependency',
  MessageData: 'trace',
  ExceptionData: 'exception',
  MetricData: 'metric',
  EventData: 'event',
};
const severities = ['Verbose', 'Information', 'Warning', 'Error', 'Critical'];

interface Envelope {
  name?: unknown;
  time?: unknown;
  iKey?: unknown;
  tags?: Record<string, unknown>;
  data?: { baseType?: unknown; baseData?: Record<string, unknown> };
}

export class IngestionEndpoint {
  received = 0;
  /** Uncompressed JSON bytes of the accepted batches: what the app would send to Azure. */
  receivedBytes = 0;

  constructor(
    private readonly telemetry: LocalTelemetry,
    private readonly instrumentationKey: string,
  ) {}

  connectionString(baseUrl: string): string {
    return `InstrumentationKey=${this.instrumentationKey};IngestionEndpoint=${baseUrl}${ingestionPath};LiveEndpoint=${baseUrl}${livePath}`;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname.startsWith(livePath + '/')) {
      await drain(req);
      res.writeHead(200, { 'x-ms-qps-subscribed': 'false', 'content-type': 'application/json' }).end('null');
      return true;
    }
    if (url.pathname === '/dev/telemetry/stats' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ items: this.telemetry.counts, appEnvelopes: this.received, appBytes: this.receivedBytes }));
      return true;
    }
    if (url.pathname === '/dev/telemetry' && req.method === 'GET') {
      const q = url.searchParams;
      const limit = q.get('limit');
      const items = this.telemetry.query({
        operationId: q.get('operationId') ?? undefined,
        kind: q.get('kind') ?? undefined,
        name: q.get('name') ?? undefined,
        orderId: q.get('orderId') ?? undefined,
        limit: limit === null ? undefined : Math.max(1, Number(limit) || 1),
      });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(items));
      return true;
    }
    if (!url.pathname.startsWith(ingestionPath + '/')) return false;
    if (req.method !== 'POST' || !/\/v2(\.1)?\/track$/.test(url.pathname)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return true;
    }
    let envelopes: unknown[];
    let bytes = 0;
    try {
      const body = await decode(await drain(req), req.headers['content-encoding']);
      bytes = body.length;
      envelopes = parseBody(body);
    } catch (err) {
      return reply(res, 400, { itemsReceived: 0, itemsAccepted: 0, errors: [{ index: 0, statusCode: 400, message: `Invalid payload: ${(err as Error).message}` }] });
    }
    const errors: { index: number; statusCode: number; message: string }[] = [];
    envelopes.forEach((e, index) => {
      const r = this.accept(e as Envelope);
      if (typeof r === 'string') errors.push({ index, statusCode: 400, message: r });
    });
    const accepted = envelopes.length - errors.length;
    this.received += accepted;
    if (accepted > 0) this.receivedBytes += bytes;
    const status = errors.length === 0 ? 200 : accepted > 0 ? 206 : 400;
    return reply(res, status, { itemsReceived: envelopes.length, itemsAccepted: accepted, errors });
  }

  /** Records the envelope, or says why it is invalid. */
  private accept(e: Envelope): true | string {
    if (typeof e !== 'object' || e === null) return 'Envelope is not an object';
    if (typeof e.name !== 'string' || e.name === '') return 'Field \'name\' on type \'Envelope\' is required but missing or empty';
    if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return 'Field \'time\' on type \'Envelope\' is required and must be a date';
    if (e.iKey !== this.instrumentationKey) return 'Invalid instrumentation key';
    const baseType = e.data?.baseType;
    const kind = typeof baseType === 'string' ? kinds[baseType] : undefined;
    const d = e.data?.baseData;
    if (!kind || !d) return `Unknown or missing data.baseType '${String(baseType)}'`;
    const tags = e.tags ?? {};
    const common = {
      time: e.time,
      source: 'app' as const,
      operationId: str(tags['ai.operation.id']),
      parentId: str(tags['ai.operation.parentId']),
      properties: props(d.properties),
    };
    if (kind === 'metric') {
      const metrics = Array.isArray(d.metrics) ? (d.metrics as Record<string, unknown>[]) : [];
      if (metrics.length === 0) return 'MetricData without metrics';
      for (const m of metrics) {
        this.telemetry.record({ ...common, kind, name: String(m.name), value: Number(m.value), count: m.count === undefined ? 1 : Number(m.count) });
      }
      return true;
    }
    const item: TelemetryItem = { ...common, kind, name: '' };
    switch (kind) {
      case 'trace':
        item.name = String(d.message ?? '');
        item.severity = typeof d.severityLevel === 'number' ? severities[d.severityLevel] : str(d.severityLevel);
        break;
      case 'exception': {
        const first = Array.isArray(d.exceptions) ? (d.exceptions[0] as Record<string, unknown> | undefined) : undefined;
        item.name = `${String(first?.typeName ?? 'Error')}: ${String(first?.message ?? '')}`;
        item.severity = str(d.severityLevel);
        break;
      }
      default:
        item.name = String(d.name ?? '');
        item.id = str(d.id);
        item.durationMs = durationMs(d.duration);
        item.success = typeof d.success === 'boolean' ? d.success : undefined;
        item.resultCode = str(d.resultCode ?? d.responseCode);
        if (typeof d.target === 'string') item.properties.target = d.target;
        if (typeof d.type === 'string') item.properties.type = d.type;
    }
    this.telemetry.record(item);
    return true;
  }
}

async function decode(raw: Buffer, encoding: string | string[] | undefined): Promise<Buffer> {
  return String(encoding ?? '').toLowerCase() === 'gzip' ? gunzipAsync(raw) : raw;
}

const whitespace = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** A JSON array, or one envelope per line. */
function parseBody(body: Buffer): unknown[] {
  let first = 0;
  while (first < body.length && whitespace.has(body[first])) first++;
  if (body[first] === 0x5b /* [ */) {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (!Array.isArray(parsed)) throw new Error('expected a JSON array');
    return parsed;
  }
  const out: unknown[] = [];
  for (const line of body.toString('utf8').split('\n')) if (line.trim() !== '') out.push(JSON.parse(line));
  return out;
}

function durationMs(v: unknown): number | undefined {
  try {
    return typeof v === 'string' ? timeSpanMs(v) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function props(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : JSON.stringify(x);
  return out;
}

async function drain(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function reply(res: http.ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}
