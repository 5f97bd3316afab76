// Replays a recorded orchestration history against an orchestrator function in this process, one
// episode at a time, as the stand-in's orchestration worker (and the Durable extension) would:
// each episode gets the history up to the events that woke it, and must schedule exactly what
// the recorded episode scheduled, in the same order, and finish where the recording finished.
// A changed orchestrator that passes this for the histories of orders already in flight can be
// deployed without failing them with non-determinism; one that does not needs a new version.
import { createRequire } from 'node:module';
import path from 'node:path';
import { flattenActions, replay } from '../durable/replay';
import type { Action } from '../durable/actions';
import { EventType, eventTypeName } from '../durable/history';
import type { HistoryEvent } from '../durable/history';

/** The generator function an app passes to durable-functions' `df.app.orchestration`. */
export type OrchestratorFunction = (context: never) => Generator<unknown, unknown, unknown>;

interface LibraryState {
  isDone: boolean;
  actions?: Action[][];
  output?: unknown;
  error?: string;
}

/** Events that schedule work or end the execution: what an episode adds after the events that woke it. */
const produced = new Set<EventType>([
  EventType.TaskScheduled, EventType.TimerCreated, EventType.SubOrchestrationInstanceCreated, EventType.EventSent,
  EventType.ExecutionCompleted, EventType.ContinueAsNew, EventType.OrchestratorCompleted,
]);

/** One scheduling event as compared: its type, sequence number and the name of what it runs. */
const describe = (e: HistoryEvent): string => `${eventTypeName(e.EventType)}#${e.EventId}${e.Name ? `:${String(e.Name)}` : ''}`;

export interface EpisodeMismatch {
  /** 1-based episode number in the recorded history. */
  episode: number;
  /** What went wrong: non-determinism, different work scheduled, or a different end. */
  problem: string;
  recorded: string[];
  replayed: string[];
}

/**
 * Every episode of `history` replayed against `orchestrator` (durable-functions resolved from the
 * app's node_modules, as the app loads it). Returns the episodes that did not match; none means
 * the orchestrator makes the same calls in the same order as when the history was recorded.
 */
export async function replayRecordedHistory(orchestrator: OrchestratorFunction, history: HistoryEvent[], from: string = process.cwd()): Promise<EpisodeMismatch[]> {
  const appRequire = createRequire(path.join(from, 'package.json'));
  const { createOrchestrator, DummyOrchestrationContext } = appRequire('durable-functions/lib/src/util/testingUtils') as {
    createOrchestrator: (fn: OrchestratorFunction) => (trigger: unknown, context: unknown) => Promise<LibraryState>;
    DummyOrchestrationContext: new (name: string, invocationId: string, log: () => void) => unknown;
  };
  const run = createOrchestrator(orchestrator);
  const started = history.find((e) => e.EventType === EventType.ExecutionStarted);
  if (!started) throw new Error('the history has no ExecutionStarted event');
  const instance = started.OrchestrationInstance as { InstanceId: string; ExecutionId: string };
  const input = started.Input === null || started.Input === undefined ? null : JSON.parse(String(started.Input));
  const episodeStarts = history.flatMap((e, i) => (e.EventType === EventType.OrchestratorStarted ? [i] : []));
  const mismatches: EpisodeMismatch[] = [];
  for (let k = 0; k < episodeStarts.length; k++) {
    const start = episodeStarts[k];
    const end = k + 1 < episodeStarts.length ? episodeStarts[k + 1] : history.length;
    let woke = start + 1;
    while (woke < end && !produced.has(history[woke].EventType)) woke++;
    const recorded = history.slice(woke, end).filter((e) => e.EventType !== EventType.OrchestratorCompleted);
    const prefix = history.slice(0, woke).map((e, i) => ({ ...e, IsPlayed: i < start }));
    const trigger = {
      history: prefix, input, instanceId: instance.InstanceId, isReplaying: start > 0, parentInstanceId: null, upperSchemaVersion: 1, upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00', maximumShortTimerDuration: '6.00:00:00', defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    };
    let state: LibraryState;
    try {
      state = await run(JSON.parse(JSON.stringify(trigger)), new DummyOrchestrationContext(String(started.Name), `replay-${k + 1}`, () => undefined));
    } catch (err) {
      // durable-functions reports an orchestrator's own exception as a failed state.
      const parsed = /^\s*(\{.*\})\s*$/s.exec((err as Error).message);
      state = parsed ? (JSON.parse(parsed[1]) as LibraryState) : { isDone: true, error: (err as Error).message };
    }
    const result = replay(prefix, flattenActions(state.actions), { instanceId: instance.InstanceId, executionId: instance.ExecutionId, now: new Date(history[start].Timestamp) });
    const recordedWork = recorded.filter((e) => e.EventType !== EventType.ExecutionCompleted && e.EventType !== EventType.ContinueAsNew).map(describe);
    const replayedWork = result.newEvents.map(describe);
    const mismatch = (problem: string) => mismatches.push({ episode: k + 1, problem, recorded: recordedWork, replayed: replayedWork });
    if (result.nonDeterminism) {
      mismatch(`non-deterministic: ${result.nonDeterminism}`);
      continue;
    }
    if (JSON.stringify(recordedWork) !== JSON.stringify(replayedWork)) {
      mismatch('schedules other work than the recording');
      continue;
    }
    const completed = recorded.find((e) => e.EventType === EventType.ExecutionCompleted);
    if (completed && !state.isDone) mismatch('the recording completed here, the replay did not');
    else if (!completed && state.isDone && !recorded.some((e) => e.EventType === EventType.ContinueAsNew)) mismatch('the replay completed here, the recording did not');
    else if (completed && state.error === undefined && JSON.stringify(state.output ?? null) !== String(completed.Result ?? 'null')) {
      mismatch(`a different output: recorded ${String(completed.Result)}, replayed ${JSON.stringify(state.output ?? null)}`);
    }
  }
  return mismatches;
}
