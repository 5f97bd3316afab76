// The history of an instance as the Durable extension's status API shows it
// (DurableClient.GetDurableOrchestrationStatusAsync): the DTFx events of the current execution,
// with EventType as its name, no EventId/IsPlayed, no OrchestratorStarted/Completed, and each
// TaskScheduled (SubOrchestrationInstanceCreated) folded into the event that completed it, which
// gains ScheduledTime, FunctionName and Input. Work still pending keeps its scheduling event.
import { EventType, eventTypeName, HistoryEvent } from './history';

export interface HistoryFormat {
  /** showHistoryOutput: results of activities, sub-orchestrations and the execution, parsed as JSON. */
  output: boolean;
  /** showInput: inputs everywhere; without it every `Input` is left out. */
  input: boolean;
}

/** DTFx's OrchestrationStatus, which ExecutionCompleted carries as a number. */
export enum OrchestrationStatus {
  Running = 0,
  Completed = 1,
  ContinuedAsNew = 2,
  Failed = 3,
  Canceled = 4,
  Terminated = 5,
  Pending = 6,
  Suspended = 7,
}

const common = new Set(['EventType', 'EventId', 'IsPlayed', 'Timestamp']);
const timeFields = ['Timestamp', 'FireAt', 'ScheduledTime'];

export function formatHistory(events: HistoryEvent[], o: HistoryFormat): Record<string, unknown>[] {
  const scheduled = new Map<string, { index: number; name: unknown; time: string; input: unknown }>();
  const folded = new Set<number>();
  const out: (Record<string, unknown> | undefined)[] = events.map((e, i) => {
    if (e.EventType === EventType.OrchestratorStarted || e.EventType === EventType.OrchestratorCompleted) return undefined;
    // DTFx (JSON.NET) order: the event type, its own fields, then the base class's Timestamp.
    const item: Record<string, unknown> = { EventType: eventTypeName(e.EventType) };
    for (const [k, v] of Object.entries(e)) if (!common.has(k)) item[k] = v;
    item.Timestamp = e.Timestamp;
    switch (e.EventType) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${e.EventType}_${e.EventId}`, { index: i, name: e.Name, time: e.Timestamp, input: e.Input });
        delete item.Version;
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const task = e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed;
        const from = scheduled.get(`${task ? EventType.TaskScheduled : EventType.SubOrchestrationInstanceCreated}_${String(e.TaskScheduledId)}`);
        if (from) {
          item.ScheduledTime = from.time;
          item.FunctionName = from.name;
          if (o.input) item.Input = from.input;
          folded.add(from.index);
        }
        delete item.TaskScheduledId;
        if (e.EventType === EventType.TaskCompleted || e.EventType === EventType.SubOrchestrationInstanceCompleted) {
          if (o.output) item.Result = parseToken(e.Result);
          else delete item.Result;
        }
        break;
      }
      case EventType.ExecutionStarted: {
        const name = item.Name;
        for (const k of ['Name', 'OrchestrationInstance', 'ParentInstance', 'Version', 'Tags']) delete item[k];
        item.FunctionName = name;
        break;
      }
      case EventType.ExecutionCompleted:
        if (typeof e.OrchestrationStatus === 'number') item.OrchestrationStatus = OrchestrationStatus[e.OrchestrationStatus] ?? e.OrchestrationStatus;
        if (o.output) item.Result = parseToken(e.Result);
        else delete item.Result;
        break;
      case EventType.TimerFired:
        delete item.TimerId;
        break;
      case EventType.GenericEvent:
        // A row the rewind set aside: DTFx's GenericEvent has Data only.
        return { EventType: item.EventType, Data: e.Data ?? null, Timestamp: e.Timestamp };
    }
    if (!o.input) delete item.Input;
    for (const k of timeFields) if (typeof item[k] === 'string') item[k] = dotnetTime(item[k] as string);
    return item;
  });
  return out.filter((e, i): e is Record<string, unknown> => e !== undefined && !folded.has(i));
}

/** The extension's ParseToJToken: JSON when it parses, else the text itself (a terminate reason). */
export function parseToken(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A UTC time as JSON.NET writes a DateTime: up to 7 fraction digits, trailing zeros dropped. */
export function dotnetTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return iso;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return `${m[1]}${fraction ? `.${fraction}` : ''}Z`;
}

/** The status API's createdTime / lastUpdatedTime: DateTime.ToString("s") + "Z", no fraction. */
export function statusTime(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}
