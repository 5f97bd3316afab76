// package.json `main` is one entry file: a function file it does not import is never registered,
// on Azure or locally, so every file in functions/ must be imported there, telemetry first.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

test('the entry point imports telemetry first, then every function file', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
  expect(pkg.main).toBe('dist/functions/index.js');
  const entry = fs.readFileSync(path.join(root, 'functions', 'index.ts'), 'utf8');
  const imports = [...entry.matchAll(/^import '\.\/([\w-]+)';$/gm)].map((m) => m[1]);
  expect(imports[0]).toBe('telemetry');
  const files = fs.readdirSync(path.join(root, 'functions')).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
  expect([...imports].sort()).toEqual(files.sort());
});
