// Blob bindings on Azurite, as the host and the storage blobs extension (v5) run them for a Node
// worker:
// - input `{ type: 'blob', direction: 'in', path, connection, dataType? }`: the blob's content,
//   read as UTF-8 text (a BOM dropped) unless dataType is 'binary' (bytes); a missing blob or
//   container binds no value (FunctionBinding.BindStreamAsync / ConvertStreamToValue);
// - output `{ type: 'blob', direction: 'out', path, connection }`: after a successful invocation,
//   the value is written as a block blob, the container created if missing; bytes as they are,
//   a string as UTF-8, an object or array as compact JSON, an integer as 4 little-endian bytes, a
//   fraction as 8 (a .NET double), a boolean as 1 (FunctionBinding.ConvertValueToStream);
// - trigger `{ type: 'blobTrigger', path, connection, dataType?, source? }`: the container is
//   scanned every pollIntervalMs (Azure: 10 s, LogsAndContainerScan); each new version of a
//   blob whose name fits the path pattern (each ETag) is queued once per function (receipts,
//   blob-receipts.ts) and run at least once; a version that fails poisonBlobThreshold times
//   (host.json extensions.blobs.poisonBlobThreshold, default 5) becomes a poison record. The
//   function gets the bytes (a string with dataType 'string') and the trigger metadata
//   BlobTrigger, Uri, Properties (BlobProperties, PascalCase), Metadata, sys and the pattern's
//   values, which win over the others. A blob this host writes through an output binding is
//   noticed at once (the extension's BlobWrittenWatcher fast path).
// `path` takes %settings% at start and {expressions} of the trigger's binding data per
// invocation (binding-expressions.ts). `connection` names an app setting holding a storage
// connection string (default AzureWebJobsStorage; `AzureWebJobs<name>` is tried first, as the
// host does); UseDevelopmentStorage=true and identity-based connections (<name>__serviceUri…)
// mean the local Azurite here.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import type { BlobGetPropertiesResponse, ContainerClient } from '@azure/storage-blob';
import type { RegisteredFunction } from './core-api';
import type { Logger } from '../core/logger';
import { outputValues } from './output-values';
import type { RpcBindingInfo, RpcInvocationResponse, RpcParameterBinding, RpcTypedData } from '../core/rpc-types';
import { BindingTemplate, bindingDataFor, formatDateTime, resolveAppSettings, settingValue } from './binding-expressions';
import type { BindingData, TriggerInput } from './binding-expressions';
import type { BlobTriggerStore, ReceiptKey } from './blob-receipts';
import type { FunctionInvoker } from './timer-trigger';
import { supportsRetry } from './retry-policy';

export const defaultStorageSetting = 'AzureWebJobsStorage';

const isBlob = (b: RpcBindingInfo) => b.type.toLowerCase() === 'blob';
const isBlobTrigger = (b: RpcBindingInfo) => b.type.toLowerCase() === 'blobtrigger';

/** Whether any function has a blob binding or trigger (then the host needs Azurite). */
export function hasBlobBindings(functions: Iterable<RegisteredFunction>): boolean {
  for (const fn of functions) for (const b of Object.values(fn.metadata.bindings ?? {})) if (isBlob(b) || isBlobTrigger(b)) return true;
  return false;
}

/** The app settings the blob bindings read their connection from. */
export function blobConnectionSettings(functions: Iterable<RegisteredFunction>): Set<string> {
  const names = new Set<string>();
  for (const fn of functions) {
    for (const b of Object.values(fn.metadata.bindings ?? {})) {
      if (isBlob(b) || isBlobTrigger(b)) names.add(typeof b.connection === 'string' && b.connection !== '' ? b.connection : defaultStorageSetting);
    }
  }
  return names;
}

/**
 * Points AzureWebJobsStorage and the settings the blob bindings name at Azurite where they are
 * empty or say UseDevelopmentStorage=true (whose fixed port Azurite may not be on); a setting
 * holding another connection string is left alone. Returns the names set.
 */
export function pointStorageSettingsAtAzurite(functions: Iterable<RegisteredFunction>, connectionString: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const set: string[] = [];
  for (const name of new Set([defaultStorageSetting, ...blobConnectionSettings(functions)])) {
    const prefixed = `AzureWebJobs${name}`;
    // The host reads AzureWebJobs<name> first; a developer who set that one is served by it.
    const target = settingValue(env, prefixed) !== undefined && settingValue(env, name) === undefined ? prefixed : name;
    const value = settingValue(env, target);
    if (value === undefined || value.trim() === '' || isDevelopmentStorage(value)) {
      env[target] = connectionString;
      set.push(target);
    }
  }
  return set;
}

function isDevelopmentStorage(value: string): boolean {
  return /(^|;)\s*UseDevelopmentStorage\s*=\s*true\s*(;|$)/i.test(value);
}

/**
 * The connection string behind a binding's `connection` (the host's
 * GetWebJobsConnectionStringSection: `AzureWebJobs<name>`, then `<name>`).
 */
export function storageConnectionString(connection: string | undefined, env: NodeJS.ProcessEnv, developmentStorage?: string): string {
  const name = connection && connection !== '' ? connection : defaultStorageSetting;
  for (const candidate of [`AzureWebJobs${name}`, name]) {
    const value = settingValue(env, candidate);
    if (value !== undefined && value.trim() !== '') {
      return isDevelopmentStorage(value) && developmentStorage ? developmentStorage : value;
    }
    const prefix = `${candidate.toLowerCase()}__`;
    if (Object.keys(env).some((k) => k.toLowerCase().startsWith(prefix))) {
      if (developmentStorage) return developmentStorage;
      throw new Error(`Storage connection '${name}' is identity-based (${candidate}__…), which is not emulated: only connection strings are`);
    }
  }
  throw new Error(`Storage account connection string '${name}' does not exist. Make sure that it is a defined App Setting.`);
}

/**
 * The function's blob bindings with their paths' %settings% resolved, checked as the host checks
 * them at indexing: a path is required, templates must parse, a literal container name must be
 * valid, a trigger's container cannot hold expressions. Throws on the first problem, so the
 * function index can call it to report startup problems.
 */
export function blobBindingsOf(fn: RegisteredFunction, env: NodeJS.ProcessEnv = process.env): {
  templates: Map<string, BindingTemplate>;
  trigger?: { name: string; binding: RpcBindingInfo; path: string };
} {
  const templates = new Map<string, BindingTemplate>();
  let trigger: { name: string; binding: RpcBindingInfo; path: string } | undefined;
  for (const [name, b] of Object.entries(fn.metadata.bindings ?? {})) {
    if (!isBlob(b) && !isBlobTrigger(b)) continue;
    if (typeof b.path !== 'string' || b.path.trim() === '') throw new Error(`${isBlob(b) ? 'blob binding' : 'blobTrigger'} "${name}" needs a path`);
    const path = resolveAppSettings(b.path, env);
    if (isBlob(b)) {
      const template = new BindingTemplate(path);
      // The container must be a valid name once bound; check what can be checked now.
      const container = template.pattern.split('/')[0];
      if (!container.includes('{')) parseBlobPath(template.hasParameters ? `${container}/x` : template.pattern);
      templates.set(name, template);
    } else {
      const container = path.split('/')[0];
      if (container.includes('{')) throw new Error(`the container of a blobTrigger path cannot hold expressions ('${path}')`);
      parseBlobPath(container, false);
      const pattern = path.slice(container.length + 1);
      if (pattern !== '') new BindingTemplate(pattern);
      trigger = { name, binding: b, path };
    }
  }
  return { templates, trigger };
}

/** "container/blob" split and checked as BlobPath.ParseAndValidate does. */
export function parseBlobPath(path: string, requireBlob = true): { container: string; blob: string } {
  const slash = path.indexOf('/');
  const container = slash < 0 ? path : path.slice(0, slash);
  const blob = slash < 0 ? '' : path.slice(slash + 1);
  if (container === '' || (requireBlob && blob === '')) throw new Error(`Invalid blob path specified : '${path}'. Blob identifiers must be in the format 'container/blob'.`);
  if (!isValidContainerName(container)) {
    throw new Error(`Invalid container name: ${container}. Container names must be 3-63 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`);
  }
  if (blob.length > 1024) throw new Error(`The given blob name '${blob.slice(0, 40)}…' is longer than 1024 characters`);
  return { container, blob };
}

export function isValidContainerName(name: string): boolean {
  if (name === '$root' || name === '$logs' || name === '$web') return true;
  return /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name);
}

/** What an output value is written as (FunctionBinding.ConvertValueToStream). */
export function blobContent(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      // A long is cut to an int (unchecked), then BitConverter.GetBytes: 4 little-endian bytes.
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(BigInt.asIntN(32, BigInt(value))));
      return b;
    }
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    return b;
  }
  if (typeof value === 'boolean') return Buffer.from([value ? 1 : 0]);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** What an input binding hands the worker (ConvertStreamToValue by the binding's dataType). */
export function blobInputData(content: Buffer, dataType: unknown): RpcTypedData {
  const type = typeof dataType === 'string' ? dataType.toLowerCase() : 'string';
  if (type === 'binary' || type === 'stream') return { bytes: content };
  // StreamReader: UTF-8, a byte order mark dropped.
  const text = content.length >= 3 && content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? content.subarray(3) : content;
  return { string: text.toString('utf8') };
}

/** Azure.Storage.Blobs.Models.BlobProperties as the host serializes it into the trigger metadata. */
export function dotNetBlobProperties(p: BlobGetPropertiesResponse): Record<string, unknown> {
  const date = (d: Date | undefined) => (d ? dotNetDateTimeOffset(d) : '0001-01-01T00:00:00+00:00');
  const blobType = { BlockBlob: 0, PageBlob: 1, AppendBlob: 2 }[p.blobType ?? 'BlockBlob'] ?? 0;
  const copyStatus = { pending: 0, success: 1, aborted: 2, failed: 3 }[p.copyStatus ?? 'pending'] ?? 0;
  const leaseDuration = { infinite: 0, fixed: 1 }[p.leaseDuration ?? 'infinite'] ?? 0;
  const leaseState = { available: 0, leased: 1, expired: 2, breaking: 3, broken: 4 }[p.leaseState ?? 'available'] ?? 0;
  const leaseStatus = { locked: 0, unlocked: 1 }[p.leaseStatus ?? 'unlocked'] ?? 1;
  return {
    LastModified: date(p.lastModified),
    CreatedOn: date(p.createdOn),
    Metadata: p.metadata ?? {},
    ObjectReplicationDestinationPolicyId: p.objectReplicationDestinationPolicyId ?? null,
    ObjectReplicationSourceProperties: null,
    BlobType: blobType,
    CopyCompletedOn: date(p.copyCompletedOn),
    CopyStatusDescription: p.copyStatusDescription ?? null,
    CopyId: p.copyId ?? null,
    CopyProgress: p.copyProgress ?? null,
    CopySource: p.copySource ?? null,
    CopyStatus: copyStatus,
    BlobCopyStatus: p.copyStatus === undefined ? null : copyStatus,
    IsIncrementalCopy: p.isIncrementalCopy ?? false,
    DestinationSnapshot: p.destinationSnapshot ?? null,
    LeaseDuration: leaseDuration,
    LeaseState: leaseState,
    LeaseStatus: leaseStatus,
    ContentLength: p.contentLength ?? 0,
    ContentType: p.contentType ?? null,
    ETag: p.etag === undefined ? null : quotedEtag(p.etag),
    ContentHash: p.contentMD5 ? Buffer.from(p.contentMD5).toString('base64') : null,
    ContentEncoding: p.contentEncoding ?? null,
    ContentDisposition: p.contentDisposition ?? null,
    ContentLanguage: p.contentLanguage ?? null,
    CacheControl: p.cacheControl ?? null,
    BlobSequenceNumber: p.blobSequenceNumber ?? 0,
    AcceptRanges: p.acceptRanges ?? null,
    BlobCommittedBlockCount: p.blobCommittedBlockCount ?? 0,
    IsServerEncrypted: p.isServerEncrypted ?? false,
    EncryptionKeySha256: p.encryptionKeySha256 ?? null,
    EncryptionScope: p.encryptionScope ?? null,
    AccessTier: p.accessTier ?? null,
    AccessTierInferred: p.accessTierInferred ?? false,
    ArchiveStatus: p.archiveStatus ?? null,
    AccessTierChangedOn: date(p.accessTierChangedOn),
    VersionId: p.versionId ?? null,
    IsLatestVersion: p.isCurrentVersion ?? false,
    TagCount: p.tagCount ?? 0,
    ExpiresOn: date(p.expiresOn),
    IsSealed: p.isSealed ?? false,
    RehydratePriority: p.rehydratePriority ?? null,
    LastAccessed: date(p.lastAccessed),
    ImmutabilityPolicy: { ExpiresOn: p.immutabilityPolicyExpiresOn ? date(p.immutabilityPolicyExpiresOn) : null, PolicyMode: p.immutabilityPolicyMode ?? null },
    HasLegalHold: p.legalHold ?? false,
  };
}

export interface BlobBindingsOptions {
  functions: Iterable<RegisteredFunction>;
  invoker: FunctionInvoker;
  store: BlobTriggerStore;
  logger: Logger;
  /** App settings (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** host.json, for extensions.blobs (poisonBlobThreshold, maxDegreeOfParallelism). */
  hostJson?: { extensions?: Record<string, unknown> };
  /** Azurite's connection string: what UseDevelopmentStorage=true and identity-based connections stand for. */
  developmentStorage?: string;
  /** Whether a function's blob trigger listens (default: all); disabled functions do not. */
  listens?: (fn: RegisteredFunction) => boolean;
  /** How often containers are scanned (Azure: 10 s). */
  pollIntervalMs?: number;
  /** The wait before a failed blob is tried again (Azure: the queue's visibility timeout and polling; about a second). */
  retryDelayMs?: number;
  now?: () => Date;
  newGuid?: () => string;
}

interface TriggerWork {
  listener: BlobTriggerListener;
  key: ReceiptKey;
}

export class BlobBindings {
  readonly triggers: BlobTriggerListener[] = [];
  private readonly env: NodeJS.ProcessEnv;
  private readonly clients = new Map<string, BlobServiceClient>();
  /** Blob bindings' paths with %settings% resolved, per function and binding name. */
  private readonly paths = new Map<RegisteredFunction, Map<string, BindingTemplate>>();
  private readonly poisonThreshold: number;
  private readonly parallelism: number;
  private readonly pending: TriggerWork[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];
  private started = false;
  private stopped = false;

  constructor(private readonly o: BlobBindingsOptions) {
    this.env = o.env ?? process.env;
    const blobs = (o.hostJson?.extensions?.blobs ?? {}) as { poisonBlobThreshold?: unknown; maxDequeueCount?: unknown; maxDegreeOfParallelism?: unknown };
    this.poisonThreshold = positiveInt(blobs.poisonBlobThreshold ?? blobs.maxDequeueCount, 5, 'extensions.blobs.poisonBlobThreshold');
    this.parallelism = positiveInt(blobs.maxDegreeOfParallelism, 8 * os.availableParallelism(), 'extensions.blobs.maxDegreeOfParallelism');
    for (const fn of o.functions) {
      const { templates, trigger } = blobBindingsOf(fn, this.env);
      if (templates.size > 0) this.paths.set(fn, templates);
      if (trigger && (o.listens?.(fn) ?? true)) {
        if (fn.metadata.retryOptions && !supportsRetry(trigger.binding.type)) {
          o.logger.warn(`Function '${fn.metadata.name}': retry policies are not supported for blob triggers and are ignored (failed blobs are retried up to ${this.poisonThreshold} times instead)`);
        }
        this.triggers.push(new BlobTriggerListener(fn, trigger.name, trigger.binding, trigger.path, this));
      }
    }
  }

  /** The values of the function's blob input bindings, for the invocation's inputData. */
  async inputs(fn: RegisteredFunction, input: TriggerInput, extra?: BindingData): Promise<RpcParameterBinding[]> {
    const templates = this.paths.get(fn);
    if (!templates) return [];
    const out: RpcParameterBinding[] = [];
    let data: BindingData | undefined;
    for (const [name, template] of templates) {
      const b = fn.metadata.bindings[name];
      if (b.direction !== 'in') continue;
      data ??= bindingDataFor(fn, input, extra);
      const { container, blob } = parseBlobPath(this.bind(fn, template, data));
      const client = this.client(b.connection).getContainerClient(container).getBlobClient(blob);
      let content: Buffer | undefined;
      try {
        content = await client.downloadToBuffer();
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
      // A missing blob binds no value: the worker gets empty TypedData (undefined in extraInputs).
      out.push({ name, data: content === undefined ? {} : blobInputData(content, b.dataType) });
    }
    return out;
  }

  /** Writes the function's blob outputs; call after a successful invocation. */
  async deliverOutputs(fn: RegisteredFunction, response: RpcInvocationResponse, input: TriggerInput, extra?: BindingData): Promise<void> {
    const templates = this.paths.get(fn);
    if (!templates) return;
    const values = outputValues(fn, response);
    let data: BindingData | undefined;
    for (const [name, value] of values) {
      const b = fn.metadata.bindings[name];
      const template = templates.get(name);
      if (!b || !template || b.direction !== 'out') continue;
      data ??= bindingDataFor(fn, input, extra);
      const { container, blob } = parseBlobPath(this.bind(fn, template, data));
      const containerClient = this.client(b.connection).getContainerClient(container);
      await containerClient.createIfNotExists();
      const content = blobContent(value);
      await containerClient.getBlockBlobClient(blob).upload(content, content.length);
      this.notifyWritten(String(b.connection ?? ''), container);
    }
  }

  /** Starts the blob triggers: work left queued by a previous run, then a scan of each container. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const byId = new Map(this.triggers.map((t) => [t.functionId, t]));
    for (const r of this.o.store.queued()) {
      const listener = byId.get(r.functionId);
      if (listener) this.enqueue({ listener, key: r });
    }
    for (const t of this.triggers) t.start(this.o.pollIntervalMs ?? 10_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.triggers) t.stop();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.pending.length = 0;
    await Promise.allSettled([...this.triggers.map((t) => t.scanning), ...this.inFlight]);
  }

  /** Scans every trigger's container now; resolves when the scans (not the invocations) are done. */
  async scanNow(): Promise<void> {
    await Promise.all(this.triggers.map((t) => t.scan()));
  }

  /** Resolves when no blob is queued or running (retries waiting on their delay count as queued). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  poisoned(): ReturnType<BlobTriggerStore['poisoned']> {
    return this.o.store.poisoned();
  }

  /** @internal */
  client(connection: unknown): BlobServiceClient {
    const cs = storageConnectionString(typeof connection === 'string' ? connection : undefined, this.env, this.o.developmentStorage);
    let client = this.clients.get(cs);
    if (!client) {
      client = BlobServiceClient.fromConnectionString(cs, { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2000 } });
      this.clients.set(cs, client);
    }
    return client;
  }

  /** @internal */
  get store(): BlobTriggerStore {
    return this.o.store;
  }

  /** @internal */
  get logger(): Logger {
    return this.o.logger;
  }

  /** @internal */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** @internal */
  enqueue(work: TriggerWork): void {
    if (this.stopped) return;
    this.pending.push(work);
    this.pump();
  }

  private bind(fn: RegisteredFunction, template: BindingTemplate, data: BindingData): string {
    return template.bind(data, { functionName: fn.metadata.name, now: this.o.now, newGuid: this.o.newGuid });
  }

  private notifyWritten(connection: string, container: string): void {
    for (const t of this.triggers) if (t.container === container && String(t.binding.connection ?? '') === connection) t.scanSoon();
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.parallelism && this.pending.length > 0) {
      const work = this.pending.shift()!;
      const p = this.process(work).finally(() => {
        this.inFlight.delete(p);
        this.pump();
        this.checkIdle();
      });
      this.inFlight.add(p);
    }
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.pending.length === 0 && this.inFlight.size === 0 && this.retryTimers.size === 0 && this.triggers.every((t) => !t.isScanning);
  }

  /** @internal */
  checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** BlobQueueTriggerExecutor: check the blob is still this version, run the function, settle. */
  private async process(work: TriggerWork): Promise<void> {
    const { listener, key } = work;
    const store = this.o.store;
    const attempts = store.beginAttempt(key);
    let outcome: 'done' | 'failed' = 'done';
    let error = '';
    try {
      const blobClient = listener.containerClient().getBlobClient(key.blob);
      let props: BlobGetPropertiesResponse;
      let content: Buffer;
      try {
        props = await blobClient.getProperties();
        if (props.etag === undefined || quotedEtag(props.etag) !== key.etag) {
          // A newer version replaced this one; the scan picks it up.
          this.o.logger.debug(`Blob '${key.container}/${key.blob}' changed since it was queued for '${listener.functionName}'; skipping ${key.etag}`);
          store.complete(key);
          listener.scanSoon();
          return;
        }
        content = await blobClient.downloadToBuffer(undefined, undefined, { conditions: { ifMatch: key.etag } });
      } catch (err) {
        const status = statusOf(err);
        if (status === 404 || status === 412) {
          this.o.logger.debug(`Blob '${key.container}/${key.blob}' is gone or changed; nothing to run for '${listener.functionName}'`);
          store.complete(key);
          if (status === 412) listener.scanSoon();
          return;
        }
        throw err;
      }
      await this.o.invoker.invoke(listener.fn, listener.invocation(key, blobClient.url, props, content, this.o.now?.() ?? new Date(), this.o.newGuid?.() ?? randomUUID()));
      store.complete(key);
    } catch (err) {
      outcome = 'failed';
      error = err instanceof Error ? err.message : String(err);
    }
    if (outcome === 'done') return;
    if (attempts >= this.poisonThreshold) {
      const message = JSON.stringify({ Type: 'BlobTrigger', FunctionId: key.functionId, BlobType: 'BlockBlob', ContainerName: key.container, BlobName: key.blob, ETag: key.etag });
      store.poison(key, attempts, error, message);
      this.o.logger.warn(`Blob '${key.container}/${key.blob}' failed ${attempts} times in '${listener.functionName}': moved to the poison records (Azure: queue 'webjobs-blobtrigger-poison')`, { error });
      return;
    }
    store.fail(key, error);
    this.o.logger.debug(`Blob '${key.container}/${key.blob}' failed in '${listener.functionName}' (attempt ${attempts} of ${this.poisonThreshold}); retrying`, { error });
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.enqueue(work);
      this.checkIdle();
    }, this.o.retryDelayMs ?? 1000);
    timer.unref?.();
    this.retryTimers.add(timer);
  }
}

/** One blobTrigger function's container scan. */
export class BlobTriggerListener {
  readonly container: string;
  readonly functionId: string;
  /** The pattern for blob names (null: every blob in the container). */
  readonly pattern: BindingTemplate | null;
  readonly eventGrid: boolean;
  scanning: Promise<void> = Promise.resolve();
  isScanning = false;
  private rescan = false;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 10_000;
  private stopped = false;
  private lastError = '';

  constructor(
    readonly fn: RegisteredFunction,
    readonly triggerName: string,
    readonly binding: RpcBindingInfo,
    path: string,
    private readonly host: BlobBindings,
  ) {
    const slash = path.indexOf('/');
    this.container = slash < 0 ? path : path.slice(0, slash);
    const blobPattern = slash < 0 ? '' : path.slice(slash + 1);
    this.pattern = blobPattern === '' ? null : new BindingTemplate(blobPattern);
    this.functionId = `Host.Functions.${fn.metadata.name}`;
    this.eventGrid = String(binding.source ?? '').toLowerCase() === 'eventgrid';
  }

  get functionName(): string {
    return this.fn.metadata.name;
  }

  containerClient(): ContainerClient {
    return this.host.client(this.binding.connection).getContainerClient(this.container);
  }

  start(intervalMs: number): void {
    this.intervalMs = intervalMs;
    if (this.eventGrid) this.host.logger.info(`Function '${this.functionName}': Event Grid blob triggers are served by scanning '${this.container}' locally (no Event Grid here)`);
    this.scanSoon();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Scans now, or right after the scan under way. */
  scanSoon(): void {
    if (this.stopped) return;
    if (this.isScanning) {
      this.rescan = true;
      return;
    }
    void this.scan();
  }

  scan(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.isScanning) {
      this.rescan = true;
      return this.scanning;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.isScanning = true;
    this.scanning = this.scanOnce().finally(() => {
      this.isScanning = false;
      if (this.stopped) return;
      if (this.rescan) {
        this.rescan = false;
        void this.scan();
      } else {
        this.timer = setTimeout(() => void this.scan(), this.intervalMs);
        this.timer.unref?.();
        this.host.checkIdle();
      }
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const store = this.host.store;
    // An Event Grid subscription sees only what is written after it exists.
    const baseline = this.eventGrid && !store.isBaselined(this.functionId);
    try {
      const prefix = this.pattern?.literalPrefix ?? '';
      for await (const item of this.containerClient().listBlobsFlat(prefix === '' ? {} : { prefix })) {
        if (this.stopped) return;
        if (this.pattern && !this.pattern.match(item.name)) continue;
        if (!item.properties.etag) continue;
        const etag = quotedEtag(item.properties.etag);
        const key = { functionId: this.functionId, container: this.container, blob: item.name, etag };
        if (baseline) store.markSeen(key);
        else if (store.tryEnqueue(key)) this.host.enqueue({ listener: this, key });
      }
      if (baseline) store.markBaselined(this.functionId);
      this.lastError = '';
    } catch (err) {
      if (statusOf(err) === 404) return; // no container yet: nothing to trigger on
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.host.logger.warn(`Blob trigger '${this.functionName}' could not scan container '${this.container}'`, { error: message });
      this.lastError = message;
    }
  }

  /** The invocation for one blob version: its content and the trigger metadata the host sends. */
  invocation(key: ReceiptKey, uri: string, props: BlobGetPropertiesResponse, content: Buffer, now: Date, guid: string): { inputData: RpcParameterBinding[]; triggerMetadata: Record<string, RpcTypedData>; reason: string; logContext: Record<string, unknown> } {
    const dataType = typeof this.binding.dataType === 'string' ? this.binding.dataType.toLowerCase() : 'binary';
    const data: RpcTypedData = dataType === 'string' ? { string: content.toString('utf8') } : { bytes: content };
    const meta: Record<string, RpcTypedData> = {
      BlobTrigger: { string: `${key.container}/${key.blob}` },
      Uri: { json: JSON.stringify(uri) },
      Properties: { json: JSON.stringify(dotNetBlobProperties(props)) },
      Metadata: { json: JSON.stringify(props.metadata ?? {}) },
      sys: { json: JSON.stringify({ MethodName: this.functionName, UtcNow: formatDateTime(now, 'o'), RandGuid: guid }) },
    };
    const values = this.pattern?.match(key.blob) ?? {};
    for (const [name, value] of Object.entries(values)) {
      for (const existing of Object.keys(meta)) if (existing.toLowerCase() === name.toLowerCase()) delete meta[existing];
      meta[name] = { string: value };
    }
    return {
      inputData: [{ name: this.triggerName, data }],
      triggerMetadata: meta,
      reason: `New blob detected(${this.eventGrid ? 'EventGrid' : 'LogsAndContainerScan'}): ${key.container}/${key.blob}`,
      logContext: { blob: `${key.container}/${key.blob}` },
    };
  }
}

/** An ETag as the service sends it in headers, quoted (listings give it bare). */
export function quotedEtag(etag: string): string {
  return `"${etag.replace(/^"|"$/g, '')}"`;
}

/** A DateTimeOffset in UTC as Newtonsoft.Json writes it: "2023-02-28T02:52:08+00:00", a fraction only when there is one. */
function dotNetDateTimeOffset(d: Date): string {
  return d.toISOString().replace(/\.(\d+)Z$/, (_m, f: string) => (/^0+$/.test(f) ? '' : `.${f.replace(/0+$/, '')}`) + '+00:00');
}

function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: number; status?: number } | null;
  return e?.statusCode ?? e?.status;
}

function positiveInt(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`host.json ${name} must be a positive integer, not ${JSON.stringify(value)}`);
  return n;
}
