// A local Cosmos DB (NoSQL API) for the embedded runtime: @vercel/cosmosdb-server speaking the
// REST protocol to the real @azure/cosmos SDK over plain HTTP, with its state written through
// to SQLite before each response (so it survives restarts and SIGKILL), and Cosmos TTL.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import type { CosmosClientOptions } from '@azure/cosmos';
import { prepareAccountCapture, takeCreatedAccount } from './emulator-internals';
import type { Account, CollectionItem, DatabaseItem } from './emulator-internals';
import { inRequestPartition, installPartitionScopedQueries } from './partition-scope';
import { SqliteItemStore } from './sqlite-item-store';
import { sweepExpired } from './ttl-sweeper';
import { attachStore } from './write-through';

/** The Azure Cosmos DB emulator's published key (not a secret); the server checks no auth. */
export const emulatorKey = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nqT9nq3P9b2tzd8SbAJs5TVkSDc3MrkCVO3kQW6hbwDpc6uC1o3XyYyEjv3xSBFUk2Vh4ILb7QNgLdgdo/TThx4UGTnQz2CQNBdZzRSxFLyhIQEFj0xgbXm0HQ==';

export interface CosmosEmulatorOptions {
  /** SQLite file holding the state (created if missing). */
  dbFile: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How often expired items are deleted; default 1000. */
  ttlSweepIntervalMs?: number;
  /** Clock for TTL expiry (ms); the server itself stamps _ts from Date.now(). */
  now?: () => number;
}

export interface RunningCosmosEmulator {
  /** e.g. http://127.0.0.1:8081 */
  endpoint: string;
  key: string;
  close(): Promise<void>;
  /** Asynchronous: the emulator may run in another thread (emulator-thread.ts). */
  stats(): Promise<CosmosStats>;
  /** Requests served, by HTTP method (the emulator charges 1 RU each; Azure's charges vary). */
  requests(): Promise<Record<string, number>>;
}

export interface CosmosStats {
  databases: number;
  containers: number;
  documents: number;
}

/** Exit code when a change cannot be stored: it must not be acknowledged, and memory is now ahead. */
const cannotPersist = 70;

export async function startCosmosEmulator(o: CosmosEmulatorOptions): Promise<RunningCosmosEmulator> {
  const host = o.host ?? '127.0.0.1';
  const now = o.now ?? Date.now;
  const store = new SqliteItemStore(o.dbFile);
  installPartitionScopedQueries();
  const commit = () => {
    try {
      store.flush();
    } catch (err) {
      console.error('Cosmos emulator: a change could not be stored; exiting before acknowledging it', err);
      process.exit(cannotPersist);
    }
  };

  const server = createHttpServer({ keepAlive: true });
  // Longer than any client's idle-socket timeout: otherwise the server may close a keep-alive
  // socket just as the SDK reuses it, and the request fails with "socket hang up".
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  // Every response, success or error, is preceded by the commit of what the request changed.
  const serve = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const requests: Record<string, number> = {};
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests[req.method ?? 'GET'] = (requests[req.method ?? 'GET'] ?? 0) + 1;
    const end = res.end as (...args: unknown[]) => ServerResponse;
    res.end = function (this: ServerResponse, ...args: unknown[]) {
      commit();
      return end.apply(this, args);
    } as ServerResponse['end'];
    inRequestPartition(req, () => serve.forEach((listener) => listener.call(server, req, res)));
  });

  prepareAccountCapture();
  let account: Account;
  try {
    account = await new Promise<Account>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, host, () => {
        server.off('error', reject);
        resolve(takeCreatedAccount());
      });
    });
    attachStore(account, store);
  } catch (err) {
    server.close();
    store.close();
    throw err;
  }

  const { port } = server.address() as AddressInfo;
  const visibleHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const endpoint = `http://${visibleHost.includes(':') ? `[${visibleHost}]` : visibleHost}:${port}`;
  // The account document advertises https://; a client doing endpoint discovery would switch to
  // TLS and fail. Advertise what is served, so clients with default options work too.
  for (const location of [...account._data.writableLocations, ...account._data.readableLocations]) location.databaseAccountEndpoint = `${endpoint}/`;

  const timer = setInterval(() => {
    try {
      sweepExpired(account, now());
    } catch (err) {
      console.error('Cosmos emulator: TTL sweep failed', err);
    }
    commit();
  }, o.ttlSweepIntervalMs ?? 1000);
  timer.unref();

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    key: emulatorKey,
    stats: () => Promise.resolve(countResources(account)),
    requests: () => Promise.resolve({ ...requests }),
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections(); // keep-alive sockets would hold close() open
        });
        store.close();
      })()),
  };
}

function countResources(account: Account): CosmosStats {
  const counts = { databases: 0, containers: 0, documents: 0 };
  for (const database of account.databases._data.values()) {
    counts.databases++;
    for (const container of (database as DatabaseItem).collections._data.values()) {
      counts.containers++;
      counts.documents += (container as CollectionItem).documents._data.size;
    }
  }
  return counts;
}

/** Options for a CosmosClient that talks to this emulator. */
export function emulatorClientOptions(e: RunningCosmosEmulator): CosmosClientOptions {
  // No endpoint discovery: there is one location, and no background refresh of it is needed.
  return { endpoint: e.endpoint, key: e.key, connectionPolicy: { enableEndpointDiscovery: false } };
}
