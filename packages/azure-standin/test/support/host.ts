// The stand-in's own tests run the fixture app (test/fixtures/runtime-app) unless they name another.
import path from 'node:path';
import { startHost as start } from '../../src/testing';
import type { HostProcess, StartHostOptions } from '../../src/testing';

export * from '../../src/testing';
export const runtimeAppRoot = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'runtime-app');
export const startHost = (opts: StartHostOptions = {}): Promise<HostProcess> => start({ ...opts, appRoot: opts.appRoot ?? runtimeAppRoot });

/** The node_modules folder the workspace installed @azure/functions into, for throwaway apps to resolve it from. */
export function installedNodeModules(): string {
  const entry = require.resolve('@azure/functions');
  return entry.slice(0, entry.lastIndexOf(`${path.sep}node_modules${path.sep}`) + `${path.sep}node_modules`.length);
}
