// Runs one orchestration episode: takes the instance's visible inbox messages, appends them to
// the history, replays the orchestrator through the unmodified durable-functions library, works
// out which of the returned actions are new, and commits history, status and the resulting work
// (activities, timers, sub-orchestrations, entity messages) in one transaction.
import type { FunctionIndex } from '../host/function-index';
import { FunctionInvocationError, Invoker } from '../host/invoker';
import type { Logger } from '../core/logger';
import type { RpcTypedData } from '../core/rpc-types';
import { ActionType, OrchestratorState, parseFailedState } from './actions';
import { DurableEngine, Effects } from './engine';
import { event, EventType, FailureDetails, HistoryEvent, terminalStatuses } from './history';
import { OrchestrationStatus } from './history-format';
import { defaultHttpPollMs, flattenActions, replay } from './replay';
import { planRewind } from './rewind';
import { versionMismatch } from './versioning';
import type { EntityRequest, InboxMessage, InstanceRow } from './store';
import { childSpan, formatTraceparent, parseTraceparent, SpanRef, stableId } from '../telemetry/trace-context';

const completionTypes = new Set([EventType.TaskCompleted, EventType.TaskFailed]);
const subCompletionTypes = new Set([EventType.SubOrchestrationInstanceCompleted, EventType.SubOrchestrationInstanceFailed]);

export class HistoryCache {
  private readonly map = new Map<string, { executionId: string; events: HistoryEvent[] }>();
  constructor(private readonly capacity = 10_000) {}
  get(instanceId: string, executionId: string): HistoryEvent[] | undefined {
    const hit = this.map.get(instanceId);
    if (!hit || hit.executionId !== executionId) return undefined;
    this.map.delete(instanceId);
    this.map.set(instanceId, hit);
    return hit.events;
  }
  set(instanceId: string, executionId: string, events: HistoryEvent[]): void {
    this.map.delete(instanceId);
    this.map.set(instanceId, { executionId, events });
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
  delete(instanceId: string): void {
    this.map.delete(instanceId);
  }
}

export interface EpisodeMetrics {
  episodes: number;
  historyEvents: number;
  historyBytes: number;
}

export class OrchestrationWorker {
  readonly metrics: EpisodeMetrics = { episodes: 0, historyEvents: 0, historyBytes: 0 };

  constructor(
    private readonly engine: DurableEngine,
    private readonly index: FunctionIndex,
    private readonly invoker: Invoker,
    private readonly cache: HistoryCache,
    private readonly logger: Logger,
  ) {}

  private get store() {
    return this.engine.store;
  }

  async run(instanceId: string): Promise<void> {
    const row = this.store.getInstance(instanceId);
    const messages = this.store.visibleMessages(instanceId, Date.now());
    if (messages.length === 0) return;
    if (!row) {
      await this.engine.tx(() => this.store.deleteMessages(messages.map((m) => m.id)));
      return;
    }
    const history = this.cache.get(instanceId, row.executionId) ?? this.store.loadHistory(instanceId);
    const rewinds = messages.filter((m) => m.body.kind === 'rewind');
    if (rewinds.length > 0) {
      // A rewind asked of an execution that has since been replaced (restarted) is void.
      const current = rewinds.filter((m) => m.executionId === row.executionId);
      if (current.length > 0) await this.rewind(row, history, current);
      else await this.engine.tx(() => this.store.deleteMessages(rewinds.map((m) => m.id)));
      return;
    }
    const now = new Date(Math.max(Date.now(), lastTimestamp(history) + 1));
    const ts = now.toISOString();
    const consumed: number[] = [];
    const inbound: HistoryEvent[] = [];
    let status = row.status;
    let terminated: HistoryEvent | undefined = undefined as HistoryEvent | undefined;
    const scheduled = new Set<number>();
    const settled = new Set<number>();
    let hasStart = false;
    for (const e of history) indexEvent(e, scheduled, settled);
    hasStart = history.some((e) => e.EventType === EventType.ExecutionStarted);

    const held: InboxMessage[] = [];
    const accept = (m: InboxMessage): void => {
      if (m.body.kind !== 'event' || (m.executionId && m.executionId !== row.executionId) || terminalStatuses.has(status) || terminated) {
        consumed.push(m.id);
        return;
      }
      const e = m.body.event;
      switch (e.EventType) {
        case EventType.ExecutionTerminated:
          terminated = e;
          consumed.push(m.id);
          return;
        case EventType.ExecutionSuspended:
          consumed.push(m.id);
          if (status !== 'Suspended') {
            status = 'Suspended';
            inbound.push(e);
          }
          return;
        case EventType.ExecutionResumed:
          consumed.push(m.id);
          if (status === 'Suspended') {
            status = 'Running';
            inbound.push(e);
            held.splice(0).forEach(accept);
          }
          return;
      }
      if (status === 'Suspended') {
        held.push(m); // stays in the inbox until resumed
        return;
      }
      consumed.push(m.id);
      if (e.EventType === EventType.ExecutionStarted) {
        if (!hasStart) {
          hasStart = true;
          inbound.push(e);
        }
        return;
      }
      // Activities are at-least-once: drop a second result for the same task.
      const key = completionKey(e);
      if (key !== undefined && (!scheduled.has(key) || settled.has(key))) return;
      if (key !== undefined) settled.add(key);
      inbound.push(e);
    };
    messages.forEach(accept);

    if (terminated) {
      const reason = (terminated.Input as string | null) ?? '';
      const events = [event(EventType.OrchestratorStarted, ts), terminated, event(EventType.ExecutionCompleted, ts, { OrchestrationStatus: OrchestrationStatus.Terminated, Result: reason })];
      await this.commit(row, history, events, consumed, { ...row, status: 'Terminated', output: JSON.stringify(reason), updatedAt: ts }, (fx) =>
        this.notifyParent(fx, row, 'Terminated', JSON.stringify(reason), { ErrorType: 'TerminatedException', ErrorMessage: reason, IsNonRetriable: true }));
      return;
    }

    // Events that arrived before a suspend in this batch are still processed; later ones are held.
    const runnable = inbound.some((e) => e.EventType !== EventType.ExecutionSuspended && e.EventType !== EventType.ExecutionResumed);
    if (!runnable || !hasStart) {
      const events = inbound.length > 0 ? [event(EventType.OrchestratorStarted, ts), ...inbound, event(EventType.OrchestratorCompleted, ts)] : [];
      await this.commit(row, history, events, consumed, { ...row, status: hasStart ? status : row.status, updatedAt: ts });
      return;
    }

    const episodeHead = [event(EventType.OrchestratorStarted, ts), ...inbound];
    const versioning = this.engine.options.versioning;
    const mismatch = versioning && versionMismatch(instanceVersion([...history, ...inbound]), versioning);
    if (mismatch) {
      if (versioning.failureStrategy === 'Fail') {
        await this.fail(row, history, episodeHead, consumed, ts, `This worker cannot run orchestration '${instanceId}': ${mismatch}.`, 'VersionMismatch');
      } else {
        // Reject: the work stays queued, untouched, for a worker of a compatible version (here:
        // the next start with a newer defaultVersion); new messages bring it back to this check.
        this.logger.warn(`orchestration '${instanceId}' (${row.name}) left for another worker: ${mismatch}`);
      }
      return;
    }
    const orchestrator = this.index.orchestrators.get(row.name.toLowerCase());
    if (!orchestrator) {
      const message = `The function '${row.name}' doesn't exist, is disabled, or is not an orchestrator function.`;
      await this.fail(row, history, episodeHead, consumed, ts, message, 'FunctionNotFound');
      return;
    }

    const fullHistory = [...history, ...episodeHead];
    const playedUpTo = history.length;
    const trigger = {
      history: fullHistory.map((e, i) => (i < playedUpTo ? { ...e, IsPlayed: true } : e)),
      input: row.input === null ? null : JSON.parse(row.input),
      instanceId: row.instanceId,
      isReplaying: playedUpTo > 0,
      parentInstanceId: row.parent?.instanceId ?? null,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: '3.00:00:00',
      maximumShortTimerDuration: '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: defaultHttpPollMs,
    };
    let state: OrchestratorState;
    let failure: string | undefined;
    const span = orchestrationSpan(row, fullHistory);
    try {
      const response = await this.invoker.invoke(orchestrator.fn, {
        inputData: [{ name: orchestrator.triggerName, data: { string: JSON.stringify(trigger) } }],
        logContext: { instanceId },
        reason: 'OrchestrationTrigger',
        span: childSpan(formatTraceparent(span)),
      });
      state = decodeState(response.returnValue);
    } catch (err) {
      if (!(err instanceof FunctionInvocationError)) throw err;
      const parsed = parseFailedState(err.message);
      if (!parsed) {
        // Not durable-functions' failure envelope: the handler itself broke, so there are no actions.
        await this.fail(row, history, episodeHead, consumed, ts, `Orchestrator function '${row.name}' failed: ${err.message}`, 'OrchestrationFailureException');
        return;
      }
      state = parsed;
      failure = `Orchestrator function '${row.name}' failed: ${parsed.error ?? err.message}`;
    }

    const actions = flattenActions(state.actions);
    const result = replay(fullHistory, actions, { instanceId, executionId: row.executionId, now });
    if (result.nonDeterminism) {
      await this.fail(row, history, episodeHead, consumed, ts, `Non-Deterministic workflow detected: ${result.nonDeterminism}`, 'NonDeterministicOrchestrationException');
      return;
    }
    const customStatus = state.customStatus === undefined ? row.customStatus : JSON.stringify(state.customStatus);
    const scheduling = result.newEvents;
    this.metrics.episodes++;

    if (failure) {
      // As DTFx does, messages sent before the failure still go out; nothing new is scheduled.
      const sends = scheduling.filter((e) => e.EventType === EventType.EventSent);
      const events = [...episodeHead, ...sends, event(EventType.OrchestratorCompleted, ts),
        event(EventType.ExecutionCompleted, ts, { OrchestrationStatus: OrchestrationStatus.Failed, Result: failure, FailureDetails: failureDetails('OrchestrationFailureException', failure) })];
      await this.commit(row, history, events, consumed, { ...row, status: 'Failed', output: JSON.stringify(failure), failure, customStatus, updatedAt: ts }, (fx) => {
        this.dispatch(fx, row, sends, result.expiredAttempts, span);
        this.notifyParent(fx, row, 'Failed', JSON.stringify(failure), failureDetails('OrchestrationFailureException', failure!));
      });
      return;
    }

    const continueAsNew = state.isDone ? actions.find((a) => a.actionType === ActionType.ContinueAsNew) : undefined;
    const events = [...episodeHead, ...scheduling, event(EventType.OrchestratorCompleted, ts)];
    if (continueAsNew) {
      const newInput = continueAsNew.input === undefined ? null : JSON.stringify(continueAsNew.input);
      await this.engine.tx((fx) => {
        if (this.changedMeanwhile(row)) return;
        this.store.deleteMessages(consumed);
        this.dispatch(fx, row, scheduling.filter((e) => e.EventType === EventType.EventSent), result.expiredAttempts, span);
        const fresh = this.engine.createExecution(fx, row.instanceId, row.name, newInput, { parent: row.parent, continuedAsNew: true, traceparent: formatTraceparent(span), version: instanceVersion(fullHistory) });
        this.store.putInstance({ ...fresh, createdAt: row.createdAt, customStatus, status: 'Running' });
      });
      this.cache.delete(instanceId);
      return;
    }
    if (state.isDone) {
      const output = state.output === undefined ? null : JSON.stringify(state.output);
      events.push(event(EventType.ExecutionCompleted, ts, { OrchestrationStatus: OrchestrationStatus.Completed, Result: output }));
      await this.commit(row, history, events, consumed, { ...row, status: 'Completed', output, customStatus, updatedAt: ts }, (fx) => {
        this.dispatch(fx, row, scheduling.filter((e) => e.EventType === EventType.EventSent), result.expiredAttempts, span);
        this.notifyParent(fx, row, 'Completed', output);
      });
      return;
    }
    await this.commit(row, history, events, consumed, { ...row, status: status === 'Suspended' ? 'Suspended' : 'Running', customStatus, updatedAt: ts }, (fx) => this.dispatch(fx, row, scheduling, result.expiredAttempts, span));
  }

  private async fail(row: InstanceRow, history: HistoryEvent[], head: HistoryEvent[], consumed: number[], ts: string, message: string, errorType: string): Promise<void> {
    this.logger.warn(`orchestration '${row.name}' failed`, { instanceId: row.instanceId, reason: message });
    const details = failureDetails(errorType, message);
    const events = [...head, event(EventType.OrchestratorCompleted, ts), event(EventType.ExecutionCompleted, ts, { OrchestrationStatus: OrchestrationStatus.Failed, Result: message, FailureDetails: details })];
    await this.commit(row, history, events, consumed, { ...row, status: 'Failed', output: JSON.stringify(message), failure: message, updatedAt: ts }, (fx) =>
      this.notifyParent(fx, row, 'Failed', JSON.stringify(message), details));
  }

  private async commit(row: InstanceRow, history: HistoryEvent[], events: HistoryEvent[], consumed: number[], next: InstanceRow, more?: (fx: Effects) => void): Promise<void> {
    const applied = await this.engine.tx((fx) => {
      if (this.changedMeanwhile(row)) return false;
      this.store.deleteMessages(consumed);
      this.store.appendHistory(row.instanceId, history.length, events);
      this.store.putInstance(next);
      more?.(fx);
      return true;
    });
    if (!applied) {
      this.cache.delete(row.instanceId);
      return;
    }
    const all = history.concat(events);
    this.metrics.historyEvents += events.length;
    for (const e of events) this.metrics.historyBytes += JSON.stringify(e).length;
    if (terminalStatuses.has(next.status)) {
      this.cache.delete(row.instanceId);
      this.reportOrchestration(row, all, next);
    } else {
      this.cache.set(row.instanceId, row.executionId, all);
    }
  }

  /**
   * A client changed the instance while this episode ran (purged it, rewound it, started it anew
   * after it had finished): the episode's outcome no longer applies, and its messages stay for the
   * instance as it now is. Call inside a transaction.
   */
  private changedMeanwhile(row: InstanceRow): boolean {
    const now = this.store.getInstance(row.instanceId);
    return !now || now.executionId !== row.executionId || now.updatedAt !== row.updatedAt || now.status !== row.status;
  }

  /**
   * Processes a client's rewind: sets the failure aside in the history (see rewind.ts), takes up
   * what was pending, rewinds failed sub-orchestrations, and triggers a replay with the reason.
   */
  private async rewind(row: InstanceRow, history: HistoryEvent[], requests: InboxMessage[]): Promise<void> {
    const reason = requests.map((m) => (m.body.kind === 'rewind' ? m.body.reason : null)).find((r) => r !== null) ?? null;
    const plan = planRewind(history, {
      activityQueued: (taskId) => this.store.activityQueued(row.instanceId, row.executionId, taskId),
      instance: (id) => this.store.getInstance(id),
    });
    const ts = new Date().toISOString();
    const { instanceId, executionId } = row;
    await this.engine.tx((fx) => {
      this.store.deleteMessages(requests.map((m) => m.id));
      if (!plan) {
        // The execution did not end Failed, so there is nothing to rewind: the request is
        // dropped, and an instance the client marked Pending for it is Failed again.
        if (row.status === 'Pending') this.store.putInstance({ ...row, status: 'Failed' });
        return;
      }
      this.store.replaceHistory(instanceId, plan.history);
      this.store.putInstance({ ...row, status: 'Pending', output: null, failure: null, updatedAt: ts });
      for (const id of plan.children) {
        const child = this.store.getInstance(id);
        if (child?.status === 'Failed') this.engine.requestRewind(fx, child, reason);
      }
      for (const d of plan.deliver) this.engine.send(fx, { instanceId, executionId, body: { kind: 'event', event: d.event }, visibleAt: d.visibleAt });
      this.engine.send(fx, { instanceId, executionId, body: { kind: 'event', event: event(EventType.GenericEvent, ts, { Data: reason }) }, visibleAt: 0 });
    });
    this.cache.delete(instanceId);
    if (plan) this.logger.info(`orchestration '${row.name}' rewound`, { instanceId, reason, rewoundChildren: plan.children });
  }

  /** The orchestration's own span, from creation to completion, as Durable's distributed tracing reports it. */
  private reportOrchestration(row: InstanceRow, history: HistoryEvent[], next: InstanceRow): void {
    const span = orchestrationSpan(row, history);
    this.invoker.telemetry({
      kind: 'request', source: 'host', time: row.createdAt, operationId: span.traceId, id: span.spanId, parentId: span.parentId,
      name: `orchestration:${row.name}`, durationMs: Date.parse(next.updatedAt) - Date.parse(row.createdAt), success: next.status === 'Completed', resultCode: next.status,
      properties: { instanceId: row.instanceId, executionId: row.executionId },
    });
  }

  /** Turns newly scheduled history events into work for other queues. Call inside a transaction. */
  private dispatch(fx: Effects, row: InstanceRow, scheduling: HistoryEvent[], expired: Map<number, HistoryEvent>, span: SpanRef): void {
    for (const e of scheduling) {
      switch (e.EventType) {
        case EventType.TaskScheduled: {
          const lastFailure = expired.get(e.EventId);
          if (lastFailure) {
            // Past the retry timeout: the attempt fails without running, with the last real error.
            this.engine.send(fx, { instanceId: row.instanceId, executionId: row.executionId, body: { kind: 'event', event: event(EventType.TaskFailed, e.Timestamp, { TaskScheduledId: e.EventId, Reason: lastFailure.Reason, Details: lastFailure.Details, FailureDetails: null }) }, visibleAt: 0 });
            break;
          }
          fx.activity(this.store.addActivity({ instanceId: row.instanceId, executionId: row.executionId, taskId: e.EventId, name: String(e.Name), input: (e.Input as string | null) ?? null, traceParent: formatTraceparent(span) }));
          break;
        }
        case EventType.TimerCreated: {
          const fireAt = String(e.FireAt);
          this.engine.send(fx, { instanceId: row.instanceId, executionId: row.executionId, body: { kind: 'event', event: event(EventType.TimerFired, fireAt, { TimerId: e.EventId, FireAt: fireAt }) }, visibleAt: Date.parse(fireAt) });
          break;
        }
        case EventType.SubOrchestrationInstanceCreated: {
          const childId = String(e.InstanceId);
          const existing = this.store.getInstance(childId);
          const parent = { instanceId: row.instanceId, executionId: row.executionId, taskId: e.EventId, name: row.name };
          if (existing && !terminalStatuses.has(existing.status)) {
            const msg = `A sub-orchestration with instance ID '${childId}' is already running.`;
            this.engine.send(fx, { instanceId: row.instanceId, executionId: row.executionId, body: { kind: 'event', event: event(EventType.SubOrchestrationInstanceFailed, new Date().toISOString(), { TaskScheduledId: e.EventId, Reason: msg, Details: '', FailureDetails: null }) }, visibleAt: 0 });
          } else {
            this.engine.createExecution(fx, childId, String(e.Name), (e.Input as string | null) ?? null, { parent, traceparent: formatTraceparent(span), version: (e.Version as string | undefined) || undefined });
          }
          break;
        }
        case EventType.EventSent: {
          const request = JSON.parse(String(e.Input)) as EntityRequest & { due?: string };
          const target = String(e.InstanceId);
          if (target.startsWith('@')) {
            this.engine.send(fx, { instanceId: target, body: { kind: 'operation', request }, visibleAt: request.due ? Date.parse(request.due) : 0 });
          } else {
            this.engine.send(fx, { instanceId: target, body: { kind: 'event', event: event(EventType.EventRaised, e.Timestamp, { Name: e.Name, Input: request.input }) }, visibleAt: 0 });
          }
          break;
        }
      }
    }
  }

  private notifyParent(fx: Effects, row: InstanceRow, status: 'Completed' | 'Failed' | 'Terminated', result: string | null, details?: FailureDetails): void {
    const p = row.parent;
    if (!p) return;
    const ts = new Date().toISOString();
    const e = status === 'Completed'
      ? event(EventType.SubOrchestrationInstanceCompleted, ts, { TaskScheduledId: p.taskId, Result: result })
      : event(EventType.SubOrchestrationInstanceFailed, ts, { TaskScheduledId: p.taskId, Reason: details?.ErrorMessage ?? status, Details: '', FailureDetails: null });
    this.engine.send(fx, { instanceId: p.instanceId, executionId: p.executionId, body: { kind: 'event', event: e }, visibleAt: 0 });
  }
}

function decodeState(value: RpcTypedData | null | undefined): OrchestratorState {
  const text = value?.json ?? value?.string;
  if (typeof text !== 'string') throw new Error('the orchestrator returned no state: is it registered with df.app.orchestration?');
  return JSON.parse(text) as OrchestratorState;
}

function failureDetails(errorType: string, message: string): FailureDetails {
  return { ErrorType: errorType, ErrorMessage: message, StackTrace: null, InnerFailure: null, IsNonRetriable: false };
}

function completionKey(e: HistoryEvent): number | undefined {
  if (completionTypes.has(e.EventType) || subCompletionTypes.has(e.EventType)) return e.TaskScheduledId as number;
  if (e.EventType === EventType.TimerFired) return e.TimerId as number;
  return undefined;
}

function indexEvent(e: HistoryEvent, scheduled: Set<number>, settled: Set<number>): void {
  if (e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated || e.EventType === EventType.SubOrchestrationInstanceCreated) scheduled.add(e.EventId);
  const key = completionKey(e);
  if (key !== undefined) settled.add(key);
}

function lastTimestamp(history: HistoryEvent[]): number {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].EventType === EventType.OrchestratorStarted) return Date.parse(history[i].Timestamp);
  }
  return 0;
}

/** The version the instance was created with ('' when none), from its ExecutionStarted event. */
export function instanceVersion(events: HistoryEvent[]): string {
  const started = events.find((e) => e.EventType === EventType.ExecutionStarted);
  return typeof started?.Version === 'string' ? started.Version : '';
}

/**
 * One span per execution, the same in every replay: its id derives from the execution, its trace
 * and parent from the creator's context in ExecutionStarted (a stable trace of its own without).
 */
function orchestrationSpan(row: InstanceRow, history: HistoryEvent[]): SpanRef {
  const started = history.find((e) => e.EventType === EventType.ExecutionStarted);
  const parent = parseTraceparent((started?.ParentTraceContext as { TraceParent?: string } | null | undefined)?.TraceParent);
  return { traceId: parent?.traceId ?? stableId(row.instanceId, 16), spanId: stableId(`${row.instanceId}:${row.executionId}`, 8), parentId: parent?.spanId };
}
