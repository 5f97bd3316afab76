// The local Cosmos DB through the real @azure/cosmos SDK: the protocol behaviour the adapters
// rely on, durability across restarts and SIGKILL, and TTL.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import type { Container } from '@azure/cosmos';
import { startCosmosEmulator } from '../../runtime/cosmos-emulator';
import type { RunningCosmosEmulator } from '../../runtime/cosmos-emulator';
import { tempDir } from '../support/host-process';

const open: { e: RunningCosmosEmulator; c: CosmosClient }[] = [];
async function start(dbFile: string, now?: () => number) {
  const e = await startCosmosEmulator({ dbFile, now, ttlSweepIntervalMs: 3_600_000 });
  const c = new CosmosClient({ endpoint: e.endpoint, key: e.key });
  open.push({ e, c });
  return { e, c };
}
async function stop(x: { e: RunningCosmosEmulator; c: CosmosClient }) {
  open.splice(open.indexOf(x), 1);
  await x.c.dispose();
  await x.e.close();
}
afterEach(async () => {
  for (const x of [...open]) await stop(x);
});

async function container(c: CosmosClient, def: { id: string; defaultTtl?: number; indexingPolicy?: object } = { id: 'orders' }): Promise<Container> {
  const { database } = await c.databases.createIfNotExists({ id: 'db' });
  return (await database.containers.createIfNotExists({ ...def, partitionKey: { paths: ['/pk'] } })).container;
}

const status = (p: Promise<unknown>) => p.then(() => 'ok', (err: { code?: number }) => err.code);

test('the SDK sees Cosmos semantics: 409 on duplicate ids, 412 on stale If-Match, ordered paged queries', async () => {
  const { c } = await start(path.join(tempDir('cosmos-'), 'c.db'));
  // As in Cosmos, ORDER BY on two properties needs a composite index.
  expect(await status((await container(c, { id: 'unindexed' })).items.query('SELECT * FROM c ORDER BY c.at DESC, c.id DESC').fetchAll())).toBe(400);
  const items = await container(c, { id: 'orders', indexingPolicy: { compositeIndexes: [[{ path: '/at', order: 'descending' }, { path: '/id', order: 'descending' }]] } });
  const { resource } = await items.items.create({ id: 'a', pk: 'p1', at: '2026-01-01' });
  expect(await status(items.items.create({ id: 'a', pk: 'p1' }))).toBe(409);
  expect(await status(items.item('a', 'p1').replace({ id: 'a', pk: 'p1', v: 2 }, { accessCondition: { type: 'IfMatch', condition: 'stale' } }))).toBe(412);
  expect(await status(items.item('a', 'p1').replace({ id: 'a', pk: 'p1', at: '2026-01-01', v: 2 }, { accessCondition: { type: 'IfMatch', condition: resource!._etag } }))).toBe('ok');
  for (const [id, pk, at] of [['b', 'p1', '2026-01-03'], ['c', 'p2', '2026-01-02'], ['d', 'p2', '2026-01-03']]) await items.items.create({ id, pk, at });
  const q = items.items.query({ query: 'SELECT * FROM c WHERE c.at >= @from ORDER BY c.at DESC, c.id DESC', parameters: [{ name: '@from', value: '2026-01-01' }] }, { maxItemCount: 3 });
  const pages: string[][] = [];
  while (q.hasMoreResults()) pages.push((await q.fetchNext()).resources.map((r) => r.id));
  expect(pages.flat()).toEqual(['d', 'b', 'c', 'a']);
  expect(pages.length).toBeGreaterThan(1);
});

test('state survives a restart unchanged: content, _etag, _ts, _rid; deletes stay deleted; new rids are fresh', async () => {
  const file = path.join(tempDir('cosmos-'), 'c.db');
  const first = await start(file);
  let items = await container(first.c);
  for (let i = 0; i < 5; i++) await items.items.create({ id: `i${i}`, pk: `p${i % 2}`, n: i });
  const replaced = (await items.item('i1', 'p1').replace({ id: 'i1', pk: 'p1', n: 100 })).resource!;
  await items.item('i2', 'p0').delete();
  const before = (await items.items.readAll().fetchAll()).resources;
  await stop(first);

  const second = await start(file);
  items = second.c.database('db').container('orders');
  const after = (await items.items.readAll().fetchAll()).resources;
  const strip = (r: Record<string, unknown>[]) => r.map(({ id, n, _etag, _ts, _rid }) => ({ id, n, _etag, _ts, _rid })).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  expect(strip(after)).toEqual(strip(before));
  expect(after.map((r) => r.id)).not.toContain('i2');
  // An ETag read before the restart still guards a write after it.
  expect(await status(items.item('i1', 'p1').replace({ id: 'i1', pk: 'p1', n: 101 }, { accessCondition: { type: 'IfMatch', condition: replaced._etag } }))).toBe('ok');
  const created = (await items.items.create({ id: 'new', pk: 'p0' })).resource!;
  expect(before.map((r) => r._rid)).not.toContain(created._rid);
  expect(second.e.stats()).toEqual({ databases: 1, containers: 1, documents: 5 });
});

test('a deleted container takes its documents with it, durably', async () => {
  const file = path.join(tempDir('cosmos-'), 'c.db');
  const first = await start(file);
  const items = await container(first.c);
  await items.items.create({ id: 'x', pk: 'p' });
  await items.delete();
  await stop(first);
  const second = await start(file);
  expect(second.e.stats()).toEqual({ databases: 1, containers: 0, documents: 0 });
  const again = await container(second.c);
  expect((await again.items.readAll().fetchAll()).resources).toEqual([]);
});

test('every acknowledged write survives SIGKILL', async () => {
  const file = path.join(tempDir('cosmos-'), 'c.db');
  const writer = path.resolve(__dirname, '..', 'support', 'cosmos-writer.js');
  const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Kill once a few hundred writes are acknowledged, in the middle of the stream.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer too slow:\n${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if ((out.match(/^ACK /gm) ?? []).length >= 300) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await exited;
  const acknowledged = [...out.matchAll(/^ACK (doc-\d+)$/gm)].map((m) => m[1]);
  const { c } = await start(file);
  const stored = new Set((await c.database('crash').container('items').items.readAll().fetchAll()).resources.map((r) => r.id));
  expect(acknowledged.length).toBeGreaterThanOrEqual(300);
  expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
});

test('TTL: container default, item override, -1 never, no default ignores item ttl', async () => {
  let now = Date.now();
  const { e, c } = await start(path.join(tempDir('cosmos-'), 'c.db'), () => now);
  const withTtl = await container(c, { id: 'keys', defaultTtl: 60 });
  const noTtl = await container(c, { id: 'plain' });
  await withTtl.items.create({ id: 'default', pk: 'p' });
  await withTtl.items.create({ id: 'short', pk: 'p', ttl: 5 });
  await withTtl.items.create({ id: 'forever', pk: 'p', ttl: -1 });
  await noTtl.items.create({ id: 'ignored', pk: 'p', ttl: 1 });
  const ids = async (ct: Container) => (await ct.items.readAll().fetchAll()).resources.map((r) => r.id).sort();
  now += 10_000;
  expect(e.sweep()).toBe(1);
  expect(await ids(withTtl)).toEqual(['default', 'forever']);
  now += 60_000;
  e.sweep();
  expect(await ids(withTtl)).toEqual(['forever']);
  expect(await ids(noTtl)).toEqual(['ignored']);
});
