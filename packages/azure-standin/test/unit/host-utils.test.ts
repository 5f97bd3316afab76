import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveEntryFiles } from '../../src/host/app-loader';
import { WakeupQueue } from '../../src/durable/wakeups';

/** An app folder with the given (empty) files and package.json `main`. */
function appWith(main: string | undefined, files: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'entry-'));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '');
  }
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify(main === undefined ? {} : { main }));
  return root;
}

// The worker resolves `main` with globby 11 (fast-glob 3) from the app folder and loads the files
// in the order it returns them (azure-functions-nodejs-worker src/startApp.ts).
describe('resolveEntryFiles resolves package.json "main" as the Node worker does', () => {
  const files = ['dist/src/index.js', 'dist/src/setup.js', 'dist/src/other.js', 'dist/src/functions/b.js', 'dist/src/functions/a.js', 'dist/src/functions/a.js.map', 'dist/src/functions/.hidden.js', 'dist/src/functions/deep/z.js', 'c1/q.js'];
  const resolved = async (main: string, root = appWith(main, files)) => (await resolveEntryFiles(root)).map((f) => path.relative(root, f));

  test('braces, as in the current templates: each alternative in turn, a wildcard\'s matches sorted', async () => {
    expect(await resolved('dist/src/{index.js,setup.js,functions/*.js}')).toEqual(['dist/src/index.js', 'dist/src/setup.js', 'dist/src/functions/a.js', 'dist/src/functions/b.js']);
    expect(await resolved('dist/src/{setup.js,index.js}')).toEqual(['dist/src/setup.js', 'dist/src/index.js']);
  });

  test('*, ? and ** (a directory\'s files before its subdirectories\'), never dot files', async () => {
    expect(await resolved('dist/src/functions/*.js')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js']);
    expect(await resolved('dist/src/functions/**/*.js')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/functions/deep/z.js']);
    expect(await resolved('dist/src/functions/?.js')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/b.js']);
    // fast-glob 3 (3.2.7 in the worker's lock file, as 3.3.3 here) never matches a folder name
    // against `?`: such a "main" finds nothing on Azure either.
    await expect(resolved('c?/*.js')).rejects.toThrow(/Found zero files/);
  });

  test('a plain path, one relative to a parent folder, and an override of "main"', async () => {
    const root = appWith('dist/src/index.js', files);
    expect(await resolved('dist/src/index.js', root)).toEqual(['dist/src/index.js']);
    const nested = path.join(root, 'app');
    fs.mkdirSync(nested);
    fs.writeFileSync(path.join(nested, 'package.json'), JSON.stringify({ main: '../dist/src/{index.js,functions/b.js}' }));
    expect((await resolveEntryFiles(nested)).map((f) => path.relative(root, f))).toEqual(['dist/src/index.js', 'dist/src/functions/b.js']);
    expect((await resolveEntryFiles(root, 'c1/*.js')).map((f) => path.relative(root, f))).toEqual(['c1/q.js']);
  });

  test('a "main" that names a directory means every file under it (globby\'s expandDirectories)', async () => {
    expect(await resolved('dist/src/functions')).toEqual(['dist/src/functions/a.js', 'dist/src/functions/a.js.map', 'dist/src/functions/b.js', 'dist/src/functions/deep/z.js']);
  });

  test('nothing matched is an error in the worker\'s words', async () => {
    await expect(resolveEntryFiles(appWith('missing/*.js', files))).rejects.toThrow(/unable to load entry point "missing\/\*\.js": Found zero files matching the supplied pattern/);
    await expect(resolveEntryFiles(appWith('dist/index.js', files))).rejects.toThrow(/unable to load entry point "dist\/index\.js": File does not exist/);
    await expect(resolveEntryFiles(appWith(undefined, files))).rejects.toThrow(/has no "main"/);
  });
});

test('WakeupQueue fires due ids in due-time order, once each', async () => {
  const fired: string[] = [];
  const q = new WakeupQueue((id) => fired.push(id));
  const now = Date.now();
  q.add('late', now + 60);
  q.add('early', now + 10);
  q.add('past', now - 1000);
  q.add('mid', now + 30);
  await new Promise((r) => setTimeout(r, 150));
  expect(fired).toEqual(['past', 'early', 'mid', 'late']);
  expect(q.size).toBe(0);
  q.stop();
});
