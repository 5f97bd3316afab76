// Rewind of a failed orchestration, as the Durable extension's (legacy, Azure Storage) rewind
// behaves: the failure rows of the current execution are set aside as GenericEvents, so that a
// replay re-schedules the failed activities (and re-creates or rewinds failed sub-orchestrations)
// while every successful result replays from history; then the instance runs again.
//
// What counts as "the failure": the failed tasks the orchestrator did not get past. A failed task
// after which the orchestrator went on to schedule other work (an activity, a sub-orchestration,
// an entity message) was handled (a retry, a catch) and replays as it is; only failures observed
// after the last such scheduling are rewound, together with the timers scheduled after them (a
// retry policy's last delay, a catch that waited). Work that was still pending when the execution
// failed is taken up again: its results were dropped with the failed instance.
import { EventType, eventTypeName, HistoryEvent } from './history';
import { OrchestrationStatus } from './history-format';
import type { InstanceRow } from './store';

export interface RewindLookups {
  /** The activity work item for this task is still queued (its result will still arrive). */
  activityQueued(taskId: number): boolean;
  instance(instanceId: string): InstanceRow | undefined;
}

export interface RewindPlan {
  history: HistoryEvent[];
  /** Failed sub-orchestrations to rewind in turn; each reports back to this instance when it completes. */
  children: string[];
  /** Messages to this instance: timers that were pending, outcomes of sub-orchestrations that finished meanwhile. */
  deliver: { event: HistoryEvent; visibleAt: number }[];
}

const schedulingTypes = new Set([EventType.TaskScheduled, EventType.TimerCreated, EventType.SubOrchestrationInstanceCreated, EventType.EventSent]);
const failureTypes = new Set([EventType.TaskFailed, EventType.SubOrchestrationInstanceFailed]);
const completionTypes = new Set([EventType.TaskCompleted, EventType.TaskFailed, EventType.SubOrchestrationInstanceCompleted, EventType.SubOrchestrationInstanceFailed, EventType.TimerFired]);
const live = new Set(['Pending', 'Running', 'Suspended', 'ContinuedAsNew']);

/** The plan for rewinding this history, or undefined when its execution did not end Failed. */
export function planRewind(history: HistoryEvent[], lookups: RewindLookups): RewindPlan | undefined {
  const failedEnd = history.findIndex((e) => e.EventType === EventType.ExecutionCompleted && e.OrchestrationStatus === OrchestrationStatus.Failed);
  if (failedEnd < 0) return undefined;

  const episode: number[] = [];
  let n = 0;
  for (const e of history) {
    if (e.EventType === EventType.OrchestratorStarted) n++;
    episode.push(n);
  }
  const scheduled = new Map<number, number>(); // task id -> index of its scheduling event
  const completed = new Map<number, number>(); // task id -> index of its completion
  let lastWork = 0; // the last episode that scheduled anything but a timer
  history.forEach((e, i) => {
    if (schedulingTypes.has(e.EventType)) {
      scheduled.set(e.EventId, i);
      if (e.EventType !== EventType.TimerCreated) lastWork = Math.max(lastWork, episode[i]);
    } else if (completionTypes.has(e.EventType)) {
      completed.set(Number(e.EventType === EventType.TimerFired ? e.TimerId : e.TaskScheduledId), i);
    }
  });

  const aside = new Set<number>([failedEnd]);
  const children: string[] = [];
  const deliver: RewindPlan['deliver'] = [];
  const childOf = (id: number): string => String(history[scheduled.get(id)!].InstanceId);

  const unhandled = history.map((e, i) => ({ e, i })).filter(({ e, i }) => failureTypes.has(e.EventType) && episode[i] > lastWork);
  const firstUnhandled = Math.min(...unhandled.map(({ i }) => episode[i]));
  for (const { e, i } of unhandled) {
    const id = Number(e.TaskScheduledId);
    aside.add(i);
    const from = scheduled.get(id);
    if (from === undefined) continue;
    if (e.EventType === EventType.SubOrchestrationInstanceFailed && lookups.instance(childOf(id))?.status === 'Failed') {
      children.push(childOf(id)); // it reports its new outcome to the kept SubOrchestrationInstanceCreated
    } else {
      aside.add(from);
    }
  }
  for (const [id, i] of scheduled) {
    const e = history[i];
    const done = completed.get(id);
    if (e.EventType === EventType.TimerCreated && episode[i] >= firstUnhandled) {
      aside.add(i);
      if (done !== undefined) aside.add(done);
      continue;
    }
    if (done !== undefined || aside.has(i)) continue;
    // Pending when the execution failed.
    switch (e.EventType) {
      case EventType.TaskScheduled:
        if (!lookups.activityQueued(id)) aside.add(i);
        break;
      case EventType.TimerCreated: {
        const fireAt = String(e.FireAt);
        deliver.push({ event: { EventType: EventType.TimerFired, EventId: -1, IsPlayed: false, Timestamp: fireAt, TimerId: id, FireAt: fireAt }, visibleAt: Date.parse(fireAt) });
        break;
      }
      case EventType.SubOrchestrationInstanceCreated: {
        const child = lookups.instance(childOf(id));
        if (child?.status === 'Completed') {
          deliver.push({ event: { EventType: EventType.SubOrchestrationInstanceCompleted, EventId: -1, IsPlayed: false, Timestamp: child.updatedAt, TaskScheduledId: id, Result: child.output }, visibleAt: 0 });
        } else if (child?.status === 'Failed') {
          children.push(child.instanceId);
        } else if (!child || !live.has(child.status)) {
          aside.add(i); // gone or terminated: created anew
        }
        break;
      }
    }
  }
  return {
    history: history.map((e, i) => (aside.has(i) ? setAside(e) : e)),
    children,
    deliver,
  };
}

/** A history row made inert, as the legacy rewind rewrites it: a GenericEvent with no data. */
function setAside(e: HistoryEvent): HistoryEvent {
  return { EventType: EventType.GenericEvent, EventId: -1, IsPlayed: e.IsPlayed, Timestamp: e.Timestamp, Data: null, Rewound: eventTypeName(e.EventType) };
}
