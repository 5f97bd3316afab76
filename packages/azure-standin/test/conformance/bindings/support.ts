// The bindings conformance app (test/conformance/apps/bindings) on the stand-in, and its effects.
import path from 'node:path';
import { HostProcess, readEffects, startHost, tempDir } from '../../support/host';

export const bindingsAppRoot = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'conformance', 'apps', 'bindings');

export interface BindingsApp {
  host: HostProcess;
  effects(kind: string): Record<string, unknown>[];
  restart(): Promise<void>;
}

export async function startBindingsApp(): Promise<BindingsApp> {
  const effectsFile = path.join(tempDir('bindings-conformance-'), 'effects.jsonl');
  const env = { CONFORMANCE_EFFECTS_FILE: effectsFile, STANDIN_BLOB_POLL_MS: '300' };
  const app: BindingsApp = {
    host: await startHost({ appRoot: bindingsAppRoot, env }),
    effects: (kind) => readEffects(effectsFile).filter((e) => e.kind === kind),
    restart: async () => {
      await app.host.stop();
      app.host = await startHost({ appRoot: bindingsAppRoot, env, dataDir: app.host.dataDir });
    },
  };
  return app;
}
