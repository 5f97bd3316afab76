import { ActionType, Action } from '../../src/durable/actions';
import { event, EventType, HistoryEvent } from '../../src/durable/history';
import { replay, retryDelay } from '../../src/durable/replay';

const now = new Date('2026-01-01T00:00:10.000Z');
const ctx = { instanceId: 'i1', executionId: 'e1', now };
const ts = '2026-01-01T00:00:00.000Z';
const started = [event(EventType.OrchestratorStarted, ts), event(EventType.ExecutionStarted, ts, { Name: 'o', Input: null })];
const act = (name: string): Action => ({ actionType: ActionType.CallActivity, functionName: name, input: 1 });
const scheduled = (id: number, name: string) => event(EventType.TaskScheduled, ts, { Name: name }, id);
const completed = (id: number) => event(EventType.TaskCompleted, ts, { TaskScheduledId: id, Result: '1' });
const failed = (id: number) => event(EventType.TaskFailed, ts, { TaskScheduledId: id, Reason: 'x', Details: '' });
const timerCreated = (id: number) => event(EventType.TimerCreated, ts, { FireAt: ts }, id);
const timerFired = (id: number) => event(EventType.TimerFired, ts, { TimerId: id, FireAt: ts });
const ids = (events: HistoryEvent[]) => events.map((e) => [e.EventType, e.EventId]);

test('only the first blocking action is new on the first episode', () => {
  const r = replay(started, [act('a'), act('b')], ctx);
  expect(ids(r.newEvents)).toEqual([[EventType.TaskScheduled, 0]]);
  expect(r.newEvents[0]).toMatchObject({ Name: 'a', Input: '1' });
});

test('the next action is scheduled once the previous one completed', () => {
  const h = [...started, scheduled(0, 'a'), event(EventType.OrchestratorStarted, ts), completed(0)];
  expect(ids(replay(h, [act('a'), act('b')], ctx).newEvents)).toEqual([[EventType.TaskScheduled, 1]]);
});

test('fan-out children take consecutive ids depth-first', () => {
  const all: Action = { actionType: ActionType.WhenAll, compoundActions: [act('a'), act('b'), { actionType: ActionType.WhenAny, compoundActions: [act('c'), { actionType: ActionType.CreateTimer, fireAt: ts }] }] };
  expect(ids(replay(started, [all], ctx).newEvents)).toEqual([[4, 0], [4, 1], [4, 2], [10, 3]]);
});

test('retry: a failed attempt gets a backoff timer, then a new attempt with the next ids', () => {
  const retry: Action = { actionType: ActionType.CallActivityWithRetry, functionName: 'f', input: 1, retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3, backoffCoefficient: 2 } };
  const afterFail = replay([...started, scheduled(0, 'f'), failed(0)], [retry], ctx);
  expect(ids(afterFail.newEvents)).toEqual([[EventType.TimerCreated, 1]]);
  expect(afterFail.newEvents[0].FireAt).toBe(new Date(now.getTime() + 1000).toISOString());
  const afterTimer = replay([...started, scheduled(0, 'f'), failed(0), timerCreated(1), timerFired(1)], [retry], ctx);
  expect(ids(afterTimer.newEvents)).toEqual([[EventType.TaskScheduled, 2]]);
  const secondFail = replay([...started, scheduled(0, 'f'), failed(0), timerCreated(1), timerFired(1), scheduled(2, 'f'), failed(2)], [retry], ctx);
  expect(secondFail.newEvents[0].FireAt).toBe(new Date(now.getTime() + 2000).toISOString());
});

test('retry: after the last attempt a zero-delay timer precedes the failure, as durable-functions waits for it', () => {
  const retry: Action = { actionType: ActionType.CallActivityWithRetry, functionName: 'f', input: 1, retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 1 } };
  const r = replay([...started, scheduled(0, 'f'), failed(0)], [retry, act('next')], ctx);
  expect(ids(r.newEvents)).toEqual([[EventType.TimerCreated, 1]]);
  expect(r.newEvents[0].FireAt).toBe(now.toISOString());
  const after = replay([...started, scheduled(0, 'f'), failed(0), timerCreated(1), timerFired(1)], [retry, act('next')], ctx);
  expect(ids(after.newEvents)).toEqual([[EventType.TaskScheduled, 2]]);
});

test('retry attempts past the retry timeout are flagged to fail without running', () => {
  const retry: Action = { actionType: ActionType.CallActivityWithRetry, functionName: 'f', input: 1, retryOptions: { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 5, retryTimeoutInMilliseconds: 5000 } };
  const r = replay([...started, scheduled(0, 'f'), failed(0), timerCreated(1), timerFired(1)], [retry], ctx);
  expect(ids(r.newEvents)).toEqual([[EventType.TaskScheduled, 2]]);
  // It fails with the last real failure instead of running.
  expect([...r.expiredAttempts.keys()]).toEqual([2]);
  expect(r.expiredAttempts.get(2)).toMatchObject({ EventType: EventType.TaskFailed, TaskScheduledId: 0, Reason: 'x' });
});

test('signals take a sequence number without blocking', () => {
  const signal: Action = { actionType: ActionType.SignalEntity, instanceId: '@counter@k', operation: 'add', input: 1 };
  const r = replay(started, [signal, act('a')], ctx);
  expect(ids(r.newEvents)).toEqual([[EventType.EventSent, 0], [EventType.TaskScheduled, 1]]);
  expect(JSON.parse(String(r.newEvents[0].Input))).toMatchObject({ op: 'add', signal: true, input: '1', parent: 'i1' });
});

test('external events take no sequence number and a buffered event completes a later wait', () => {
  const wait: Action = { actionType: ActionType.WaitForExternalEvent, externalEventName: 'go' };
  const raised = event(EventType.EventRaised, ts, { Name: 'go', Input: '1' });
  expect(ids(replay([...started, raised], [wait, act('a')], ctx).newEvents)).toEqual([[EventType.TaskScheduled, 0]]);
  expect(replay(started, [wait, act('a')], ctx).newEvents).toEqual([]);
});

test('a different activity at a recorded id is non-deterministic', () => {
  const r = replay([...started, scheduled(0, 'a')], [act('b')], ctx);
  expect(r.nonDeterminism).toMatch(/scheduled TaskScheduled "a" as task 0, but the orchestrator now schedules b/);
  expect(r.newEvents).toEqual([]);
});

test('a recorded task the orchestrator no longer schedules is non-deterministic', () => {
  const r = replay([...started, scheduled(0, 'a')], [], ctx);
  expect(r.nonDeterminism).toMatch(/no longer schedules it/);
});

test('retryDelay follows DTFx: first * coefficient^attempt, capped', () => {
  expect(retryDelay({ firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 9, backoffCoefficient: 3 }, 2)).toBe(900);
  expect(retryDelay({ firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 9, backoffCoefficient: 3, maxRetryIntervalInMilliseconds: 500 }, 2)).toBe(500);
  expect(retryDelay({ firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 9 }, 5)).toBe(100);
});
