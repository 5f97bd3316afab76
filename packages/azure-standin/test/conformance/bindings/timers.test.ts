// Timer triggers as the Functions host runs them (the timers extension's TimerListener and
// ScheduleMonitor): NCRONTAB schedules with seconds, runOnStartup, the schedule status the
// function sees, and function-level retry policies, which Azure honours for timer triggers.
import { waitFor } from '../../support/host';
import { BindingsApp, startBindingsApp } from './support';

let app: BindingsApp;
beforeAll(async () => {
  app = await startBindingsApp();
}, 60_000);
afterAll(() => app?.host.stop());

test('a six-field schedule runs on its seconds; a sub-minute schedule has no monitor, so no schedule status', async () => {
  const ticks = await waitFor(async () => {
    const t = app.effects('tick');
    return t.length >= 3 ? t : undefined;
  }, 'three ticks', 15_000);
  for (const t of ticks) expect(t).toMatchObject({ isPastDue: false, scheduleStatus: null });
  const gaps = ticks.slice(1).map((t, i) => Number(t.at) - Number(ticks[i].at));
  for (const g of gaps) expect(g).toBeGreaterThan(1000);
  expect(new Set(ticks.map((t) => t.invocationId)).size).toBe(ticks.length);
});

test('runOnStartup runs a yearly timer once at start, not past due, with its monitored schedule status', async () => {
  const [run] = await waitFor(async () => {
    const s = app.effects('startup');
    return s.length > 0 ? s : undefined;
  }, 'the startup run');
  expect(run.isPastDue).toBe(false);
  expect(String(run.next)).toMatch(new RegExp(`^${new Date().getUTCFullYear() + 1}-01-01T00:00:00`));
  await new Promise((r) => setTimeout(r, 1000));
  expect(app.effects('startup')).toHaveLength(1);
});

test('a fixed-delay retry policy runs a failing timer again with the retry context, until it succeeds', async () => {
  const attempts = await waitFor(async () => {
    const a = app.effects('retry');
    return a.length >= 3 ? a : undefined;
  }, 'three attempts', 15_000);
  // The first attempt already carries a retry context (retryCount 0), as the host sends it.
  expect(attempts.slice(0, 3).map((a) => [a.retryCount, a.maxRetryCount])).toEqual([[0, 3], [1, 3], [2, 3]]);
  // The third attempt succeeded: the next run, at the next occurrence, starts again from 0.
  const next = await waitFor(async () => {
    const a = app.effects('retry');
    return a.length >= 4 ? a[3] : undefined;
  }, 'the next occurrence', 15_000);
  expect(next.retryCount).toBe(0);
  expect(Number(next.at) - Number(attempts[2].at)).toBeGreaterThan(200);
});
