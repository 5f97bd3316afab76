// Durable message storage for the emulated namespace (SQLite through node:sqlite, tables
// prefixed `sb_`). It implements the broker semantics — sequence numbers, duplicate detection,
// topic fan-out, peek-lock, delivery counting, dead-lettering, scheduling, TTL — and knows nothing
// about AMQP: payloads are opaque encoded messages.
//
// Delivery counting follows the service: `deliveryCount` is the number of *failed* deliveries
// (abandon or lock expiry). It is what goes on the wire in the AMQP header; SDKs that expose a
// 1-based count (.NET, the Functions host) add one.
//
// All calls are synchronous; each public mutation is one transaction, so when a call returns its
// effect is committed (the caller sends AMQP acknowledgements only afterwards).
import { randomUUID } from 'node:crypto';
import type { Database } from '../core/sqlite';
import type { CorrelationFilter, ReceivableEntity, SendableEntity, SubQueue } from './config';

/** The message properties a correlation filter can match on. */
export interface FilterFields {
  messageId?: string;
  correlationId?: string;
  to?: string;
  replyTo?: string;
  subject?: string;
  sessionId?: string;
  replyToSessionId?: string;
  contentType?: string;
  applicationProperties?: Record<string, unknown>;
}

export interface EnqueueRequest {
  /** The encoded AMQP message as the sender sent it. */
  payload: Buffer;
  fields: FilterFields;
  timeToLiveMs?: number;
  scheduledEnqueueTimeMs?: number;
}

export interface EnqueueResult {
  /** Undefined when the message was dropped as a duplicate. */
  sequenceNumber?: number;
  duplicate: boolean;
  /** Keys of the queues/subscriptions that received a copy. */
  deliveredTo: string[];
}

export interface StoredMessage {
  entityKey: string;
  subQueue: SubQueue;
  sequenceNumber: number;
  payload: Buffer;
  enqueuedAt: number;
  /** Scheduled enqueue time; equals `enqueuedAt` for unscheduled messages. */
  visibleAt: number;
  expiresAt?: number;
  /** Failed deliveries so far (abandons and lock expiries). */
  deliveryCount: number;
  lockToken?: string;
  lockedUntil?: number;
  deadLetterReason?: string;
  deadLetterDescription?: string;
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';
export type SettleResult = 'settled' | 'lockLost';

export interface EntityCounts {
  entityKey: string;
  active: number;
  scheduled: number;
  locked: number;
  deadLetter: number;
}

interface MessageRow {
  id: number;
  entity: string;
  dlq: number;
  seq: number;
  payload: Uint8Array;
  enqueued_at: number;
  visible_at: number;
  expires_at: number | null;
  delivery_count: number;
  lock_token: string | null;
  locked_until: number | null;
  dl_reason: string | null;
  dl_description: string | null;
}

const schema = `
CREATE TABLE IF NOT EXISTS sb_messages (
  id INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  dlq INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL,
  message_id TEXT,
  payload BLOB NOT NULL,
  enqueued_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  expires_at INTEGER,
  delivery_count INTEGER NOT NULL DEFAULT 0,
  lock_token TEXT,
  locked_until INTEGER,
  dl_reason TEXT,
  dl_description TEXT
);
CREATE INDEX IF NOT EXISTS sb_messages_order ON sb_messages (entity, dlq, seq);
CREATE UNIQUE INDEX IF NOT EXISTS sb_messages_lock ON sb_messages (lock_token) WHERE lock_token IS NOT NULL;
CREATE INDEX IF NOT EXISTS sb_messages_locked ON sb_messages (entity, dlq, locked_until) WHERE lock_token IS NOT NULL;
CREATE INDEX IF NOT EXISTS sb_messages_expiry ON sb_messages (entity, dlq, expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS sb_messages_scheduled ON sb_messages (entity, dlq, visible_at) WHERE visible_at > enqueued_at;
CREATE TABLE IF NOT EXISTS sb_sequences (entity TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sb_duplicates (
  entity TEXT NOT NULL,
  message_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (entity, message_id)
) WITHOUT ROWID;
`;

const maxDeliveryReason = 'MaxDeliveryCountExceeded';
const expiredReason = 'TTLExpiredException';
const duplicatePurgeIntervalMs = 60_000;

export class BusStore {
  private readonly s;
  private lastDuplicatePurge = 0;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(schema);
    const cols = 'id, entity, dlq, seq, payload, enqueued_at, visible_at, expires_at, delivery_count, lock_token, locked_until, dl_reason, dl_description';
    this.s = {
      nextSeq: db.prepare<[string], { last: number }>('INSERT INTO sb_sequences (entity, last) VALUES (?, 1) ON CONFLICT (entity) DO UPDATE SET last = last + 1 RETURNING last'),
      insert: db.prepare('INSERT INTO sb_messages (entity, seq, message_id, payload, enqueued_at, visible_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      findDuplicate: db.prepare<[string, string, number], { expires_at: number }>('SELECT expires_at FROM sb_duplicates WHERE entity = ? AND message_id = ? AND expires_at > ?'),
      rememberId: db.prepare('INSERT OR REPLACE INTO sb_duplicates (entity, message_id, expires_at) VALUES (?, ?, ?)'),
      purgeDuplicates: db.prepare('DELETE FROM sb_duplicates WHERE expires_at <= ?'),
      available: db.prepare<[string, number, number, number, number], MessageRow>(
        `SELECT ${cols} FROM sb_messages WHERE entity = ? AND dlq = ? AND lock_token IS NULL AND visible_at <= ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY seq LIMIT ?`,
      ),
      lock: db.prepare('UPDATE sb_messages SET lock_token = ?, locked_until = ? WHERE id = ?'),
      deleteById: db.prepare('DELETE FROM sb_messages WHERE id = ?'),
      byLock: db.prepare<[string, string, number, number], MessageRow>(`SELECT ${cols} FROM sb_messages WHERE lock_token = ? AND entity = ? AND dlq = ? AND locked_until > ?`),
      unlock: db.prepare('UPDATE sb_messages SET lock_token = NULL, locked_until = NULL, delivery_count = ? WHERE id = ?'),
      renew: db.prepare('UPDATE sb_messages SET locked_until = ? WHERE lock_token = ? AND entity = ? AND dlq = ? AND locked_until > ?'),
      deadLetter: db.prepare('UPDATE sb_messages SET dlq = 1, lock_token = NULL, locked_until = NULL, expires_at = NULL, delivery_count = ?, dl_reason = ?, dl_description = ? WHERE id = ?'),
      releaseExpiredLocks: db.prepare<[string, number, number], { id: number; delivery_count: number }>(
        'UPDATE sb_messages SET lock_token = NULL, locked_until = NULL, delivery_count = delivery_count + 1 WHERE entity = ? AND dlq = ? AND lock_token IS NOT NULL AND locked_until <= ? RETURNING id, delivery_count',
      ),
      deleteExpired: db.prepare('DELETE FROM sb_messages WHERE entity = ? AND dlq = 0 AND lock_token IS NULL AND expires_at IS NOT NULL AND expires_at <= ?'),
      deadLetterExpired: db.prepare(
        'UPDATE sb_messages SET dlq = 1, expires_at = NULL, dl_reason = ?, dl_description = ? WHERE entity = ? AND dlq = 0 AND lock_token IS NULL AND expires_at IS NOT NULL AND expires_at <= ?',
      ),
      peek: db.prepare<[string, number, number, number], MessageRow>(`SELECT ${cols} FROM sb_messages WHERE entity = ? AND dlq = ? AND seq >= ? ORDER BY seq LIMIT ?`),
      nextScheduled: db.prepare<[string, number], { t: number | null }>(
        'SELECT min(visible_at) AS t FROM sb_messages WHERE entity = ? AND dlq = 0 AND visible_at > enqueued_at AND visible_at > ?',
      ),
      nextLockExpiry: db.prepare<[string, number, number], { t: number | null }>(
        'SELECT min(locked_until) AS t FROM sb_messages WHERE entity = ? AND dlq = ? AND lock_token IS NOT NULL AND locked_until > ?',
      ),
      nextExpiry: db.prepare<[string, number], { t: number | null }>('SELECT min(expires_at) AS t FROM sb_messages WHERE entity = ? AND dlq = 0 AND expires_at IS NOT NULL AND expires_at > ?'),
      cancelScheduled: db.prepare('DELETE FROM sb_messages WHERE entity = ? AND dlq = 0 AND seq = ? AND visible_at > ?'),
      expireAllLocks: db.prepare('UPDATE sb_messages SET locked_until = 0 WHERE lock_token IS NOT NULL'),
      bySeq: db.prepare<[string, number, number], MessageRow>(`SELECT ${cols} FROM sb_messages WHERE entity = ? AND dlq = ? AND seq = ?`),
      counts: db.prepare<[number, number], { entity: string; dlq: number; total: number; scheduled: number; locked: number }>(
        'SELECT entity, dlq, count(*) AS total, sum(visible_at > ?) AS scheduled, sum(lock_token IS NOT NULL AND locked_until > ?) AS locked FROM sb_messages GROUP BY entity, dlq',
      ),
    };
  }

  /** Runs `fn` in one transaction (nested calls become savepoints): for group commits. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Locks held when the previous process stopped can never be settled: their receivers died with
   * it. Expiring them now makes the messages visible immediately, counted as a failed delivery —
   * so a message that crashes the process on every delivery still ends in the dead-letter queue.
   */
  expireLocksFromPreviousRun(): number {
    return this.s.expireAllLocks.run().changes;
  }

  /** Stores messages sent to a queue or topic (a topic copies each to every matching subscription). */
  enqueue(target: SendableEntity, requests: EnqueueRequest[]): EnqueueResult[] {
    return this.atomically(() => {
      const now = this.now();
      this.purgeDuplicatesNow(now);
      return requests.map((req) => {
        const messageId = req.fields.messageId;
        if (target.duplicateDetectionWindowMs > 0 && messageId !== undefined) {
          if (this.s.findDuplicate.get(target.key, messageId, now)) return { duplicate: true, deliveredTo: [] };
          this.s.rememberId.run(target.key, messageId, now + target.duplicateDetectionWindowMs);
        }
        const seq = this.s.nextSeq.get(target.key)!.last;
        const visibleAt = Math.max(now, req.scheduledEnqueueTimeMs ?? now);
        const receivers = target.kind === 'queue' ? [target] : target.subscriptions.filter((s) => matches(s.filter, req.fields));
        for (const r of receivers) {
          const ttl = minDefined(req.timeToLiveMs, r.defaultTimeToLiveMs);
          this.s.insert.run(r.key, seq, messageId ?? null, req.payload, now, visibleAt, ttl === undefined ? null : visibleAt + ttl);
        }
        return { sequenceNumber: seq, duplicate: false, deliveredTo: receivers.map((r) => r.key) };
      });
    });
  }

  /** Takes up to `max` available messages: locked (peekLock) or removed (receiveAndDelete). */
  receive(entity: ReceivableEntity, subQueue: SubQueue, max: number, mode: ReceiveMode): StoredMessage[] {
    if (max <= 0) return [];
    return this.atomically(() => {
      const now = this.now();
      const dlq = subQueue === 'deadLetter' ? 1 : 0;
      this.sweep(entity, dlq, now);
      const rows = this.s.available.all(entity.key, dlq, now, now, max);
      for (const row of rows) {
        if (mode === 'receiveAndDelete') {
          this.s.deleteById.run(row.id);
        } else {
          row.lock_token = randomUUID();
          row.locked_until = now + entity.lockDurationMs;
          this.s.lock.run(row.lock_token, row.locked_until, row.id);
        }
      }
      return rows.map(toStored);
    });
  }

  complete(entity: ReceivableEntity, subQueue: SubQueue, lockToken: string): SettleResult {
    return this.atomically(() => {
      const row = this.locked(entity, subQueue, lockToken);
      if (!row) return 'lockLost';
      this.s.deleteById.run(row.id);
      return 'settled';
    });
  }

  /** Unlocks the message as a failed delivery; past maxDeliveryCount it is dead-lettered, as Service Bus does. */
  abandon(entity: ReceivableEntity, subQueue: SubQueue, lockToken: string): SettleResult {
    return this.atomically(() => {
      const row = this.locked(entity, subQueue, lockToken);
      if (!row) return 'lockLost';
      const count = row.delivery_count + 1;
      if (!row.dlq && count >= entity.maxDeliveryCount) this.s.deadLetter.run(count, maxDeliveryReason, maxDeliveryDescription(entity), row.id);
      else this.s.unlock.run(count, row.id);
      return 'settled';
    });
  }

  deadLetter(entity: ReceivableEntity, subQueue: SubQueue, lockToken: string, reason?: string, description?: string): SettleResult {
    return this.atomically(() => {
      const row = this.locked(entity, subQueue, lockToken);
      if (!row) return 'lockLost';
      // Dead-lettering a dead-lettered message is a no-op in Service Bus apart from releasing it.
      if (row.dlq) this.s.unlock.run(row.delivery_count, row.id);
      else this.s.deadLetter.run(row.delivery_count, reason ?? null, description ?? null, row.id);
      return 'settled';
    });
  }

  /** Extends a lock by the entity's lock duration; undefined when the lock is already lost. */
  renewLock(entity: ReceivableEntity, subQueue: SubQueue, lockToken: string): number | undefined {
    const now = this.now();
    const until = now + entity.lockDurationMs;
    const changes = this.s.renew.run(until, lockToken, entity.key, subQueue === 'deadLetter' ? 1 : 0, now).changes;
    return changes === 1 ? until : undefined;
  }

  /** Messages from `fromSequenceNumber` on, without locking (scheduled and locked ones included, as in Service Bus). */
  peek(entity: ReceivableEntity, subQueue: SubQueue, fromSequenceNumber: number, max: number): StoredMessage[] {
    return this.atomically(() => {
      const dlq = subQueue === 'deadLetter' ? 1 : 0;
      this.sweep(entity, dlq, this.now());
      return this.s.peek.all(entity.key, dlq, fromSequenceNumber, max).map(toStored);
    });
  }

  /** Removes scheduled messages that are not yet visible; returns how many were removed. */
  cancelScheduled(target: SendableEntity, sequenceNumbers: number[]): number {
    return this.atomically(() => {
      const now = this.now();
      const keys = target.kind === 'queue' ? [target.key] : target.subscriptions.map((s) => s.key);
      let removed = 0;
      for (const key of keys) for (const seq of sequenceNumbers) removed += this.s.cancelScheduled.run(key, seq, now).changes;
      return removed;
    });
  }

  /**
   * When the sub-queue next changes by itself: a scheduled message falls due, a lock expires, or
   * (for the dead-letter queue) a message may be dead-lettered by lock expiry or TTL. Only future
   * times count; what is already due is applied by the next receive.
   */
  nextWakeAt(entity: ReceivableEntity, subQueue: SubQueue): number | undefined {
    const now = this.now();
    const times =
      subQueue === 'active'
        ? [this.s.nextScheduled.get(entity.key, now)?.t, this.s.nextLockExpiry.get(entity.key, 0, now)?.t]
        : [
            this.s.nextLockExpiry.get(entity.key, 1, now)?.t,
            this.s.nextLockExpiry.get(entity.key, 0, now)?.t,
            entity.deadLetteringOnMessageExpiration ? this.s.nextExpiry.get(entity.key, now)?.t : undefined,
          ];
    const due = times.filter((t): t is number => typeof t === 'number');
    return due.length ? Math.min(...due) : undefined;
  }

  /**
   * Moves a dead-lettered message back to its queue or subscription, as an operator's resubmit
   * does: a copy with a new sequence number (taken from `sequenceKey`, the queue or the topic) and
   * no delivery count, and the dead letter removed, in one transaction. `request` is the message
   * as the sender sent it (the caller decodes the stored payload). A message locked by a receiver
   * of the dead-letter queue is left alone ('locked'); an unknown one is 'missing'.
   */
  resubmitDeadLetter(entity: ReceivableEntity, sequenceKey: string, sequenceNumber: number, request: (payload: Buffer) => EnqueueRequest): { result: 'moved'; sequenceNumber: number } | { result: 'missing' | 'locked' } {
    return this.atomically(() => {
      const now = this.now();
      const row = this.s.bySeq.get(entity.key, 1, sequenceNumber);
      if (!row) return { result: 'missing' as const };
      if (row.lock_token !== null && (row.locked_until ?? 0) > now) return { result: 'locked' as const };
      const req = request(toStored(row).payload);
      const seq = this.s.nextSeq.get(sequenceKey)!.last;
      const ttl = minDefined(req.timeToLiveMs, entity.defaultTimeToLiveMs);
      // Straight into the entity, past duplicate detection: the copy has the dead letter's
      // messageId, which the window would otherwise drop.
      this.s.insert.run(entity.key, seq, req.fields.messageId ?? null, req.payload, now, now, ttl === undefined ? null : now + ttl);
      this.s.deleteById.run(row.id);
      return { result: 'moved' as const, sequenceNumber: seq };
    });
  }

  /** Deletes one message (active or dead-lettered) by sequence number unless a receiver holds its lock. */
  removeMessage(entity: ReceivableEntity, subQueue: SubQueue, sequenceNumber: number): 'removed' | 'missing' | 'locked' {
    return this.atomically(() => {
      const row = this.s.bySeq.get(entity.key, subQueue === 'deadLetter' ? 1 : 0, sequenceNumber);
      if (!row) return 'missing';
      if (row.lock_token !== null && (row.locked_until ?? 0) > this.now()) return 'locked';
      this.s.deleteById.run(row.id);
      return 'removed';
    });
  }

  counts(): EntityCounts[] {
    const now = this.now();
    const byEntity = new Map<string, EntityCounts>();
    for (const row of this.s.counts.all(now, now)) {
      let c = byEntity.get(row.entity);
      if (!c) byEntity.set(row.entity, (c = { entityKey: row.entity, active: 0, scheduled: 0, locked: 0, deadLetter: 0 }));
      if (row.dlq) c.deadLetter += row.total;
      else {
        c.active += row.total - row.scheduled;
        c.scheduled += row.scheduled;
        c.locked += row.locked;
      }
    }
    return [...byEntity.values()];
  }

  private locked(entity: ReceivableEntity, subQueue: SubQueue, lockToken: string): MessageRow | undefined {
    return this.s.byLock.get(lockToken, entity.key, subQueue === 'deadLetter' ? 1 : 0, this.now());
  }

  /**
   * Applies what time did since the last look: expired locks (a failed delivery each) and expired
   * messages. The active queue is always swept because it is what feeds the dead-letter queue.
   */
  private sweep(entity: ReceivableEntity, dlq: number, now: number): void {
    for (const r of this.s.releaseExpiredLocks.all(entity.key, 0, now)) {
      if (r.delivery_count >= entity.maxDeliveryCount) this.s.deadLetter.run(r.delivery_count, maxDeliveryReason, maxDeliveryDescription(entity), r.id);
    }
    if (entity.deadLetteringOnMessageExpiration) this.s.deadLetterExpired.run(expiredReason, 'The message expired and was dead lettered.', entity.key, now);
    else this.s.deleteExpired.run(entity.key, now);
    // Messages in a dead-letter queue never expire or move on; an expired lock only releases them.
    if (dlq) this.s.releaseExpiredLocks.all(entity.key, 1, now);
  }

  private purgeDuplicatesNow(now: number): void {
    if (now - this.lastDuplicatePurge < duplicatePurgeIntervalMs) return;
    this.lastDuplicatePurge = now;
    this.s.purgeDuplicates.run(now);
  }
}

function maxDeliveryDescription(entity: ReceivableEntity): string {
  return `Message could not be consumed after ${entity.maxDeliveryCount} delivery attempts.`;
}

/** Correlation filter semantics: every property set on the filter must be equal on the message. */
export function matches(filter: CorrelationFilter | undefined, fields: FilterFields): boolean {
  if (!filter) return true;
  const { applicationProperties, ...system } = filter;
  for (const [name, expected] of Object.entries(system)) {
    if (expected !== undefined && fields[name as keyof typeof system] !== expected) return false;
  }
  for (const [name, expected] of Object.entries(applicationProperties ?? {})) {
    if (fields.applicationProperties?.[name] !== expected) return false;
  }
  return true;
}

function toStored(row: MessageRow): StoredMessage {
  return {
    entityKey: row.entity,
    subQueue: row.dlq ? 'deadLetter' : 'active',
    sequenceNumber: row.seq,
    // node:sqlite returns BLOBs as Uint8Array; a Buffer view of the same bytes (no copy).
    payload: Buffer.from(row.payload.buffer, row.payload.byteOffset, row.payload.byteLength),
    enqueuedAt: row.enqueued_at,
    visibleAt: row.visible_at,
    expiresAt: row.expires_at ?? undefined,
    deliveryCount: row.delivery_count,
    lockToken: row.lock_token ?? undefined,
    lockedUntil: row.locked_until ?? undefined,
    deadLetterReason: row.dl_reason ?? undefined,
    deadLetterDescription: row.dl_description ?? undefined,
  };
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

