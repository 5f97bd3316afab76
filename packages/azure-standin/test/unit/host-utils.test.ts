import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandGlob } from '../../src/host/glob';
import { WakeupQueue } from '../../src/durable/wakeups';

test('expandGlob matches *, ? and ** segments, sorted and without duplicates', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'glob-'));
  for (const f of ['a/x.js', 'a/y.js', 'a/y.ts', 'a/b/z.js', 'c1/q.js']) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '');
  }
  const rel = (files: string[]) => files.map((f) => path.relative(root, f));
  expect(rel(expandGlob(root, 'a/*.js'))).toEqual(['a/x.js', 'a/y.js']);
  expect(rel(expandGlob(root, 'a/**/*.js'))).toEqual(['a/b/z.js', 'a/x.js', 'a/y.js']);
  expect(rel(expandGlob(root, 'c?/*.js'))).toEqual(['c1/q.js']);
  expect(expandGlob(root, 'missing/*.js')).toEqual([]);
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
