// Durable orchestrations, activities and entities on the embedded backend, started and managed
// through the unmodified durable-functions DurableClient (via the test app's HTTP functions).
import path from 'node:path';
import { completed, EventType, HostProcess, rawHistory, readEffects, startHost, startOrchestration, status, tempDir, waitFor } from '../support/host';

let host: HostProcess;
const effects = path.join(tempDir('rt-fx-'), 'effects.jsonl');

beforeAll(async () => {
  host = await startHost({ env: { TEST_EFFECTS_FILE: effects } });
});
afterAll(() => host.stop());

test('a five-activity sequence completes with each activity run once, history stored in DTFx form', async () => {
  const res = await startOrchestration(host, 'sequence', 'seq-1', { steps: 5 });
  expect(res.status).toBe(202);
  const body = (await res.json()) as { id: string; statusQueryGetUri: string };
  expect(body.id).toBe('seq-1');
  expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
  const done = await completed(host, 'seq-1');
  expect(done).toMatchObject({ runtimeStatus: 'Completed', output: '12345', input: { steps: 5 } });
  const steps = readEffects(effects).filter((e) => e.instanceId === 'seq-1').map((e) => e.step);
  expect(steps).toEqual([1, 2, 3, 4, 5]);
  const h = (await rawHistory(host, 'seq-1'))!;
  const scheduled = h.filter((e) => e.EventType === EventType.TaskScheduled);
  expect(scheduled.map((e) => e.EventId)).toEqual([0, 1, 2, 3, 4]);
  expect(h.filter((e) => e.EventType === EventType.TaskCompleted).map((e) => e.TaskScheduledId)).toEqual([0, 1, 2, 3, 4]);
  expect(h[0].EventType).toBe(EventType.OrchestratorStarted);
  expect(h[h.length - 1]).toMatchObject({ EventType: EventType.ExecutionCompleted, OrchestrationStatus: 1, Result: '"12345"' });
});

test('the public status URL requires the system key', async () => {
  await startOrchestration(host, 'sequence', 'seq-2', { steps: 1 });
  await completed(host, 'seq-2');
  expect((await fetch(`${host.url}/runtime/webhooks/durabletask/instances/seq-2`)).status).toBe(401);
  const res = await startOrchestration(host, 'sequence', 'seq-3', { steps: 1 });
  const { statusQueryGetUri } = (await res.json()) as { statusQueryGetUri: string };
  const s = await waitFor(async () => {
    const r = await fetch(statusQueryGetUri);
    return r.status === 200 ? r.json() : undefined;
  }, 'seq-3 via its public status URL');
  expect(s).toMatchObject({ runtimeStatus: 'Completed', output: '1' });
});

test('starting an instance id that is still running is refused', async () => {
  await startOrchestration(host, 'waitForever', 'dup-1');
  await waitFor(async () => ((await status(host, 'dup-1'))?.runtimeStatus === 'Running' ? true : undefined), 'dup-1 running');
  const again = await fetch(`${host.url}/durabletask/orchestrators/waitForever/dup-1`, { method: 'POST' });
  expect(again.status).toBe(409);
  await fetch(`${host.api}/client/terminate/dup-1`, { method: 'POST' });
});

test('invalid instance ids and unknown orchestrators are rejected with 400', async () => {
  expect((await fetch(`${host.url}/durabletask/orchestrators/sequence/${encodeURIComponent('a#b')}`, { method: 'POST' })).status).toBe(400);
  expect((await fetch(`${host.url}/durabletask/orchestrators/noSuchThing/x1`, { method: 'POST' })).status).toBe(400);
});

test('fan-out/fan-in with Task.all', async () => {
  await startOrchestration(host, 'fanOut', 'fan-1', 20);
  expect(await completed(host, 'fan-1')).toMatchObject({ runtimeStatus: 'Completed', output: 2470 });
});

test('callActivityWithRetry retries with a timer between attempts and succeeds', async () => {
  await startOrchestration(host, 'retrying', 'retry-ok', { failures: 2, attempts: 4 });
  const s = await completed(host, 'retry-ok');
  expect(s.output).toEqual({ ok: true, attempt: 3 });
  const h = (await rawHistory(host, 'retry-ok'))!;
  const timers = h.filter((e) => e.EventType === EventType.TimerCreated);
  expect(timers).toHaveLength(2);
  // Backoff: 100 ms after the first failure, 200 ms after the second (coefficient 2).
  const scheduledAt = (id: number) => Date.parse(h.find((e) => e.EventType === EventType.TaskFailed && e.TaskScheduledId === id)!.Timestamp as string);
  const fireAt = timers.map((t) => Date.parse(String(t.FireAt)));
  expect(fireAt[0] - scheduledAt(0)).toBeGreaterThanOrEqual(100);
  expect(fireAt[1] - fireAt[0]).toBeGreaterThanOrEqual(200);
  expect(readEffects(effects).filter((e) => e.key === 'retry-ok')).toHaveLength(3);
});

test('callActivityWithRetry surfaces the error after the last attempt', async () => {
  await startOrchestration(host, 'retrying', 'retry-fail', { failures: 5, attempts: 2 });
  const s = await completed(host, 'retry-fail');
  expect(s.output).toMatchObject({ ok: false });
  expect(String((s.output as { error: string }).error)).toContain("Activity function 'flaky' failed: flaky failure 2");
  expect(readEffects(effects).filter((e) => e.key === 'retry-fail')).toHaveLength(2);
});

test('parallel retries interleave sequence numbers exactly as durable-functions expects', async () => {
  await startOrchestration(host, 'parallelRetries', 'par-retry');
  expect(await completed(host, 'par-retry')).toMatchObject({ runtimeStatus: 'Completed', output: [3, 2, 'c', 'after'] });
});

test('durable timers fire no earlier than requested', async () => {
  await startOrchestration(host, 'timer', 'timer-1', 300);
  const s = await completed(host, 'timer-1');
  expect(s.output).toBeGreaterThanOrEqual(300);
});

test('external events, and a timeout race with Task.any', async () => {
  await startOrchestration(host, 'approval', 'appr-yes', 60_000);
  await waitFor(async () => ((await status(host, 'appr-yes'))?.runtimeStatus === 'Running' ? true : undefined), 'appr-yes running');
  expect((await fetch(`${host.api}/client/raise/appr-yes?event=approve`, { method: 'POST', body: JSON.stringify('alice') })).status).toBe(202);
  expect((await completed(host, 'appr-yes')).output).toEqual({ approved: true, by: 'alice' });

  await startOrchestration(host, 'approval', 'appr-timeout', 200);
  expect((await completed(host, 'appr-timeout')).output).toEqual({ approved: false });
});

test('an event raised before the orchestrator waits for it is buffered, not lost', async () => {
  await startOrchestration(host, 'withStatus', 'early-event');
  // Raised immediately: may arrive in the same episode as ExecutionStarted.
  await fetch(`${host.url}/durabletask/instances/early-event/raiseEvent/go`, { method: 'POST', body: JSON.stringify({ n: 1 }), headers: { 'content-type': 'application/json' } });
  const s = await completed(host, 'early-event');
  expect(s).toMatchObject({ output: { n: 1 }, customStatus: { stage: 'done' } });
});

test('custom status is visible while running', async () => {
  await startOrchestration(host, 'withStatus', 'cs-1');
  const s = await waitFor(async () => {
    const st = await status(host, 'cs-1');
    return st?.runtimeStatus === 'Running' ? st : undefined;
  }, 'cs-1 running');
  expect(s.customStatus).toEqual({ stage: 'waiting' });
  await fetch(`${host.api}/client/raise/cs-1?event=go`, { method: 'POST', body: '1' });
  expect((await completed(host, 'cs-1')).customStatus).toEqual({ stage: 'done' });
});

test('sub-orchestrations complete, and a failing one surfaces as an error in the parent', async () => {
  await startOrchestration(host, 'parent', 'parent-1');
  const s = await completed(host, 'parent-1');
  expect(s.output).toMatchObject({ child: '12' });
  expect(String((s.output as { subFailure: string }).subFailure)).toContain("Orchestrator function 'failing' failed: orchestrator gave up");
  expect(await status(host, 'parent-1-child')).toMatchObject({ runtimeStatus: 'Completed', output: '12' });
});

test('an orchestrator that throws ends Failed with the error', async () => {
  await startOrchestration(host, 'failing', 'fail-1');
  const s = await completed(host, 'fail-1');
  expect(s.runtimeStatus).toBe('Failed');
  expect(s.output).toBe("Orchestrator function 'failing' failed: orchestrator gave up");
});

test('calling an activity that does not exist fails that task, not the host', async () => {
  await startOrchestration(host, 'missingActivity', 'missing-1');
  expect(String((await completed(host, 'missing-1')).output)).toContain("The function 'doesNotExist' doesn't exist");
});

test('a non-deterministic orchestrator is detected and failed', async () => {
  await startOrchestration(host, 'nondeterministic', 'nd-1');
  const s = await completed(host, 'nd-1');
  expect(s.runtimeStatus).toBe('Failed');
  expect(String(s.output)).toMatch(/Non-Deterministic workflow detected: .*"echoActivity".*now schedules step/);
});

test('continueAsNew restarts the orchestration with new input until done', async () => {
  await startOrchestration(host, 'eternal', 'eternal-1', 3);
  const s = await completed(host, 'eternal-1');
  expect(s).toMatchObject({ runtimeStatus: 'Completed', output: 'done', input: 0 });
});

test('terminate, suspend and resume', async () => {
  await startOrchestration(host, 'waitForever', 'ctl-term');
  await startOrchestration(host, 'withStatus', 'ctl-susp');
  await waitFor(async () => ((await status(host, 'ctl-susp'))?.runtimeStatus === 'Running' ? true : undefined), 'ctl-susp running');
  await fetch(`${host.api}/client/terminate/ctl-term`, { method: 'POST' });
  expect(await completed(host, 'ctl-term')).toMatchObject({ runtimeStatus: 'Terminated', output: 'by test' });
  // Terminated instances answer 410 to further control operations.
  expect((await fetch(`${host.url}/durabletask/instances/ctl-term/terminate`, { method: 'POST' })).status).toBe(410);

  await fetch(`${host.api}/client/suspend/ctl-susp`, { method: 'POST' });
  await waitFor(async () => ((await status(host, 'ctl-susp'))?.runtimeStatus === 'Suspended' ? true : undefined), 'ctl-susp suspended');
  // An event raised while suspended is held, not processed.
  await fetch(`${host.api}/client/raise/ctl-susp?event=go`, { method: 'POST', body: '"held"' });
  await new Promise((r) => setTimeout(r, 200));
  expect((await status(host, 'ctl-susp'))!.runtimeStatus).toBe('Suspended');
  await fetch(`${host.api}/client/resume/ctl-susp`, { method: 'POST' });
  expect(await completed(host, 'ctl-susp')).toMatchObject({ runtimeStatus: 'Completed', output: 'held' });
});

test('purge deletes a finished instance', async () => {
  await startOrchestration(host, 'sequence', 'purge-1', { steps: 1 });
  await completed(host, 'purge-1');
  expect(await (await fetch(`${host.api}/client/purge/purge-1`, { method: 'POST' })).json()).toEqual({ instancesDeleted: 1 });
  expect(await status(host, 'purge-1')).toBeUndefined();
});

test('status queries filter by runtime status and page with continuation tokens (request and response header)', async () => {
  const listed: string[] = [];
  const tokens: (string | null)[] = [];
  let token: string | null = null;
  do {
    const res: Response = await fetch(`${host.url}/durabletask/instances/?runtimeStatus=Completed&instanceIdPrefix=seq-&top=1`, { headers: token ? { 'x-ms-continuation-token': token } : {} });
    expect(res.status).toBe(200);
    for (const s of (await res.json()) as { instanceId: string; runtimeStatus: string }[]) {
      expect(s.runtimeStatus).toBe('Completed');
      listed.push(s.instanceId);
    }
    token = res.headers.get('x-ms-continuation-token');
    tokens.push(token);
  } while (token);
  // One per page, in instance-id order (Azure Storage's), the header empty on the last page.
  expect(listed).toEqual(['seq-1', 'seq-2', 'seq-3']);
  expect(tokens.map((t) => (t ? 'token' : t))).toEqual(['token', 'token', '']);
});

test('entities: calls and signals from orchestrations are serialized; client signals and reads state', async () => {
  await startOrchestration(host, 'counterOrch', 'ent-1', 'k-orch');
  const s = await completed(host, 'ent-1');
  // signal(+5) is sent before call(+10), and one entity processes operations in order.
  expect(s.output).toMatchObject({ afterAdd: 15, value: 15 });
  expect((s.output as { failure: unknown }).failure).not.toBeNull();

  await Promise.all(Array.from({ length: 20 }, () => fetch(`${host.api}/client/signal/k-client?amount=2`, { method: 'POST' })));
  const state = await waitFor(async () => {
    const r = (await (await fetch(`${host.api}/client/entity/k-client`)).json()) as { entityExists: boolean; entityState: number };
    return r.entityState === 40 ? r : undefined;
  }, 'entity to reach 40');
  expect(state).toEqual({ entityExists: true, entityState: 40 });
  expect((await fetch(`${host.url}/durabletask/entities/counter/never-touched`)).status).toBe(404);
});

test('callHttp follows the 202 + Location polling pattern with a durable timer', async () => {
  await startOrchestration(host, 'httpPoll', 'http-poll-1', `${host.api}/poll-target`);
  const s = await completed(host, 'http-poll-1');
  expect(s.output).toMatchObject({ statusCode: 200, content: { finished: true, method: 'GET' }, after: 'after' });
  const h = (await rawHistory(host, 'http-poll-1'))!;
  // request (0), Retry-After timer (1), polling GET (2), then the next activity (3)
  expect(h.filter((e) => [EventType.TaskScheduled, EventType.TimerCreated].includes(e.EventType)).map((e) => [e.EventType, e.EventId])).toEqual([
    [EventType.TaskScheduled, 0], [EventType.TimerCreated, 1], [EventType.TaskScheduled, 2], [EventType.TaskScheduled, 3],
  ]);
  const timer = h.find((e) => e.EventType === EventType.TimerCreated)!;
  const firstDone = h.find((e) => e.EventType === EventType.TaskCompleted && e.TaskScheduledId === 0)!;
  expect(Date.parse(String(timer.FireAt)) - Date.parse(firstDone.Timestamp as string)).toBeGreaterThanOrEqual(1000);
});

test('a sub-orchestration without an id gets <executionId>:<sequence>, so restarts get fresh children', async () => {
  await startOrchestration(host, 'parent', 'parent-ids');
  await completed(host, 'parent-ids');
  const h = (await rawHistory(host, 'parent-ids'))!;
  const created = h.filter((e) => e.EventType === EventType.SubOrchestrationInstanceCreated).map((e) => String(e.InstanceId));
  expect(created[0]).toBe('parent-ids-child');
  expect(created[1]).toMatch(/^[0-9a-f]{32}:1$/);
});

test('an event raised during an episode that suspends is processed, not stranded', async () => {
  await startOrchestration(host, 'withStatus', 'susp-race');
  await waitFor(async () => ((await status(host, 'susp-race'))?.runtimeStatus === 'Running' ? true : undefined), 'susp-race running');
  // Both land in the same inbox batch: the event first, then the suspend.
  await Promise.all([
    fetch(`${host.api}/client/raise/susp-race?event=go`, { method: 'POST', body: '"before-suspend"' }),
    fetch(`${host.api}/client/suspend/susp-race`, { method: 'POST' }),
  ]);
  await new Promise((r) => setTimeout(r, 200));
  await fetch(`${host.api}/client/resume/susp-race`, { method: 'POST' });
  expect(await completed(host, 'susp-race')).toMatchObject({ runtimeStatus: 'Completed', output: 'before-suspend' });
});
