// Crash safety: the runtime is killed with SIGKILL while hundreds of orchestrations are in flight,
// restarted on the same data directory, and must finish every one of them. Activities are
// at-least-once: an activity may run again only if it was executing when the process died, so
// duplicates are bounded by the activity concurrency limit per crash.
import fs from 'node:fs';
import path from 'node:path';
import { completed, HostProcess, readEffects, runtimeAppRoot, startHost, tempDir, waitFor } from '../support/host';

jest.setTimeout(120_000);

const instances = 600;
const steps = 10;
const kills = 3;
const maxConcurrentActivities = (JSON.parse(fs.readFileSync(path.join(runtimeAppRoot, 'host.json'), 'utf8')) as { extensions: { durableTask: { maxConcurrentActivityFunctions: number } } }).extensions.durableTask.maxConcurrentActivityFunctions;

test('SIGKILL mid-flight loses no orchestration and no activity result', async () => {
  const dataDir = tempDir('rt-crash-');
  const effects = path.join(tempDir('rt-crash-fx-'), 'effects.jsonl');
  const env = { TEST_EFFECTS_FILE: effects };
  let host: HostProcess = await startHost({ dataDir, env, logLevel: 'warning' });

  // Acknowledged starts: each one returned 202, so each must complete.
  for (let i = 0; i < instances; i += 50) {
    const batch = Array.from({ length: Math.min(50, instances - i) }, (_, j) =>
      fetch(`${host.url}/durabletask/orchestrators/sequence/crash-${i + j}`, { method: 'POST', body: JSON.stringify({ steps }), headers: { 'content-type': 'application/json' } }));
    for (const res of await Promise.all(batch)) expect(res.status).toBe(202);
  }

  const total = instances * steps;
  for (let k = 0; k < kills; k++) {
    // Kill without warning at 15%, 40% and 65% of the activity work.
    const threshold = Math.round(total * (0.15 + 0.25 * k));
    await waitFor(async () => (readEffects(effects).length >= threshold ? true : undefined), `${threshold} activity effects`, 30_000);
    await host.kill();
    // The kill really was mid-flight: work was left to do.
    expect(readEffects(effects).length).toBeLessThan(total);
    host = await startHost({ dataDir, env, logLevel: 'warning' });
  }

  for (let i = 0; i < instances; i++) {
    const s = await completed(host, `crash-${i}`, 60_000);
    expect(s).toMatchObject({ runtimeStatus: 'Completed', output: '12345678910' });
  }
  await host.stop();

  const counts = new Map<string, number>();
  for (const e of readEffects(effects)) {
    const key = `${e.instanceId}/${e.step}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let duplicates = 0;
  for (let i = 0; i < instances; i++) {
    for (let step = 1; step <= steps; step++) {
      const n = counts.get(`crash-${i}/${step}`) ?? 0;
      expect(n).toBeGreaterThanOrEqual(1);
      duplicates += n - 1;
    }
  }
  expect(counts.size).toBe(instances * steps);
  expect(duplicates).toBeLessThanOrEqual(kills * maxConcurrentActivities);
});
