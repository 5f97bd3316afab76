// The local, durable Cosmos DB of the stand-in (docs/cosmos-emulation.md).
export { emulatorClientOptions, emulatorKey, startCosmosEmulator } from './durable-cosmos-server';
export type { CosmosEmulatorOptions, CosmosStats, RunningCosmosEmulator } from './durable-cosmos-server';
export { startCosmosEmulatorThread } from './emulator-thread';
export type { CosmosThreadOptions } from './emulator-thread';
