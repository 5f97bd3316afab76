// The Durable Task backend of the embedded host: it owns the work queues (orchestration and
// entity inboxes, activity work items, due timers), runs at most one episode per instance at a
// time, bounds concurrency as host.json asks, and commits each unit of work atomically.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/logger';
import { event, EventType, RuntimeStatus, terminalStatuses } from './history';
import { ActivityRow, DurableStore, InstanceRow, NewMessage, ParentRef } from './store';
import { parseTraceparent } from '../telemetry/trace-context';
import { WakeupQueue } from './wakeups';
import type { VersioningOptions } from './versioning';

export interface EngineOptions {
  maxConcurrentOrchestrations: number;
  maxConcurrentActivities: number;
  taskHub: string;
  /** host.json's orchestration versioning; absent when no defaultVersion is configured. */
  versioning?: VersioningOptions;
}

export interface NewExecution {
  parent?: ParentRef | null;
  continuedAsNew?: boolean;
  traceparent?: string;
  /** The instance's version; by default host.json's defaultVersion (none: ''). */
  version?: string;
}

export interface Workers {
  runOrchestration(instanceId: string): Promise<void>;
  runEntity(entityId: string): Promise<void>;
  runActivity(row: ActivityRow): Promise<void>;
}

export class ConflictError extends Error {}
export class NotFoundError extends Error {}
export class GoneError extends Error {}
export class BadRequestError extends Error {}
/** The instance is not in a state the operation needs (the extension answers 412). */
export class PreconditionFailedError extends Error {}
/** The extension's InvalidOperationException from a client call on a live instance in the wrong state (answered 500). */
export class InvalidOperationError extends Error {}

/** Statuses in which a client can suspend an instance, as DurableClient.SuspendAsync checks. */
const suspendable: ReadonlySet<RuntimeStatus> = new Set(['Running', 'Pending', 'ContinuedAsNew']);

/** Side effects on in-memory queues, applied only once the transaction that implies them commits. */
export interface Effects {
  wake(instanceId: string, visibleAt: number): void;
  activity(row: ActivityRow): void;
}

export class DurableEngine {
  private readonly ready = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly activities: ActivityRow[] = [];
  private runningOrchestrations = 0;
  private runningActivities = 0;
  private pumpScheduled = false;
  private stopped = true;
  private readonly wakeups: WakeupQueue;
  workers!: Workers;

  constructor(
    readonly store: DurableStore,
    readonly options: EngineOptions,
    readonly logger: Logger,
  ) {
    this.wakeups = new WakeupQueue((id) => this.markReady(id));
  }

  /** Loads outstanding work left by a previous run (or a crash) and starts dispatching. */
  start(): { readyInstances: number; queuedActivities: number; pendingTimers: number } {
    this.stopped = false;
    const now = Date.now();
    const ready = this.store.readyInstances(now);
    ready.forEach((id) => this.ready.add(id));
    const future = this.store.futureWakeups(now);
    future.forEach((w) => this.wakeups.add(w.instanceId, w.at));
    const pending = this.store.pendingActivities();
    this.activities.push(...pending);
    this.schedulePump();
    return { readyInstances: ready.length, queuedActivities: pending.length, pendingTimers: future.length };
  }

  stop(): void {
    this.stopped = true;
    this.wakeups.stop();
  }

  /**
   * Runs `fn` atomically (a savepoint) inside the current group-commit batch and resolves once
   * the batch has committed. Units of work from one event-loop turn share a single SQLite commit,
   * which is what makes the backend fast; nothing is acknowledged (and no queue effect happens)
   * before its commit.
   */
  tx<T>(fn: (fx: Effects) => T): Promise<T> {
    const batch = this.batch ?? this.openBatch();
    const wakes: [string, number][] = [];
    const acts: ActivityRow[] = [];
    const result = this.store.transaction(() => fn({ wake: (id, at) => wakes.push([id, at]), activity: (row) => acts.push(row) }));
    batch.wakes.push(...wakes);
    batch.activities.push(...acts);
    return batch.committed.then(() => result);
  }

  private batch: { wakes: [string, number][]; activities: ActivityRow[]; committed: Promise<void> } | undefined;

  private openBatch(): NonNullable<DurableEngine['batch']> {
    this.store.db.exec('BEGIN IMMEDIATE');
    let resolve!: () => void;
    const committed = new Promise<void>((res) => (resolve = res));
    const batch = { wakes: [] as [string, number][], activities: [] as ActivityRow[], committed };
    this.batch = batch;
    setImmediate(() => {
      this.batch = undefined;
      try {
        this.store.db.exec('COMMIT');
      } catch (err) {
        // In-memory queues and caches already reflect this batch: restart from the database.
        this.logger.error('commit of the durable store failed; exiting so that a restart recovers from the last commit', { error: String(err) });
        process.exit(70);
      }
      const now = Date.now();
      for (const [id, at] of batch.wakes) {
        if (at <= now) this.ready.add(id);
        else this.wakeups.add(id, at);
      }
      this.activities.push(...batch.activities);
      this.schedulePump();
      resolve();
    });
    return batch;
  }

  /** Inserts a message and records the wake-up it implies. Call inside `tx`. */
  send(fx: Effects, m: NewMessage): void {
    this.store.addMessage(m);
    fx.wake(m.instanceId, m.visibleAt);
  }

  // ---- client operations (used by the DurableClient HTTP API) ----

  startNew(name: string, instanceId: string | undefined, input: string | null, o: NewExecution = {}): Promise<InstanceRow> {
    const id = instanceId ?? randomUUID().replace(/-/g, '');
    validateInstanceId(id);
    return this.tx((fx) => {
      const existing = this.store.getInstance(id);
      // host.json's default overridableExistingInstanceStates (NonRunningStates): only a
      // finished instance may be replaced.
      if (existing && !terminalStatuses.has(existing.status)) {
        throw new ConflictError(`An Orchestration instance with the status ${existing.status} already exists.`);
      }
      return this.createExecution(fx, id, name, input, o);
    });
  }

  /** Creates (or recreates) an instance with a fresh execution. Call inside `tx`. */
  createExecution(fx: Effects, instanceId: string, name: string, input: string | null, o: NewExecution = {}): InstanceRow {
    const { continuedAsNew = false, traceparent } = o;
    const parent = o.parent ?? null;
    const now = new Date().toISOString();
    const executionId = randomUUID().replace(/-/g, '');
    if (this.store.getInstance(instanceId)) {
      this.store.clearHistory(instanceId);
      // continueAsNew keeps events raised to the instance (not bound to an execution), as DTFx does.
      this.store.clearInbox(instanceId, continuedAsNew);
    }
    const row: InstanceRow = {
      instanceId, name, executionId, status: 'Pending', input, output: null, customStatus: null, failure: null,
      createdAt: now, updatedAt: now, parent,
    };
    this.store.putInstance(row);
    const started = event(EventType.ExecutionStarted, now, {
      Name: name,
      Version: o.version ?? this.options.versioning?.defaultVersion ?? '',
      Input: input,
      OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
      ParentInstance: parent
        ? { Name: parent.name, TaskScheduleId: parent.taskId, OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId } }
        : null,
      // Where DTFx's distributed tracing (V2) keeps the creator's trace context.
      ...(parseTraceparent(traceparent) ? { ParentTraceContext: { TraceParent: traceparent, TraceState: null } } : {}),
    });
    this.send(fx, { instanceId, executionId, body: { kind: 'event', event: started }, visibleAt: 0 });
    return row;
  }

  raiseEvent(instanceId: string, name: string, input: string | null): Promise<void> {
    return this.control(instanceId, (_row, fx) =>
      this.send(fx, { instanceId, executionId: null, body: { kind: 'event', event: event(EventType.EventRaised, new Date().toISOString(), { Name: name, Input: input }) }, visibleAt: 0 }));
  }

  // Terminate, suspend and resume target the instance, not an execution (as the extension clears
  // the execution id), so they reach an execution that continued as new meanwhile.
  terminate(instanceId: string, reason: string | null): Promise<void> {
    return this.control(instanceId, (_row, fx) =>
      this.send(fx, { instanceId, executionId: null, body: { kind: 'event', event: event(EventType.ExecutionTerminated, new Date().toISOString(), { Input: reason }) }, visibleAt: 0 }));
  }

  suspend(instanceId: string, reason: string | null): Promise<void> {
    return this.control(instanceId, (row, fx) => {
      if (!suspendable.has(row.status)) throw new InvalidOperationError(`Cannot suspend the orchestration instance ${instanceId} because instance is in the ${row.status} state.`);
      this.send(fx, { instanceId, executionId: null, body: { kind: 'event', event: event(EventType.ExecutionSuspended, new Date().toISOString(), { Reason: reason }) }, visibleAt: 0 });
    });
  }

  resume(instanceId: string, reason: string | null): Promise<void> {
    return this.control(instanceId, (row, fx) => {
      if (row.status !== 'Suspended') throw new InvalidOperationError(`Cannot resume the orchestration instance ${instanceId} because instance is in the ${row.status} state.`);
      this.send(fx, { instanceId, executionId: null, body: { kind: 'event', event: event(EventType.ExecutionResumed, new Date().toISOString(), { Reason: reason }) }, visibleAt: 0 });
    });
  }

  /** Rewinds a failed instance: it goes Pending, then replays, re-running only what failed. */
  rewind(instanceId: string, reason: string | null): Promise<void> {
    return this.tx((fx) => {
      const row = this.store.getInstance(instanceId);
      if (!row) throw new NotFoundError(`No orchestration with instance ID "${instanceId}" found.`);
      if (row.status !== 'Failed') throw new PreconditionFailedError(`This orchestration has status ${row.status}, but only orchestrations in the "Failed" state can be rewound.`);
      this.requestRewind(fx, row, reason);
    });
  }

  /** Marks a failed instance Pending and asks its worker to rewind it. Call inside `tx`. */
  requestRewind(fx: Effects, row: InstanceRow, reason: string | null): void {
    this.store.putInstance({ ...row, status: 'Pending', updatedAt: new Date().toISOString() });
    this.send(fx, { instanceId: row.instanceId, executionId: row.executionId, body: { kind: 'rewind', reason }, visibleAt: 0 });
  }

  signalEntity(entityId: string, op: string, input: string | null): Promise<void> {
    return this.tx((fx) =>
      this.send(fx, { instanceId: entityId, body: { kind: 'operation', request: { id: randomUUID(), op, signal: true, input, timestamp: new Date().toISOString() } }, visibleAt: 0 }));
  }

  /**
   * Deletes a finished instance (its history and pending messages) or an entity's state; the
   * number of instances deleted. A live orchestration is refused unless `anyStatus`, as a purge by
   * filter without a terminal status in its filter does on Azure Storage.
   */
  purge(instanceId: string, anyStatus = false): Promise<number> {
    return this.tx(() => {
      if (instanceId.startsWith('@')) {
        const entity = this.store.getEntity(instanceId);
        this.store.putEntity({ entityId: instanceId, state: null, exists: false, updatedAt: new Date().toISOString() });
        return entity?.exists ? 1 : 0;
      }
      const row = this.store.getInstance(instanceId);
      if (!row) return 0;
      if (!anyStatus && !terminalStatuses.has(row.status)) {
        throw new PreconditionFailedError(`Only orchestrations in a terminal state can be purged, but the orchestration with instance ID ${instanceId} has status ${row.status}`);
      }
      this.store.deleteInstance(instanceId);
      return 1;
    });
  }

  private control(instanceId: string, fn: (row: InstanceRow, fx: Effects) => void): Promise<void> {
    return this.tx((fx) => {
      const row = this.store.getInstance(instanceId);
      if (!row) throw new NotFoundError(`No instance with ID '${instanceId}' was found.`);
      if (terminalStatuses.has(row.status)) throw new GoneError(`Instance '${instanceId}' is ${row.status}.`);
      fn(row, fx);
    });
  }

  // ---- dispatching ----

  markReady(id: string): void {
    this.ready.add(id);
    this.schedulePump();
  }

  stats(): { readyInstances: number; runningEpisodes: number; queuedActivities: number; runningActivities: number; pendingWakeups: number } {
    return {
      readyInstances: this.ready.size,
      runningEpisodes: this.runningOrchestrations,
      queuedActivities: this.activities.length,
      runningActivities: this.runningActivities,
      pendingWakeups: this.wakeups.size,
    };
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    while (this.activities.length > 0 && this.runningActivities < this.options.maxConcurrentActivities) {
      const row = this.activities.shift()!;
      this.runningActivities++;
      this.workers
        .runActivity(row)
        .catch((err: unknown) => {
          // A host-side failure, not the activity's: keep the work item and try again shortly.
          this.logger.error(`activity '${row.name}' work item failed in the host; retrying in 1s`, { instanceId: row.instanceId, error: err instanceof Error ? err.stack : String(err) });
          setTimeout(() => {
            this.activities.push(row);
            this.schedulePump();
          }, 1000).unref();
        })
        .finally(() => {
          this.runningActivities--;
          this.schedulePump();
        });
    }
    if (this.runningOrchestrations < this.options.maxConcurrentOrchestrations) {
      for (const id of this.ready) {
        if (this.runningOrchestrations >= this.options.maxConcurrentOrchestrations) break;
        if (this.busy.has(id)) continue;
        this.ready.delete(id);
        this.busy.add(id);
        this.runningOrchestrations++;
        const run = id.startsWith('@') ? this.workers.runEntity(id) : this.workers.runOrchestration(id);
        run
          .catch((err: unknown) => {
            // A host-side failure (not a user-code failure): retry the episode later rather than lose it.
            this.logger.error(`episode for '${id}' failed in the host; retrying in 1s`, { error: err instanceof Error ? err.stack : String(err) });
            this.wakeups.add(id, Date.now() + 1000);
          })
          .finally(() => {
            this.busy.delete(id);
            this.runningOrchestrations--;
            this.schedulePump();
          });
      }
    }
  }

}

/** Instance ids as the Durable extension accepts them. */
export function validateInstanceId(id: string): void {
  if (id.length === 0 || id.length > 256) throw new BadRequestError('Instance ID must be 1 to 256 characters long.');
  if (/[/\\?#]/.test(id) || /[\u0000-\u001f\u007f]/.test(id)) throw new BadRequestError(`Instance ID '${id}' contains invalid characters ('/', '\\', '?', '#' or control characters).`);
  if (id.startsWith('@')) throw new BadRequestError(`Instance ID '${id}' is invalid: IDs starting with '@' are reserved for entities.`);
}
