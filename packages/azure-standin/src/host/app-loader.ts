// Loads the app the way the Node worker does: every file matched by package.json `main` is
// required with `@azure/functions-core` available, appStart hooks run, then registration locks
// and the programming model reports its capabilities (HttpUri when HTTP streaming is on).
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { FunctionRegistry, installCoreModule } from './core-api';

/**
 * The files package.json `main` names, in the order the worker loads them. The worker (startApp.ts)
 * runs `globby(main, { cwd: appDir })`: globby 11, i.e. fast-glob 3 after globby's
 * `expandDirectories` (a pattern naming a directory means everything under it). So braces
 * ("dist/src/{index.js,functions/*.js}"), `**`, `?` and leading `../` all work, results come in
 * fast-glob's order (the brace alternatives in turn, each directory's entries sorted, shallower
 * first), and dot files are not matched by wildcards.
 */
export async function resolveEntryFiles(appRoot: string, mainOverride?: string): Promise<string[]> {
  let main = mainOverride;
  if (!main) {
    const pkgFile = path.join(appRoot, 'package.json');
    if (!fs.existsSync(pkgFile)) throw new Error(`package.json not found in ${appRoot}`);
    main = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { main?: string }).main;
    if (!main) throw new Error(`package.json in ${appRoot} has no "main": it must point at the app's entry file(s)`);
  }
  const pattern = isDirectory(path.resolve(appRoot, main)) ? path.posix.join(main, '**') : main;
  const files = await fg(pattern, { cwd: appRoot });
  if (files.length === 0) {
    // The worker's own wording, plus where we looked.
    const why = fg.isDynamicPattern(main) ? 'Found zero files matching the supplied pattern' : 'File does not exist';
    throw new Error(`Worker was unable to load entry point "${main}": ${why} (under ${appRoot}; is the app built?)`);
  }
  return files.map((f) => path.join(appRoot, f));
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** What the Node worker reports to the host before the programming model adds its own (getWorkerCapabilities.ts). */
export const workerCapabilities: Readonly<Record<string, string>> = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

/**
 * Requires the entry files, runs the appStart hooks, locks registration and returns the worker's
 * capabilities as the programming model completes them (with `HttpUri` when the app called
 * `app.setup({ enableHttpStream: true })`).
 */
export async function loadApp(registry: FunctionRegistry, files: string[], functionAppDirectory: string): Promise<Record<string, string>> {
  installCoreModule(registry);
  for (const file of files) {
    try {
      // The worker loads CommonJS entry points with require, so module state is shared as on Azure.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file);
    } catch (err) {
      throw new Error(`Worker was unable to load entry point "${file}": ${(err as Error).stack ?? String(err)}`);
    }
  }
  if (!registry.programmingModel) {
    throw new Error('The app registered no functions through @azure/functions v4 (no programming model was set).');
  }
  await registry.runHooks('appStart', registry.appHookContext(functionAppDirectory));
  registry.lock();
  return registry.programmingModel.getCapabilities({ ...workerCapabilities });
}
