// Durable state in SQLite: instances, their history, inbound messages (including due timers),
// pending activity work and entity state. Every state change of an episode commits in one
// transaction, so a crash at any point leaves either the whole episode or none of it.
import type { Database } from '../core/sqlite';
import { HistoryEvent, RuntimeStatus } from './history';

export interface ParentRef {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
}

export interface InstanceRow {
  instanceId: string;
  name: string;
  executionId: string;
  status: RuntimeStatus;
  input: string | null;
  output: string | null;
  customStatus: string | null;
  failure: string | null;
  createdAt: string;
  updatedAt: string;
  parent: ParentRef | null;
}

export interface InboxMessage {
  id: number;
  instanceId: string;
  executionId: string | null;
  body: InboxBody;
  visibleAt: number;
}

/**
 * An orchestration receives history events (and, from a client's rewind, a request to rewind its
 * failed execution); an entity receives operation requests.
 */
export type InboxBody = { kind: 'event'; event: HistoryEvent } | { kind: 'operation'; request: EntityRequest } | { kind: 'rewind'; reason: string | null };

export interface EntityRequest {
  id: string;
  op: string;
  signal: boolean;
  input: string | null;
  parent?: string;
  parentExecution?: string;
  timestamp?: string;
}

export interface ActivityRow {
  id: number;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input: string | null;
  /** The scheduling orchestration's span: the activity's invocation is its child. */
  traceParent?: string | null;
}

export interface EntityRow {
  entityId: string;
  state: string | null;
  exists: boolean;
  updatedAt: string;
}

export interface NewMessage {
  instanceId: string;
  executionId?: string | null;
  body: InboxBody;
  visibleAt: number;
}

interface RawInstance {
  instance_id: string; name: string; execution_id: string; status: RuntimeStatus; input: string | null; output: string | null;
  custom_status: string | null; failure: string | null; created_at: string; updated_at: string; parent: string | null;
}

const toInstance = (r: RawInstance): InstanceRow => ({
  instanceId: r.instance_id, name: r.name, executionId: r.execution_id, status: r.status, input: r.input, output: r.output,
  customStatus: r.custom_status, failure: r.failure, createdAt: r.created_at, updatedAt: r.updated_at,
  parent: r.parent ? (JSON.parse(r.parent) as ParentRef) : null,
});

export class DurableStore {
  private readonly s;

  constructor(readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS df_instances (
        instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, execution_id TEXT NOT NULL, status TEXT NOT NULL,
        input TEXT, output TEXT, custom_status TEXT, failure TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, parent TEXT);
      CREATE INDEX IF NOT EXISTS df_instances_created ON df_instances(created_at);
      CREATE TABLE IF NOT EXISTS df_history (instance_id TEXT NOT NULL, idx INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (instance_id, idx)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS df_inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT, body TEXT NOT NULL, visible_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS df_inbox_instance ON df_inbox(instance_id, id);
      CREATE INDEX IF NOT EXISTS df_inbox_visible ON df_inbox(visible_at);
      CREATE TABLE IF NOT EXISTS df_activities (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, execution_id TEXT NOT NULL,
        task_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT);
      CREATE TABLE IF NOT EXISTS df_entities (entity_id TEXT PRIMARY KEY, state TEXT, exists_ INTEGER NOT NULL, updated_at TEXT NOT NULL);
    `);
    // Added after the first release: databases from before have the table without it.
    const activityColumns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('df_activities')").all().map((c) => c.name);
    if (!activityColumns.includes('trace_parent')) db.exec('ALTER TABLE df_activities ADD COLUMN trace_parent TEXT');
    this.s = {
      getInstance: db.prepare<[string], RawInstance>('SELECT * FROM df_instances WHERE instance_id = ?'),
      upsertInstance: db.prepare(`INSERT INTO df_instances (instance_id, name, execution_id, status, input, output, custom_status, failure, created_at, updated_at, parent)
        VALUES (@instanceId, @name, @executionId, @status, @input, @output, @customStatus, @failure, @createdAt, @updatedAt, @parent)
        ON CONFLICT(instance_id) DO UPDATE SET name=excluded.name, execution_id=excluded.execution_id, status=excluded.status, input=excluded.input,
        output=excluded.output, custom_status=excluded.custom_status, failure=excluded.failure, created_at=excluded.created_at,
        updated_at=excluded.updated_at, parent=excluded.parent`),
      deleteInstance: db.prepare('DELETE FROM df_instances WHERE instance_id = ?'),
      history: db.prepare<[string], { event: string }>('SELECT event FROM df_history WHERE instance_id = ? ORDER BY idx'),
      appendHistory: db.prepare('INSERT INTO df_history (instance_id, idx, event) VALUES (?, ?, ?)'),
      clearHistory: db.prepare('DELETE FROM df_history WHERE instance_id = ?'),
      insertMessage: db.prepare('INSERT INTO df_inbox (instance_id, execution_id, body, visible_at) VALUES (?, ?, ?, ?)'),
      visibleMessages: db.prepare<[string, number], { id: number; instance_id: string; execution_id: string | null; body: string; visible_at: number }>(
        'SELECT * FROM df_inbox WHERE instance_id = ? AND visible_at <= ? ORDER BY id'),
      deleteMessage: db.prepare('DELETE FROM df_inbox WHERE id = ?'),
      clearInbox: db.prepare('DELETE FROM df_inbox WHERE instance_id = ?'),
      clearBoundInbox: db.prepare('DELETE FROM df_inbox WHERE instance_id = ? AND execution_id IS NOT NULL'),
      readyInstances: db.prepare<[number], { instance_id: string }>('SELECT DISTINCT instance_id FROM df_inbox WHERE visible_at <= ?'),
      futureMessages: db.prepare<[number], { instance_id: string; visible_at: number }>(
        'SELECT instance_id, MIN(visible_at) AS visible_at FROM df_inbox WHERE visible_at > ? GROUP BY instance_id'),
      insertActivity: db.prepare('INSERT INTO df_activities (instance_id, execution_id, task_id, name, input, trace_parent) VALUES (?, ?, ?, ?, ?, ?)'),
      deleteActivity: db.prepare('DELETE FROM df_activities WHERE id = ?'),
      activityQueued: db.prepare<[string, string, number], { id: number }>('SELECT id FROM df_activities WHERE instance_id = ? AND execution_id = ? AND task_id = ? LIMIT 1'),
      allActivities: db.prepare<[], { id: number; instance_id: string; execution_id: string; task_id: number; name: string; input: string | null; trace_parent: string | null }>(
        'SELECT * FROM df_activities ORDER BY id'),
      getEntity: db.prepare<[string], { entity_id: string; state: string | null; exists_: number; updated_at: string }>('SELECT * FROM df_entities WHERE entity_id = ?'),
      putEntity: db.prepare(`INSERT INTO df_entities (entity_id, state, exists_, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(entity_id) DO UPDATE SET state=excluded.state, exists_=excluded.exists_, updated_at=excluded.updated_at`),
      deleteEntity: db.prepare('DELETE FROM df_entities WHERE entity_id = ?'),
      countByStatus: db.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM df_instances GROUP BY status'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getInstance(instanceId: string): InstanceRow | undefined {
    const r = this.s.getInstance.get(instanceId);
    return r ? toInstance(r) : undefined;
  }

  putInstance(row: InstanceRow): void {
    this.s.upsertInstance.run({ ...row, parent: row.parent ? JSON.stringify(row.parent) : null });
  }

  deleteInstance(instanceId: string): void {
    this.s.deleteInstance.run(instanceId);
    this.s.clearHistory.run(instanceId);
    this.s.clearInbox.run(instanceId);
  }

  loadHistory(instanceId: string): HistoryEvent[] {
    return this.s.history.all(instanceId).map((r) => JSON.parse(r.event) as HistoryEvent);
  }

  appendHistory(instanceId: string, startIndex: number, events: HistoryEvent[]): void {
    events.forEach((e, i) => this.s.appendHistory.run(instanceId, startIndex + i, JSON.stringify(e)));
  }

  clearHistory(instanceId: string): void {
    this.s.clearHistory.run(instanceId);
  }

  /** Rewrites the stored history (a rewind sets rows aside). Call inside a transaction. */
  replaceHistory(instanceId: string, events: HistoryEvent[]): void {
    this.s.clearHistory.run(instanceId);
    this.appendHistory(instanceId, 0, events);
  }

  addMessage(m: NewMessage): number {
    return Number(this.s.insertMessage.run(m.instanceId, m.executionId ?? null, JSON.stringify(m.body), m.visibleAt).lastInsertRowid);
  }

  visibleMessages(instanceId: string, now: number): InboxMessage[] {
    return this.s.visibleMessages.all(instanceId, now).map((r) => ({
      id: r.id, instanceId: r.instance_id, executionId: r.execution_id, body: JSON.parse(r.body) as InboxBody, visibleAt: r.visible_at,
    }));
  }

  deleteMessages(ids: number[]): void {
    for (const id of ids) this.s.deleteMessage.run(id);
  }

  clearInbox(instanceId: string, onlyExecutionBound = false): void {
    (onlyExecutionBound ? this.s.clearBoundInbox : this.s.clearInbox).run(instanceId);
  }

  readyInstances(now: number): string[] {
    return this.s.readyInstances.all(now).map((r) => r.instance_id);
  }

  futureWakeups(now: number): { instanceId: string; at: number }[] {
    return this.s.futureMessages.all(now).map((r) => ({ instanceId: r.instance_id, at: r.visible_at }));
  }

  addActivity(a: Omit<ActivityRow, 'id'>): ActivityRow {
    const id = Number(this.s.insertActivity.run(a.instanceId, a.executionId, a.taskId, a.name, a.input, a.traceParent ?? null).lastInsertRowid);
    return { ...a, id };
  }

  deleteActivity(id: number): boolean {
    return this.s.deleteActivity.run(id).changes > 0;
  }

  /** Whether the work item of an activity is still queued (its result is yet to be recorded). */
  activityQueued(instanceId: string, executionId: string, taskId: number): boolean {
    return this.s.activityQueued.get(instanceId, executionId, taskId) !== undefined;
  }

  pendingActivities(): ActivityRow[] {
    return this.s.allActivities.all().map((r) => ({
      id: r.id, instanceId: r.instance_id, executionId: r.execution_id, taskId: r.task_id, name: r.name, input: r.input, traceParent: r.trace_parent,
    }));
  }

  getEntity(entityId: string): EntityRow | undefined {
    const r = this.s.getEntity.get(entityId);
    return r ? { entityId: r.entity_id, state: r.state, exists: r.exists_ === 1, updatedAt: r.updated_at } : undefined;
  }

  putEntity(row: EntityRow): void {
    if (!row.exists) this.s.deleteEntity.run(row.entityId);
    else this.s.putEntity.run(row.entityId, row.state, 1, row.updatedAt);
  }

  countByStatus(): Record<string, number> {
    return Object.fromEntries(this.s.countByStatus.all().map((r) => [r.status, r.n]));
  }

  /**
   * Instances matching a client query, in instance-id order (as Azure Storage's instances table,
   * keyed by instance id, returns them), after the instance id a continuation token names.
   */
  queryInstances(q: { createdFrom?: string; createdTo?: string; statuses?: string[]; prefix?: string; afterId?: string; limit: number; name?: string; newestFirst?: boolean; offset?: number }): InstanceRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.createdFrom) { where.push('created_at >= ?'); args.push(q.createdFrom); }
    if (q.createdTo) { where.push('created_at <= ?'); args.push(q.createdTo); }
    if (q.statuses && q.statuses.length > 0) { where.push(`status IN (${q.statuses.map(() => '?').join(',')})`); args.push(...q.statuses); }
    if (q.prefix) { where.push('substr(instance_id, 1, ?) = ?'); args.push(q.prefix.length, q.prefix); }
    if (q.afterId !== undefined) { where.push('instance_id > ?'); args.push(q.afterId); }
    // The console's filters: an orchestrator name (case-insensitive, as function names are), newest first, pages by offset.
    if (q.name) { where.push('name = ? COLLATE NOCASE'); args.push(q.name); }
    const order = q.newestFirst ? 'created_at DESC, instance_id' : 'instance_id';
    const sql = `SELECT * FROM df_instances ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT ? OFFSET ?`;
    args.push(q.limit, q.offset ?? 0);
    return (this.db.prepare(sql).all(...args) as RawInstance[]).map(toInstance);
  }
}
