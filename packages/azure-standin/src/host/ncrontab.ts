// Timer trigger schedules as the timers extension reads them (TimerSchedule.Create): the
// expression (after %setting% resolution) is tried as an NCRONTAB expression first (CronSchedule:
// six fields `{second} {minute} {hour} {day} {month} {day-of-week}`, or five without seconds),
// then as a .NET TimeSpan, a constant interval (ConstantSchedule: next = now + interval).
// NCRONTAB is evaluated with croner: NCrontab matches a day only when both the day-of-month and
// the day-of-week fields match (croner's domAndDow), and finds the first occurrence strictly
// after the given time, at whole seconds. Schedules are evaluated in the host's time zone: UTC
// on Azure unless WEBSITE_TIME_ZONE names another (an IANA name, as on Linux plans).
import { Cron } from 'croner';

export interface TimerSchedule {
  readonly kind: 'cron' | 'constant';
  readonly expression: string;
  /** What TimerInfo.Schedule.AdjustForDST says: true for cron, false for a constant interval. */
  readonly adjustForDst: boolean;
  /** The first occurrence after `afterMs` (epoch milliseconds). */
  next(afterMs: number): number;
  toString(): string;
}

export class InvalidScheduleError extends Error {}

export function parseSchedule(expression: string, timeZone = 'UTC'): TimerSchedule {
  const text = expression.trim();
  const fields = text.split(/\s+/).filter((f) => f !== '');
  if (fields.length === 5 || fields.length === 6) {
    let cron: Cron;
    try {
      cron = new Cron(fields.join(' '), { paused: true, domAndDow: true, mode: '5-or-6-parts', timezone: timeZone });
    } catch (err) {
      throw new InvalidScheduleError(`The schedule expression '${expression}' was not recognized as a valid cron expression or timespan string (${(err as Error).message}).`);
    }
    return {
      kind: 'cron',
      expression: text,
      adjustForDst: true,
      next: (afterMs) => {
        const next = cron.nextRun(new Date(afterMs));
        if (!next) throw new Error(`the schedule '${text}' has no occurrence after ${new Date(afterMs).toISOString()}`);
        return next.getTime();
      },
      toString: () => `Cron: '${fields.join(' ')}'`,
    };
  }
  const interval = parseTimeSpan(text);
  if (interval === undefined) {
    throw new InvalidScheduleError(`The schedule expression '${expression}' was not recognized as a valid cron expression or timespan string.`);
  }
  if (interval <= 0) throw new InvalidScheduleError(`The schedule expression '${expression}' is a zero or negative interval.`);
  return {
    kind: 'constant',
    expression: text,
    adjustForDst: false,
    next: (afterMs) => afterMs + interval,
    toString: () => `Constant: ${text}`,
  };
}

/**
 * TimeSpan.TryParse with the invariant culture: `d`, `hh:mm`, `hh:mm:ss`, `d.hh:mm[:ss]` and
 * a fraction of a second after the seconds; hours 0-23, minutes and seconds 0-59.
 */
export function parseTimeSpan(text: string): number | undefined {
  const m = /^(-)?(?:(\d+)|(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?)$/.exec(text.trim());
  if (!m) return undefined;
  const [, minus, onlyDays, days, h, min, s, frac] = m;
  let ms: number;
  if (onlyDays !== undefined) {
    ms = Number(onlyDays) * 86_400_000;
  } else {
    if (Number(h) > 23 || Number(min) > 59 || Number(s ?? 0) > 59) return undefined;
    ms = ((Number(days ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s ?? 0) * 1000 + (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  }
  return minus ? -ms : ms;
}

/**
 * Whether the extension turns the schedule monitor off (TimerSchedule.ShouldDisableScheduleMonitor
 * and the TimeSpan branch of Create): a constant interval under a minute, or a cron expression
 * whose minute-and-larger fields are all `*` and that fires more than once in the next minute.
 */
export function isSubMinute(schedule: TimerSchedule, nowMs: number): boolean {
  if (schedule.kind === 'constant') return schedule.next(0) < 60_000;
  const fields = schedule.expression.split(/\s+/);
  if (fields.length !== 6 || !fields.slice(1).every((f) => f === '*')) return false;
  const first = schedule.next(nowMs);
  return schedule.next(first) < nowMs + 60_000;
}

/** The next `count` occurrences after `fromMs`, for the startup log line. */
export function nextOccurrences(schedule: TimerSchedule, fromMs: number, count: number): number[] {
  const out: number[] = [];
  let t = fromMs;
  for (let i = 0; i < count; i++) {
    t = schedule.next(t);
    out.push(t);
  }
  return out;
}

/** Whether the runtime knows `timeZone` as an IANA name. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A time as Newtonsoft.Json writes a local DateTime (IsoDateFormat): the wall-clock time in
 * `timeZone` with up to seven fraction digits (trailing zeros dropped) and the zone's offset,
 * e.g. "2024-05-01T10:00:00+00:00". `null` is .NET's default(DateTime): "0001-01-01T00:00:00+00:00".
 */
export function formatDotNetLocal(ms: number | null, timeZone = 'UTC'): string {
  if (ms === null) return '0001-01-01T00:00:00+00:00';
  const offsetMin = zoneOffsetMinutes(ms, timeZone);
  const local = new Date(ms + offsetMin * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const frac = local.getUTCMilliseconds();
  const fraction = frac === 0 ? '' : `.${pad(frac, 3).replace(/0+$/, '')}`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The UTC offset of `timeZone` at the instant `ms`, in minutes. */
export function zoneOffsetMinutes(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - (ms - (ms % 1000 + 1000) % 1000)) / 60_000);
}

/** Parses what formatDotNetLocal wrote (or any ISO 8601 text); the default date reads as null. */
export function parseDotNetLocal(text: string | null | undefined): number | null {
  if (!text || text.startsWith('0001-01-01')) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}
