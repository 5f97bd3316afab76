// A local service in a worker thread of its own, so its request parsing, queries and SQLite
// writes leave the app's thread and use another core, as the service's own machines do in
// Azure. A thread dies with the process (SIGKILL leaves nothing behind), and the service's
// durability is unchanged: it commits before it answers, whichever thread it runs on.
//
// The worker's script calls serveInThread(); the parent calls startServiceThread() with that
// script, gets what the service reported when it was ready, and can ask it a few named questions
// (counters for dashboards and tests) and close it. A thread that exits unasked is reported.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

/** What a service in a thread offers its parent. */
export interface ThreadedService<Ready, Queries extends Record<string, unknown>> {
  /** Sent to the parent once the service can take requests, e.g. its endpoint. */
  ready: Ready;
  queries: { [K in keyof Queries]: () => Queries[K] | Promise<Queries[K]> };
  close(): Promise<void>;
}

export interface ServiceThread<Queries extends Record<string, unknown>> {
  ask<K extends keyof Queries & string>(query: K): Promise<Queries[K]>;
  /** Closes the service and waits for its thread to end; idempotent. */
  close(): Promise<void>;
}

export interface ServiceThreadOptions {
  /** For messages, e.g. "Cosmos DB emulator". */
  name: string;
  /** Compiled worker script (absolute path) that calls serveInThread(). */
  script: string;
  /** Passed to the service's start function (structured-cloned: plain data only). */
  data: unknown;
  /**
   * Called once if the thread ends without being asked to (an uncaught error, or the service
   * exiting because it could not store a change): the caller must not carry on as if it ran.
   */
  onUnexpectedExit(err: Error): void;
}

type ToThread = { kind: 'ask'; id: number; query: string } | { kind: 'close' };
type FromThread =
  | { kind: 'ready'; value: unknown }
  | { kind: 'failed'; message: string }
  | { kind: 'answer'; id: number; value: unknown }
  | { kind: 'refused'; id: number; message: string };

/** A closing service that does not end in this time is terminated. */
const closeTimeoutMs = 10_000;

export async function startServiceThread<Ready, Queries extends Record<string, unknown>>(o: ServiceThreadOptions): Promise<{ ready: Ready; thread: ServiceThread<Queries> }> {
  const worker = new Worker(o.script, { workerData: o.data });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 0;
  let closing = false;
  let started = false;
  let lastError: Error | undefined;
  let exitCode: number | undefined;
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));

  worker.on('error', (err) => (lastError = err));
  const ready = new Promise<Ready>((resolve, reject) => {
    worker.on('message', (m: FromThread) => {
      if (m.kind === 'ready') resolve(m.value as Ready);
      else if (m.kind === 'failed') lastError = new Error(m.message);
      else {
        const call = pending.get(m.id);
        pending.delete(m.id);
        if (m.kind === 'answer') call?.resolve(m.value);
        else call?.reject(new Error(m.message));
      }
    });
    void exited.then((code) => {
      exitCode = code;
      const err = new Error(`${o.name} thread exited with code ${code}${lastError ? `: ${lastError.message}` : ''}`);
      for (const call of pending.values()) call.reject(err);
      pending.clear();
      // Before it is ready, an exit is the start's failure (rejected here), not the callback's.
      reject(err);
      if (started && !closing) o.onUnexpectedExit(err);
    });
  });
  const value = await ready;
  started = true;

  let closed: Promise<void> | undefined;
  return {
    ready: value,
    thread: {
      ask: <K extends keyof Queries & string>(query: K) =>
        new Promise<Queries[K]>((resolve, reject) => {
          if (exitCode !== undefined) return reject(new Error(`${o.name} thread has ended`));
          const id = nextId++;
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          worker.postMessage({ kind: 'ask', id, query } satisfies ToThread);
        }),
      close: () =>
        (closed ??= (async () => {
          closing = true;
          if (exitCode !== undefined) return;
          worker.postMessage({ kind: 'close' } satisfies ToThread);
          const timer = setTimeout(() => void worker.terminate(), closeTimeoutMs);
          await exited;
          clearTimeout(timer);
        })()),
    },
  };
}

/**
 * The worker script's side: starts the service with the parent's data, reports it ready,
 * answers queries, and on close closes it and ends the thread.
 */
export function serveInThread<Ready, Queries extends Record<string, unknown>>(start: (data: unknown) => Promise<ThreadedService<Ready, Queries>>): void {
  if (isMainThread || !parentPort) throw new Error('serveInThread() runs in a worker thread');
  const port = parentPort;
  const send = (m: FromThread) => port.postMessage(m);
  start(workerData).then(
    (service) => {
      port.on('message', (m: ToThread) => {
        if (m.kind === 'close') {
          service.close().then(
            () => process.exit(0), // ends this thread only
            (err: unknown) => {
              console.error(err);
              process.exit(1);
            },
          );
          return;
        }
        const query = service.queries[m.query as keyof Queries];
        Promise.resolve()
          .then(() => {
            if (!query) throw new Error(`unknown query "${m.query}"`);
            return query();
          })
          .then(
            (value) => send({ kind: 'answer', id: m.id, value }),
            (err: unknown) => send({ kind: 'refused', id: m.id, message: err instanceof Error ? err.message : String(err) }),
          );
      });
      send({ kind: 'ready', value: service.ready });
    },
    (err: unknown) => {
      send({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    },
  );
}
