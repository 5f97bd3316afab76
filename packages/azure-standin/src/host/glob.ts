// package.json `main` may be a glob (e.g. "dist/functions/*.js"), as the Node worker allows.
// Node 20 has no fs.glob, and one small matcher is cheaper than a dependency.
import fs from 'node:fs';
import path from 'node:path';

function segmentRegExp(segment: string): RegExp {
  const escaped = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

/** Expands `*`, `?` and `**` segments relative to `root`; returns sorted absolute file paths. */
export function expandGlob(root: string, pattern: string): string[] {
  const segments = pattern.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  const results: string[] = [];
  const walk = (dir: string, index: number): void => {
    if (index === segments.length) {
      if (fs.existsSync(dir) && fs.statSync(dir).isFile()) results.push(dir);
      return;
    }
    const segment = segments[index];
    if (segment === '**') {
      walk(dir, index + 1);
      for (const entry of safeReaddir(dir)) {
        if (entry.isDirectory()) walk(path.join(dir, entry.name), index);
      }
      return;
    }
    if (!/[*?]/.test(segment)) {
      walk(path.join(dir, segment), index + 1);
      return;
    }
    const re = segmentRegExp(segment);
    for (const entry of safeReaddir(dir)) {
      if (re.test(entry.name)) walk(path.join(dir, entry.name), index + 1);
    }
  };
  walk(path.resolve(root), 0);
  return [...new Set(results)].sort();
}

function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
