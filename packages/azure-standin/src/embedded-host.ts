// Composes the embedded Functions host: settings, the app's registrations, the HTTP front door,
// the Durable Task backend and the Service Bus emulator, all on one SQLite file.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Database } from './core/sqlite';
import { FunctionRegistry } from './host/core-api';
import { FunctionIndex, HttpFunction } from './host/function-index';
import type { RegisteredFunction } from './host/core-api';
import { authorize, HostKeys, presentsMasterKey, streamingTriggerMetadata, toRpcHttp, writeRpcHttp } from './host/http-trigger';
import { HttpStreamProxy } from './host/http-stream';
import { continueBody, readBody, refuseTooLarge } from './host/request-body';
import { durableApiBodyLimit, functionBodyLimit } from './host/body-limit';
import { isLocalCaller, isLoopback, isLoopbackHost } from './host/local-caller';
import { FunctionInvocationError, Invoker } from './host/invoker';
import { Level, Logger } from './core/logger';
import { loadApp, resolveEntryFiles } from './host/app-loader';
import { applyLocalSettings, HostJson, readHostJson } from './core/settings';
import type { RpcHttpData, RpcParameterBinding } from './core/rpc-types';
import { DurableEngine } from './durable/engine';
import { DurableStore } from './durable/store';
import { ActivityWorker } from './durable/activity-worker';
import { EntityWorker } from './durable/entity-worker';
import { HistoryCache, OrchestrationWorker } from './durable/orchestration-worker';
import { ClientApi, clientBindingData, ClientUrls } from './durable/client-api';
import { ServiceBusHostBinding } from './host/servicebus-binding';
import { DevServices } from './dev-services';
import { loadAppConfig } from './app-config';
import { openStateDatabase } from './core/state-database';
import { hostTimeZone, SqliteTimerStatusStore, TimerTriggers } from './host/timer-trigger';
import { BlobBindings, hasBlobBindings, pointStorageSettingsAtAzurite } from './host/blob-binding';
import { BlobTriggerStore } from './host/blob-receipts';
import { enabledFunctions, isDisabled } from './host/disabled-functions';
import { childSpan } from './telemetry/trace-context';
import { listenError } from './core/port-in-use';
import { describeFunctionCounts, functionCounts } from './host/function-summary';
import { ConsoleService } from './console/console-service';

export interface HostOptions {
  appRoot: string;
  main?: string;
  host: string;
  port: number;
  dataDir: string;
  logLevel: Level | 'none';
  serviceBusPort: number;
  /** Port of the local Cosmos DB emulator (default 8081, the Azure emulator's); 0 picks one. */
  cosmosPort?: number;
  /** Port of Azurite's Blob service (default 10000, Azurite's); 0 picks one. */
  blobPort?: number;
  keys?: Partial<HostKeys>;
  /** Point the app's Application Insights SDK at the local ingestion endpoint (default true). */
  appTelemetry?: boolean;
}

const rpcPrefix = '/durabletask/';
const webhookPrefix = '/runtime/webhooks/durabletask/';
/** The local stand-ins for Azure services, served to callers on this machine only. */
const devPaths = /^\/(local-issuer|sim|dev)\/|^\/emails[:/]/;

export class EmbeddedHost {
  readonly logger: Logger;
  readonly registry = new FunctionRegistry();
  server!: http.Server;
  db!: Database;
  busDb!: Database;
  index!: FunctionIndex;
  engine!: DurableEngine;
  orchestrations!: OrchestrationWorker;
  activities!: ActivityWorker;
  entities!: EntityWorker;
  serviceBus!: ServiceBusHostBinding;
  dev!: DevServices;
  timers!: TimerTriggers;
  blobs?: BlobBindings;
  private triggersDb?: Database;
  keys!: HostKeys;
  systemKey!: string;
  hostJson!: HostJson;
  baseUrl = '';
  private invoker!: Invoker;
  private console?: ConsoleService;
  private clientApi!: ClientApi;
  private clientData!: Record<string, unknown>;
  private routePrefix = '/api';
  private rpcBaseUrl = '';
  /** Bytes a function route accepts (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT); set in start(). */
  private maxBodyBytes = 0;
  private ready = false;
  /** Set when the worker reported HttpUri (app.setup({ enableHttpStream: true })). */
  private httpStream: HttpStreamProxy | undefined;
  /** What the worker reported after loading the app (the worker's defaults plus the library's). */
  capabilities: Record<string, string> = {};

  constructor(private readonly options: HostOptions) {
    this.logger = new Logger(options.logLevel);
    this.registry.logSink = (level, category, message) => this.logger.log(level === 'none' ? 'trace' : level, `[${category}] ${message}`);
  }

  async start(): Promise<void> {
    const o = this.options;
    applyLocalSettings(o.appRoot);
    this.hostJson = readHostJson(o.appRoot);
    const prefix = this.hostJson.extensions?.http?.routePrefix ?? 'api';
    this.routePrefix = prefix === '' ? '' : `/${prefix.replace(/^\/+|\/+$/g, '')}`;
    fs.mkdirSync(o.dataDir, { recursive: true });
    this.keys = this.loadKeys();

    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Handling Expect: 100-continue ourselves: `100 Continue` goes out only when a body is about
    // to be read (continueBody), so an oversized upload is refused before it is sent.
    this.server.on('checkContinue', (req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (err) => reject(listenError(err, o.port, '--port')));
      this.server.listen(o.port, o.host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    const anyInterface = o.host === '0.0.0.0' || o.host === '::';
    const publicHost = anyInterface ? 'localhost' : o.host.includes(':') ? `[${o.host}]` : o.host;
    this.baseUrl = `http://${publicHost}:${port}`;
    if (!isLoopbackHost(o.host)) {
      this.logger.warn(`Listening on ${o.host}, reachable from other machines: the local dev endpoints (/console, /dev/, /sim/, /local-issuer/, /emails) stay loopback-only (callers on this machine); other callers get 403`);
    }
    this.rpcBaseUrl = `http://127.0.0.1:${port}${rpcPrefix}`;
    // durable-functions rewrites client URLs to localhost:7071 unless WEBSITE_HOSTNAME is set
    // (and does so as well if it contains 0.0.0.0).
    process.env.WEBSITE_HOSTNAME = `${publicHost}:${port}`;
    process.env.FUNCTIONS_WORKER_RUNTIME ??= 'node';
    const config = loadAppConfig(o.appRoot);
    this.dev = new DevServices({ appRoot: o.appRoot, dataDir: o.dataDir, host: o.host, cosmosPort: o.cosmosPort ?? 8081, blobPort: o.blobPort ?? 10000, appTelemetry: o.appTelemetry ?? true, logger: this.logger, config });
    await this.dev.start(this.baseUrl);
    // After local.settings.json and the local services' defaults, either of which may carry the
    // app setting; function routes answer 503 until the host is ready, so none is read before.
    const limit = functionBodyLimit(process.env, this.hostJson.extensions?.http?.maxRequestBodySize);
    this.maxBodyBytes = limit.bytes;
    if (limit.warning) this.logger.warn(limit.warning);
    if (limit.source !== 'default') this.logger.info(`Function request bodies are limited to ${limit.bytes} bytes (${limit.source})`);

    this.db = openStateDatabase(o.dataDir, 'runtime.db');

    this.capabilities = await loadApp(this.registry, await resolveEntryFiles(o.appRoot, o.main), o.appRoot);
    if (this.capabilities.HttpUri) {
      this.httpStream = await HttpStreamProxy.create(this.capabilities.HttpUri, this.logger);
      this.logger.info(`HTTP streaming is on: HTTP-triggered requests are forwarded to the worker's proxy at ${this.capabilities.HttpUri}`);
    }
    this.index = new FunctionIndex(this.registry.functions.values());
    this.invoker = new Invoker(this.registry, this.logger);
    this.invoker.telemetry = (item) => this.dev.telemetry.record(item);

    const durable = this.hostJson.extensions?.durableTask ?? {};
    const taskHub = durable.hubName ?? 'EmbeddedHub';
    this.engine = new DurableEngine(new DurableStore(this.db), {
      taskHub,
      maxConcurrentActivities: durable.maxConcurrentActivityFunctions ?? 20,
      maxConcurrentOrchestrations: durable.maxConcurrentOrchestratorFunctions ?? 20,
      versioning: durable.defaultVersion
        ? { defaultVersion: durable.defaultVersion, matchStrategy: durable.versionMatchStrategy ?? 'CurrentOrOlder', failureStrategy: durable.versionFailureStrategy ?? 'Reject' }
        : undefined,
    }, this.logger);
    const cache = new HistoryCache();
    this.orchestrations = new OrchestrationWorker(this.engine, this.index, this.invoker, cache, this.logger);
    this.activities = new ActivityWorker(this.engine, this.index, this.invoker);
    this.entities = new EntityWorker(this.engine, this.index, this.invoker, this.logger);
    this.engine.workers = {
      runOrchestration: (id) => this.orchestrations.run(id),
      runActivity: (row) => this.activities.run(row),
      runEntity: (id) => this.entities.run(id),
    };
    const urls: ClientUrls = { webhookBase: `${this.baseUrl}${webhookPrefix.slice(0, -1)}`, rpcBase: this.rpcBaseUrl, systemKey: this.systemKey, taskHub };
    this.clientApi = new ClientApi(this.engine, this.index, urls);
    this.clientData = clientBindingData(urls);

    // Entities come from the app's layout file (the one Bicep also deploys from, named in its
    // stand-in config) plus those named by bindings.
    // Its own database file: Service Bus acknowledges a send only after its own commit, which must
    // not be folded into (and delayed past) the durable store's group commit.
    this.busDb = openStateDatabase(o.dataDir, 'servicebus.db');
    this.serviceBus = new ServiceBusHostBinding(this.busDb, this.index, this.logger, this.hostJson, this.invoker, config.serviceBusEntitiesFile ? path.resolve(o.appRoot, config.serviceBusEntitiesFile) : undefined);
    await this.serviceBus.start(o.host, o.serviceBusPort).catch((err: unknown) => {
      throw listenError(err, o.serviceBusPort, '--servicebus-port');
    });
    await this.startTriggerBindings(o);
    this.invoker.bindings = {
      extraInputs: async (fn, input) => [...this.durableClientInputs(fn), ...(this.blobs ? await this.blobs.inputs(fn, input) : [])],
      deliverOutputs: async (fn, response, input) => {
        await this.serviceBus.deliverOutputs(fn, response);
        await this.blobs?.deliverOutputs(fn, response, input);
      },
    };

    const recovered = this.engine.start();
    this.ready = true;
    this.timers.start();
    this.blobs?.start();
    this.console = new ConsoleService({
      appName: appName(o.appRoot), appRoot: o.appRoot, baseUrl: this.baseUrl, routePrefix: this.routePrefix, index: this.index, engine: this.engine,
      serviceBus: this.serviceBus.emulator, serviceBusConnection: this.serviceBus.connectionString, telemetry: this.dev.telemetry,
      services: () => this.dev.describe(), links: this.dev.consoleLinks,
    });
    this.logger.info(`Host started, listening on ${this.baseUrl}`, recovered);
    for (const name of [...this.index.all.filter((fn) => isDisabled(fn)).map((fn) => fn.metadata.name), ...this.index.skipped]) this.logger.info(`Function '${name}' is disabled (AzureWebJobs.${name}.Disabled)`);
    this.printSummary();
  }

  /** What a person needs after the start, at any log level: the console, the functions, the routes. */
  private printSummary(): void {
    const width = Math.max(0, ...this.index.http.map((f) => [...f.methods].join(',').length));
    this.logger.summary([
      `${appName(this.options.appRoot)}: ${describeFunctionCounts(functionCounts(this.index))}`,
      `Console:  ${this.baseUrl}/console`,
      ...(this.index.http.length ? ['HTTP routes:'] : []),
      ...this.index.http.map((f) => `  ${[...f.methods].join(',').padEnd(width)}  ${this.baseUrl}${this.routePrefix}/${f.route.template}  (${f.fn.metadata.name}${isDisabled(f.fn) ? ', disabled' : ''})`),
    ].join('\n'));
  }

  async stop(): Promise<void> {
    this.ready = false;
    const step = (name: string) => this.logger.debug(`stop: ${name}`);
    await this.timers?.stop();
    await this.blobs?.stop();
    step('timer and blob triggers stopped');
    this.engine?.stop();
    step('engine stopped');
    await this.serviceBus?.stop();
    step('service bus stopped');
    // While the local services still answer, so the app can flush (telemetry) on the way out.
    // appStart's hookData object, as the worker's terminateWorker hands it on.
    await this.registry.runHooks('appTerminate', this.registry.appHookContext());
    step('app terminated');
    if (this.server) {
      // In-flight requests get a moment to finish; keep-alive connections (the app's own SDK
      // clients talk to the simulators on this server) would otherwise hold close() for a minute.
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
      this.server.closeAllConnections();
      await closed;
    }
    this.httpStream?.close();
    step('http closed');
    await this.dev?.stop();
    step('dev services stopped');
    this.db?.close();
    this.busDb?.close();
    this.triggersDb?.close();
  }

  /**
   * Timer triggers, and blob bindings on Azurite (started only for an app that has blob bindings,
   * once the app's registrations say so); their state (schedule status, blob receipts) is kept
   * in triggers.db.
   */
  private async startTriggerBindings(o: HostOptions): Promise<void> {
    this.triggersDb = openStateDatabase(o.dataDir, 'triggers.db');
    const timeZone = hostTimeZone(process.env, this.logger);
    const hostRetry = (this.hostJson as { retry?: unknown }).retry;
    this.timers = new TimerTriggers({ functions: enabledFunctions(this.index.all), invoker: this.invoker, store: new SqliteTimerStatusStore(this.triggersDb, timeZone), logger: this.logger, timeZone, hostRetry });
    if (!hasBlobBindings(this.index.all)) return;
    const azurite = await this.dev.storage();
    const pointed = pointStorageSettingsAtAzurite(this.index.all, azurite.connectionString);
    if (pointed.length > 0) this.logger.info(`Blob bindings use Azurite (${azurite.blobEndpoint}): ${pointed.join(', ')}`);
    this.blobs = new BlobBindings({ functions: this.index.all, invoker: this.invoker, store: new BlobTriggerStore(this.triggersDb), logger: this.logger, hostJson: this.hostJson, developmentStorage: azurite.connectionString, listens: (fn) => !isDisabled(fn), pollIntervalMs: Number(process.env.STANDIN_BLOB_POLL_MS ?? 2000) });
  }

  /** The durable client binding value, for every `in` binding of that type. */
  private durableClientInputs(fn: RegisteredFunction): RpcParameterBinding[] {
    const extras: RpcParameterBinding[] = [];
    for (const [name, b] of Object.entries(fn.metadata.bindings)) {
      const type = b.type.toLowerCase();
      if (b.direction === 'in' && (type === 'durableclient' || type === 'orchestrationclient')) {
        extras.push({ name, data: { string: JSON.stringify(this.clientData) } });
      }
    }
    return extras;
  }

  private loadKeys(): HostKeys {
    const file = path.join(this.options.dataDir, 'keys.json');
    let stored: { master?: string; function?: string; system?: string } = {};
    if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof stored;
    const gen = () => randomBytes(24).toString('base64url');
    const master = this.options.keys?.master ?? stored.master ?? gen();
    const fnKey = this.options.keys?.functionKeys?.[0] ?? stored.function ?? gen();
    this.systemKey = stored.system ?? gen();
    fs.writeFileSync(file, JSON.stringify({ master, function: fnKey, system: this.systemKey }, null, 2), { mode: 0o600 });
    return { master, functionKeys: [fnKey] };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      // Functions see the URL the caller used (its Host header), as behind the real host.
      const url = new URL(req.url ?? '/', req.headers.host ? `http://${req.headers.host}` : this.baseUrl || 'http://localhost');
      if (url.pathname === '/admin/host/status') return json(res, 200, { state: this.ready ? 'Running' : 'Initialized', processUptime: Math.round(process.uptime() * 1000) });
      // The local stand-ins for Azure services answer while the app starts and stops, as the
      // real services would.
      if (devPaths.test(url.pathname)) {
        if (!isLocalCaller(req.socket)) return problem(res, 403, 'Forbidden', 'The local stand-in serves /dev/, /sim/, /local-issuer/ and /emails only to callers on this machine.');
        continueBody(req, res);
        if (this.dev && (await this.dev.handle(url, res, req))) return;
      }
      if (!this.ready) return json(res, 503, { Message: 'The host is starting.' });
      if (url.pathname === '/admin/host/durable') return json(res, 200, { engine: this.engine.stats(), instances: this.engine.store.countByStatus() });
      if (url.pathname.startsWith(rpcPrefix) || url.pathname.startsWith(webhookPrefix)) return await this.durableApi(req, res, url);
      if (this.console && (url.pathname === '/console' || url.pathname.startsWith('/console/'))) {
        // Pages the app mounts under /console/ (its own views, linked with ctx.consoleLink) come first.
        if (url.pathname.startsWith('/console/') && isLocalCaller(req.socket) && this.dev && (await this.dev.handle(url, res, req))) return;
        return await this.console.handle(req, res, url);
      }
      const prefix = this.routePrefix;
      if (prefix === '' || url.pathname === prefix || url.pathname.startsWith(prefix + '/')) {
        const rest = url.pathname.slice(prefix.length);
        for (const f of this.index.http) {
          const match = f.route.match(rest);
          if (!match || !f.methods.has(req.method ?? 'GET')) continue;
          return await this.invokeHttp(f, match.params, req, res, url);
        }
      }
      // The root leads to the console unless a function (routePrefix "") answered it above; so
      // does /dev, the parent of the raw JSON views.
      if (this.console && url.pathname === '/') return await this.console.handle(req, res, url);
      if (this.console && (url.pathname === '/dev' || url.pathname === '/dev/')) return void res.writeHead(303, { location: '/console' }).end();
      res.writeHead(404).end();
    } catch (err) {
      this.logger.error('request failed in the host', { url: req.url, error: err instanceof Error ? err.stack : String(err) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  }

  private async durableApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const isPublic = url.pathname.startsWith(webhookPrefix);
    // The RPC routes stand in for the extension's private loopback channel: no key, loopback only.
    if (!isPublic && !isLoopback(req.socket.remoteAddress)) return void res.writeHead(403).end();
    if (isPublic) {
      const code = url.searchParams.get('code') ?? req.headers['x-functions-key'];
      if (code !== this.systemKey && code !== this.keys.master) return void res.writeHead(401).end();
    }
    const body = await readBody(req, res, durableApiBodyLimit);
    if (body === 'too-large') return refuseTooLarge(req, res);
    if (body === 'aborted') return;
    const rest = url.pathname.slice(isPublic ? webhookPrefix.length : rpcPrefix.length).replace(/\/+$/, '');
    const traceparent = req.headers.traceparent;
    const r = await this.clientApi.handle(req.method ?? 'GET', rest, url.searchParams, body.toString('utf8'), Array.isArray(traceparent) ? traceparent[0] : traceparent, { headers: req.headers, url: url.href });
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
    if (r.body === undefined) return void res.writeHead(r.status).end();
    json(res, r.status, r.body);
  }

  private async invokeHttp(f: HttpFunction, params: Record<string, string>, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (isDisabled(f.fn) && !presentsMasterKey(url, req, this.keys)) return void res.writeHead(404).end();
    if (!authorize(f, url, req, this.keys)) return void res.writeHead(401).end();
    if (this.httpStream) return this.invokeHttpStream(this.httpStream, f, params, req, res, url);
    const body = await readBody(req, res, this.maxBodyBytes);
    if (body === 'too-large') return refuseTooLarge(req, res);
    if (body === 'aborted') return;
    try {
      const response = await this.invoker.invoke(f.fn, {
        inputData: [{ name: f.triggerName, data: { http: toRpcHttp(req, url, params, body) } }],
        reason: `This function was programmatically called via the host APIs.`,
        // A caller's W3C traceparent makes this request part of its trace, as on Azure.
        span: childSpan(Array.isArray(req.headers.traceparent) ? req.headers.traceparent[0] : req.headers.traceparent),
      });
      writeRpcHttp(res, response.returnValue);
    } catch (err) {
      if (!(err instanceof FunctionInvocationError)) throw err;
      // The host answers an unhandled function error with a bare 500.
      res.writeHead(500).end();
    }
  }

  /**
   * The streaming path (GrpcWorkerChannel.SendInvocationRequest): the request is forwarded to the
   * library's proxy first, then the invocation goes out with an empty HTTP trigger value (or the
   * route values alone, for a worker that asks for them with RequiresRouteParameters) and trigger
   * metadata carrying the headers, query and params. The response is the library's, forwarded as
   * it streams; the invocation's return value carries none.
   */
  private async invokeHttpStream(proxy: HttpStreamProxy, f: HttpFunction, params: Record<string, string>, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    // A declared length over the limit is refused before anything is forwarded, as Kestrel does.
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > this.maxBodyBytes) return refuseTooLarge(req, res);
    const invocationId = randomUUID();
    const forwarding = proxy.forward({ req, res, invocationId, bodyLimit: this.maxBodyBytes });
    const trigger = (this.capabilities.RequiresRouteParameters ? { params } : {}) as RpcHttpData;
    let failed = false;
    try {
      await this.invoker.invoke(f.fn, {
        invocationId,
        inputData: [{ name: f.triggerName, data: { http: trigger } }],
        triggerMetadata: streamingTriggerMetadata(req, url, params),
        reason: `This function was programmatically called via the host APIs.`,
        span: childSpan(Array.isArray(req.headers.traceparent) ? req.headers.traceparent[0] : req.headers.traceparent),
      });
    } catch (err) {
      if (!(err instanceof FunctionInvocationError)) {
        forwarding.abort();
        throw err;
      }
      failed = true;
    }
    forwarding.invocationEnded(f.fn.metadata.name, failed);
  }
}

/** The app's name for people: package.json's name, else its folder's. */
function appName(appRoot: string): string {
  try {
    const name = (JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name) return name;
  } catch {
    // no package.json: the folder's name
  }
  return path.basename(appRoot);
}

function problem(res: http.ServerResponse, status: number, title: string, detail: string): void {
  const text = JSON.stringify({ type: 'about:blank', title, status, detail });
  res.writeHead(status, { 'content-type': 'application/problem+json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}
