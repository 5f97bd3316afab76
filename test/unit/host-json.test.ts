// Invariants of host.json that other files rely on (docs/host-json.md explains each value): the
// route prefix the URLs are built on, a task hub name nothing else overrides, a Service Bus lock
// that outlives every invocation, telemetry that is never sampled away, distributed tracing V2
// and the extension bundle that carries it, saga versioning. The embedded runtime must accept the file too.
import fs from 'node:fs';
import path from 'node:path';
import { readHostJson, timeSpanMs } from 'azure-standin';
import { sagaVersions } from '../../functions/wiring/saga-versions';

const root = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
type Json = Record<string, unknown>;
const host = JSON.parse(read('host.json')) as Json;

/** A property by name, ignoring case, as the host's configuration binder does. */
function prop(obj: unknown, name: string): unknown {
  if (!obj || typeof obj !== 'object') return undefined;
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (obj as Json)[key];
}
const at = (...names: string[]) => names.reduce<unknown>((o, n) => prop(o, n), host);

const extensions = (name: string) => at('extensions', name) as Json;
const durable = extensions('durableTask');
const serviceBus = extensions('serviceBus');

test('the embedded runtime accepts host.json', () => {
  expect(readHostJson(root).version).toBe('2.0');
});

test('routes stay under /api, where the OpenAPI document and the app\'s own links point', () => {
  expect(at('extensions', 'http', 'routePrefix')).toBe('api');
  const openapi = JSON.parse(read('docs/openapi.json')) as { servers: { url: string }[] };
  expect(openapi.servers.map((s) => s.url)).toEqual(['/api']);
});

test('the task hub has a fixed, valid name that no deployment setting overrides', () => {
  const hub = prop(durable, 'hubName');
  // Letters and digits, 3 to 45, starting with a letter; a literal, not an %AppSetting% reference.
  expect(hub).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
  const bicep = ['bicep/main.bicep', ...fs.readdirSync(path.join(root, 'bicep/modules')).map((f) => `bicep/modules/${f}`)];
  for (const file of bicep) expect(read(file)).not.toMatch(/task_?hub|hubName/i);
});

test('Durable uses the Azure Storage provider on the host storage account Bicep grants roles on', () => {
  const provider = prop(durable, 'storageProvider');
  expect(prop(provider, 'type') ?? 'AzureStorage').toMatch(/^AzureStorage$/i);
  expect(prop(provider, 'connectionName') ?? prop(provider, 'connectionStringName') ?? 'AzureWebJobsStorage').toBe('AzureWebJobsStorage');
  expect(read('bicep/modules/functionapp.bicep')).toContain('AzureWebJobsStorage__accountName');
  const partitions = prop(provider, 'partitionCount');
  expect(Number.isInteger(partitions) && (partitions as number) >= 1 && (partitions as number) <= 16).toBe(true);
});

test('Durable concurrency is explicit and extended sessions stay off (not supported for Node)', () => {
  for (const name of ['maxConcurrentActivityFunctions', 'maxConcurrentOrchestratorFunctions']) {
    const v = prop(durable, name);
    expect(Number.isInteger(v) && (v as number) > 0).toBe(true);
  }
  expect(prop(durable, 'extendedSessionsEnabled') ?? false).toBe(false);
});

test('Durable distributed tracing V2 is on, without inputs and outputs (personal data) in the logs', () => {
  const tracing = prop(durable, 'tracing');
  expect(prop(tracing, 'distributedTracingEnabled')).toBe(true);
  expect(prop(tracing, 'version')).toBe('V2');
  expect(prop(tracing, 'traceInputsAndOutputs') ?? false).toBe(false);
});

test('the extension bundle carries Durable 3.2.0+ (distributed tracing V2) and orchestration versioning, and stays on major 4', () => {
  expect(at('extensionBundle', 'id')).toBe('Microsoft.Azure.Functions.ExtensionBundle');
  const m = /^\[\s*(\d+)\.(\d+)\.(\d+)\s*,\s*(\d+)\.(\d+)\.(\d+)\s*\)$/.exec(String(at('extensionBundle', 'version')));
  expect(m).not.toBeNull();
  const [lower, upper] = [m!.slice(1, 4), m!.slice(4, 7)].map((v) => v.map(Number));
  const cmp = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  expect(cmp(lower, [4, 25, 0])).toBeGreaterThanOrEqual(0); // 4.25.0: first bundle with DurableTask 3.2.0
  expect(cmp(lower, [4, 26, 0])).toBeGreaterThanOrEqual(0); // 4.26.0: versioning for non-.NET apps
  expect(cmp(upper, [5, 0, 0])).toBeLessThanOrEqual(0);
});

test('new sagas get the newest saga version, and a worker never runs a saga newer than its code', () => {
  expect(prop(durable, 'defaultVersion')).toBe(sagaVersions[sagaVersions.length - 1]);
  // CurrentOrOlder + Reject: an old instance still running during a deployment leaves newer sagas alone.
  expect(prop(durable, 'versionMatchStrategy') ?? 'CurrentOrOlder').toBe('CurrentOrOlder');
  expect(prop(durable, 'versionFailureStrategy') ?? 'Reject').toBe('Reject');
});

describe('Service Bus trigger and the subscription it reads', () => {
  const entities = JSON.parse(read('bicep/servicebus-entities.json')) as {
    queues: { lockDurationSeconds?: number }[];
    topics: { subscriptions: { lockDurationSeconds?: number }[] }[];
  };
  // 60 s is Azure's default lock duration when an entity does not set one.
  const locks = [...entities.queues, ...entities.topics.flatMap((t) => t.subscriptions)].map((e) => (e.lockDurationSeconds ?? 60) * 1000);
  const renewal = timeSpanMs(String(prop(serviceBus, 'maxAutoLockRenewalDuration')));
  const timeout = timeSpanMs(String(prop(host, 'functionTimeout')));

  test('the lock is renewed for at least the lock duration and the longest invocation', () => {
    expect(locks.length).toBeGreaterThan(0);
    expect(renewal).toBeGreaterThanOrEqual(Math.max(...locks));
    expect(renewal).toBeGreaterThanOrEqual(timeout);
  });

  test('messages complete on success and abandon on failure; nothing waits locked in a prefetch buffer', () => {
    expect(prop(serviceBus, 'autoCompleteMessages')).toBe(true);
    const calls = prop(serviceBus, 'maxConcurrentCalls') as number;
    expect(Number.isInteger(calls) && calls > 0).toBe(true);
    expect(prop(serviceBus, 'prefetchCount') ?? 0).toBeLessThanOrEqual(calls);
  });

  test('each client try and each back-off fit inside the lock', () => {
    const retry = prop(serviceBus, 'clientRetryOptions');
    expect(timeSpanMs(String(prop(retry, 'tryTimeout')))).toBeLessThan(Math.min(...locks));
    expect(timeSpanMs(String(prop(retry, 'maxDelay')))).toBeLessThan(Math.min(...locks));
  });
});

describe('Application Insights', () => {
  const levels = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];
  const logLevel = (at('logging', 'logLevel') ?? {}) as Record<string, string>;
  /** The level a category logs at: the longest matching prefix, else "default", else Information. */
  function effective(category: string): number {
    const match = Object.keys(logLevel)
      .filter((k) => k.toLowerCase() !== 'default' && (category.toLowerCase() === k.toLowerCase() || category.toLowerCase().startsWith(`${k.toLowerCase()}.`)))
      .sort((a, b) => b.length - a.length)[0];
    const level = match ? logLevel[match] : (prop(logLevel, 'default') as string | undefined) ?? 'Information';
    return levels.indexOf(level.toLowerCase());
  }

  test('requests, per-function telemetry and aggregated metrics are logged (filtering above Information drops them)', () => {
    const categories = ['Host.Results', 'Function.sendStageEmail', 'Function.orderSaga.User', 'Host.Aggregator'];
    const info = levels.indexOf('information');
    expect(categories.filter((c) => effective(c) < 0 || effective(c) > info)).toEqual([]);
  });

  test('requests and exceptions are never sampled away', () => {
    const sampling = at('logging', 'applicationInsights', 'samplingSettings');
    const excluded = String(prop(sampling, 'excludedTypes') ?? '').split(';').map((t) => t.trim().toLowerCase());
    expect(excluded).toEqual(expect.arrayContaining(['request', 'exception']));
  });
});
