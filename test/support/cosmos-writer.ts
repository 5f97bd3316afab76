// Child process for the crash test: starts the durable Cosmos emulator on a given file and
// upserts documents one after another, printing each id once the SDK has its acknowledgement.
import { CosmosClient } from '@azure/cosmos';
import { startCosmosEmulator } from '../../runtime/cosmos-emulator';

async function main(): Promise<void> {
  const emulator = await startCosmosEmulator({ dbFile: process.argv[2] });
  const client = new CosmosClient({ endpoint: emulator.endpoint, key: emulator.key });
  const { database } = await client.databases.createIfNotExists({ id: 'crash' });
  const { container } = await database.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/pk'] } });
  process.stdout.write('READY\n');
  for (let i = 0; ; i++) {
    await container.items.upsert({ id: `doc-${i}`, pk: `p${i % 7}`, n: i });
    process.stdout.write(`ACK doc-${i}\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
