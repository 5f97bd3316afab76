// host.json's maxConcurrentActivityFunctions and maxConcurrentOrchestratorFunctions bound the
// durable work one host runs at once, as the Durable extension's dispatchers do: further work
// items wait in their queue, so a flood of orchestration work cannot take the whole worker.
import { waitFor } from '../../support/host';
import { DurableApp, startDurableApp } from './support';

const override = 'AzureFunctionsJobHost__extensions__durableTask__';
let app: DurableApp;
beforeAll(async () => {
  app = await startDurableApp({ [`${override}maxConcurrentActivityFunctions`]: '2', [`${override}maxConcurrentOrchestratorFunctions`]: '1' });
}, 60_000);
afterAll(() => app?.host.stop());

interface EngineStats { runningEpisodes: number; runningActivities: number; queuedActivities: number }
const stats = async (): Promise<EngineStats> => ((await (await fetch(`${app.host.url}/admin/host/durable`)).json()) as { engine: EngineStats }).engine;

test('at most maxConcurrentActivityFunctions activities and maxConcurrentOrchestratorFunctions episodes run at once; the rest wait', async () => {
  const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `limit-${k}`);
  const seen: EngineStats[] = [];
  const sample = async () => seen.push(await stats());
  for (const k of keys) {
    expect((await app.start('gatedWork', k, k)).status).toBe(202);
    await sample();
  }
  // Every activity is held by its gate: two run, three are queued, and it stays that way.
  await waitFor(async () => {
    const s = await stats();
    return s.runningActivities + s.queuedActivities === keys.length ? s : undefined;
  }, 'all five activities scheduled');
  for (let i = 0; i < 10; i++) {
    await sample();
    await new Promise((r) => setTimeout(r, 30));
  }
  expect(seen[seen.length - 1]).toMatchObject({ runningActivities: 2, queuedActivities: 3 });
  keys.forEach((k) => app.openGate(k));
  const done = Promise.all(keys.map((k) => app.finished(k)));
  let finished = false;
  void done.then(() => (finished = true), () => (finished = true));
  while (!finished) {
    await sample();
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const [i, s] of (await done).entries()) expect(s).toMatchObject({ runtimeStatus: 'Completed', output: `passed ${keys[i]}` });
  expect(Math.max(...seen.map((s) => s.runningActivities))).toBe(2);
  expect(Math.max(...seen.map((s) => s.runningEpisodes))).toBeLessThanOrEqual(1);
});
