// Blob input, output and trigger bindings against a real Azurite (a child process on a free
// port, data in a temp directory), driven through the real @azure/functions library where the
// worker's conversions matter.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../../src/core/sqlite';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../src/blob/azurite';
import type { RunningAzurite } from '../../src/blob/azurite';
import {
  BlobBindings, blobBindingsOf, blobContent, blobConnectionSettings, blobInputData, hasBlobBindings, parseBlobPath, pointStorageSettingsAtAzurite, quotedEtag, storageConnectionString,
} from '../../src/host/blob-binding';
import { BlobTriggerStore } from '../../src/host/blob-receipts';
import { FunctionRegistry } from '../../src/host/core-api';
import type { RegisteredFunction } from '../../src/host/core-api';
import { Invoker } from '../../src/host/invoker';
import type { InvocationInput } from '../../src/host/invoker';
import { Logger } from '../../src/core/logger';
import type { RpcInvocationResponse } from '../../src/core/rpc-types';
import type { HostJson } from '../../src/core/settings';
import type { FunctionInvoker } from '../../src/host/timer-trigger';

const lines: string[] = [];
const logger = new Logger('debug', (line) => lines.push(line));

const fnOf = (name: string, bindings: Record<string, Record<string, unknown>>, retryOptions?: unknown): RegisteredFunction => ({
  metadata: { name, bindings: bindings as RegisteredFunction['metadata']['bindings'], retryOptions },
  callback: () => undefined,
});

describe('blob binding helpers', () => {
  test('connection settings: AzureWebJobs<name> first, then <name>; development storage and identity-based ones mean Azurite', () => {
    const env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', Invoices: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k', AzureWebJobsArchive: 'cs-prefixed', Archive: 'cs-plain', Docs__blobServiceUri: 'https://docs.blob.core.windows.net' };
    expect(storageConnectionString(undefined, env, 'AZURITE')).toBe('AZURITE');
    expect(storageConnectionString('', env)).toBe('UseDevelopmentStorage=true');
    expect(storageConnectionString('Invoices', env, 'AZURITE')).toBe(env.Invoices);
    expect(storageConnectionString('Archive', env)).toBe('cs-prefixed');
    expect(storageConnectionString('Docs', env, 'AZURITE')).toBe('AZURITE');
    expect(() => storageConnectionString('Docs', env)).toThrow(/identity-based/);
    expect(() => storageConnectionString('Nope', env)).toThrow("Storage account connection string 'Nope' does not exist. Make sure that it is a defined App Setting.");
  });

  test('pointStorageSettingsAtAzurite fills empty and UseDevelopmentStorage settings only', () => {
    const fns = [
      fnOf('a', { t: { type: 'httpTrigger', direction: 'in' }, b: { type: 'blob', direction: 'in', path: 'c/x', connection: 'Invoices' } }),
      fnOf('b', { t: { type: 'blobTrigger', direction: 'in', path: 'c', connection: 'Uploads' } }),
      fnOf('c', { t: { type: 'blobTrigger', direction: 'in', path: 'c', connection: 'Remote' } }),
    ];
    expect(hasBlobBindings(fns)).toBe(true);
    expect([...blobConnectionSettings(fns)]).toEqual(['Invoices', 'Uploads', 'Remote']);
    const env: NodeJS.ProcessEnv = { AzureWebJobsStorage: '', Uploads: 'UseDevelopmentStorage=true', Remote: 'DefaultEndpointsProtocol=https;AccountName=r;AccountKey=k' };
    expect(pointStorageSettingsAtAzurite(fns, 'AZ', env).sort()).toEqual(['AzureWebJobsStorage', 'Invoices', 'Uploads']);
    expect(env.Remote).toMatch(/AccountName=r/);
    expect(hasBlobBindings([fnOf('h', { t: { type: 'httpTrigger', direction: 'in' } })])).toBe(false);
  });

  test('blobBindingsOf checks a function\'s blob bindings as the host does at indexing', () => {
    const ok = blobBindingsOf(fnOf('f', { t: { type: 'blobTrigger', direction: 'in', path: '%IN%/{name}' }, o: { type: 'blob', direction: 'out', path: 'out/{name}' } }), { IN: 'incoming' });
    expect(ok.trigger).toMatchObject({ name: 't', path: 'incoming/{name}' });
    expect([...ok.templates.keys()]).toEqual(['o']);
    const problem = (bindings: Record<string, Record<string, unknown>>) => () => blobBindingsOf(fnOf('f', bindings), {});
    expect(problem({ t: { type: 'blobTrigger', direction: 'in', path: '{c}/x' } })).toThrow(/cannot hold expressions/);
    expect(problem({ t: { type: 'blobTrigger', direction: 'in', path: 'Bad_Name' } })).toThrow(/Invalid container name/);
    expect(problem({ t: { type: 'httpTrigger', direction: 'in' }, o: { type: 'blob', direction: 'out' } })).toThrow(/needs a path/);
    expect(problem({ t: { type: 'httpTrigger', direction: 'in' }, o: { type: 'blob', direction: 'out', path: 'justacontainer' } })).toThrow(/format 'container\/blob'/);
    expect(problem({ t: { type: 'httpTrigger', direction: 'in' }, o: { type: 'blob', direction: 'out', path: 'out/{id' } })).toThrow(/missing closing brace/);
    expect(problem({ t: { type: 'httpTrigger', direction: 'in' }, o: { type: 'blob', direction: 'out', path: '%NOPE%/x' } })).toThrow(/NOPE/);
  });

  test('paths: container/blob with a valid container name', () => {
    expect(parseBlobPath('invoices/2024/a.pdf')).toEqual({ container: 'invoices', blob: '2024/a.pdf' });
    expect(() => parseBlobPath('invoices')).toThrow(/format 'container\/blob'/);
    expect(() => parseBlobPath('Invoices/a')).toThrow(/Invalid container name/);
    expect(() => parseBlobPath('a--b/x')).toThrow(/Invalid container name/);
    expect(parseBlobPath('$web/index.html').container).toBe('$web');
  });

  test('output values become bytes as the host writes them', () => {
    expect(blobContent('héllo')).toEqual(Buffer.from('héllo'));
    expect(blobContent(Buffer.from([1, 2]))).toEqual(Buffer.from([1, 2]));
    expect(blobContent({ a: 1, b: [true] })).toEqual(Buffer.from('{"a":1,"b":[true]}'));
    expect(blobContent(258)).toEqual(Buffer.from([2, 1, 0, 0]));
    expect(blobContent(-1)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    expect(blobContent(2 ** 32 + 5)).toEqual(Buffer.from([5, 0, 0, 0]));
    expect(blobContent(1.5)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0xf8, 0x3f]));
    expect(blobContent(true)).toEqual(Buffer.from([1]));
  });

  test('input data: UTF-8 text without a BOM by default, bytes for binary', () => {
    expect(blobInputData(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), undefined)).toEqual({ string: 'A' });
    expect(blobInputData(Buffer.from('x'), 'string')).toEqual({ string: 'x' });
    expect(blobInputData(Buffer.from('x'), 'binary')).toEqual({ bytes: Buffer.from('x') });
  });

  test('ETags compare quoted', () => {
    expect(quotedEtag('0x1')).toBe('"0x1"');
    expect(quotedEtag('"0x1"')).toBe('"0x1"');
  });
});

interface Call {
  fn: string;
  input: InvocationInput;
}

class FakeInvoker implements FunctionInvoker {
  readonly calls: Call[] = [];
  fail: (call: Call) => boolean = () => false;
  async invoke(fn: RegisteredFunction, input: InvocationInput): Promise<RpcInvocationResponse> {
    const call = { fn: fn.metadata.name, input };
    this.calls.push(call);
    if (this.fail(call)) throw new Error(`failed ${call.fn}`);
    return { invocationId: String(this.calls.length) };
  }
}

const until = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('blob bindings on Azurite', () => {
  let azurite: RunningAzurite;
  let dir: string;
  let service: BlobServiceClient;
  let registry: FunctionRegistry;
  let app: typeof import('@azure/functions').app;
  let input: typeof import('@azure/functions').input;
  let output: typeof import('@azure/functions').output;
  const env: NodeJS.ProcessEnv = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', OUT_CONTAINER: 'results' };
  const running: BlobBindings[] = [];

  const put = async (container: string, blob: string, content: string | Buffer) => {
    const c = service.getContainerClient(container);
    await c.createIfNotExists();
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    await c.getBlockBlobClient(blob).upload(data, data.length, { blobHTTPHeaders: { blobContentType: 'text/plain' } });
  };
  const get = async (container: string, blob: string) => service.getContainerClient(container).getBlobClient(blob).downloadToBuffer();
  const bindings = (o: Partial<ConstructorParameters<typeof BlobBindings>[0]> & Pick<ConstructorParameters<typeof BlobBindings>[0], 'functions' | 'invoker'>, db = new Database(':memory:')) => {
    const b = new BlobBindings({ store: new BlobTriggerStore(db), logger, env, developmentStorage: azurite.connectionString, pollIntervalMs: 60_000, retryDelayMs: 20, ...o });
    running.push(b);
    return b;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-binding-'));
    azurite = await startAzurite({ location: dir, host: '127.0.0.1', port: 0 });
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    registry = new FunctionRegistry();
    jest.doMock('@azure/functions-core', () => registry.coreApi, { virtual: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ app, input, output } = require('@azure/functions') as typeof import('@azure/functions'));
  }, 30_000);
  afterAll(async () => {
    jest.dontMock('@azure/functions-core');
    await azurite?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const b of running.splice(0)) await b.stop();
  });

  test('inputs and outputs through the library: paths from the HTTP request, values as the worker sees them', async () => {
    await put('orders', '42.json', JSON.stringify({ id: 42, total: 9.5 }));
    await put('orders', '42.bin', Buffer.from([0, 1, 2, 255]));
    const orderIn = input.storageBlob({ path: 'orders/{id}.json', connection: 'AzureWebJobsStorage' });
    const rawIn = input.storageBlob({ path: 'orders/{Query.id}.bin', connection: 'AzureWebJobsStorage', dataType: 'binary' } as never);
    const missingIn = input.storageBlob({ path: 'orders/{id}-missing.txt', connection: 'AzureWebJobsStorage' });
    const jsonOut = output.storageBlob({ path: '%OUT_CONTAINER%/{id}/summary.json', connection: 'AzureWebJobsStorage' });
    const textOut = output.storageBlob({ path: '%OUT_CONTAINER%/{id}/note-{rand-guid:N}.txt', connection: 'AzureWebJobsStorage' });
    const bytesOut = output.storageBlob({ path: '%OUT_CONTAINER%/{id}/raw.bin', connection: 'AzureWebJobsStorage' });
    const intOut = output.storageBlob({ path: '%OUT_CONTAINER%/{id}/count.bin', connection: 'AzureWebJobsStorage' });
    const seen: Record<string, unknown> = {};
    app.http('orderSummary', {
      route: 'orders/{id}', methods: ['GET'], authLevel: 'anonymous',
      extraInputs: [orderIn, rawIn, missingIn], extraOutputs: [jsonOut, textOut, bytesOut, intOut],
      handler: (_req, context) => {
        seen.order = context.extraInputs.get(orderIn);
        seen.raw = context.extraInputs.get(rawIn);
        seen.missing = context.extraInputs.get(missingIn);
        context.extraOutputs.set(jsonOut, { order: 42, lines: [1, 2] });
        context.extraOutputs.set(textOut, 'hello blob');
        context.extraOutputs.set(bytesOut, Buffer.from([9, 8, 7]));
        context.extraOutputs.set(intOut, 258);
        return { status: 204 };
      },
    });
    const fn = registry.functions.get('orderSummary')!;
    const invoker = new Invoker(registry, logger);
    const blobs = bindings({ functions: [fn], invoker, newGuid: () => 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE' });
    // The wiring the host does: trigger input, then the blob inputs, then the outputs.
    const trigger: InvocationInput = {
      inputData: [{ name: 'httpTrigger1', data: { http: { method: 'GET', url: 'http://localhost/api/orders/42?id=42', headers: {}, query: { id: '42' }, params: { id: '42' } } } }],
    };
    const triggerName = Object.entries(fn.metadata.bindings).find(([, b]) => b.type === 'httpTrigger')![0];
    trigger.inputData[0].name = triggerName;
    const extra = await blobs.inputs(fn, trigger);
    const response = await invoker.invoke(fn, { ...trigger, inputData: [...trigger.inputData, ...extra] });
    await blobs.deliverOutputs(fn, response, trigger);

    expect(seen.order).toEqual({ id: 42, total: 9.5 });
    expect(seen.raw).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(seen.missing).toBeUndefined();
    expect((await get('results', '42/summary.json')).toString()).toBe('{"order":42,"lines":[1,2]}');
    expect((await get('results', '42/note-aaaaaaaabbbbccccddddeeeeeeeeeeee.txt')).toString()).toBe('hello blob');
    expect(await get('results', '42/raw.bin')).toEqual(Buffer.from([9, 8, 7]));
    expect(await get('results', '42/count.bin')).toEqual(Buffer.from([2, 1, 0, 0]));
    const props = await service.getContainerClient('results').getBlobClient('42/raw.bin').getProperties();
    expect(props.blobType).toBe('BlockBlob');
  });

  test('an expression the trigger data lacks fails the binding', async () => {
    const fn = fnOf('f', { req: { type: 'httpTrigger', direction: 'in' }, doc: { type: 'blob', direction: 'in', path: 'orders/{customerId}.json' } });
    const blobs = bindings({ functions: [fn], invoker: new FakeInvoker() });
    await expect(blobs.inputs(fn, { inputData: [{ name: 'req', data: { http: { method: 'GET', url: 'http://x', headers: {}, query: {}, params: {} } } }] })).rejects.toThrow("No value for named parameter 'customerId'.");
  });

  test('a blob trigger runs once per blob version, with the bytes and the host\'s trigger metadata', async () => {
    const invoker = new FakeInvoker();
    const fn = fnOf('onUpload', { myBlob: { type: 'blobTrigger', direction: 'in', path: 'uploads/{name}.txt', connection: 'AzureWebJobsStorage' } });
    const blobs = bindings({ functions: [fn], invoker });
    await put('uploads', 'a.txt', 'first');
    await put('uploads', 'skip.csv', 'not matched');
    blobs.start();
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls).toHaveLength(1);
    const call = invoker.calls[0].input;
    expect(call.inputData).toEqual([{ name: 'myBlob', data: { bytes: Buffer.from('first') } }]);
    expect(call.reason).toBe('New blob detected(LogsAndContainerScan): uploads/a.txt');
    const meta = call.triggerMetadata!;
    expect(meta.BlobTrigger).toEqual({ string: 'uploads/a.txt' });
    expect(meta.name).toEqual({ string: 'a' });
    expect(JSON.parse(meta.Uri.json!)).toBe(`${azurite.blobEndpoint}/uploads/a.txt`);
    expect(JSON.parse(meta.Metadata.json!)).toEqual({});
    const props = JSON.parse(meta.Properties.json!) as Record<string, unknown>;
    expect(props).toMatchObject({ BlobType: 0, ContentLength: 5, ContentType: 'text/plain', LeaseState: 0, LeaseStatus: 1, CopyCompletedOn: '0001-01-01T00:00:00+00:00' });
    expect(props.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(props.ETag).toMatch(/^"0x[0-9A-F]+"$/i);
    expect(JSON.parse(meta.sys.json!)).toMatchObject({ MethodName: 'onUpload' });

    // Scanning again finds nothing new; a new version triggers again.
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls).toHaveLength(1);
    await put('uploads', 'a.txt', 'second');
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls).toHaveLength(2);
    expect(invoker.calls[1].input.inputData[0].data.bytes).toEqual(Buffer.from('second'));
  });

  test('through the library: a Buffer and camel-cased trigger metadata', async () => {
    const seen: { blob?: unknown; meta?: Record<string, unknown> } = {};
    app.storageBlob('libBlobTrigger', {
      path: 'libtrigger/{folder}/{name}', connection: 'AzureWebJobsStorage',
      handler: (blob, context) => {
        seen.blob = blob;
        seen.meta = context.triggerMetadata as Record<string, unknown>;
      },
    });
    const fn = registry.functions.get('libBlobTrigger')!;
    const blobs = bindings({ functions: [fn], invoker: new Invoker(registry, logger) });
    await put('libtrigger', 'eu/report.txt', 'payload');
    blobs.start();
    await blobs.scanNow();
    await blobs.idle();
    expect(seen.blob).toEqual(Buffer.from('payload'));
    expect(seen.meta).toMatchObject({ blobTrigger: 'libtrigger/eu/report.txt', folder: 'eu', name: 'report.txt', metadata: {} });
    expect((seen.meta!.properties as Record<string, unknown>).contentLength).toBe(7);
    expect(seen.meta!.uri).toBe(`${azurite.blobEndpoint}/libtrigger/eu/report.txt`);
  });

  test('a blob that keeps failing is tried poisonBlobThreshold times, then becomes a poison record; others go on', async () => {
    const invoker = new FakeInvoker();
    invoker.fail = (c) => c.input.triggerMetadata?.BlobTrigger?.string === 'poison/bad.txt';
    const fn = fnOf('picky', { b: { type: 'blobTrigger', direction: 'in', path: 'poison/{name}' } });
    const hostJson: HostJson = { version: '2.0', extensions: { blobs: { poisonBlobThreshold: 3 } } };
    const blobs = bindings({ functions: [fn], invoker, hostJson });
    await put('poison', 'bad.txt', 'x');
    await put('poison', 'good.txt', 'y');
    blobs.start();
    await blobs.scanNow();
    await blobs.idle();
    const names = invoker.calls.map((c) => c.input.triggerMetadata!.BlobTrigger.string);
    expect(names.filter((n) => n === 'poison/bad.txt')).toHaveLength(3);
    expect(names.filter((n) => n === 'poison/good.txt')).toHaveLength(1);
    const poisoned = blobs.poisoned();
    expect(poisoned).toHaveLength(1);
    expect(poisoned[0]).toMatchObject({ functionId: 'Host.Functions.picky', container: 'poison', blob: 'bad.txt', attempts: 3, error: 'failed picky' });
    expect(JSON.parse(poisoned[0].message)).toMatchObject({ Type: 'BlobTrigger', FunctionId: 'Host.Functions.picky', BlobType: 'BlockBlob', ContainerName: 'poison', BlobName: 'bad.txt' });
    // Poisoned versions do not come back on the next scan.
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls).toHaveLength(4);
  });

  test('the default threshold is 5 and a retry policy is ignored for blob triggers (with a warning)', async () => {
    const invoker = new FakeInvoker();
    invoker.fail = () => true;
    const fn = fnOf('alwaysFails', { b: { type: 'blobTrigger', direction: 'in', path: 'five' } }, { strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 1 } });
    lines.length = 0;
    const blobs = bindings({ functions: [fn], invoker });
    expect(lines.some((l) => l.includes('retry policies are not supported for blob triggers'))).toBe(true);
    await put('five', 'x', 'x');
    blobs.start();
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls).toHaveLength(5);
    expect(invoker.calls.every((c) => c.input.retryContext === undefined)).toBe(true);
  });

  test('queued work survives a restart (at least once), and a blob this host writes triggers at once', async () => {
    const db = new Database(':memory:');
    const invoker = new FakeInvoker();
    const fn = fnOf('resumer', { b: { type: 'blobTrigger', direction: 'in', path: 'resume/{name}' } });
    await put('resume', 'left.txt', 'x');
    const etag = quotedEtag((await service.getContainerClient('resume').getBlobClient('left.txt').getProperties()).etag!);
    // A previous run queued this version and died before running it.
    new BlobTriggerStore(db).tryEnqueue({ functionId: 'Host.Functions.resumer', container: 'resume', blob: 'left.txt', etag });
    const writer = fnOf('writer', { req: { type: 'httpTrigger', direction: 'in' }, out: { type: 'blob', direction: 'out', path: 'resume/{id}.txt' } });
    const blobs = bindings({ functions: [fn, writer], invoker }, db);
    blobs.start();
    await until(() => invoker.calls.length === 1);
    expect(invoker.calls[0].input.triggerMetadata!.BlobTrigger.string).toBe('resume/left.txt');
    await blobs.idle();
    expect(invoker.calls).toHaveLength(1);
    // An output binding into the watched container: noticed without waiting for the next poll.
    const req = { inputData: [{ name: 'req', data: { http: { method: 'POST', url: 'http://x', headers: {}, query: {}, params: { id: 'new' } } } }] };
    await blobs.deliverOutputs(writer, { invocationId: 'w', outputData: [{ name: 'out', data: { string: 'written' } }] }, req);
    await until(() => invoker.calls.length === 2);
    expect(invoker.calls[1].input.inputData[0].data.bytes).toEqual(Buffer.from('written'));
  });

  test('a version replaced before it runs is dropped; the current one runs once', async () => {
    const db = new Database(':memory:');
    const store = new BlobTriggerStore(db);
    const invoker = new FakeInvoker();
    const fn = fnOf('latest', { b: { type: 'blobTrigger', direction: 'in', path: 'superseded/{name}' } });
    await put('superseded', 'doc.txt', 'v2');
    const stale = { functionId: 'Host.Functions.latest', container: 'superseded', blob: 'doc.txt', etag: '"0x1"' };
    store.tryEnqueue(stale);
    const blobs = bindings({ functions: [fn], invoker }, db);
    blobs.start();
    await until(() => invoker.calls.length === 1);
    await blobs.idle();
    expect(invoker.calls).toHaveLength(1);
    expect(invoker.calls[0].input.inputData[0].data.bytes).toEqual(Buffer.from('v2'));
    expect(store.get(stale)).toMatchObject({ state: 'completed', attempts: 1 });
  });

  test('containers are polled on the interval; a missing container is no error', async () => {
    const invoker = new FakeInvoker();
    const fn = fnOf('poller', { b: { type: 'blobTrigger', direction: 'in', path: 'polled/{name}' } });
    lines.length = 0;
    const blobs = bindings({ functions: [fn], invoker, pollIntervalMs: 100 });
    blobs.start();
    await new Promise((r) => setTimeout(r, 250));
    expect(lines.filter((l) => l.includes('could not scan'))).toEqual([]);
    await put('polled', 'late.txt', 'x');
    await until(() => invoker.calls.length === 1);
  });

  test('Event Grid source: blobs from before the first start do not trigger, later ones do, also across a restart', async () => {
    const db = new Database(':memory:');
    const invoker = new FakeInvoker();
    const fn = fnOf('eg', { b: { type: 'blobTrigger', direction: 'in', path: 'egrid/{name}', source: 'EventGrid' } });
    await put('egrid', 'old.txt', 'old');
    let blobs = bindings({ functions: [fn], invoker }, db);
    blobs.start();
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls).toHaveLength(0);
    await put('egrid', 'new.txt', 'new');
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls.map((c) => c.input.reason)).toEqual(['New blob detected(EventGrid): egrid/new.txt']);
    await blobs.stop();
    await put('egrid', 'while-down.txt', 'x');
    blobs = bindings({ functions: [fn], invoker }, db);
    blobs.start();
    await blobs.scanNow();
    await blobs.idle();
    expect(invoker.calls.map((c) => c.input.triggerMetadata!.name.string)).toEqual(['new.txt', 'while-down.txt']);
  });
});
