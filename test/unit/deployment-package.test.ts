// What `npm run package` stages for `func azure functionapp publish` (README, Deploy) holds the
// product and a production install of its dependencies, nothing else: no local stand-in,
// emulators, simulators, tests, benchmarks or sources, and everything the deployed code requires
// is in it. Core Tools zips every file of the folder but .git/, .vscode/ and local.settings.json.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { swaggerUiFiles } from '../../functions/http/docs-assets';
import { productionClosure, stageDeployment } from '../../tools/stage-deployment';

const root = path.resolve(__dirname, '..', '..', '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function filesUnder(dir: string, skip: (rel: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (skip(p)) continue;
      if (e.isDirectory()) walk(p);
      else found.push(p);
    }
  };
  walk('');
  return found.sort();
}

stageDeployment(root, out);
const files = filesUnder(out, (p) => p === 'node_modules' || /(^|\/)(\.git|\.vscode)$/.test(p) || p === 'local.settings.json');
const modules = new Set(fs.readdirSync(path.join(out, 'node_modules')).flatMap((n) => (n.startsWith('@') ? fs.readdirSync(path.join(out, 'node_modules', n)).map((s) => `${n}/${s}`) : [n])));

test('the package holds host.json, package.json and the compiled product, nothing else of ours', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')) as { main: string; devDependencies?: unknown; workspaces?: unknown };
  expect(manifest.devDependencies).toBeUndefined();
  expect(manifest.workspaces).toBeUndefined();
  for (const f of ['host.json', 'package.json', manifest.main]) expect(files).toContain(f);
  expect(files.filter((f) => !/^(host|package)\.json$/.test(f) && !/^dist\/(functions|domain|application|adapters)\//.test(f))).toEqual([]);
  expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test('node_modules is a production install: no stand-in, emulator, simulator or dev tooling, but the SDKs the product uses', () => {
  for (const dev of ['azure-standin', 'commerce-simulators', 'azurite', '@vercel/cosmosdb-server', 'better-sqlite3', 'jest', 'typescript', 'eslint', 'fast-check']) {
    expect({ dev, shipped: modules.has(dev) }).toEqual({ dev, shipped: false });
  }
  for (const prod of ['@azure/functions', 'durable-functions', '@azure/cosmos', '@azure/service-bus', '@paypal/paypal-server-sdk', 'zod']) expect(modules.has(prod)).toBe(true);
  // Far fewer packages than the workspace installs.
  const installed = Object.keys((JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: object }).packages).length;
  expect(productionClosure(root).length).toBeLessThan(installed / 2);
});

test('every module the deployed code requires is in the package', () => {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const shipped = new Set(files);
  const missing: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    for (const [, spec] of fs.readFileSync(path.join(out, file), 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)) {
      if (builtins.has(spec)) continue;
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        if (![target, `${target}.js`, `${target}.json`, `${target}/index.js`].some((t) => shipped.has(t))) missing.push(`${file} -> ${spec}`);
      } else if (!modules.has(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])) missing.push(`${file} -> ${spec}`);
    }
  }
  expect(missing).toEqual([]);
});

test('the API docs page\'s Swagger UI files ship with swagger-ui-dist (read from disk, not required)', () => {
  for (const f of swaggerUiFiles) expect({ f, shipped: fs.existsSync(path.join(out, 'node_modules', 'swagger-ui-dist', f)) }).toEqual({ f, shipped: true });
});
