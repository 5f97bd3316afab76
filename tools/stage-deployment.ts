// npm run package — stages what Azure runs in .deploy/: host.json, a package.json with the
// product's production dependencies, the compiled product (dist/functions, domain, application,
// adapters) and exactly the node_modules a production install of those dependencies holds, copied
// from this workspace's install. `func azure functionapp publish` runs from there (README, Deploy):
// npm workspaces install the local packages' dependencies (emulators among them) as production
// ones, so neither `npm prune --omit=dev` nor a .funcignore in the workspace would keep them out.
import fs from 'node:fs';
import path from 'node:path';

interface LockEntry { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; link?: boolean; resolved?: string }
interface Manifest { name: string; version: string; description?: string; license?: string; main: string; engines?: Record<string, string>; dependencies: Record<string, string> }

const productFolders = ['functions', 'domain', 'application', 'adapters'];

/** Where Node finds `name` from a package at `from` (a lockfile path): the nearest node_modules up the tree. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
  }
}

/** The lockfile paths of every package a production install of the root's dependencies holds. */
export function productionClosure(root: string): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages = lock.packages;
  const seen = new Set<string>();
  const visit = (from: string, deps: Record<string, string> | undefined, optional: boolean) => {
    for (const name of Object.keys(deps ?? {})) {
      const at = resolveIn(packages, from, name);
      if (!at) {
        if (optional) continue;
        throw new Error(`${from || 'the app'} depends on ${name}, which the lockfile does not hold`);
      }
      if (seen.has(at)) continue;
      seen.add(at);
      const entry = packages[at];
      if (entry.link) throw new Error(`${name} is a workspace link (${entry.resolved}): deployed code must not depend on a local package`);
      visit(at, entry.dependencies, false);
      visit(at, entry.optionalDependencies, true);
      visit(at, entry.peerDependencies, true);
    }
  };
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest & { optionalDependencies?: Record<string, string> };
  visit('', manifest.dependencies, false);
  visit('', manifest.optionalDependencies, true);
  return [...seen].sort();
}

export function stageDeployment(root: string, out: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  if (!fs.existsSync(path.join(root, manifest.main))) throw new Error(`${manifest.main} is missing: run npm run build first`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  fs.copyFileSync(path.join(root, 'host.json'), path.join(out, 'host.json'));
  const { name, version, description, license, main, engines, dependencies } = manifest;
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ name, version, description, license, main, engines, dependencies }, null, 2)}\n`);
  for (const folder of productFolders) fs.cpSync(path.join(root, 'dist', folder), path.join(out, 'dist', folder), { recursive: true });
  // Nested packages are copied with their parents' folders, so each closure entry once, outermost first.
  for (const p of productionClosure(root)) {
    const target = path.join(out, p);
    if (fs.existsSync(target)) continue;
    fs.cpSync(path.join(root, p), target, { recursive: true, dereference: true, filter: (src) => !src.slice(path.join(root, p).length).includes(`${path.sep}node_modules${path.sep}`) && !src.endsWith(`${path.sep}node_modules`) });
  }
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  const out = path.join(root, '.deploy');
  stageDeployment(root, out);
  console.log(`Staged ${out}: publish it with (cd .deploy && func azure functionapp publish <app>)`);
}
