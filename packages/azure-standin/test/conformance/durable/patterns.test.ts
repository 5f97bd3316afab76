// The Durable Functions application patterns on the stand-in, each asserting what Azure does:
// the outcome, the work each pattern runs (once, in order, in parallel, on time) and the
// history the Durable Task Framework records for it.
import { EventType, HistoryEvent, rawHistory, status, waitFor } from '../../support/host';
import { DurableApp, startDurableApp } from './support';

let app: DurableApp;
beforeAll(async () => {
  app = await startDurableApp();
}, 60_000);
afterAll(() => app?.host.stop());

const raw = async (id: string): Promise<HistoryEvent[]> => (await rawHistory(app.host, id))!;
const of = (h: HistoryEvent[], type: EventType) => h.filter((e) => e.EventType === type);
/** Episode number (1-based) of each event: OrchestratorStarted opens one. */
const episodes = (h: HistoryEvent[]): number[] => {
  let n = 0;
  return h.map((e) => (e.EventType === EventType.OrchestratorStarted ? ++n : n));
};
const executionId = (h: HistoryEvent[]) => (of(h, EventType.ExecutionStarted)[0].OrchestrationInstance as { ExecutionId: string }).ExecutionId;
/** A string input as the history records it: durable-functions sends strings JSON-encoded, and the host encodes that. */
const stringInput = (s: string) => JSON.stringify(JSON.stringify(s));
/** Each TimerCreated's delay: FireAt minus the time of the episode that created it. */
const timerDelays = (h: HistoryEvent[]) => of(h, EventType.TimerCreated).map((t) => Date.parse(String(t.FireAt)) - Date.parse(t.Timestamp));

test('function chaining: one activity at a time, each scheduled once the previous one returned, outputs in order', async () => {
  expect((await app.start('chain', 'chain-1', ['Accra', 'Bogota', 'Cairo'])).status).toBe(202);
  expect(await app.finished('chain-1')).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Accra!', 'Hello Bogota!', 'Hello Cairo!'] });
  expect(app.effects('hello').filter((e) => ['Accra', 'Bogota', 'Cairo'].includes(String(e.name))).map((e) => e.name)).toEqual(['Accra', 'Bogota', 'Cairo']);
  const h = await raw('chain-1');
  const ep = episodes(h);
  const scheduled = of(h, EventType.TaskScheduled);
  expect(scheduled.map((e) => [e.EventId, e.Name, e.Input])).toEqual([[0, 'hello', stringInput('Accra')], [1, 'hello', stringInput('Bogota')], [2, 'hello', stringInput('Cairo')]]);
  // Task n+1 is scheduled in the episode that received task n's result.
  for (const n of [0, 1]) {
    const done = h.findIndex((e) => e.EventType === EventType.TaskCompleted && e.TaskScheduledId === n);
    expect(ep[h.indexOf(scheduled[n + 1])]).toBe(ep[done]);
  }
});

test('fan-out/fan-in: every activity scheduled in the first episode, the results aggregated once all returned', async () => {
  await app.start('fanOutFanIn', 'fan-1', 25);
  expect(await app.finished('fan-1')).toMatchObject({ runtimeStatus: 'Completed', output: { count: 25, sum: 650 } });
  const h = await raw('fan-1');
  const ep = episodes(h);
  const scheduled = of(h, EventType.TaskScheduled);
  expect(scheduled.map((e) => e.EventId)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  expect(new Set(scheduled.map((e) => ep[h.indexOf(e)]))).toEqual(new Set([1]));
  expect(of(h, EventType.TaskCompleted)).toHaveLength(25);
  // The fan-in: nothing completes the orchestration before the last result arrived.
  const lastResult = Math.max(...h.map((e, i) => (e.EventType === EventType.TaskCompleted ? i : -1)));
  expect(h.findIndex((e) => e.EventType === EventType.ExecutionCompleted)).toBeGreaterThan(lastResult);
});

test('activity retries: a durable timer of firstRetryInterval × backoffCoefficient^n between attempts, then success', async () => {
  await app.start('retryActivity', 'retry-ok', { key: 'retry-ok', failures: 2, attempts: 4, firstRetryMs: 300, backoff: 2 });
  expect(await app.finished('retry-ok')).toMatchObject({ runtimeStatus: 'Completed', output: { run: 3 } });
  const h = await raw('retry-ok');
  // Attempts and retry timers share the orchestration's sequence numbers.
  expect(of(h, EventType.TaskScheduled).map((e) => e.EventId)).toEqual([0, 2, 4]);
  expect(of(h, EventType.TimerCreated).map((e) => e.EventId)).toEqual([1, 3]);
  expect(timerDelays(h)).toEqual([300, 600]);
  const runs = app.effects('flaky').filter((e) => e.key === 'retry-ok').map((e) => Number(e.at));
  expect(runs).toHaveLength(3);
  expect(runs[1] - runs[0]).toBeGreaterThanOrEqual(300);
  expect(runs[2] - runs[1]).toBeGreaterThanOrEqual(600);
});

test('activity retries: once maxNumberOfAttempts have failed, the last failure fails the orchestration', async () => {
  await app.start('retryActivity', 'retry-exhausted', { key: 'retry-exhausted', failures: 5, attempts: 2, firstRetryMs: 100 });
  const s = await app.finished('retry-exhausted');
  expect(s.runtimeStatus).toBe('Failed');
  expect(String(s.output)).toContain('flaky run 2 of retry-exhausted failed');
  expect(app.effects('flaky').filter((e) => e.key === 'retry-exhausted')).toHaveLength(2);
});

test('sub-orchestration retries: each attempt is a new child, <executionId>:<sequence number>', async () => {
  await app.start('retrySubOrchestration', 'sub-retry', { key: 'sub-retry', failures: 2, attempts: 3, firstRetryMs: 100 });
  const s = await app.finished('sub-retry');
  const h = await raw('sub-retry');
  const exec = executionId(h);
  expect(exec).toMatch(/^[0-9a-f]{32}$/);
  const children = of(h, EventType.SubOrchestrationInstanceCreated).map((e) => String(e.InstanceId));
  expect(children).toEqual([`${exec}:0`, `${exec}:2`, `${exec}:4`]);
  expect(s).toMatchObject({ runtimeStatus: 'Completed', output: { child: `${exec}:4`, run: 3 } });
  expect((await Promise.all(children.map((id) => status(app.host, id)))).map((c) => [c?.name, c?.runtimeStatus])).toEqual([
    ['flakyChild', 'Failed'], ['flakyChild', 'Failed'], ['flakyChild', 'Completed'],
  ]);
  expect(timerDelays(h)).toEqual([100, 100]);
});

test('sub-orchestrations: a chosen instance id and generated ones, run in parallel, outputs returned to the parent', async () => {
  await app.start('parentOfChains', 'parent-1');
  expect(await app.finished('parent-1')).toMatchObject({
    runtimeStatus: 'Completed',
    output: { named: ['Hello Oslo!'], parallel: [['Hello Rome!'], ['Hello Lima!', 'Hello Kyiv!']] },
  });
  const h = await raw('parent-1');
  const exec = executionId(h);
  expect(of(h, EventType.SubOrchestrationInstanceCreated).map((e) => [e.Name, e.InstanceId, e.Input])).toEqual([
    ['chain', 'parent-1-named', '["Oslo"]'], ['chain', `${exec}:1`, '["Rome"]'], ['chain', `${exec}:2`, '["Lima","Kyiv"]'],
  ]);
  expect(await status(app.host, 'parent-1-named')).toMatchObject({ name: 'chain', runtimeStatus: 'Completed', input: ['Oslo'], output: ['Hello Oslo!'] });
  expect(await status(app.host, `${exec}:2`)).toMatchObject({ name: 'chain', runtimeStatus: 'Completed', output: ['Hello Lima!', 'Hello Kyiv!'] });
  // The two generated children were created in the same episode.
  const ep = episodes(h);
  const created = h.filter((e) => e.EventType === EventType.SubOrchestrationInstanceCreated).map((e) => ep[h.indexOf(e)]);
  expect(created[1]).toBe(created[2]);
});

test('human interaction: the approval event wins over the deadline, and the cancelled timer never fires', async () => {
  await app.start('approval', 'approve-1', { timeoutMs: 60_000 });
  await waitFor(async () => ((await status(app.host, 'approve-1'))?.customStatus === 'waiting for approval' ? true : undefined), 'approve-1 waiting');
  expect((await app.client('raise', 'approve-1', { event: 'Approval' }, { by: 'alice' })).status).toBe(202);
  expect(await app.finished('approve-1')).toMatchObject({ runtimeStatus: 'Completed', output: { approved: true, by: { by: 'alice' } } });
  const h = await raw('approve-1');
  expect(of(h, EventType.TimerCreated)).toHaveLength(1);
  expect(of(h, EventType.TimerFired)).toHaveLength(0);
  expect(of(h, EventType.EventRaised).map((e) => [e.Name, e.Input])).toEqual([['Approval', '{"by":"alice"}']]);
  // A completed instance takes no more events.
  const again = await app.api('instances/approve-1/raiseEvent/Approval', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  expect(again.status).toBe(410);
});

test('human interaction: without the event, the deadline timer fires on time and the orchestration escalates', async () => {
  await app.start('approval', 'approve-timeout', { timeoutMs: 300 });
  expect(await app.finished('approve-timeout')).toMatchObject({ runtimeStatus: 'Completed', output: { approved: false, escalation: 'escalated to manager' } });
  const h = await raw('approve-timeout');
  expect(timerDelays(h)).toEqual([300]);
  const fired = h.findIndex((e) => e.EventType === EventType.TimerFired);
  const episodeStart = h.slice(0, fired).reverse().find((e) => e.EventType === EventType.OrchestratorStarted)!;
  expect(Date.parse(episodeStart.Timestamp)).toBeGreaterThanOrEqual(Date.parse(String(h[fired].FireAt)));
  expect(of(h, EventType.EventRaised)).toHaveLength(0);
});

test('monitor: polls on a durable timer until the job is done, with its progress in the custom status', async () => {
  await app.start('monitor', 'monitor-1', { key: 'monitor-1', readyAfter: 3, intervalMs: 200, maxPolls: 10 });
  expect(await app.finished('monitor-1')).toMatchObject({ runtimeStatus: 'Completed', output: { done: true, polls: 3 }, customStatus: { poll: 3 } });
  const checks = app.effects('checkJob').filter((e) => e.key === 'monitor-1').map((e) => Number(e.at));
  expect(checks).toHaveLength(3);
  expect(checks[1] - checks[0]).toBeGreaterThanOrEqual(200);
  expect(checks[2] - checks[1]).toBeGreaterThanOrEqual(200);
  const h = await raw('monitor-1');
  expect(timerDelays(h)).toEqual([200, 200]);
  expect(of(h, EventType.TimerFired)).toHaveLength(2);
});

test('eternal orchestration: continueAsNew starts a new execution with the new input and an empty history', async () => {
  await app.start('eternal', 'eternal-1', { generation: 1, last: 4, carried: [] });
  const greetings = [1, 2, 3, 4].map((g) => `Hello generation ${g}!`);
  const s = await app.finished('eternal-1');
  expect(s).toMatchObject({ runtimeStatus: 'Completed', output: { generation: 4, carried: greetings } });
  // The status shows the last execution: its input carries what the earlier ones passed on.
  expect(s.input).toEqual({ generation: 4, last: 4, carried: greetings.slice(0, 3) });
  const h = await raw('eternal-1');
  expect(of(h, EventType.ExecutionStarted).map((e) => JSON.parse(String(e.Input)) as unknown)).toEqual([s.input]);
  expect(of(h, EventType.TaskScheduled).map((e) => [e.EventId, e.Input])).toEqual([[0, stringInput('generation 4')]]);
  const formatted = (await status(app.host, 'eternal-1', true))!.historyEvents!;
  expect(formatted.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'ExecutionCompleted']);
  expect(app.effects('hello').filter((e) => String(e.name).startsWith('generation '))).toHaveLength(4);
});

test('entities: client signals are applied in order and readEntityState reads the state; an unknown entity does not exist', async () => {
  for (const amount of [5, 5, 5]) expect((await app.client('signal', 'client-key', { amount: String(amount) })).status).toBe(202);
  const state = await waitFor(async () => {
    const r = (await (await app.client('entity', 'client-key')).json()) as { entityExists: boolean; entityState?: number };
    return r.entityState === 15 ? r : undefined;
  }, 'the counter to reach 15');
  expect(state).toEqual({ entityExists: true, entityState: 15 });
  expect(await (await app.api('entities/counter/client-key')).json()).toBe(15);
  expect(await (await app.client('entity', 'never-used')).json()).toEqual({ entityExists: false });
  const missing = await app.api('entities/counter/never-used');
  expect(missing.status).toBe(404);
  expect(await missing.text()).toBe('');
});

test('entities: an orchestration signals and calls @counter@<key>; a signal sent first is applied first', async () => {
  await app.start('entityUser', 'entity-user', 'Mixed-Case');
  expect(await app.finished('entity-user')).toMatchObject({ runtimeStatus: 'Completed', output: { afterAdd: 11, value: 11 } });
  const sent = of(await raw('entity-user'), EventType.EventSent);
  // The entity's instance id: '@', the entity name in lower case, '@', the key as given.
  expect(sent.map((e) => [e.InstanceId, e.Name])).toEqual([['@counter@Mixed-Case', 'add'], ['@counter@Mixed-Case', 'add'], ['@counter@Mixed-Case', 'get']]);
  expect(await (await app.client('entity', 'Mixed-Case')).json()).toEqual({ entityExists: true, entityState: 11 });
});
