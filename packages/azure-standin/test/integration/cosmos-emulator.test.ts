// The local Cosmos DB (src/cosmos) through the real @azure/cosmos SDK: the protocol behaviour
// the adapters rely on, durability across restarts and SIGKILL, and TTL.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import type { Container, ContainerDefinition, ItemDefinition } from '@azure/cosmos';
import { emulatorClientOptions, startCosmosEmulator } from '../../src/cosmos';
import type { RunningCosmosEmulator } from '../../src/cosmos';
import { tempDir, waitFor } from '../support/host';

interface Running {
  e: RunningCosmosEmulator;
  c: CosmosClient;
}
const open = new Set<Running>();
async function start(dbFile: string, opts: { now?: () => number; ttlSweepIntervalMs?: number } = {}): Promise<Running> {
  const e = await startCosmosEmulator({ dbFile, ttlSweepIntervalMs: 3_600_000, ...opts });
  const x = { e, c: new CosmosClient(emulatorClientOptions(e)) };
  open.add(x);
  return x;
}
async function stop(x: Running): Promise<void> {
  open.delete(x);
  await x.c.dispose();
  await x.e.close();
}
afterEach(async () => {
  for (const x of [...open]) await stop(x);
});
const dbFile = () => path.join(tempDir('cosmos-'), 'cosmos.db');

const byCreatedDesc = { compositeIndexes: [[{ path: '/createdAt', order: 'descending' as const }, { path: '/id', order: 'descending' as const }]] };
async function container(c: CosmosClient, def: Partial<ContainerDefinition> = {}, db = 'db'): Promise<Container> {
  const { database } = await c.databases.createIfNotExists({ id: db });
  return (await database.containers.createIfNotExists({ id: 'orders', partitionKey: { paths: ['/pk'] }, ...def })).container;
}
/** The status code of a failed SDK call, or 'ok'. */
const status = (p: Promise<unknown>) => p.then(() => 'ok', (err: { code?: number }) => err.code);
const ids = async (ct: Container) => (await ct.items.readAll().fetchAll()).resources.map((r) => r.id).sort();
const byId = (a: ItemDefinition, b: ItemDefinition) => String(a.id).localeCompare(String(b.id));

describe('Cosmos semantics through the SDK', () => {
  test('item CRUD: 409 on a duplicate id, 412 on a stale If-Match, 404 when missing, patch', async () => {
    const { c } = await start(dbFile());
    const items = await container(c);
    const { resource: a } = await items.items.create({ id: 'a', pk: 'p1', n: 1 });
    expect(a).toMatchObject({ id: 'a', pk: 'p1', n: 1, _etag: expect.any(String), _rid: expect.any(String), _ts: expect.any(Number) });
    expect(await status(items.items.create({ id: 'a', pk: 'p1' }))).toBe(409);
    // The same id in another partition is another item.
    expect(await status(items.items.create({ id: 'a', pk: 'p2' }))).toBe('ok');
    expect((await items.item('a', 'p1').read()).resource).toEqual(a);
    expect((await items.item('missing', 'p1').read()).statusCode).toBe(404);

    const ifMatch = (etag: string) => ({ accessCondition: { type: 'IfMatch', condition: etag } });
    const { resource: a2 } = await items.item('a', 'p1').replace({ id: 'a', pk: 'p1', n: 2 }, ifMatch(a!._etag!));
    expect(a2!._etag).not.toBe(a!._etag);
    expect(a2!._rid).toBe(a!._rid);
    expect(await status(items.item('a', 'p1').replace({ id: 'a', pk: 'p1', n: 3 }, ifMatch(a!._etag!)))).toBe(412);
    expect(await status(items.item('a', 'p1').patch([{ op: 'set', path: '/n', value: 9 }], ifMatch(a!._etag!)))).toBe(412);
    expect(await status(items.item('a', 'p1').delete(ifMatch(a!._etag!)))).toBe(412);

    const { resource: patched } = await items.item('a', 'p1').patch([{ op: 'set', path: '/n', value: 10 }, { op: 'incr', path: '/n', value: 5 }, { op: 'add', path: '/tag', value: 'x' }]);
    expect(patched).toMatchObject({ id: 'a', n: 15, tag: 'x' });
    const { resource: upserted, statusCode } = await items.items.upsert({ id: 'a', pk: 'p1', n: 20 });
    expect([statusCode, upserted!.n, upserted!.tag]).toEqual([200, 20, undefined]);
    expect((await items.items.upsert({ id: 'b', pk: 'p1' })).statusCode).toBe(201);

    await items.item('a', 'p1').delete();
    expect((await items.item('a', 'p1').read()).statusCode).toBe(404);
    expect(await status(items.item('a', 'p1').delete())).toBe(404);
    expect(await ids(items)).toEqual(['a', 'b']); // a in p2, b in p1
  });

  test('queries: parameters, OR, composite ORDER BY DESC, continuation pages, partition scoping', async () => {
    const { c } = await start(dbFile());
    // As in Cosmos, ORDER BY on two properties needs the matching composite index.
    const unindexed = await container(c, { id: 'unindexed' });
    expect(await status(unindexed.items.query('SELECT * FROM c ORDER BY c.createdAt DESC, c.id DESC').fetchAll())).toBe(400);

    const items = await container(c, { indexingPolicy: byCreatedDesc });
    const docs = Array.from({ length: 11 }, (_, i) => ({ id: `o${String(i).padStart(2, '0')}`, pk: `c${i % 3}`, createdAt: `2026-01-${10 + (i % 4)}`, status: i % 2 ? 'paid' : 'new' }));
    for (const d of docs) await items.items.create(d);
    const expected = [...docs].sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id)).map((d) => d.id);

    const ordered = 'SELECT * FROM c ORDER BY c.createdAt DESC, c.id DESC';
    const iterator = items.items.query(ordered, { maxItemCount: 4 });
    const pages: string[][] = [];
    while (iterator.hasMoreResults()) pages.push((await iterator.fetchNext()).resources.map((r) => r.id));
    expect(pages.flat()).toEqual(expected);
    expect(pages.length).toBe(3);

    // A continuation token taken from one iterator resumes in another.
    const first = await items.items.query(ordered, { maxItemCount: 4 }).fetchNext();
    const resumed = await items.items.query(ordered, { maxItemCount: 4, continuationToken: first.continuationToken }).fetchNext();
    expect(resumed.resources.map((r) => r.id)).toEqual(expected.slice(4, 8));

    const { resources: filtered } = await items.items
      .query({ query: 'SELECT * FROM c WHERE (c.status = @s OR c.id = @id) AND c.createdAt >= @from ORDER BY c.createdAt DESC, c.id DESC', parameters: [{ name: '@s', value: 'paid' }, { name: '@id', value: 'o00' }, { name: '@from', value: '2026-01-11' }] })
      .fetchAll();
    expect(filtered.map((r) => r.id)).toEqual(expected.filter((id) => { const d = docs.find((x) => x.id === id)!; return (d.status === 'paid' || d.id === 'o00') && d.createdAt >= '2026-01-11'; }));

    // With a partition key the query sees that partition only, even without a filter on it.
    const inPartition = items.items.query(ordered, { partitionKey: 'c1', maxItemCount: 2 });
    const scoped: string[] = [];
    while (inPartition.hasMoreResults()) scoped.push(...(await inPartition.fetchNext()).resources.map((r) => r.id));
    expect(scoped).toEqual(expected.filter((id) => docs.find((d) => d.id === id)!.pk === 'c1'));
  });

  test('containers: createIfNotExists keeps partition key, defaultTtl and composite indexes; replace keeps the items', async () => {
    const { c } = await start(dbFile());
    const items = await container(c, { defaultTtl: 3600, indexingPolicy: byCreatedDesc });
    const again = await container(c, { defaultTtl: 1 }); // exists: unchanged
    const { resource: def } = await again.read();
    expect(def).toMatchObject({ partitionKey: { paths: ['/pk'] }, defaultTtl: 3600, indexingPolicy: { compositeIndexes: byCreatedDesc.compositeIndexes } });
    await items.items.create({ id: 'kept', pk: 'p' });
    await items.replace({ ...def!, defaultTtl: 60 });
    expect((await items.read()).resource!.defaultTtl).toBe(60);
    expect(await ids(items)).toEqual(['kept']);
  });

  test('a client with default options works too (the account document advertises the real http endpoint)', async () => {
    const { e } = await start(dbFile());
    const plain = new CosmosClient({ endpoint: e.endpoint, key: e.key });
    try {
      const items = await container(plain);
      await items.items.create({ id: 'x', pk: 'p' });
      expect(await ids(items)).toEqual(['x']);
    } finally {
      await plain.dispose();
    }
  });
});

describe('durability', () => {
  test('a restart restores everything unchanged (_etag, _ts, _rid), deletes stay deleted, new rids are fresh', async () => {
    const file = dbFile();
    const first = await start(file);
    const orders = await container(first.c, { indexingPolicy: byCreatedDesc });
    const other = await container(first.c, { id: 'other' }, 'db2');
    const doomed = await container(first.c, { id: 'doomed' });
    for (let i = 0; i < 6; i++) await orders.items.create({ id: `i${i}`, pk: `p${i % 2}`, n: i, createdAt: `2026-02-0${i}` });
    await other.items.create({ id: 'i0', pk: 'p0', elsewhere: true });
    await doomed.items.create({ id: 'gone', pk: 'p' });
    const replaced = (await orders.item('i1', 'p1').replace({ id: 'i1', pk: 'p1', n: 100, createdAt: '2026-02-01' })).resource!;
    await orders.item('i2', 'p0').patch([{ op: 'incr', path: '/n', value: 40 }]);
    await orders.items.upsert({ id: 'i3', pk: 'p1', n: 300, createdAt: '2026-02-03' });
    await orders.item('i4', 'p0').delete();
    await doomed.delete();
    const stale = replaced._etag!;
    const current = (await orders.item('i1', 'p1').patch([{ op: 'set', path: '/n', value: 101 }])).resource!;
    const before = {
      orders: (await orders.items.readAll().fetchAll()).resources.sort(byId),
      other: (await other.items.readAll().fetchAll()).resources,
      containers: (await first.c.database('db').containers.readAll().fetchAll()).resources.sort(byId),
    };
    expect(await first.e.stats()).toEqual({ databases: 2, containers: 2, documents: 6 });
    await stop(first);

    const second = await start(file);
    expect(await second.e.stats()).toEqual({ databases: 2, containers: 2, documents: 6 });
    const orders2 = second.c.database('db').container('orders');
    expect((await orders2.items.readAll().fetchAll()).resources.sort(byId)).toEqual(before.orders);
    expect((await second.c.database('db2').container('other').items.readAll().fetchAll()).resources).toEqual(before.other);
    expect((await second.c.database('db').containers.readAll().fetchAll()).resources.sort(byId)).toEqual(before.containers);
    expect(before.orders.map((r) => r.id)).not.toContain('i4');
    expect(await status(second.c.database('db').container('doomed').read())).toBe(404);

    // ETags read before the restart still decide If-Match after it.
    const ifMatch = (etag: string) => ({ accessCondition: { type: 'IfMatch', condition: etag } });
    expect(await status(orders2.item('i1', 'p1').replace({ id: 'i1', pk: 'p1', n: 1 }, ifMatch(stale)))).toBe(412);
    expect(await status(orders2.item('i1', 'p1').replace({ id: 'i1', pk: 'p1', n: 102, createdAt: '2026-02-01' }, ifMatch(current._etag!)))).toBe('ok');
    // The composite index survived too.
    expect((await orders2.items.query('SELECT * FROM c ORDER BY c.createdAt DESC, c.id DESC').fetchAll()).resources.map((r) => r.id)).toEqual(['i5', 'i3', 'i2', 'i1', 'i0']);

    // New resources get rids never handed out before.
    const oldRids = new Set([...before.orders, ...before.other, ...before.containers].map((r) => r._rid));
    const created = (await orders2.items.create({ id: 'new', pk: 'p0' })).resource!;
    const recreated = (await orders2.items.create({ id: 'i4', pk: 'p0' })).resource!;
    const newContainer = (await second.c.database('db').containers.create({ id: 'doomed', partitionKey: { paths: ['/pk'] } })).resource!;
    for (const r of [created, recreated, newContainer]) expect(oldRids.has(r._rid)).toBe(false);
    expect(await ids(second.c.database('db').container('doomed'))).toEqual([]);
    await stop(second);

    // What the second run wrote is there on a third.
    const third = await start(file);
    expect(await third.e.stats()).toEqual({ databases: 2, containers: 3, documents: 8 });
    expect((await third.c.database('db').container('orders').item('i1', 'p1').read()).resource!.n).toBe(102);
  });

  test('two emulators in one process each keep their own data', async () => {
    const [fileA, fileB] = [dbFile(), dbFile()];
    const [a, b] = await Promise.all([start(fileA), start(fileB)]);
    await Promise.all([
      container(a.c).then((ct) => ct.items.create({ id: 'only-in-a', pk: 'p' })),
      container(b.c).then((ct) => ct.items.create({ id: 'only-in-b', pk: 'p' })),
    ]);
    await Promise.all([stop(a), stop(b)]);
    const [a2, b2] = await Promise.all([start(fileA), start(fileB)]);
    expect(await ids(a2.c.database('db').container('orders'))).toEqual(['only-in-a']);
    expect(await ids(b2.c.database('db').container('orders'))).toEqual(['only-in-b']);
  });

  test('every acknowledged write survives SIGKILL', async () => {
    const file = dbFile();
    const writer = path.resolve(__dirname, '..', 'support', 'cosmos-writer.js');
    const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the writer acknowledged too few writes:\n${out.slice(-500)}`)), 30_000);
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        // Kill in the middle of the stream, while writes are in flight.
        if ((out.match(/^ACK /gm) ?? []).length >= 400 && child.exitCode === null) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    // The last acknowledged version of each id; a later, unacknowledged one may also have landed.
    const acknowledged = new Map<string, number>();
    for (const [, id, version] of out.matchAll(/^ACK (\S+) (\d+)$/gm)) acknowledged.set(id, Math.max(acknowledged.get(id) ?? 0, Number(version)));
    const { c } = await start(file);
    const stored = new Map((await c.database('crash').container('items').items.readAll().fetchAll()).resources.map((r) => [r.id, r.version as number]));
    const lost = [...acknowledged].filter(([id, version]) => !((stored.get(id) ?? 0) >= version));
    expect(acknowledged.size).toBeGreaterThan(200);
    expect(lost).toEqual([]);
  });
});

describe('TTL', () => {
  test('container defaultTtl, item ttl override, -1 never, and no defaultTtl ignores item ttl; expiry is durable', async () => {
    const file = dbFile();
    let now = Date.now();
    const x = await start(file, { now: () => now, ttlSweepIntervalMs: 20 });
    const timed = await container(x.c, { id: 'timed', defaultTtl: 60 });
    const optIn = await container(x.c, { id: 'opt-in', defaultTtl: -1 });
    const plain = await container(x.c, { id: 'plain' });
    await timed.items.create({ id: 'default', pk: 'p' });
    await timed.items.create({ id: 'short', pk: 'p', ttl: 5 });
    await timed.items.create({ id: 'forever', pk: 'p', ttl: -1 });
    await optIn.items.create({ id: 'kept', pk: 'p' });
    await optIn.items.create({ id: 'short', pk: 'p', ttl: 5 });
    await plain.items.create({ id: 'ignored', pk: 'p', ttl: 1 });
    const becomes = (ct: Container, want: string[]) => waitFor(async () => ((await ids(ct)).join() === want.join() ? true : undefined), `${want.join()} in ${ct.id}`, 5_000);

    now += 10_000;
    await becomes(timed, ['default', 'forever']);
    await becomes(optIn, ['kept']);
    now += 60_000;
    await becomes(timed, ['forever']);
    expect(await ids(plain)).toEqual(['ignored']);
    expect(await ids(optIn)).toEqual(['kept']);
    await stop(x);

    const y = await start(file, { now: () => now });
    expect(await ids(y.c.database('db').container('timed'))).toEqual(['forever']);
    expect((await y.e.stats()).documents).toBe(3);
  });
});
