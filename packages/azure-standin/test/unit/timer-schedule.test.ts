// Timer schedules (NCRONTAB, TimeSpan), the schedule monitor's start-up and update rules, and
// function retry policies: pure logic on explicit times.
import { Database } from '../../src/core/sqlite';
import { formatDotNetLocal, isSubMinute, parseDotNetLocal, parseSchedule, parseTimeSpan, zoneOffsetMinutes } from '../../src/host/ncrontab';
import { checkPastDue, SqliteTimerStatusStore, statusAfterInvocation, timerBindingOf, timerPayload } from '../../src/host/timer-trigger';
import type { RegisteredFunction } from '../../src/host/core-api';
import { delaySequence, formatTimeSpan, parseRetryPolicy, runWithRetries, supportsRetry } from '../../src/host/retry-policy';
import type { RpcRetryContext } from '../../src/core/rpc-types';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseSchedule', () => {
  test('six NCRONTAB fields: seconds first; the next occurrence is strictly after the base time', () => {
    const s = parseSchedule('*/5 * * * * *');
    expect(s.kind).toBe('cron');
    expect(s.adjustForDst).toBe(true);
    expect(iso(s.next(t('2024-01-01T00:00:00Z')))).toBe('2024-01-01T00:00:05.000Z');
    expect(iso(s.next(t('2024-01-01T00:00:04.999Z')))).toBe('2024-01-01T00:00:05.000Z');
    expect(iso(s.next(t('2024-01-01T00:00:05Z')))).toBe('2024-01-01T00:00:10.000Z');
    expect(iso(parseSchedule('0 */5 * * * *').next(t('2024-01-01T00:03:10Z')))).toBe('2024-01-01T00:05:00.000Z');
    expect(iso(parseSchedule('0 30 9 * Jan Mon').next(t('2024-01-02T00:00:00Z')))).toBe('2024-01-08T09:30:00.000Z');
  });

  test('five fields have no seconds field', () => {
    const s = parseSchedule('30 9 * * *');
    expect(iso(s.next(t('2024-01-01T10:00:00Z')))).toBe('2024-01-02T09:30:00.000Z');
  });

  test('day-of-month and day-of-week must both match, as in NCrontab (not either, as in Vixie cron)', () => {
    const fridayThe13th = parseSchedule('0 0 0 13 * 5');
    expect(iso(fridayThe13th.next(t('2024-01-01T00:00:00Z')))).toBe('2024-09-13T00:00:00.000Z');
  });

  test('a TimeSpan is a constant interval from the base time', () => {
    const s = parseSchedule('00:00:30');
    expect(s.kind).toBe('constant');
    expect(s.adjustForDst).toBe(false);
    expect(s.next(1000)).toBe(31_000);
    expect(parseSchedule('1.02:00:00').next(0)).toBe(26 * 3_600_000);
    expect(parseTimeSpan('01:30')).toBe(90 * 60_000);
    expect(parseTimeSpan('2')).toBe(2 * 86_400_000);
    expect(parseTimeSpan('00:00:01.5')).toBe(1500);
    expect(parseTimeSpan('24:00:00')).toBeUndefined();
  });

  test('anything else is refused with the extension\'s message', () => {
    expect(() => parseSchedule('every 5 minutes')).toThrow("The schedule expression 'every 5 minutes' was not recognized as a valid cron expression or timespan string");
    expect(() => parseSchedule('0 61 * * * *')).toThrow(/not recognized/);
    expect(() => parseSchedule('* * * * * * *')).toThrow(/not recognized/);
    expect(() => parseSchedule('00:00:00')).toThrow(/zero or negative/);
  });

  test('schedules run in the given time zone', () => {
    // 09:00 in New York is 14:00 UTC in winter.
    expect(iso(parseSchedule('0 0 9 * * *', 'America/New_York').next(t('2024-01-10T00:00:00Z')))).toBe('2024-01-10T14:00:00.000Z');
  });

  test('sub-minute schedules turn the monitor off; a per-minute or rarer one keeps it', () => {
    const now = t('2024-01-01T00:00:00Z');
    expect(isSubMinute(parseSchedule('*/10 * * * * *'), now)).toBe(true);
    expect(isSubMinute(parseSchedule('0 * * * * *'), now)).toBe(false);
    expect(isSubMinute(parseSchedule('*/10 5 * * * *'), now)).toBe(false);
    expect(isSubMinute(parseSchedule('* * * * *'), now)).toBe(false);
    expect(isSubMinute(parseSchedule('00:00:30'), now)).toBe(true);
    expect(isSubMinute(parseSchedule('00:01:00'), now)).toBe(false);
  });
});

describe('.NET date text', () => {
  test('local DateTime as Newtonsoft writes it, and back', () => {
    expect(formatDotNetLocal(t('2024-05-01T10:00:00Z'))).toBe('2024-05-01T10:00:00+00:00');
    expect(formatDotNetLocal(t('2024-05-01T10:00:00.120Z'))).toBe('2024-05-01T10:00:00.12+00:00');
    expect(formatDotNetLocal(null)).toBe('0001-01-01T00:00:00+00:00');
    expect(formatDotNetLocal(t('2024-07-01T10:00:00Z'), 'Europe/Berlin')).toBe('2024-07-01T12:00:00+02:00');
    expect(formatDotNetLocal(t('2024-01-01T10:00:00Z'), 'America/New_York')).toBe('2024-01-01T05:00:00-05:00');
    expect(zoneOffsetMinutes(t('2024-07-01T10:00:00.500Z'), 'Asia/Kolkata')).toBe(330);
    expect(parseDotNetLocal('2024-07-01T12:00:00+02:00')).toBe(t('2024-07-01T10:00:00Z'));
    expect(parseDotNetLocal('0001-01-01T00:00:00+00:00')).toBeNull();
  });
});

describe('schedule monitor rules', () => {
  const every5 = parseSchedule('0 */5 * * * *');

  test('no record: the initial status is written and the timer is not past due', () => {
    const now = t('2024-01-01T00:03:00Z');
    const r = checkPastDue(undefined, every5, now);
    expect(r).toEqual({ status: { last: null, next: t('2024-01-01T00:05:00Z'), lastUpdated: now }, write: true, pastDueMs: 0 });
  });

  test('a recorded Next in the past (the host was down) makes the timer past due', () => {
    const recorded = { last: t('2024-01-01T00:00:00Z'), next: t('2024-01-01T00:05:00Z'), lastUpdated: t('2024-01-01T00:00:00Z') };
    const r = checkPastDue(recorded, every5, t('2024-01-01T02:00:00Z'));
    expect(r.write).toBe(false);
    expect(r.status).toEqual(recorded);
    expect(r.pastDueMs).toBe(t('2024-01-01T02:00:00Z') - t('2024-01-01T00:05:00Z'));
  });

  test('a changed schedule rewrites Next from Last, or from now when that is already past, and is not past due', () => {
    const hourly = parseSchedule('0 0 * * * *');
    const recorded = { last: t('2024-01-01T00:00:00Z'), next: t('2024-01-01T00:05:00Z'), lastUpdated: t('2024-01-01T00:00:00Z') };
    const soon = checkPastDue(recorded, hourly, t('2024-01-01T00:02:00Z'));
    expect(soon).toEqual({ status: { last: null, next: t('2024-01-01T01:00:00Z'), lastUpdated: t('2024-01-01T00:00:00Z') }, write: true, pastDueMs: 0 });
    const late = checkPastDue(recorded, hourly, t('2024-01-01T03:30:00Z'));
    expect(late).toEqual({ status: { last: null, next: t('2024-01-01T04:00:00Z'), lastUpdated: t('2024-01-01T03:30:00Z') }, write: true, pastDueMs: 0 });
  });

  test('a never-fired timer checks Next against LastUpdated', () => {
    const recorded = { last: null, next: t('2024-01-01T00:05:00Z'), lastUpdated: t('2024-01-01T00:03:00Z') };
    expect(checkPastDue(recorded, every5, t('2024-01-01T00:04:00Z'))).toMatchObject({ write: false, pastDueMs: 0 });
    expect(checkPastDue(recorded, every5, t('2024-01-01T00:06:00Z'))).toMatchObject({ write: false, pastDueMs: 60_000 });
  });

  test('after a run: Last is the scheduled time when the timer fired early, else the invocation time', () => {
    const prev = { last: null, next: t('2024-01-01T00:05:00Z'), lastUpdated: null };
    expect(statusAfterInvocation(prev, every5, t('2024-01-01T00:04:59.990Z'), false)).toEqual({ last: t('2024-01-01T00:05:00Z'), next: t('2024-01-01T00:10:00Z'), lastUpdated: t('2024-01-01T00:05:00Z') });
    expect(statusAfterInvocation(prev, every5, t('2024-01-01T00:05:00.020Z'), false)).toEqual({ last: t('2024-01-01T00:05:00.020Z'), next: t('2024-01-01T00:10:00Z'), lastUpdated: t('2024-01-01T00:05:00.020Z') });
    // A past-due or startup run counts from when it ran.
    expect(statusAfterInvocation(prev, every5, t('2024-01-01T00:01:00Z'), true).last).toBe(t('2024-01-01T00:01:00Z'));
  });

  test('TimerInfo JSON as the host sends it', () => {
    const status = { last: t('2024-01-01T00:00:00Z'), next: t('2024-01-01T00:05:00Z'), lastUpdated: t('2024-01-01T00:00:00Z') };
    expect(JSON.parse(timerPayload(every5, status, true).json!)).toEqual({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: '2024-01-01T00:00:00+00:00', Next: '2024-01-01T00:05:00+00:00', LastUpdated: '2024-01-01T00:00:00+00:00' },
      IsPastDue: true,
    });
    expect(JSON.parse(timerPayload(parseSchedule('00:00:10'), null, false).json!)).toEqual({ Schedule: { AdjustForDST: false }, ScheduleStatus: null, IsPastDue: false });
  });

  test('the SQLite store keeps the status blob\'s JSON', () => {
    const db = new Database(':memory:');
    const store = new SqliteTimerStatusStore(db);
    expect(store.get('Host.Functions.x')).toBeUndefined();
    const status = { last: null, next: t('2024-01-01T00:05:00Z'), lastUpdated: t('2024-01-01T00:03:00.5Z') };
    store.set('Host.Functions.x', status);
    expect(store.get('Host.Functions.x')).toEqual(status);
    const row = db.prepare('SELECT status FROM timer_status').get() as { status: string };
    expect(JSON.parse(row.status)).toEqual({ Last: '0001-01-01T00:00:00+00:00', Next: '2024-01-01T00:05:00+00:00', LastUpdated: '2024-01-01T00:03:00.5+00:00' });
    db.close();
  });
});

describe('timerBindingOf', () => {
  const fn = (binding: Record<string, unknown>, retryOptions?: unknown): RegisteredFunction => ({
    metadata: { name: 'cleanup', bindings: { myTimer: { type: 'timerTrigger', direction: 'in', ...binding } }, retryOptions },
    callback: () => undefined,
  });

  test('resolves %settings%, applies the defaults and the sub-minute rule', () => {
    const b = timerBindingOf(fn({ schedule: '%CLEANUP_SCHEDULE%' }), { env: { CLEANUP_SCHEDULE: '0 0 3 * * *' } })!;
    expect(b).toMatchObject({ triggerName: 'myTimer', timerName: 'Host.Functions.cleanup', runOnStartup: false, useMonitor: true, retry: undefined });
    expect(b.schedule.expression).toBe('0 0 3 * * *');
    expect(timerBindingOf(fn({ schedule: '*/5 * * * * *' }))!.useMonitor).toBe(false);
    expect(timerBindingOf(fn({ schedule: '0 * * * * *', useMonitor: false, runOnStartup: true }))).toMatchObject({ useMonitor: false, runOnStartup: true });
  });

  test('refuses what the host refuses at indexing', () => {
    expect(() => timerBindingOf(fn({ schedule: '%MISSING%' }), { env: {} })).toThrow(/MISSING/);
    expect(() => timerBindingOf(fn({ schedule: 'soon' }))).toThrow(/not recognized/);
    expect(() => timerBindingOf(fn({}))).toThrow(/needs a schedule/);
    expect(() => timerBindingOf(fn({ schedule: '0 * * * * *' }, { strategy: 'sometimes', maxRetryCount: 1 }))).toThrow(/unknown retry strategy/);
  });

  test('takes the library\'s retry options, or host.json\'s', () => {
    const lib = { strategy: 'fixedDelay', retryStrategy: 'fixedDelay', maxRetryCount: 4, delayInterval: { seconds: 10 } };
    expect(timerBindingOf(fn({ schedule: '0 * * * * *' }, lib))!.retry).toEqual({ strategy: 'fixedDelay', maxRetryCount: 4, delayMs: 10_000, minimumMs: 0, maximumMs: 0 });
    const host = { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: '00:00:02', maximumInterval: '00:01:00' };
    expect(timerBindingOf(fn({ schedule: '0 * * * * *' }), { hostRetry: host })!.retry).toEqual({ strategy: 'exponentialBackoff', maxRetryCount: -1, delayMs: 0, minimumMs: 2000, maximumMs: 60_000 });
  });
});

describe('retry policies', () => {
  test('apply to the triggers that support them', () => {
    expect(supportsRetry('timerTrigger')).toBe(true);
    expect(supportsRetry('blobTrigger')).toBe(false);
    expect(supportsRetry('serviceBusTrigger')).toBe(false);
  });

  test('exponential backoff: the minimum first, then growing by 2^(n-1)·minimum·rand(0.8..1.2), capped', () => {
    const next = delaySequence({ strategy: 'exponentialBackoff', maxRetryCount: 10, delayMs: 0, minimumMs: 1000, maximumMs: 5000 }, () => 0.5);
    expect([next(), next(), next(), next(), next()]).toEqual([1000, 2000, 3000, 5000, 5000]);
    const fixed = delaySequence(parseRetryPolicy({ strategy: 'fixedDelay', maxRetryCount: 1, delayInterval: 250 })!);
    expect([fixed(), fixed()]).toEqual([250, 250]);
    expect(() => parseRetryPolicy({ strategy: 'exponentialBackoff', maxRetryCount: 1, minimumInterval: 10, maximumInterval: 5 })).toThrow(/minimumInterval/);
  });

  test('every attempt gets a RetryContext (the first with retryCount 0) until maxRetryCount retries have failed', async () => {
    const seen: (RpcRetryContext | undefined)[] = [];
    const sleeps: number[] = [];
    const policy = parseRetryPolicy({ strategy: 'fixedDelay', maxRetryCount: 2, delayInterval: { seconds: 3 } });
    const err = await runWithRetries(policy, async (ctx) => {
      seen.push(ctx);
      throw new Error(`fail ${seen.length}`);
    }, { sleep: async (ms) => (sleeps.push(ms), true) });
    expect((err as Error).message).toBe('fail 3');
    expect(seen.map((c) => c?.retryCount)).toEqual([0, 1, 2]);
    expect(seen.map((c) => c?.maxRetryCount)).toEqual([2, 2, 2]);
    expect(seen[0]?.exception).toBeUndefined();
    expect(seen[2]?.exception?.message).toBe('fail 2');
    expect(sleeps).toEqual([3000, 3000]);
  });

  test('stops at the first success; without a policy there is one attempt and no context', async () => {
    const counts: number[] = [];
    const ok = await runWithRetries(parseRetryPolicy({ strategy: 'fixedDelay', maxRetryCount: 4, delayInterval: 0 }), async (ctx) => {
      counts.push(ctx!.retryCount);
      if (ctx!.retryCount < 2) throw new Error('Retry!');
    }, { sleep: async () => true });
    expect(ok).toBeUndefined();
    expect(counts).toEqual([0, 1, 2]);
    const contexts: unknown[] = [];
    const err = await runWithRetries(undefined, async (ctx) => {
      contexts.push(ctx);
      throw new Error('once');
    }, { sleep: async () => true });
    expect((err as Error).message).toBe('once');
    expect(contexts).toEqual([undefined]);
  });

  test('a cancelled delay (host stopping) ends the loop', async () => {
    let attempts = 0;
    await runWithRetries(parseRetryPolicy({ strategy: 'fixedDelay', maxRetryCount: -1, delayInterval: 1 }), async () => {
      attempts++;
      throw new Error('x');
    }, { sleep: async () => attempts < 3 });
    expect(attempts).toBe(3);
  });

  test('delays print as .NET TimeSpans', () => {
    expect(formatTimeSpan(10_000)).toBe('00:00:10');
    expect(formatTimeSpan(1500)).toBe('00:00:01.5000000');
    expect(formatTimeSpan(90_061_000)).toBe('1.01:01:01');
  });
});
