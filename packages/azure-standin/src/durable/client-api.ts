// The Durable extension's HTTP API (HttpApiHandler), which `DurableClient` (durable-functions)
// calls through the binding's `rpcBaseUrl`, and which is also public under
// /runtime/webhooks/durabletask. Status codes, bodies and headers follow the extension:
//
//   POST   orchestrators/{name}[/{id}][?timeout=&pollingInterval=]   202 check-status body | 400 | 409
//   GET    instances/{id}?showHistory&showHistoryOutput&showInput   200 | 202 (running) | 404 (no body)
//   GET    instances/?runtimeStatus&createdTimeFrom/To&instanceIdPrefix&top&showInput
//          (x-ms-continuation-token request and response header)      200
//   DELETE instances/{id}                                             200 {instancesDeleted} | 404 | 412
//   DELETE instances/?createdTimeFrom&createdTimeTo&runtimeStatus      200 | 400 | 404
//   POST   instances/{id}/raiseEvent/{event}                          202 | 400 | 404 | 410
//   POST   instances/{id}/terminate|suspend|resume?reason=            202 | 404 | 410 | 500 (wrong state)
//   POST   instances/{id}/rewind?reason=                              202 | 404 | 412
//   POST   instances/{id}/restart?restartWithNewInstanceId=           202 check-status body | 400 | 409
//   GET    entities/{name}/{key}                                      200 state | 404
//   POST   entities/{name}/{key}?op= (DELETE: op "delete")            202 | 400
//
// A stand-in extension, not part of Azure's API: GET instances/{id}?standinRawHistory=true puts
// the raw stored history (DTFx events with numeric EventType, EventId, IsPlayed, episode
// boundaries and scheduling events) in `historyEvents`, for tests that reason about episodes.
import {
  BadRequestError, ConflictError, DurableEngine, GoneError, InvalidOperationError, NotFoundError, PreconditionFailedError,
} from './engine';
import { entityInstanceId } from './entity-worker';
import { RuntimeStatus, terminalStatuses } from './history';
import { formatHistory, parseToken, statusTime } from './history-format';
import type { InstanceRow } from './store';
import type { FunctionIndex } from '../host/function-index';

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What the API needs of the HTTP request beyond its method, path, query and body. */
export interface ApiRequest {
  headers?: Record<string, string | string[] | undefined>;
  /** The URL the caller used: a running instance's status answers with it as Location. */
  url?: string;
}

export interface ClientUrls {
  /** Public base, e.g. http://127.0.0.1:7071/runtime/webhooks/durabletask */
  webhookBase: string;
  /** Internal base the SDK prefers, e.g. http://127.0.0.1:7071/durabletask/ */
  rpcBase: string;
  systemKey: string;
  taskHub: string;
}

/** The `durableClient` input binding value, as the extension produces it. */
export function clientBindingData(u: ClientUrls): Record<string, unknown> {
  return {
    taskHubName: u.taskHub,
    creationUrls: {
      createNewInstancePostUri: `${u.webhookBase}/orchestrators/{functionName}[/{instanceId}]?code=${u.systemKey}`,
      createAndWaitOnNewInstancePostUri: `${u.webhookBase}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${u.systemKey}`,
    },
    managementUrls: managementUrls(u.webhookBase, u, 'INSTANCEID'),
    baseUrl: u.webhookBase,
    requiredQueryStringParameters: `code=${u.systemKey}`,
    rpcBaseUrl: u.rpcBase,
    httpBaseUrl: '',
    isDefaultHubName: true,
  };
}

/** The extension's HttpManagementPayload (GetClientResponseLinks). */
function managementUrls(base: string, u: ClientUrls, id: string): Record<string, string> {
  const inst = `${base}/instances/${formEncode(id)}`;
  const q = `taskHub=${formEncode(u.taskHub)}&connection=Storage&code=${u.systemKey}`;
  return {
    id,
    statusQueryGetUri: `${inst}?${q}`,
    sendEventPostUri: `${inst}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${inst}/terminate?reason={text}&${q}`,
    rewindPostUri: `${inst}/rewind?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${inst}?${q}`,
    restartPostUri: `${inst}/restart?${q}`,
    suspendPostUri: `${inst}/suspend?reason={text}&${q}`,
    resumePostUri: `${inst}/resume?reason={text}&${q}`,
  };
}

/**
 * .NET's WebUtility.UrlEncode, which leaves ! * ( ) as they are and encodes ' and ~; a space is
 * %20 rather than its '+', which this host's path decoding would keep as a '+'.
 */
const formEncode = (s: string): string => encodeURIComponent(s).replace(/['~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const running: ReadonlySet<RuntimeStatus> = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);
/** OrchestrationRuntimeStatus / OrchestrationStatus names and numbers, as Enum.TryParse accepts them. */
const statusNames: RuntimeStatus[] = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'];
const continuationHeader = 'x-ms-continuation-token';

export class ClientApi {
  constructor(
    private readonly engine: DurableEngine,
    private readonly index: FunctionIndex,
    private readonly urls: ClientUrls,
  ) {}

  /**
   * `path` is relative to the API base (no leading slash); `body` is the raw request body;
   * `request` carries the headers (content type, continuation token) and the URL the caller used.
   */
  async handle(method: string, path: string, query: URLSearchParams, body: string, traceparent?: string, request: ApiRequest = {}): Promise<ApiResponse> {
    const call: Call = { method, seg: path.split('/').map(decodeURIComponent), query, body, traceparent, request, path };
    try {
      return await this.route(call);
    } catch (err) {
      if (err instanceof BadRequestError) return message(400, err.message);
      if (err instanceof ConflictError) return message(409, err.message);
      if (err instanceof InvalidOperationError) return errorResponse(500, 'Something went wrong while processing your request', 'System.InvalidOperationException', err.message);
      if (err instanceof SyntaxError) return errorResponse(400, 'Invalid JSON content', 'Newtonsoft.Json.JsonReaderException', err.message);
      throw err;
    }
  }

  private async route(c: Call): Promise<ApiResponse> {
    const { method, seg, query } = c;
    const [head, a, b, d] = seg;
    if (head === 'orchestrators' && a && seg.length <= 3) {
      return method === 'POST' ? this.start(c, a, b || undefined) : { status: 404 };
    }
    if (head === 'entities' && a && b !== undefined && seg.length === 3) return this.entity(c, a, b);
    if (head !== 'instances') return { status: 404 };
    if (!a) {
      if (seg.length > 1 && seg[1] !== '') return { status: 404 };
      if (method === 'GET') return this.list(c);
      if (method === 'DELETE') return this.purgeMany(query);
      return { status: 404 };
    }
    if (seg.length === 2) {
      if (method === 'GET') return this.status(c, a);
      if (method === 'DELETE') return this.purge(a);
      return { status: 404 };
    }
    if (method !== 'POST') return { status: 404 };
    const op = b.toLowerCase();
    if (op === 'raiseevent' && seg.length === 4 && d) return this.raiseEvent(c, a, d);
    if (seg.length !== 3) return { status: 404 };
    const reason = query.get('reason');
    switch (op) {
      case 'terminate':
        return this.control(() => this.engine.terminate(a, reason));
      case 'suspend':
        return this.control(() => this.engine.suspend(a, reason));
      case 'resume':
        return this.control(() => this.engine.resume(a, reason));
      case 'rewind':
        return this.rewind(a, reason);
      case 'restart':
        return this.restart(c, a);
      default:
        return { status: 404 };
    }
  }

  /**
   * The caller's traceparent becomes the orchestration's parent, as Durable's distributed tracing
   * records it; `?version=` (durable-functions' startNew option) overrides host.json's defaultVersion.
   */
  private async start(c: Call, name: string, instanceId: string | undefined): Promise<ApiResponse> {
    const fn = this.index.orchestrators.get(name.toLowerCase());
    if (!fn) return message(400, `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const input = c.body.trim() === '' ? null : JSON.stringify(JSON.parse(c.body));
    const row = await this.engine.startNew(fn.fn.metadata.name, instanceId, input, { traceparent: c.traceparent, version: c.query.get('version') ?? undefined });
    return this.checkStatusOrWait(c, row.instanceId);
  }

  /** `timeout` and `pollingInterval` (seconds) given: WaitForCompletionOrCreateCheckStatusResponse; else the check-status response. */
  private async checkStatusOrWait(c: Call, id: string): Promise<ApiResponse> {
    const timeout = seconds(c.query.get('timeout'));
    const interval = seconds(c.query.get('pollingInterval'));
    if (timeout === undefined || interval === undefined) return this.checkStatus(c, id);
    if (interval > timeout) return message(400, `Total timeout ${timeout / 1000} should be bigger than retry timeout ${interval / 1000}`);
    const deadline = Date.now() + timeout;
    for (;;) {
      const row = this.engine.store.getInstance(id);
      if (row && terminalStatuses.has(row.status)) {
        if (row.status === 'Completed') return { status: 200, body: parseToken(row.output) };
        return this.status(c, id);
      }
      const left = deadline - Date.now();
      if (left <= 0) return this.checkStatus(c, id);
      await new Promise((r) => setTimeout(r, Math.min(interval, left)));
    }
  }

  /** CreateCheckStatusResponse: 202, the management URLs but rewindPostUri, Location, Retry-After 10. */
  private checkStatus(c: Call, id: string): ApiResponse {
    const { rewindPostUri: _rewind, ...urls } = managementUrls(this.publicBase(c), this.urls, id);
    return { status: 202, headers: { Location: urls.statusQueryGetUri, 'Retry-After': '10' }, body: urls };
  }

  /** The webhook base on the authority the caller used. */
  private publicBase(c: Call): string {
    if (!c.request.url) return this.urls.webhookBase;
    const webhook = new URL(this.urls.webhookBase);
    return `${new URL(c.request.url).origin}${webhook.pathname.replace(/\/$/, '')}`;
  }

  private status(c: Call, id: string): ApiResponse {
    const row = this.engine.store.getInstance(id);
    if (!row) return { status: 404 };
    const q = c.query;
    const body = this.statusBody(row, {
      input: flag(q, 'showInput') ?? true,
      history: flag(q, 'showHistory') ?? false,
      output: flag(q, 'showHistoryOutput') ?? false,
      raw: flag(q, 'standinRawHistory') ?? false,
    });
    if (running.has(row.status)) {
      // Ask for 5 seconds before a retry, at the URL the caller used.
      return { status: 202, headers: { Location: c.request.url ?? this.requestUrl(c), 'Retry-After': '5' }, body };
    }
    return { status: row.status === 'Failed' && flag(q, 'returnInternalServerErrorOnFailure') ? 500 : 200, body };
  }

  /** Without the caller's URL: the same request on the base it used (the public one carries the key). */
  private requestUrl(c: Call): string {
    const base = c.query.has('code') ? this.urls.webhookBase : this.urls.rpcBase.replace(/\/$/, '');
    const q = c.query.toString();
    return `${base}/${c.path}${q ? `?${q}` : ''}`;
  }

  private statusBody(row: InstanceRow, o: { input: boolean; history?: boolean; output?: boolean; raw?: boolean }): Record<string, unknown> {
    const body: Record<string, unknown> = {
      name: row.name,
      instanceId: row.instanceId,
      runtimeStatus: row.status,
      input: o.input ? parseToken(row.input) : null,
      customStatus: parseToken(row.customStatus),
      output: parseToken(row.output),
      createdTime: statusTime(row.createdAt),
      lastUpdatedTime: statusTime(row.updatedAt),
    };
    if (o.raw) {
      body.historyEvents = this.engine.store.loadHistory(row.instanceId);
    } else if (o.history && row.status !== 'Pending') {
      const events = this.engine.store.loadHistory(row.instanceId);
      // Left out, not empty, when there is none (the extension's EmitDefaultValue = false).
      if (events.length > 0) body.historyEvents = formatHistory(events, { input: o.input, output: o.output ?? false });
    }
    return body;
  }

  /** Pages of instances in instance-id order; the continuation token travels in headers, as on Azure. */
  private list(c: Call): ApiResponse {
    const q = c.query;
    const requested = Number(q.get('top'));
    const top = Number.isInteger(requested) && requested > 0 ? Math.min(requested, 1000) : 100;
    const token = header(c.request, continuationHeader);
    let afterId: string | undefined;
    if (token) {
      try {
        afterId = (JSON.parse(Buffer.from(token, 'base64url').toString()) as { i: unknown }).i as string;
        if (typeof afterId !== 'string') throw new Error('no instance id');
      } catch {
        return message(400, 'The continuation token is not valid.');
      }
    }
    const statuses = runtimeStatuses(q);
    const rows = this.engine.store.queryInstances({
      createdFrom: time(q.get('createdTimeFrom')),
      createdTo: time(q.get('createdTimeTo')),
      statuses: statuses.length > 0 ? statuses : undefined,
      prefix: q.get('instanceIdPrefix') ?? undefined,
      afterId,
      limit: top + 1,
    });
    const page = rows.slice(0, top);
    const next = rows.length > top ? Buffer.from(JSON.stringify({ i: page[page.length - 1].instanceId })).toString('base64url') : '';
    const showInput = flag(q, 'showInput') ?? true;
    // The header is always there; empty on the last page.
    return { status: 200, headers: { [continuationHeader]: next }, body: page.map((r) => this.statusBody(r, { input: showInput })) };
  }

  private async purge(id: string): Promise<ApiResponse> {
    const row = id.startsWith('@') ? undefined : this.engine.store.getInstance(id);
    if (!id.startsWith('@') && !row) return { status: 404 };
    try {
      return { status: 200, body: { instancesDeleted: await this.engine.purge(id) } };
    } catch (err) {
      if (err instanceof PreconditionFailedError) return { status: 412, body: err.message };
      throw err;
    }
  }

  /**
   * Purge by filter, as Azure Storage does it: createdTimeFrom is required; of the runtime
   * statuses only Completed, Terminated, Canceled and Failed count, and none left means no
   * status filter at all (every instance created in the range).
   */
  private async purgeMany(q: URLSearchParams): Promise<ApiResponse> {
    const from = time(q.get('createdTimeFrom'));
    if (!from) return { status: 400, body: "Please provide value for 'createdTimeFrom' parameter." };
    const statuses = runtimeStatuses(q).filter((s) => terminalStatuses.has(s));
    const rows = this.engine.store.queryInstances({ createdFrom: from, createdTo: time(q.get('createdTimeTo')) ?? new Date().toISOString(), statuses: statuses.length > 0 ? statuses : undefined, limit: 1_000_000 });
    let n = 0;
    for (const r of rows) n += await this.engine.purge(r.instanceId, true);
    return n === 0 ? { status: 404 } : { status: 200, body: { instancesDeleted: n } };
  }

  private async raiseEvent(c: Call, id: string, name: string): Promise<ApiResponse> {
    const row = this.engine.store.getInstance(id);
    if (!row) return { status: 404 };
    if (terminalStatuses.has(row.status)) return { status: 410 };
    const type = contentType(c.request);
    if (type !== undefined && type !== 'application/json') return message(400, 'Only application/json request content is supported');
    const data = JSON.stringify(JSON.parse(c.body));
    return this.control(() => this.engine.raiseEvent(id, name, data));
  }

  /** 404 (no body) for an unknown instance, 410 for a finished one, 202 once sent. */
  private async control(op: () => Promise<void>): Promise<ApiResponse> {
    try {
      await op();
      return { status: 202 };
    } catch (err) {
      if (err instanceof NotFoundError) return { status: 404 };
      if (err instanceof GoneError) return { status: 410 };
      throw err;
    }
  }

  private async rewind(id: string, reason: string | null): Promise<ApiResponse> {
    try {
      await this.engine.rewind(id, reason);
      return { status: 202 };
    } catch (err) {
      // The extension's message, its stray '$' included.
      if (err instanceof NotFoundError) return { status: 404, body: `No orchestration with instance ID "$${id}" found.` };
      if (err instanceof PreconditionFailedError) return { status: 412, body: err.message };
      throw err;
    }
  }

  /** DurableClient.RestartAsync: the same orchestrator and input, under a new instance id unless told otherwise. */
  private async restart(c: Call, id: string): Promise<ApiResponse> {
    const row = this.engine.store.getInstance(id);
    const fn = row && this.index.orchestrators.get(row.name.toLowerCase());
    if (!row || !fn) {
      return errorResponse(400, 'InstanceId does not match a valid orchestration instance.', 'System.ArgumentException', `An orchestrastion with the instanceId ${id} was not found.`);
    }
    const newId = flag(c.query, 'restartWithNewInstanceId') === false ? id : undefined;
    try {
      const started = await this.engine.startNew(fn.fn.metadata.name, newId, row.input);
      return await this.checkStatusOrWait(c, started.instanceId);
    } catch (err) {
      if (err instanceof ConflictError) {
        return errorResponse(409, 'A non-terminal instance with this instance ID already exists.', 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException', err.message);
      }
      throw err;
    }
  }

  private async entity(c: Call, name: string, rawKey: string): Promise<ApiResponse> {
    const key = rawKey === '$' ? '' : rawKey; // the extension's symbol for the empty key
    const id = entityInstanceId(name, key);
    if (c.method === 'GET') {
      const row = this.engine.store.getEntity(id);
      return row?.exists ? { status: 200, body: parseToken(row.state) } : { status: 404 };
    }
    if (c.method !== 'POST' && c.method !== 'DELETE') return { status: 404 };
    if (!this.index.entities.has(name.toLowerCase())) return message(400, `The function '${name}' doesn't exist, is disabled, or is not an entity function.`);
    const op = c.method === 'DELETE' ? 'delete' : (c.query.get('op') ?? '');
    let input: string | null = null;
    if (c.body !== '') {
      const type = contentType(c.request);
      if (type === undefined || type === 'application/json') {
        try {
          input = JSON.stringify(JSON.parse(c.body));
        } catch (err) {
          if (type !== undefined) return message(400, `Could not parse JSON content: ${(err as Error).message}`);
          input = JSON.stringify(c.body);
        }
      } else {
        input = JSON.stringify(c.body); // other content: the text itself
      }
    }
    await this.engine.signalEntity(id, op, input);
    return { status: 202 };
  }
}

interface Call {
  method: string;
  seg: string[];
  path: string;
  query: URLSearchParams;
  body: string;
  traceparent?: string;
  request: ApiRequest;
}

/** request.CreateErrorResponse(status, message): an HttpError with Message only. */
function message(status: number, text: string): ApiResponse {
  return { status, body: { Message: text } };
}

/** request.CreateErrorResponse(status, message, exception): the HttpError with the exception's details. */
function errorResponse(status: number, text: string, exceptionType: string, exceptionMessage: string): ApiResponse {
  return { status, body: { Message: text, ExceptionMessage: exceptionMessage, ExceptionType: exceptionType, StackTrace: null } };
}

/** bool.TryParse: "true"/"false" in any case; anything else is absent. */
function flag(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name)?.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** double.TryParse of seconds, in milliseconds. */
function seconds(v: string | null): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n * 1000 : undefined;
}

/** DateTime.TryParse: a parseable time as ISO UTC, else absent. */
function time(v: string | null): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** runtimeStatus: comma-separated, each parsed as Enum.TryParse does (case-sensitive names or numbers); unknown ones are dropped. */
function runtimeStatuses(q: URLSearchParams): RuntimeStatus[] {
  return q.getAll('runtimeStatus').flatMap((v) => v.split(',')).map((v) => v.trim()).flatMap((v) => {
    if (/^\d+$/.test(v)) return statusNames[Number(v)] ? [statusNames[Number(v)]] : [];
    return (statusNames as string[]).includes(v) ? [v as RuntimeStatus] : [];
  });
}

function header(r: ApiRequest, name: string): string | undefined {
  const v = r.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The request's media type; undefined when the host did not pass the headers. */
function contentType(r: ApiRequest): string | undefined {
  if (!r.headers) return undefined;
  return (header(r, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
}
