// AzureWebJobs.<name>.Disabled = true switches a function off as on Azure: its trigger does not
// listen, and a disabled HTTP function answers 404 unless called with the master key.
import fs from 'node:fs';
import path from 'node:path';
import { HostProcess, readEffects, startHost, tempDir } from '../../support/host';
import { bindingsAppRoot } from './support';

let host: HostProcess;
const effects = path.join(tempDir('bindings-disabled-'), 'effects.jsonl');
beforeAll(async () => {
  host = await startHost({ appRoot: bindingsAppRoot, env: { CONFORMANCE_EFFECTS_FILE: effects, 'AzureWebJobs.everyTwoSeconds.Disabled': 'true', 'AzureWebJobs.upload.Disabled': '1' } });
}, 60_000);
afterAll(() => host?.stop());

test('a disabled timer never runs while the others do', async () => {
  await new Promise((r) => setTimeout(r, 4500));
  const kinds = readEffects(effects).map((e) => e.kind);
  expect(kinds).toContain('startup');
  expect(kinds).not.toContain('tick');
  expect(host.output()).toMatch(/Function 'everyTwoSeconds' is disabled/);
});

test('a disabled HTTP function answers 404, and runs for the master key', async () => {
  expect((await fetch(`${host.api}/upload/a.txt`, { method: 'PUT', body: 'x' })).status).toBe(404);
  const { master } = JSON.parse(fs.readFileSync(path.join(host.dataDir, 'keys.json'), 'utf8')) as { master: string };
  expect((await fetch(`${host.api}/upload/a.txt`, { method: 'PUT', body: 'x', headers: { 'x-functions-key': master } })).status).toBe(201);
});
