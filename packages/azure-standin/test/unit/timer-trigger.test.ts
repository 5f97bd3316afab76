// The timer listener on a fake clock (jest's modern fake timers move Date.now and setTimeout
// together): scheduling, past-due and runOnStartup starts, the persisted status across a
// restart, errors, retries, stop; and once through the real @azure/functions library.
import { Database } from '../../src/core/sqlite';
import { FunctionRegistry } from '../../src/host/core-api';
import type { RegisteredFunction } from '../../src/host/core-api';
import { Invoker } from '../../src/host/invoker';
import type { InvocationInput } from '../../src/host/invoker';
import { Logger } from '../../src/core/logger';
import type { RpcInvocationResponse } from '../../src/core/rpc-types';
import { MemoryTimerStatusStore, SqliteTimerStatusStore, TimerTriggers } from '../../src/host/timer-trigger';
import type { FunctionInvoker, TimerStatusStore } from '../../src/host/timer-trigger';

const t = (iso: string) => Date.parse(iso);
const lines: string[] = [];
const logger = new Logger('debug', (line) => lines.push(line));

interface Call {
  at: number;
  payload: { Schedule: { AdjustForDST: boolean }; ScheduleStatus: { Last: string; Next: string; LastUpdated: string } | null; IsPastDue: boolean };
  input: InvocationInput;
}

class FakeInvoker implements FunctionInvoker {
  readonly calls: Call[] = [];
  behaviour: (call: Call) => Promise<void> | void = () => {};
  async invoke(_fn: RegisteredFunction, input: InvocationInput): Promise<RpcInvocationResponse> {
    const call = { at: Date.now(), payload: JSON.parse(input.inputData[0].data.json!) as Call['payload'], input };
    this.calls.push(call);
    await this.behaviour(call);
    return { invocationId: String(this.calls.length) };
  }
}

function timerFn(name: string, binding: Record<string, unknown>, retryOptions?: unknown): RegisteredFunction {
  return { metadata: { name, bindings: { myTimer: { type: 'timerTrigger', direction: 'in', ...binding } }, retryOptions }, callback: () => undefined };
}

describe('TimerTriggers', () => {
  let invoker: FakeInvoker;
  let store: TimerStatusStore;
  let triggers: TimerTriggers | undefined;

  const start = (fns: RegisteredFunction[], s: TimerStatusStore = store) => {
    triggers = new TimerTriggers({ functions: fns, invoker, store: s, logger, env: {} });
    triggers.start();
    return triggers;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: t('2024-01-01T00:03:00Z'), doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    invoker = new FakeInvoker();
    store = new MemoryTimerStatusStore();
    lines.length = 0;
  });
  afterEach(async () => {
    await triggers?.stop();
    triggers = undefined;
    jest.useRealTimers();
  });

  test('fires on the schedule with the monitor status; the first run sees a blank status', async () => {
    start([timerFn('every5', { schedule: '0 */5 * * * *' })]);
    expect(store.get('Host.Functions.every5')).toEqual({ last: null, next: t('2024-01-01T00:05:00Z'), lastUpdated: t('2024-01-01T00:03:00Z') });
    await jest.advanceTimersByTimeAsync(2 * 60_000 - 1);
    expect(invoker.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(invoker.calls).toHaveLength(1);
    expect(invoker.calls[0].payload).toEqual({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: '0001-01-01T00:00:00+00:00', Next: '2024-01-01T00:05:00+00:00', LastUpdated: '0001-01-01T00:00:00+00:00' },
      IsPastDue: false,
    });
    expect(invoker.calls[0].input.reason).toBe('Timer fired at 2024-01-01T00:05:00+00:00');
    expect(store.get('Host.Functions.every5')).toEqual({ last: t('2024-01-01T00:05:00Z'), next: t('2024-01-01T00:10:00Z'), lastUpdated: t('2024-01-01T00:05:00Z') });
    await jest.advanceTimersByTimeAsync(5 * 60_000);
    expect(invoker.calls).toHaveLength(2);
    expect(invoker.calls[1].payload.ScheduleStatus).toEqual({ Last: '2024-01-01T00:05:00+00:00', Next: '2024-01-01T00:10:00+00:00', LastUpdated: '2024-01-01T00:05:00+00:00' });
    expect(invoker.calls.map((c) => new Date(c.at).toISOString())).toEqual(['2024-01-01T00:05:00.000Z', '2024-01-01T00:10:00.000Z']);
  });

  test('a restart after a long stop runs the function at once with IsPastDue, then keeps the schedule', async () => {
    const db = new Database(':memory:');
    const sqlite = new SqliteTimerStatusStore(db);
    start([timerFn('every5', { schedule: '0 */5 * * * *' })], sqlite);
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    expect(invoker.calls).toHaveLength(1);
    await triggers!.stop();
    // Down for an hour.
    jest.setSystemTime(t('2024-01-01T01:02:30Z'));
    invoker = new FakeInvoker();
    start([timerFn('every5', { schedule: '0 */5 * * * *' })], sqlite);
    await jest.advanceTimersByTimeAsync(1);
    expect(invoker.calls).toHaveLength(1);
    expect(invoker.calls[0].payload.IsPastDue).toBe(true);
    expect(invoker.calls[0].payload.ScheduleStatus).toEqual({ Last: '2024-01-01T00:05:00+00:00', Next: '2024-01-01T00:10:00+00:00', LastUpdated: '2024-01-01T00:05:00+00:00' });
    expect(invoker.calls[0].input.logContext).toMatchObject({ UnscheduledInvocationReason: 'IsPastDue', OriginalSchedule: '2024-01-01T00:10:00+00:00' });
    expect(lines.some((l) => l.includes("Function 'every5' is past due on startup. Executing now."))).toBe(true);
    // The missed occurrences are not replayed one by one: next is the regular 01:05.
    expect(sqlite.get('Host.Functions.every5')!.next).toBe(t('2024-01-01T01:05:00Z'));
    await jest.advanceTimersByTimeAsync(2.5 * 60_000);
    expect(invoker.calls).toHaveLength(2);
    expect(invoker.calls[1].payload.IsPastDue).toBe(false);
    db.close();
  });

  test('runOnStartup runs at once (not past due), then on the schedule', async () => {
    start([timerFn('boot', { schedule: '0 0 * * * *', runOnStartup: true })]);
    await jest.advanceTimersByTimeAsync(1);
    expect(invoker.calls).toHaveLength(1);
    expect(invoker.calls[0].payload.IsPastDue).toBe(false);
    expect(invoker.calls[0].input.logContext).toMatchObject({ UnscheduledInvocationReason: 'RunOnStartup' });
    expect(store.get('Host.Functions.boot')).toEqual({ last: t('2024-01-01T00:03:00.001Z'), next: t('2024-01-01T01:00:00Z'), lastUpdated: t('2024-01-01T00:03:00.001Z') });
    await jest.advanceTimersByTimeAsync(57 * 60_000);
    expect(invoker.calls).toHaveLength(2);
  });

  test('without the monitor (sub-minute or useMonitor: false) ScheduleStatus is null and nothing is stored', async () => {
    start([timerFn('fast', { schedule: '*/10 * * * * *' }), timerFn('quiet', { schedule: '0 * * * * *', useMonitor: false }), timerFn('interval', { schedule: '00:00:20' })]);
    await jest.advanceTimersByTimeAsync(60_000);
    // fast: 00:03:10 … 00:04:00 (6); quiet: 00:04:00 (1).
    expect(invoker.calls.filter((c) => c.payload.Schedule.AdjustForDST)).toHaveLength(7);
    for (const c of invoker.calls) expect(c.payload.ScheduleStatus).toBeNull();
    expect((store as MemoryTimerStatusStore).statuses.size).toBe(0);
    const intervalCalls = invoker.calls.filter((c) => c.payload.Schedule.AdjustForDST === false);
    expect(intervalCalls.map((c) => new Date(c.at).toISOString())).toEqual(['2024-01-01T00:03:20.000Z', '2024-01-01T00:03:40.000Z', '2024-01-01T00:04:00.000Z']);
  });

  test('a changed schedule is rewritten at start and does not count as past due', async () => {
    store.set('Host.Functions.job', { last: t('2024-01-01T00:00:00Z'), next: t('2024-01-01T00:05:00Z'), lastUpdated: t('2024-01-01T00:00:00Z') });
    jest.setSystemTime(t('2024-01-01T00:30:00Z'));
    start([timerFn('job', { schedule: '0 0 * * * *' })]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(invoker.calls).toHaveLength(0);
    expect(store.get('Host.Functions.job')).toEqual({ last: null, next: t('2024-01-01T01:00:00Z'), lastUpdated: t('2024-01-01T00:00:00Z') });
  });

  test('a failing function keeps its schedule; a slow one never overlaps itself and catches up once', async () => {
    let n = 0;
    invoker.behaviour = async () => {
      n++;
      if (n === 1) throw new Error('boom');
      if (n === 2) await new Promise((r) => setTimeout(r, 3.5 * 60_000));
    };
    start([timerFn('every1', { schedule: '0 * * * * *' })]);
    await jest.advanceTimersByTimeAsync(60_000); // 00:04 fails
    await jest.advanceTimersByTimeAsync(60_000); // 00:05 runs until 00:08:30
    await jest.advanceTimersByTimeAsync(3.5 * 60_000 + 1);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(invoker.calls.map((c) => new Date(c.at).toISOString())).toEqual([
      '2024-01-01T00:04:00.000Z',
      '2024-01-01T00:05:00.000Z',
      '2024-01-01T00:08:30.001Z',
      '2024-01-01T00:09:00.000Z',
    ]);
  });

  test('retries with the function\'s policy inside one occurrence, with RetryContext, then updates the status', async () => {
    const seen: unknown[] = [];
    invoker.behaviour = (call) => {
      seen.push(call.input.retryContext);
      if ((call.input.retryContext?.retryCount ?? 0) < 2) throw new Error('Retry!');
    };
    start([timerFn('timerTriggerWithRetry', { schedule: '0 */5 * * * *' }, { strategy: 'fixedDelay', retryStrategy: 'fixedDelay', maxRetryCount: 4, delayInterval: { seconds: 10 } })]);
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    expect(seen).toEqual([{ retryCount: 0, maxRetryCount: 4 }]);
    await jest.advanceTimersByTimeAsync(10_000);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(seen).toMatchObject([{ retryCount: 0 }, { retryCount: 1, exception: { message: 'Retry!' } }, { retryCount: 2, maxRetryCount: 4 }]);
    expect(invoker.calls.map((c) => new Date(c.at).toISOString())).toEqual(['2024-01-01T00:05:00.000Z', '2024-01-01T00:05:10.000Z', '2024-01-01T00:05:20.000Z']);
    // Every attempt sees the same TimerInfo; Last is the occurrence, not the last attempt.
    expect(new Set(invoker.calls.map((c) => JSON.stringify(c.payload))).size).toBe(1);
    expect(store.get('Host.Functions.timerTriggerWithRetry')).toMatchObject({ last: t('2024-01-01T00:05:00Z'), next: t('2024-01-01T00:10:00Z') });
    expect(lines.some((l) => l.includes("Waiting for `00:00:10` before retrying function execution. Next attempt: '1'. Max retry count: '4'"))).toBe(true);
  });

  test('stop cancels a pending retry and the schedule', async () => {
    invoker.behaviour = () => {
      throw new Error('always');
    };
    start([timerFn('stubborn', { schedule: '0 */5 * * * *' }, { strategy: 'fixedDelay', maxRetryCount: -1, delayInterval: { seconds: 60 } })]);
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    expect(invoker.calls).toHaveLength(1);
    await triggers!.stop();
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(invoker.calls).toHaveLength(1);
  });

  test('an invalid schedule fails at construction, naming the expression', () => {
    expect(() => new TimerTriggers({ functions: [timerFn('bad', { schedule: '61 * * * * *' })], invoker, store, logger, env: {} })).toThrow(/'61 \* \* \* \* \*'/);
  });
});

describe('TimerTriggers through the real @azure/functions library', () => {
  let registry: FunctionRegistry;

  beforeAll(() => {
    registry = new FunctionRegistry();
    // What the Node worker injects; the library requires it when it loads.
    jest.doMock('@azure/functions-core', () => registry.coreApi, { virtual: true });
  });
  afterAll(() => {
    jest.dontMock('@azure/functions-core');
  });

  test('the handler gets the camel-cased Timer and context.retryContext, and retries until retryCount reaches 2', async () => {
    jest.useFakeTimers({ now: t('2024-01-01T00:03:00Z'), doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { app } = require('@azure/functions') as typeof import('@azure/functions');
    const seen: { timer: unknown; retryCount: number | undefined; maxRetryCount: number | undefined }[] = [];
    app.timer('timerTriggerWithRetry', {
      schedule: '0 */5 * * * *',
      retry: { strategy: 'fixedDelay', delayInterval: { seconds: 10 }, maxRetryCount: 4 },
      handler: (myTimer, context) => {
        seen.push({ timer: myTimer, retryCount: context.retryContext?.retryCount, maxRetryCount: context.retryContext?.maxRetryCount });
        if ((context.retryContext?.retryCount ?? 0) < 2) throw new Error('Retry!');
      },
    });
    const fn = registry.functions.get('timerTriggerWithRetry')!;
    const invoker = new Invoker(registry, logger);
    const triggers = new TimerTriggers({ functions: [fn], invoker, store: new MemoryTimerStatusStore(), logger, env: {} });
    triggers.start();
    try {
      await jest.advanceTimersByTimeAsync(2 * 60_000 + 20_000);
      expect(seen.map((s) => s.retryCount)).toEqual([0, 1, 2]);
      expect(seen[0].maxRetryCount).toBe(4);
      expect(seen[0].timer).toEqual({
        schedule: { adjustForDST: true },
        scheduleStatus: { last: '0001-01-01T00:00:00+00:00', next: '2024-01-01T00:05:00+00:00', lastUpdated: '0001-01-01T00:00:00+00:00' },
        isPastDue: false,
      });
    } finally {
      await triggers.stop();
      jest.useRealTimers();
    }
  });
});
