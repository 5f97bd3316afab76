// The Cosmos DB emulator in its own worker thread (what `start` runs): the same service through
// the SDK, its counters asked across threads, durable across a restart, and a start that fails.
import net from 'node:net';
import path from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import { emulatorClientOptions, startCosmosEmulatorThread } from '../../src/cosmos';
import type { RunningCosmosEmulator } from '../../src/cosmos';
import { tempDir } from '../support/host';

const started: RunningCosmosEmulator[] = [];
const unexpected = jest.fn();
async function start(dbFile: string, port = 0): Promise<RunningCosmosEmulator> {
  const e = await startCosmosEmulatorThread({ dbFile, port, ttlSweepIntervalMs: 3_600_000, onUnexpectedExit: unexpected });
  started.push(e);
  return e;
}
afterEach(async () => {
  for (const e of started.splice(0)) await e.close();
  expect(unexpected).not.toHaveBeenCalled();
});

test('serves the SDK, counts requests and resources, keeps its data across a restart', async () => {
  const file = path.join(tempDir('cosmos-thread-'), 'cosmos.db');
  const first = await start(file);
  const client = new CosmosClient(emulatorClientOptions(first));
  const { database } = await client.databases.createIfNotExists({ id: 'db' });
  const { container } = await database.containers.createIfNotExists({ id: 'orders', partitionKey: { paths: ['/pk'] } });
  await container.items.create({ id: 'a', pk: 'p', n: 1 });
  await container.item('a', 'p').patch([{ op: 'incr', path: '/n', value: 1 }]);
  expect(await first.stats()).toEqual({ databases: 1, containers: 1, documents: 1 });
  expect(await first.requests()).toMatchObject({ POST: expect.any(Number), PATCH: 1 });
  await client.dispose();
  await first.close();

  const second = await start(file);
  const again = new CosmosClient(emulatorClientOptions(second));
  expect((await again.database('db').container('orders').item('a', 'p').read()).resource).toMatchObject({ n: 2 });
  expect(await second.stats()).toEqual({ databases: 1, containers: 1, documents: 1 });
  await again.dispose();
});

test('a port already taken fails the start, with the reason', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const file = path.join(tempDir('cosmos-thread-'), 'cosmos.db');
    await expect(start(file, (taken.address() as net.AddressInfo).port)).rejects.toThrow(/Cosmos DB emulator thread exited with code 1: .*EADDRINUSE/);
  } finally {
    taken.close();
  }
});
