// The status API's instance status and history, formatted as the Durable extension formats them
// (DurableClient.GetDurableOrchestrationStatusAsync + HttpApiHandler.ConvertFrom): key order,
// time formats, event type names, scheduling events folded into their completions, and what
// showHistory, showHistoryOutput and showInput leave out.
import { status, StatusHistoryEvent, waitFor } from '../../support/host';
import { DurableApp, startDurableApp, statusTimeFormat } from './support';

let app: DurableApp;
beforeAll(async () => {
  app = await startDurableApp();
}, 60_000);
afterAll(() => app?.host.stop());

const statusKeys = ['name', 'instanceId', 'runtimeStatus', 'input', 'customStatus', 'output', 'createdTime', 'lastUpdatedTime'];
/** JSON.NET's DateTime: seconds, then up to 7 fraction digits without trailing zeros, in UTC. */
const dotnetTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{0,6}[1-9])?Z$/;
/** A string input as the history records it: durable-functions sends strings JSON-encoded, and the host encodes that. */
const stringInput = (s: string) => JSON.stringify(JSON.stringify(s));
const get = async (id: string, query: string) => {
  const res = await app.api(`instances/${id}?${query}`);
  return { res, body: (await res.json()) as Record<string, unknown> & { historyEvents?: StatusHistoryEvent[] } };
};

describe('a completed orchestration with activities, a timer, a sub-orchestration and an event', () => {
  const id = 'shape-1';
  beforeAll(async () => {
    await app.start('historyShape', id, 'go');
    // Raised once the child is done, so that the event follows the child's completion in the history.
    await waitFor(async () => ((await status(app.host, `${id}-child`))?.runtimeStatus === 'Completed' ? true : undefined), 'the child to complete');
    await app.client('raise', id, { event: 'Approval' }, { ok: true });
    await app.finished(id);
  });

  test('the status: its keys in the extension\'s order, times to the second', async () => {
    const { res, body } = await get(id, 'showHistory=true&showHistoryOutput=true');
    expect(res.status).toBe(200);
    expect(Object.keys(body)).toEqual([...statusKeys, 'historyEvents']);
    expect(body).toMatchObject({ name: 'historyShape', instanceId: id, runtimeStatus: 'Completed', input: 'go', customStatus: null });
    expect(body.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', ['Hello Paris!'], { ok: true }]);
    expect(body.createdTime).toMatch(statusTimeFormat);
    expect(body.lastUpdatedTime).toMatch(statusTimeFormat);
    // Without showHistory there is no historyEvents key at all.
    expect(Object.keys((await get(id, '')).body)).toEqual(statusKeys);
  });

  test('the history: named event types, no episode boundaries, each completion carrying what scheduled it', async () => {
    const h = (await get(id, 'showHistory=true&showHistoryOutput=true')).body.historyEvents!;
    expect(h.map((e) => e.EventType)).toEqual([
      'ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TimerCreated', 'TimerFired', 'SubOrchestrationInstanceCompleted', 'EventRaised', 'ExecutionCompleted',
    ]);
    const [started, tokyo, seattle, timerCreated, timerFired, child, raised, completed] = h;
    // ExecutionStarted: the input stays JSON text; Name becomes FunctionName, at the end.
    expect(Object.keys(started)[0]).toBe('EventType');
    expect(Object.keys(started).slice(-2)).toEqual(['Timestamp', 'FunctionName']);
    expect(started).toMatchObject({ Input: '"go"', FunctionName: 'historyShape' });
    for (const k of ['Name', 'Version', 'OrchestrationInstance', 'ParentInstance', 'Tags']) expect(started).not.toHaveProperty(k);
    // A TaskScheduled folded into its TaskCompleted; the result parsed.
    expect(Object.keys(tokyo)).toEqual(['EventType', 'Result', 'Timestamp', 'ScheduledTime', 'FunctionName', 'Input']);
    expect(tokyo).toMatchObject({ Result: 'Hello Tokyo!', FunctionName: 'hello', Input: stringInput('Tokyo') });
    expect(seattle).toMatchObject({ Result: 'Hello Seattle!', Input: stringInput('Seattle') });
    expect(Date.parse(String(tokyo.ScheduledTime))).toBeLessThanOrEqual(Date.parse(tokyo.Timestamp));
    expect(Object.keys(timerCreated)).toEqual(['EventType', 'FireAt', 'Timestamp']);
    expect(Object.keys(timerFired)).toEqual(['EventType', 'FireAt', 'Timestamp']);
    expect(timerFired.FireAt).toBe(timerCreated.FireAt);
    expect(Object.keys(child)).toEqual(['EventType', 'Result', 'Timestamp', 'ScheduledTime', 'FunctionName', 'Input']);
    expect(child).toMatchObject({ Result: ['Hello Paris!'], FunctionName: 'chain', Input: '["Paris"]' });
    expect(Object.keys(raised)).toEqual(['EventType', 'Name', 'Input', 'Timestamp']);
    expect(raised).toMatchObject({ Name: 'Approval', Input: '{"ok":true}' });
    expect(Object.keys(completed)).toEqual(['EventType', 'OrchestrationStatus', 'Result', 'Timestamp']);
    expect(completed).toMatchObject({ OrchestrationStatus: 'Completed', Result: ['Hello Tokyo!', 'Hello Seattle!', ['Hello Paris!'], { ok: true }] });
    for (const e of h) {
      for (const k of ['EventId', 'IsPlayed', 'TaskScheduledId', 'TimerId']) expect(e).not.toHaveProperty(k);
      for (const k of ['Timestamp', 'ScheduledTime', 'FireAt']) if (k in e) expect(e[k]).toMatch(dotnetTime);
    }
  });

  test('without showHistoryOutput no results; with showInput=false no inputs anywhere', async () => {
    const noOutput = (await get(id, 'showHistory=true')).body.historyEvents!;
    expect(noOutput).toHaveLength(8);
    expect(noOutput.filter((e) => 'Result' in e)).toEqual([]);
    expect(noOutput[1]).toMatchObject({ FunctionName: 'hello', Input: stringInput('Tokyo') });
    const { body } = await get(id, 'showHistory=true&showHistoryOutput=true&showInput=false');
    expect(body.input).toBeNull();
    expect(body.historyEvents!.filter((e) => 'Input' in e)).toEqual([]);
    expect(body.historyEvents![1]).toMatchObject({ FunctionName: 'hello', Result: 'Hello Tokyo!' });
  });
});

test('work still pending keeps its TaskScheduled, folded into the completion once it returns', async () => {
  await app.start('gatedWork', 'shape-pending', 'shape-gate');
  const scheduled = await waitFor(async () => {
    const h = (await get('shape-pending', 'showHistory=true')).body.historyEvents;
    return h?.find((e) => e.EventType === 'TaskScheduled');
  }, 'the activity to be scheduled');
  expect(Object.keys(scheduled)).toEqual(['EventType', 'Name', 'Input', 'Timestamp']);
  expect(scheduled).toMatchObject({ Name: 'gated', Input: stringInput('shape-gate') });
  app.openGate('shape-gate');
  await app.finished('shape-pending');
  const h = (await get('shape-pending', 'showHistory=true&showHistoryOutput=true')).body.historyEvents!;
  expect(h.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'ExecutionCompleted']);
  expect(h[1]).toMatchObject({ FunctionName: 'gated', Input: stringInput('shape-gate'), Result: 'passed shape-gate' });
});

test('a failure: TaskFailed folded with its scheduling, the execution Failed with its message', async () => {
  await app.start('failingChain', 'shape-failed', 'shape-failed');
  expect((await app.finished('shape-failed')).runtimeStatus).toBe('Failed');
  const h = (await get('shape-failed', 'showHistory=true&showHistoryOutput=true')).body.historyEvents!;
  expect(h.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'TaskCompleted', 'TaskFailed', 'ExecutionCompleted']);
  expect(h[2]).toMatchObject({ FunctionName: 'flaky', Input: '{"key":"shape-failed","failures":1}' });
  expect(String(h[2].Reason)).toContain('flaky run 1 of shape-failed failed');
  expect(h[2]).not.toHaveProperty('Result');
  expect(h[3]).toMatchObject({ OrchestrationStatus: 'Failed' });
  expect(String(h[3].Result)).toContain("Orchestrator function 'failingChain' failed");
  // A failed orchestration answers 200, or 500 when asked to.
  expect((await app.api('instances/shape-failed')).status).toBe(200);
  expect((await app.api('instances/shape-failed?returnInternalServerErrorOnFailure=true')).status).toBe(500);
});
