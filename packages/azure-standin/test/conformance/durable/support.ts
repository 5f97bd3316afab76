// The Durable conformance app (test/conformance/apps/durable) on the stand-in, and what its tests
// share: its effects, its gates, the Durable HTTP API.
import fs from 'node:fs';
import path from 'node:path';
import { completed, HostProcess, readEffects, startHost, status, tempDir, waitFor } from '../../support/host';

export const durableAppRoot = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'conformance', 'apps', 'durable');

export interface DurableApp {
  host: HostProcess;
  /** The effects the app's activities recorded, of one kind. */
  effects(kind: string): Record<string, unknown>[];
  openGate(key: string): void;
  /** GET/POST/DELETE on the Durable HTTP API's RPC base (/durabletask/). */
  api(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** A call of one of the app's client functions (durable-functions' DurableClient). */
  client(op: string, id?: string, query?: Record<string, string>, body?: unknown): Promise<Response>;
  start(name: string, id: string, input?: unknown): Promise<Response>;
  finished(id: string, timeoutMs?: number): ReturnType<typeof completed>;
  statusIs(id: string, runtimeStatus: string): Promise<void>;
}

/** `env`: extra settings for the host, e.g. AzureFunctionsJobHost__ overrides of host.json. */
export async function startDurableApp(env: Record<string, string> = {}): Promise<DurableApp> {
  const dir = tempDir('durable-conformance-');
  const effectsFile = path.join(dir, 'effects.jsonl');
  const gates = path.join(dir, 'gates');
  fs.mkdirSync(gates);
  const host = await startHost({ appRoot: durableAppRoot, env: { ...env, CONFORMANCE_EFFECTS_FILE: effectsFile, CONFORMANCE_GATE_DIR: gates } });
  return {
    host,
    effects: (kind) => readEffects(effectsFile).filter((e) => e.kind === kind),
    openGate: (key) => fs.writeFileSync(path.join(gates, key), ''),
    api: (p, init) => fetch(`${host.url}/durabletask/${p}`, init),
    client: (op, id, query, body) => {
      const q = query ? `?${new URLSearchParams(query).toString()}` : '';
      return fetch(`${host.api}/client/${op}${id === undefined ? '' : `/${encodeURIComponent(id)}`}${q}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
    },
    start: (name, id, input) => fetch(`${host.api}/orchestrators/${name}/${encodeURIComponent(id)}`, { method: 'POST', body: input === undefined ? undefined : JSON.stringify(input) }),
    finished: (id, timeoutMs) => completed(host, id, timeoutMs),
    statusIs: async (id, runtimeStatus) => {
      await waitFor(async () => ((await status(host, id))?.runtimeStatus === runtimeStatus ? true : undefined), `${id} to be ${runtimeStatus}`);
    },
  };
}

export const hex32 = /^[0-9a-f]{32}$/;
/** The status API's createdTime / lastUpdatedTime: DateTime.ToString("s") + "Z". */
export const statusTimeFormat = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
