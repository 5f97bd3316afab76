// The worker thread that runs the Cosmos DB emulator for emulator-thread.ts.
import { serveInThread } from '../core/service-thread';
import { startCosmosEmulator } from './durable-cosmos-server';
import type { CosmosEmulatorOptions, CosmosStats } from './durable-cosmos-server';

export interface CosmosThreadReady {
  endpoint: string;
  key: string;
}

export interface CosmosThreadQueries extends Record<string, unknown> {
  stats: CosmosStats;
  requests: Record<string, number>;
}

serveInThread<CosmosThreadReady, CosmosThreadQueries>(async (data) => {
  const emulator = await startCosmosEmulator(data as CosmosEmulatorOptions);
  return {
    ready: { endpoint: emulator.endpoint, key: emulator.key },
    queries: { stats: () => emulator.stats(), requests: () => emulator.requests() },
    close: () => emulator.close(),
  };
});
