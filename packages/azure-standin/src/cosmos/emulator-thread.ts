// The Cosmos DB emulator in a worker thread of its own: the SDK's requests are parsed, evaluated
// and written through to SQLite on another core than the app's. Same endpoint, data and
// durability as startCosmosEmulator() in the caller's thread, which it runs.
import path from 'node:path';
import { startServiceThread } from '../core/service-thread';
import type { CosmosEmulatorOptions, RunningCosmosEmulator } from './durable-cosmos-server';
import type { CosmosThreadQueries, CosmosThreadReady } from './emulator-worker';

export interface CosmosThreadOptions extends Omit<CosmosEmulatorOptions, 'now'> {
  /**
   * The thread ended without being closed: an uncaught error, or a change it could not store
   * (it exits rather than acknowledge it). Requests to the endpoint now fail.
   */
  onUnexpectedExit(err: Error): void;
}

export async function startCosmosEmulatorThread(o: CosmosThreadOptions): Promise<RunningCosmosEmulator> {
  const { onUnexpectedExit, ...options } = o;
  const { ready, thread } = await startServiceThread<CosmosThreadReady, CosmosThreadQueries>({
    name: 'Cosmos DB emulator',
    script: path.join(__dirname, 'emulator-worker.js'),
    data: options,
    onUnexpectedExit,
  });
  return {
    endpoint: ready.endpoint,
    key: ready.key,
    stats: () => thread.ask('stats'),
    requests: () => thread.ask('requests'),
    close: () => thread.close(),
  };
}
