// An instance's stored DTFx history as a person reads it: one row per step. A scheduled activity
// and its completion (or failure) are one row with a duration; so are a timer and its firing, and a
// sub-orchestration and its result. Episode boundaries (OrchestratorStarted/Completed) are left
// out; each row keeps its raw events for the <details> view.
import { EventType, eventTypeName, HistoryEvent } from '../durable/history';

export type Outcome = 'ok' | 'fail' | 'wait' | 'info';

export interface TimelineRow {
  kind: 'start' | 'activity' | 'timer' | 'event' | 'sent' | 'suborchestration' | 'end' | 'control' | 'other';
  /** What happened, e.g. the activity's name or the event's name. */
  title: string;
  /** 1 for a first attempt; 2, 3… when the same activity ran again after failing (a retry). */
  attempt?: number;
  start: string;
  end?: string;
  durationMs?: number;
  /** A timer's due time. */
  fireAt?: string;
  outcome: Outcome;
  /** A short line: the failure reason, the event's payload, the child's instance id. */
  detail?: string;
  /** Another instance this row refers to (a sub-orchestration, an event's target). */
  instanceId?: string;
  payload?: unknown;
  raw: HistoryEvent[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Parsed JSON when the text is JSON, else the text (inputs, results, reasons are JSON strings). */
function parsed(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

function between(a: string, b: string | undefined): number | undefined {
  if (!b) return undefined;
  const d = Date.parse(b) - Date.parse(a);
  return Number.isFinite(d) ? d : undefined;
}

/** Closes a row that started with an earlier event (scheduled, timer created, sub-orchestration created). */
function finish(row: TimelineRow, e: HistoryEvent, at: string, outcome: TimelineRow['outcome'], detail: string | undefined): void {
  row.raw.push(e);
  row.end = at;
  row.durationMs = between(row.start, at);
  row.outcome = outcome;
  row.detail = detail;
}

function failureText(e: HistoryEvent): string {
  const details = e.FailureDetails as { ErrorMessage?: string } | null | undefined;
  return str(e.Reason) ?? details?.ErrorMessage ?? str(e.Details) ?? 'failed';
}

const completedStatuses = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'];

export function timeline(events: HistoryEvent[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  // Scheduling rows by sequence number, to fold their completions into them.
  const tasks = new Map<number, TimelineRow>();
  const timers = new Map<number, TimelineRow>();
  const subs = new Map<number, TimelineRow>();
  const failuresByName = new Map<string, number>();
  for (const e of events) {
    const t = e.Timestamp;
    switch (e.EventType) {
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        break;
      case EventType.ExecutionStarted:
        rows.push({ kind: 'start', title: `Started ${str(e.Name) ?? ''}`.trim(), start: t, outcome: 'info', payload: parsed(e.Input), raw: [e] });
        break;
      case EventType.TaskScheduled: {
        const name = str(e.Name) ?? '?';
        // Each failure of the same activity before this one makes this a retry.
        const row: TimelineRow = { kind: 'activity', title: name, attempt: (failuresByName.get(name) ?? 0) + 1, start: t, outcome: 'wait', detail: 'running', payload: parsed(e.Input), raw: [e] };
        tasks.set(e.EventId, row);
        rows.push(row);
        break;
      }
      case EventType.TaskCompleted:
      case EventType.TaskFailed: {
        const row = tasks.get(Number(e.TaskScheduledId));
        const failed = e.EventType === EventType.TaskFailed;
        if (!row) {
          rows.push({ kind: 'activity', title: eventTypeName(e.EventType), start: t, outcome: failed ? 'fail' : 'ok', detail: failed ? failureText(e) : undefined, payload: failed ? undefined : parsed(e.Result), raw: [e] });
          break;
        }
        finish(row, e, t, failed ? 'fail' : 'ok', failed ? failureText(e) : undefined);
        if (failed) failuresByName.set(row.title, (failuresByName.get(row.title) ?? 0) + 1);
        else {
          failuresByName.delete(row.title);
          row.payload = { input: row.payload, result: parsed(e.Result) };
        }
        break;
      }
      case EventType.TimerCreated: {
        const row: TimelineRow = { kind: 'timer', title: 'Timer', start: t, fireAt: str(e.FireAt), outcome: 'wait', detail: 'waiting', raw: [e] };
        timers.set(e.EventId, row);
        rows.push(row);
        break;
      }
      case EventType.TimerFired: {
        const row = timers.get(Number(e.TimerId));
        if (!row) {
          rows.push({ kind: 'timer', title: 'Timer fired', start: t, fireAt: str(e.FireAt), outcome: 'ok', raw: [e] });
          break;
        }
        finish(row, e, t, 'ok', undefined);
        break;
      }
      case EventType.SubOrchestrationInstanceCreated: {
        const id = str(e.InstanceId);
        const row: TimelineRow = { kind: 'suborchestration', title: str(e.Name) ?? '?', start: t, outcome: 'wait', detail: 'running', instanceId: id, payload: parsed(e.Input), raw: [e] };
        subs.set(e.EventId, row);
        rows.push(row);
        break;
      }
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const row = subs.get(Number(e.TaskScheduledId));
        const failed = e.EventType === EventType.SubOrchestrationInstanceFailed;
        if (!row) {
          rows.push({ kind: 'suborchestration', title: eventTypeName(e.EventType), start: t, outcome: failed ? 'fail' : 'ok', raw: [e] });
          break;
        }
        finish(row, e, t, failed ? 'fail' : 'ok', failed ? failureText(e) : undefined);
        if (!failed) row.payload = { input: row.payload, result: parsed(e.Result) };
        break;
      }
      case EventType.EventRaised:
        rows.push({ kind: 'event', title: `Event '${str(e.Name) ?? ''}' received`, start: t, outcome: 'info', payload: parsed(e.Input), raw: [e] });
        break;
      case EventType.EventSent:
        rows.push({ kind: 'sent', title: `Event '${str(e.Name) ?? ''}' sent`, start: t, outcome: 'info', instanceId: str(e.InstanceId), payload: parsed(e.Input), raw: [e] });
        break;
      case EventType.ExecutionCompleted: {
        const status = typeof e.OrchestrationStatus === 'number' ? (completedStatuses[e.OrchestrationStatus] ?? String(e.OrchestrationStatus)) : String(e.OrchestrationStatus);
        const failed = status === 'Failed' || status === 'Terminated';
        rows.push({ kind: 'end', title: status, start: t, outcome: failed ? 'fail' : 'ok', detail: failed ? (e.FailureDetails ? failureText(e) : str(e.Result)) : undefined, payload: parsed(e.Result), raw: [e] });
        break;
      }
      case EventType.ExecutionTerminated:
        rows.push({ kind: 'control', title: 'Terminate requested', start: t, outcome: 'fail', detail: str(e.Input) ?? undefined, raw: [e] });
        break;
      case EventType.ExecutionSuspended:
        rows.push({ kind: 'control', title: 'Suspended', start: t, outcome: 'wait', detail: str(e.Reason), raw: [e] });
        break;
      case EventType.ExecutionResumed:
        rows.push({ kind: 'control', title: 'Resumed', start: t, outcome: 'info', detail: str(e.Reason), raw: [e] });
        break;
      case EventType.ContinueAsNew:
        rows.push({ kind: 'control', title: 'Continued as new', start: t, outcome: 'info', payload: parsed(e.Result), raw: [e] });
        break;
      default:
        rows.push({ kind: 'other', title: eventTypeName(e.EventType), start: t, outcome: 'info', raw: [e] });
    }
  }
  return rows;
}
