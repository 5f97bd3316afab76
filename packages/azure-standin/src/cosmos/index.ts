// The local, durable Cosmos DB of the embedded runtime (docs/cosmos-emulation.md).
export { emulatorClientOptions, emulatorKey, startCosmosEmulator } from './durable-cosmos-server';
export type { CosmosEmulatorOptions, RunningCosmosEmulator } from './durable-cosmos-server';
