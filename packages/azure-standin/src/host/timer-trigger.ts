// timerTrigger functions, run as the timers extension runs them (TimerListener, ScheduleMonitor,
// TimerTriggerBinding; Microsoft.Azure.WebJobs.Extensions.Timers):
// - binding { schedule, runOnStartup?, useMonitor? = true }; `%Setting%` in the schedule is an
//   app setting; NCRONTAB or TimeSpan (ncrontab.ts); the monitor is off for sub-minute schedules.
// - With the monitor, the schedule status {Last, Next, LastUpdated} is kept per timer (Azure: the
//   blob azure-webjobs-hosts/timers/{hostId}/Host.Functions.{name}/status; here a SQLite table
//   holding the same JSON). At start, a recorded Next that no longer follows from the schedule
//   (the schedule changed) is recomputed and rewritten; if now is past the recorded Next, the
//   function runs at once with IsPastDue; otherwise runOnStartup runs it at once.
// - The worker gets TimerInfo as JSON: {"Schedule":{"AdjustForDST":…},"ScheduleStatus":{…}|null,
//   "IsPastDue":…} (the library camel-cases it); ScheduleStatus is null without the monitor.
// - After each run: Last = the invocation time (moved up to the scheduled Next when the timer
//   fired a little early), Next = the following occurrence, LastUpdated = Last; invocations of
//   one timer never overlap; a failed invocation does not stop the schedule; the function's retry
//   policy (retry-policy.ts) runs inside the invocation, before the status is updated.
import type { Database, Statement } from '../core/sqlite';
import type { RegisteredFunction } from './core-api';
import type { InvocationInput } from './invoker';
import type { Logger } from '../core/logger';
import type { RpcInvocationResponse, RpcTypedData } from '../core/rpc-types';
import { resolveAppSettings } from './binding-expressions';
import { formatDotNetLocal, isKnownTimeZone, isSubMinute, nextOccurrences, parseDotNetLocal, parseSchedule } from './ncrontab';
import type { TimerSchedule } from './ncrontab';
import { parseRetryPolicy, runWithRetries } from './retry-policy';
import type { RetryPolicy } from './retry-policy';

/** Epoch milliseconds; null is .NET's default(DateTime) (never). */
export interface ScheduleStatus {
  last: number | null;
  next: number;
  lastUpdated: number | null;
}

/** Where schedule statuses persist, keyed by timer name ("Host.Functions.<name>"). */
export interface TimerStatusStore {
  get(timerName: string): ScheduleStatus | undefined;
  set(timerName: string, status: ScheduleStatus): void;
}

/** The statuses in a SQLite table, each as the JSON text of Azure's status blob. */
export class SqliteTimerStatusStore implements TimerStatusStore {
  private readonly getStmt: Statement<[string], { status: string }>;
  private readonly setStmt: Statement<[string, string, number]>;

  constructor(db: Database, private readonly timeZone = 'UTC') {
    db.exec('CREATE TABLE IF NOT EXISTS timer_status (timer TEXT PRIMARY KEY, status TEXT NOT NULL, written_at INTEGER NOT NULL)');
    this.getStmt = db.prepare('SELECT status FROM timer_status WHERE timer = ?');
    this.setStmt = db.prepare('INSERT INTO timer_status (timer, status, written_at) VALUES (?, ?, ?) ON CONFLICT (timer) DO UPDATE SET status = excluded.status, written_at = excluded.written_at');
  }

  get(timerName: string): ScheduleStatus | undefined {
    const row = this.getStmt.get(timerName);
    if (!row) return undefined;
    const json = JSON.parse(row.status) as { Last?: string; Next?: string; LastUpdated?: string };
    const next = parseDotNetLocal(json.Next);
    // A record without a usable Next is as good as none: the listener writes a fresh one.
    if (next === null) return undefined;
    return { last: parseDotNetLocal(json.Last), next, lastUpdated: parseDotNetLocal(json.LastUpdated) };
  }

  set(timerName: string, status: ScheduleStatus): void {
    this.setStmt.run(timerName, JSON.stringify(statusJson(status, this.timeZone)), Date.now());
  }
}

/** An in-memory store, for tests and for hosts without a data directory. */
export class MemoryTimerStatusStore implements TimerStatusStore {
  readonly statuses = new Map<string, ScheduleStatus>();
  get(timerName: string): ScheduleStatus | undefined {
    const s = this.statuses.get(timerName);
    return s && { ...s };
  }
  set(timerName: string, status: ScheduleStatus): void {
    this.statuses.set(timerName, { ...status });
  }
}

function statusJson(status: ScheduleStatus, timeZone: string): { Last: string; Next: string; LastUpdated: string } {
  return { Last: formatDotNetLocal(status.last, timeZone), Next: formatDotNetLocal(status.next, timeZone), LastUpdated: formatDotNetLocal(status.lastUpdated, timeZone) };
}

/**
 * ScheduleMonitor.CheckPastDueAsync: the status to keep at start, whether it must be written,
 * and how far past due the timer is (0 when not). Without a record, the initial status is
 * {Last: never, Next: next after now, LastUpdated: now}.
 */
export function checkPastDue(recorded: ScheduleStatus | undefined, schedule: TimerSchedule, now: number): { status: ScheduleStatus; write: boolean; pastDueMs: number } {
  if (!recorded) {
    const status = { last: null, next: schedule.next(now), lastUpdated: now };
    return { status, write: true, pastDueMs: 0 };
  }
  const status = { ...recorded };
  let write = false;
  let expectedNext: number;
  let lastUpdated: number;
  if (status.last !== null) {
    expectedNext = schedule.next(status.last);
    lastUpdated = status.last;
  } else if (status.lastUpdated !== null) {
    expectedNext = schedule.next(status.lastUpdated);
    lastUpdated = status.lastUpdated;
  } else {
    expectedNext = schedule.next(now);
    lastUpdated = now;
  }
  if (status.next !== expectedNext) {
    // The schedule changed: a new Next already in the past is taken from now, so that a
    // schedule change alone never makes the timer past due.
    if (now > expectedNext) {
      expectedNext = schedule.next(now);
      lastUpdated = now;
    }
    status.last = null;
    status.next = expectedNext;
    status.lastUpdated = lastUpdated;
    write = true;
  }
  return { status, write, pastDueMs: now > status.next ? now - status.next : 0 };
}

/** TimerListener.InvokeJobFunction's status update after an invocation that started at `invocationTime`. */
export function statusAfterInvocation(previous: ScheduleStatus, schedule: TimerSchedule, invocationTime: number, unscheduled: boolean): ScheduleStatus {
  // A timer that fired a moment before the scheduled time counts as the scheduled time, so the
  // same Next is never recorded twice.
  const adjusted = !unscheduled && previous.next > invocationTime ? previous.next : invocationTime;
  return { last: adjusted, next: schedule.next(adjusted), lastUpdated: adjusted };
}

/** The TimerInfo the worker gets, as the host serializes it. */
export function timerPayload(schedule: TimerSchedule, status: ScheduleStatus | null, isPastDue: boolean, timeZone = 'UTC'): RpcTypedData {
  return {
    json: JSON.stringify({
      Schedule: { AdjustForDST: schedule.adjustForDst },
      ScheduleStatus: status ? statusJson(status, timeZone) : null,
      IsPastDue: isPastDue,
    }),
  };
}

export interface TimerBinding {
  fn: RegisteredFunction;
  triggerName: string;
  /** "Host.Functions.<name>", the key of the schedule status. */
  timerName: string;
  schedule: TimerSchedule;
  runOnStartup: boolean;
  /** After the sub-minute rule. */
  useMonitor: boolean;
  retry?: RetryPolicy;
}

/**
 * The function's timer binding, validated as the host validates it at indexing (an invalid
 * schedule, an unknown setting or an invalid retry policy throws); undefined for other triggers.
 */
export function timerBindingOf(fn: RegisteredFunction, options: { env?: NodeJS.ProcessEnv; timeZone?: string; now?: number; hostRetry?: unknown } = {}): TimerBinding | undefined {
  const entry = Object.entries(fn.metadata.bindings ?? {}).find(([, b]) => b.type.toLowerCase() === 'timertrigger');
  if (!entry) return undefined;
  const [triggerName, b] = entry;
  if (typeof b.schedule !== 'string' || b.schedule.trim() === '') throw new Error('a timerTrigger needs a schedule');
  const schedule = parseSchedule(resolveAppSettings(b.schedule, options.env), options.timeZone);
  const useMonitorSetting = b.useMonitor === undefined ? true : b.useMonitor === true || String(b.useMonitor).toLowerCase() === 'true';
  return {
    fn,
    triggerName,
    timerName: `Host.Functions.${fn.metadata.name}`,
    schedule,
    runOnStartup: b.runOnStartup === true || String(b.runOnStartup).toLowerCase() === 'true',
    useMonitor: useMonitorSetting && !isSubMinute(schedule, options.now ?? Date.now()),
    retry: parseRetryPolicy(fn.metadata.retryOptions) ?? parseRetryPolicy(options.hostRetry),
  };
}

/** The part of the Invoker a trigger needs. */
export interface FunctionInvoker {
  invoke(fn: RegisteredFunction, input: InvocationInput): Promise<RpcInvocationResponse>;
}

/** The time zone schedules run in: WEBSITE_TIME_ZONE when it names an IANA zone, else UTC (Azure's default). */
export function hostTimeZone(env: NodeJS.ProcessEnv = process.env, logger?: Logger): string {
  const tz = env.WEBSITE_TIME_ZONE?.trim();
  if (!tz) return 'UTC';
  if (isKnownTimeZone(tz)) return tz;
  logger?.warn(`WEBSITE_TIME_ZONE "${tz}" is not an IANA time zone name (Windows names are not supported here): timer schedules run in UTC`);
  return 'UTC';
}

export interface TimerTriggersOptions {
  /** The app's functions; those with a timerTrigger get a listener. */
  functions: Iterable<RegisteredFunction>;
  invoker: FunctionInvoker;
  store: TimerStatusStore;
  logger: Logger;
  /** App settings for %Setting% schedules (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Default: hostTimeZone(env). */
  timeZone?: string;
  /** host.json's root `retry`, the policy of functions without their own. */
  hostRetry?: unknown;
  /** The clock (default Date.now); timers use the global setTimeout. */
  now?: () => number;
}

/** setTimeout's longest delay; longer waits are done in steps (TimerListener.MaxTimerInterval). */
const maxTimerDelay = 2_147_483_647;

export class TimerTriggers {
  readonly listeners: TimerListener[] = [];

  constructor(o: TimerTriggersOptions) {
    const env = o.env ?? process.env;
    const timeZone = o.timeZone ?? hostTimeZone(env, o.logger);
    const now = o.now ?? Date.now;
    for (const fn of o.functions) {
      const binding = timerBindingOf(fn, { env, timeZone, now: now(), hostRetry: o.hostRetry });
      if (binding) this.listeners.push(new TimerListener(binding, { ...o, now, timeZone }));
    }
  }

  start(): void {
    for (const l of this.listeners) l.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.stop()));
  }

  listener(functionName: string): TimerListener | undefined {
    return this.listeners.find((l) => l.binding.fn.metadata.name.toLowerCase() === functionName.toLowerCase());
  }
}

interface StartupInvocation {
  isPastDue: boolean;
  runOnStartup: boolean;
  originalSchedule?: number;
}

export class TimerListener {
  /** The status the next invocation sees (and, with the monitor, the persisted one). */
  status!: ScheduleStatus;
  private startup: StartupInvocation | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly sleeps = new Set<() => void>();

  constructor(
    readonly binding: TimerBinding,
    private readonly o: { invoker: FunctionInvoker; store: TimerStatusStore; logger: Logger; now: () => number; timeZone: string },
  ) {}

  private get name(): string {
    return this.binding.fn.metadata.name;
  }

  start(): void {
    const { schedule } = this.binding;
    const now = this.o.now();
    const log = this.o.logger;
    log.debug(`The '${this.name}' function uses the schedule ${schedule.toString()} in time zone ${this.o.timeZone}`);
    let status: ScheduleStatus | undefined;
    let isPastDue = false;
    if (this.binding.useMonitor) {
      const recorded = this.o.store.get(this.binding.timerName);
      log.debug(`Function '${this.name}' initial status: Last='${recorded ? formatDotNetLocal(recorded.last, this.o.timeZone) : ''}', Next='${recorded ? formatDotNetLocal(recorded.next, this.o.timeZone) : ''}', LastUpdated='${recorded ? formatDotNetLocal(recorded.lastUpdated, this.o.timeZone) : ''}'`);
      const checked = checkPastDue(recorded, schedule, now);
      if (checked.write) this.persist(checked.status);
      // As the listener keeps it: a timer with no record starts from a blank status.
      if (recorded) status = checked.status;
      isPastDue = checked.pastDueMs > 0;
    }
    this.status = status ?? { last: null, next: schedule.next(now), lastUpdated: null };
    const upcoming = nextOccurrences(schedule, now, 5).map((t) => formatDotNetLocal(t, this.o.timeZone));
    log.info(`The next 5 occurrences of the '${this.name}' schedule (${schedule.toString()}) will be: ${upcoming.join(', ')}`);
    if (isPastDue) {
      this.startup = { isPastDue: true, runOnStartup: false, originalSchedule: this.status.next };
      this.arm(now + 1);
    } else if (this.binding.runOnStartup) {
      this.startup = { isPastDue: false, runOnStartup: true };
      this.arm(now + 1);
    } else {
      this.arm(this.status.next);
    }
  }

  /** Stops the schedule, cancels a retry delay and waits for a running invocation. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const cancel of [...this.sleeps]) cancel();
    await this.running;
  }

  private arm(dueAt: number): void {
    if (this.stopped) return;
    const delay = Math.max(1, dueAt - this.o.now());
    if (delay > maxTimerDelay) {
      this.timer = setTimeout(() => this.arm(dueAt), maxTimerDelay);
    } else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.running = this.onTimer();
      }, delay);
    }
    this.timer.unref?.();
  }

  private async onTimer(): Promise<void> {
    try {
      const startup = this.startup;
      this.startup = undefined;
      if (startup?.isPastDue) {
        this.o.logger.info(`Function '${this.name}' is past due on startup. Executing now.`);
      } else if (startup?.runOnStartup) {
        this.o.logger.info(`Function '${this.name}' is configured to run on startup. Executing now.`);
      }
      await this.invoke(this.o.now(), startup);
    } catch (err) {
      // Nothing stops the schedule.
      this.o.logger.error(`Error occurred during scheduled invocation for '${this.name}'.`, { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.arm(this.status.next);
    }
  }

  private async invoke(invocationTime: number, startup: StartupInvocation | undefined): Promise<void> {
    if (this.stopped) return;
    const { schedule, fn, triggerName } = this.binding;
    const payload = timerPayload(schedule, this.binding.useMonitor ? this.status : null, startup?.isPastDue ?? false, this.o.timeZone);
    const logContext: Record<string, unknown> = {};
    if (startup?.isPastDue) logContext.UnscheduledInvocationReason = 'IsPastDue';
    else if (startup?.runOnStartup) logContext.UnscheduledInvocationReason = 'RunOnStartup';
    if (startup?.originalSchedule !== undefined) logContext.OriginalSchedule = formatDotNetLocal(startup.originalSchedule, this.o.timeZone);
    const reason = `Timer fired at ${formatDotNetLocal(invocationTime, this.o.timeZone)}`;
    await runWithRetries(
      this.binding.retry,
      async (retryContext) => {
        await this.o.invoker.invoke(fn, { inputData: [{ name: triggerName, data: payload }], triggerMetadata: {}, reason, logContext, retryContext });
      },
      {
        sleep: (ms) => this.sleep(ms),
        log: (level, message) => this.o.logger.log(level, `${this.name}: ${message}`),
      },
    );
    this.status = statusAfterInvocation(this.status, schedule, invocationTime, startup !== undefined);
    if (this.binding.useMonitor) this.persist(this.status);
  }

  private persist(status: ScheduleStatus): void {
    try {
      this.o.store.set(this.binding.timerName, status);
      this.o.logger.debug(`Function '${this.name}' updated status: Last='${formatDotNetLocal(status.last, this.o.timeZone)}', Next='${formatDotNetLocal(status.next, this.o.timeZone)}', LastUpdated='${formatDotNetLocal(status.lastUpdated, this.o.timeZone)}'`);
    } catch (err) {
      // Best effort, as StorageScheduleMonitor.UpdateStatusAsync.
      this.o.logger.error(`Function '${this.name}' failed to update the timer trigger status.`, { error: err instanceof Error ? err.message : String(err) });
    }
  }

  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(t);
        this.sleeps.delete(cancel);
        resolve(ok);
      };
      const cancel = () => done(false);
      const t = setTimeout(() => done(true), ms);
      this.sleeps.add(cancel);
    });
  }
}
