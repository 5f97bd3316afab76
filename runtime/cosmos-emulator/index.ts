// A local Cosmos DB (NoSQL API) for the embedded runtime: @vercel/cosmosdb-server speaking the
// REST protocol to the real @azure/cosmos SDK, made durable by a SQLite journal, with TTL.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import type { CosmosClientOptions } from '@azure/cosmos';
import { captureAccounts, takeCreatedAccount } from './emulator-internals';
import { SqliteJournal } from './sqlite-journal';
import { sweepExpired } from './ttl-sweeper';

/** The Azure Cosmos DB emulator's published, well-known key (not a secret). */
export const emulatorKey = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nqT9nq3P9b2tzd8SbAJs5TVkSDc3MrkCVO3kQW6hbwDpc6uC1o3XyYyEjv3xSBFUk2Vh4ILb7QNgLdgdo/TThx4UGTnQz2CQNBdZzRSxFLyhIQEFj0xgbXm0HQ==';

export interface CosmosEmulatorOptions {
  dbFile: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  ttlSweepIntervalMs?: number;
  now?: () => number;
  /** Called if a change cannot be made durable; the default exits, as nothing may be acknowledged. */
  onFatal?: (err: unknown) => void;
}

export interface RunningCosmosEmulator {
  endpoint: string;
  key: string;
  stats(): { databases: number; containers: number; documents: number };
  /** Deletes expired items now (the sweeper also runs on its own); returns how many. */
  sweep(): number;
  close(): Promise<void>;
}

export async function startCosmosEmulator(o: CosmosEmulatorOptions): Promise<RunningCosmosEmulator> {
  const now = o.now ?? Date.now;
  const host = o.host ?? '127.0.0.1';
  const journal = new SqliteJournal(o.dbFile);
  const fatal = o.onFatal ?? ((err: unknown) => {
    console.error('Cosmos emulator: a change could not be made durable; exiting', err);
    process.exit(70);
  });
  captureAccounts();
  const server = createHttpServer({ keepAlive: true } as http.ServerOptions);
  const [serve] = server.listeners('request') as ((req: http.IncomingMessage, res: http.ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
    res.end = ((chunk?: unknown) => {
      try {
        journal.flush();
      } catch (err) {
        fatal(err);
        res.statusCode = 500;
        return end(JSON.stringify({ code: 'InternalServerError', message: 'the change could not be made durable' }));
      }
      // The account document advertises https endpoints; over plain HTTP the SDK's endpoint
      // discovery would then switch to TLS and fail, so advertise what is really served.
      if (req.method === 'GET' && req.url === '/' && typeof chunk === 'string') chunk = chunk.replace(/"https:\/\//g, '"http://');
      return end(chunk);
    }) as typeof res.end;
    serve(req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const account = takeCreatedAccount();
  let counts = journal.attach(account);
  const port = (server.address() as AddressInfo).port;
  const sweep = () => {
    const removed = sweepExpired(account, now());
    journal.flush();
    return removed;
  };
  const timer = setInterval(() => {
    try {
      sweep();
    } catch (err) {
      fatal(err);
    }
  }, o.ttlSweepIntervalMs ?? 1000);
  timer.unref();
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    endpoint: `http://${urlHost}:${port}/`,
    key: emulatorKey,
    stats: () => {
      counts = { databases: 0, containers: 0, documents: 0 };
      for (const db of account.databases._data.values()) {
        counts.databases++;
        for (const coll of db.collections?._data.values() ?? []) {
          counts.containers++;
          counts.documents += coll.documents?._data.size ?? 0;
        }
      }
      return counts;
    },
    sweep,
    close: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      journal.close();
    },
  };
}

/** Client options for this emulator (key auth; the endpoint is plain HTTP). */
export function emulatorClientOptions(e: RunningCosmosEmulator): CosmosClientOptions {
  return { endpoint: e.endpoint, key: e.key };
}
