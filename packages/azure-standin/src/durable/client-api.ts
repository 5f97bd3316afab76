// The Durable extension's HTTP API, which `DurableClient` (durable-functions) calls through the
// binding's `rpcBaseUrl`, and which is also public under /runtime/webhooks/durabletask.
import { BadRequestError, ConflictError, DurableEngine, GoneError, NotFoundError } from './engine';
import { entityInstanceId } from './entity-worker';
import { HistoryEvent, RuntimeStatus, terminalStatuses } from './history';
import type { InstanceRow } from './store';
import type { FunctionIndex } from '../host/function-index';

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
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
  const q = `taskHub=${u.taskHub}&connection=Storage&code=${u.systemKey}`;
  const inst = `${u.webhookBase}/instances/INSTANCEID`;
  return {
    taskHubName: u.taskHub,
    creationUrls: {
      createNewInstancePostUri: `${u.webhookBase}/orchestrators/{functionName}[/{instanceId}]?code=${u.systemKey}`,
      createAndWaitOnNewInstancePostUri: `${u.webhookBase}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=${u.systemKey}`,
    },
    managementUrls: managementUrls(u, 'INSTANCEID', inst, q),
    baseUrl: u.webhookBase,
    requiredQueryStringParameters: `code=${u.systemKey}`,
    rpcBaseUrl: u.rpcBase,
    httpBaseUrl: '',
    isDefaultHubName: true,
  };
}

function managementUrls(u: ClientUrls, id: string, inst = `${u.webhookBase}/instances/${encodeURIComponent(id)}`, q = `taskHub=${u.taskHub}&connection=Storage&code=${u.systemKey}`): Record<string, string> {
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

const running: ReadonlySet<RuntimeStatus> = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);

export class ClientApi {
  constructor(
    private readonly engine: DurableEngine,
    private readonly index: FunctionIndex,
    private readonly urls: ClientUrls,
  ) {}

  /** `path` is relative to the API base (no leading slash); `body` is the raw request body. */
  async handle(method: string, path: string, query: URLSearchParams, body: string, traceparent?: string): Promise<ApiResponse> {
    try {
      return await this.route(method, path.split('/').map(decodeURIComponent), query, body, traceparent);
    } catch (err) {
      if (err instanceof BadRequestError) return problem(400, err.message);
      if (err instanceof NotFoundError) return problem(404, err.message);
      if (err instanceof GoneError) return problem(410, err.message);
      if (err instanceof ConflictError) return problem(409, err.message);
      if (err instanceof SyntaxError) return problem(400, `The request body is not valid JSON: ${err.message}`);
      throw err;
    }
  }

  private async route(method: string, seg: string[], query: URLSearchParams, body: string, traceparent: string | undefined): Promise<ApiResponse> {
    const [head, a, b, c] = seg;
    if (head === 'orchestrators' && a && method === 'POST' && seg.length <= 3) return this.start(a, b, body, traceparent, query.get('version') ?? undefined);
    if (head === 'instances') {
      if (!a) {
        if (method === 'GET') return this.list(query);
        if (method === 'DELETE') return this.purgeMany(query);
      } else if (seg.length === 2) {
        if (method === 'GET') return this.status(a, query);
        if (method === 'DELETE') {
          const n = await this.engine.purge(a);
          return n === 0 ? problem(404, `No instance with ID '${a}' was found.`) : { status: 200, body: { instancesDeleted: n } };
        }
      } else if (method === 'POST') {
        const reason = query.get('reason');
        switch (b) {
          case 'raiseEvent':
            if (!c) return problem(400, 'An event name is required.');
            await this.engine.raiseEvent(a, c, body === '' ? null : JSON.stringify(JSON.parse(body)));
            return { status: 202 };
          case 'terminate':
            await this.engine.terminate(a, reason);
            return { status: 202 };
          case 'suspend':
            await this.engine.suspend(a, reason);
            return { status: 202 };
          case 'resume':
            await this.engine.resume(a, reason);
            return { status: 202 };
          case 'rewind':
          case 'restart':
            return problem(501, `'${b}' is not supported by the embedded runtime.`);
        }
      }
    }
    if (head === 'entities' && a && b !== undefined) {
      const id = entityInstanceId(a, b);
      if (method === 'GET') {
        const row = this.engine.store.getEntity(id);
        return row?.exists ? { status: 200, body: row.state === null ? null : JSON.parse(row.state) } : problem(404, `Entity '${id}' has no state.`);
      }
      if (method === 'POST') {
        if (!this.index.entities.has(a.toLowerCase())) return problem(400, `No entity function named '${a}' is registered.`);
        const op = query.get('op') ?? '';
        await this.engine.signalEntity(id, op, body === '' ? null : JSON.stringify(JSON.parse(body)));
        return { status: 202 };
      }
    }
    return problem(404, `No Durable API route matches ${method} ${seg.join('/')}`);
  }

  /**
   * The caller's traceparent becomes the orchestration's parent, as Durable's distributed tracing
   * records it; `?version=` (durable-functions' startNew option) overrides host.json's defaultVersion.
   */
  private async start(name: string, instanceId: string | undefined, body: string, traceparent?: string, version?: string): Promise<ApiResponse> {
    const fn = this.index.orchestrators.get(name.toLowerCase());
    if (!fn) return problem(400, `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const input = body.trim() === '' ? null : JSON.stringify(JSON.parse(body));
    const row = await this.engine.startNew(fn.fn.metadata.name, instanceId, input, { traceparent, version });
    const urls = managementUrls(this.urls, row.instanceId);
    return { status: 202, headers: { Location: urls.statusQueryGetUri, 'Retry-After': '10' }, body: urls };
  }

  private status(id: string, query: URLSearchParams): ApiResponse {
    const row = this.engine.store.getInstance(id);
    if (!row) return problem(404, `No instance with ID '${id}' was found.`);
    const body = this.statusBody(row, query.get('showInput') !== 'false', query.get('showHistory') === 'true', query.get('showHistoryOutput') === 'true');
    if (running.has(row.status)) {
      return { status: 202, headers: { Location: managementUrls(this.urls, id).statusQueryGetUri, 'Retry-After': '10' }, body };
    }
    if (row.status === 'Completed') return { status: 200, body };
    return { status: query.get('returnInternalServerErrorOnFailure') === 'true' && row.status === 'Failed' ? 500 : 200, body };
  }

  private statusBody(row: InstanceRow, showInput: boolean, showHistory: boolean, showHistoryOutput: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = {
      name: row.name,
      instanceId: row.instanceId,
      runtimeStatus: row.status,
      input: showInput && row.input !== null ? JSON.parse(row.input) : null,
      customStatus: row.customStatus === null ? null : JSON.parse(row.customStatus),
      output: row.output === null ? null : JSON.parse(row.output),
      createdTime: row.createdAt,
      lastUpdatedTime: row.updatedAt,
    };
    if (showHistory) body.historyEvents = this.engine.store.loadHistory(row.instanceId).map((e) => publicEvent(e, showHistoryOutput));
    return body;
  }

  private list(query: URLSearchParams): ApiResponse {
    const top = Math.min(Number(query.get('top') ?? 100) || 100, 1000);
    const token = query.get('continuationToken') ?? undefined;
    let after: { c: string; i: string } | undefined;
    if (token) {
      try {
        after = JSON.parse(Buffer.from(token, 'base64url').toString()) as { c: string; i: string };
      } catch {
        return problem(400, 'Invalid continuation token.');
      }
    }
    const statuses = query.get('runtimeStatus')?.split(',').map((s) => s.trim()).filter(Boolean);
    const rows = this.engine.store.queryInstances({
      createdFrom: query.get('createdTimeFrom') ?? undefined,
      createdTo: query.get('createdTimeTo') ?? undefined,
      statuses,
      prefix: query.get('instanceIdPrefix') ?? undefined,
      afterCreated: after?.c,
      afterId: after?.i,
      limit: top + 1,
    });
    const page = rows.slice(0, top);
    const headers: Record<string, string> = {};
    if (rows.length > top) {
      const last = page[page.length - 1];
      headers['x-ms-continuation-token'] = Buffer.from(JSON.stringify({ c: last.createdAt, i: last.instanceId })).toString('base64url');
    }
    return { status: 200, headers, body: page.map((r) => this.statusBody(r, query.get('showInput') === 'true', false, false)) };
  }

  private async purgeMany(query: URLSearchParams): Promise<ApiResponse> {
    const statuses = (query.get('runtimeStatus')?.split(',') ?? ['Completed', 'Failed', 'Terminated', 'Canceled']).filter((s) => terminalStatuses.has(s as RuntimeStatus));
    const rows = this.engine.store.queryInstances({
      createdFrom: query.get('createdTimeFrom') ?? undefined,
      createdTo: query.get('createdTimeTo') ?? undefined,
      statuses,
      limit: 1_000_000,
    });
    let n = 0;
    for (const r of rows) n += await this.engine.purge(r.instanceId);
    return n === 0 ? problem(404, 'No instances matched.') : { status: 200, body: { instancesDeleted: n } };
  }
}

function publicEvent(e: HistoryEvent, withOutput: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...e };
  if (!withOutput) delete out.Result;
  return out;
}

function problem(status: number, message: string): ApiResponse {
  return { status, body: { Message: message } };
}
