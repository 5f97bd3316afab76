// Starts the embedded runtime as a child process (exactly as `npm start` does) on free ports and
// waits for its ready line, so tests exercise the real process, including kill -9 and restart.
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HistoryEvent } from '../durable/history';

/** The stand-in's command line, next to this module in the built package. */
const cli = path.resolve(__dirname, '..', 'cli.js');

export interface HostProcess {
  url: string;
  api: string;
  serviceBus: string;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** SIGKILL to the whole process group (the host and its children, e.g. Azurite): a machine-level crash. Needs `detached`. */
  killGroup(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Benchmarks measure with and without the app's telemetry: BENCH_APP_TELEMETRY=off. */
export const appTelemetryArgs = (): string[] => ['--app-telemetry', process.env.BENCH_APP_TELEMETRY === 'off' ? 'off' : 'on'];

export interface StartHostOptions {
  /** The Functions app's folder (host.json, package.json); default: the current directory. */
  appRoot?: string;
  /** Where state is kept; default: a new temporary folder. */
  dataDir?: string;
  env?: Record<string, string>;
  logLevel?: string;
  args?: string[];
  /** The host leads its own process group, so killGroup() can crash it with all its children. */
  detached?: boolean;
}

export async function startHost(opts: StartHostOptions = {}): Promise<HostProcess> {
  const dataDir = opts.dataDir ?? tempDir('rt-data-');
  const args = [cli, 'start', '--app-root', opts.appRoot ?? process.cwd(), '--port', '0', '--servicebus-port', '0', '--cosmos-port', '0', '--blob-port', '0', '--data-dir', dataDir, '--log-level', opts.logLevel ?? 'information', ...(opts.args ?? [])];
  // detached: the host leads its own process group, so a test can kill it with all its children.
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const ready = await new Promise<{ url: string; serviceBus: string }>((resolve, reject) => {
    // A loaded machine (parallel suites, a build beside them) can take longer:
    // STANDIN_START_TIMEOUT_MS. A host that does not come up is killed, not left running (and
    // loading the machine) after the test gives up on it; its Azurite child exits with it.
    const limitMs = Number(process.env.STANDIN_START_TIMEOUT_MS ?? 60_000);
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`host did not start in ${limitMs / 1000}s:\n${out}`));
    }, limitMs);
    const onData = () => {
      const m = /EMBEDDED_HOST_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(JSON.parse(m[1]) as { url: string; serviceBus: string });
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code} before it was ready:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url: ready.url,
    api: `${ready.url}/api`,
    serviceBus: ready.serviceBus,
    dataDir,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      // A stop that hangs must not hang the test run: the runtime's state is committed anyway.
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      await exited;
    },
    killGroup: async () => {
      if (!opts.detached) throw new Error('killGroup needs startHost({ detached: true })');
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
  };
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A history event as the status API shows it: formatted as the Durable extension formats it. */
export interface StatusHistoryEvent {
  /** The event type's name: ExecutionStarted, TaskCompleted, TimerCreated, EventRaised, … */
  EventType: string;
  Timestamp: string;
  [field: string]: unknown;
}

/** GET instances/{id} as the Durable extension answers it. */
export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  /** 'yyyy-MM-ddTHH:mm:ssZ' */
  createdTime: string;
  lastUpdatedTime: string;
  /** With `history`: the current execution's history, with its results (showHistoryOutput). */
  historyEvents?: StatusHistoryEvent[];
}

export async function status(h: HostProcess, id: string, history = false): Promise<InstanceStatus | undefined> {
  const res = await fetch(`${h.url}/durabletask/instances/${encodeURIComponent(id)}${history ? '?showHistory=true&showHistoryOutput=true' : ''}`);
  if (res.status === 404) return undefined;
  return (await res.json()) as InstanceStatus;
}

/**
 * The history the stand-in stores for the instance's current execution, unformatted: DTFx events
 * with numeric EventType, EventId and IsPlayed, the OrchestratorStarted/OrchestratorCompleted
 * that bound each episode, and every TaskScheduled. A stand-in extension of the status API
 * (`?standinRawHistory=true`), for tests that reason about episodes; undefined for an unknown instance.
 */
export async function rawHistory(h: HostProcess, id: string): Promise<HistoryEvent[] | undefined> {
  const res = await fetch(`${h.url}/durabletask/instances/${encodeURIComponent(id)}?standinRawHistory=true`);
  if (res.status === 404) return undefined;
  return ((await res.json()) as { historyEvents?: HistoryEvent[] }).historyEvents ?? [];
}

export async function startOrchestration(h: HostProcess, name: string, id: string, input?: unknown, version?: string): Promise<Response> {
  const query = version === undefined ? '' : `?version=${encodeURIComponent(version)}`;
  return fetch(`${h.api}/orchestrators/${name}/${encodeURIComponent(id)}${query}`, { method: 'POST', body: input === undefined ? undefined : JSON.stringify(input) });
}

export async function completed(h: HostProcess, id: string, timeoutMs = 20_000): Promise<InstanceStatus> {
  return waitFor(async () => {
    const s = await status(h, id);
    return s && ['Completed', 'Failed', 'Terminated'].includes(s.runtimeStatus) ? s : undefined;
  }, `instance ${id} to finish`, timeoutMs);
}

export function readEffects(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
