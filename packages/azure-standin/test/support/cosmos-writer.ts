// Child process for the crash test: starts the durable Cosmos emulator on the file given as the
// first argument and writes until killed, in a few concurrent lanes, printing "ACK <id> <version>"
// once the SDK has the acknowledgement. Lanes alternate creating new documents and replacing
// (by upsert) one they created earlier, so both write paths are interrupted by the kill.
import { CosmosClient } from '@azure/cosmos';
import { emulatorClientOptions, startCosmosEmulator } from '../../src/cosmos';

const lanes = 4;

async function main(): Promise<void> {
  const emulator = await startCosmosEmulator({ dbFile: process.argv[2] });
  const client = new CosmosClient(emulatorClientOptions(emulator));
  const { database } = await client.databases.createIfNotExists({ id: 'crash' });
  const { container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/pk'] } });
  process.stdout.write('READY\n');
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      const versions: number[] = [];
      for (let i = 0; ; i++) {
        // Every third write bumps the version of an earlier document of this lane.
        const k = i % 3 === 2 ? (i * 7) % versions.length : versions.length;
        versions[k] = (versions[k] ?? 0) + 1;
        const id = `l${lane}-${k}`;
        await container.items.upsert({ id, pk: `p${k % 5}`, version: versions[k] });
        process.stdout.write(`ACK ${id} ${versions[k]}\n`);
      }
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
