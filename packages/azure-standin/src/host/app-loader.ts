// Loads the app the way the Node worker does: every file matched by package.json `main` is
// required with `@azure/functions-core` available, appStart hooks run, then registration locks.
import fs from 'node:fs';
import path from 'node:path';
import { FunctionRegistry, installCoreModule } from './core-api';
import { expandGlob } from './glob';

export function resolveEntryFiles(appRoot: string, mainOverride?: string): string[] {
  let main = mainOverride;
  if (!main) {
    const pkgFile = path.join(appRoot, 'package.json');
    if (!fs.existsSync(pkgFile)) throw new Error(`package.json not found in ${appRoot}`);
    main = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { main?: string }).main;
    if (!main) throw new Error(`package.json in ${appRoot} has no "main": it must point at the app's entry file(s)`);
  }
  const files = /[*?]/.test(main) ? expandGlob(appRoot, main) : [path.resolve(appRoot, main)].filter((f) => fs.existsSync(f));
  if (files.length === 0) throw new Error(`"main" (${main}) matches no file under ${appRoot}: is the app built?`);
  return files;
}

export async function loadApp(registry: FunctionRegistry, files: string[]): Promise<void> {
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
  for (const hook of registry.hooks.get('appStart') ?? []) {
    await hook({ hookData: {}, appHookData: {}, functionAppDirectory: process.cwd() });
  }
  registry.lock();
  await registry.programmingModel.getCapabilities({});
}
