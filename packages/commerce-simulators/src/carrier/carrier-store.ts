// Durable state of the carrier simulator (SQLite, tables prefixed `cr_`): shipments, their
// scheduled tracking events, and the webhook deliveries those events cause. Keeping due times and
// delivery attempts in the database is what lets tracking advance across restarts and makes
// webhook delivery at-least-once. All calls are synchronous; each mutation is one transaction.
import type { Database } from 'azure-standin/sqlite';

export interface ShipmentRecord {
  trackingNumber: string;
  /** The client's Message-Reference header, when sent: the idempotency key of POST /shipments. */
  messageReference: string | null;
  /** First customer reference (our order id), used to look shipments up. */
  reference: string | null;
  createdAt: number;
  /** The MyDHL request body as received. */
  request: unknown;
  /** The 201 body (label included), returned again on an idempotent retry. */
  response: unknown;
}

export interface PlannedEvent {
  typeCode: string;
  description: string;
  /** Our push-level status after this event. */
  status: string;
  dueAt: number;
}

export interface TrackingEventRecord extends PlannedEvent {
  id: number;
  trackingNumber: string;
  emitted: boolean;
}

export interface WebhookDelivery {
  id: number;
  eventId: number;
  trackingNumber: string;
  /** The exact JSON sent every attempt, so the content never changes on retries (the signature does: it covers a fresh timestamp). */
  body: string;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  gaveUpAt: number | null;
  lastError: string | null;
}

export interface WebhookAttempt {
  at: number;
  ok: boolean;
  outcome: string;
}

const schema = `
CREATE TABLE IF NOT EXISTS cr_shipments (
  tracking_number TEXT PRIMARY KEY,
  message_reference TEXT UNIQUE,
  reference TEXT,
  created_at INTEGER NOT NULL,
  request_json TEXT NOT NULL,
  response_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cr_shipments_reference ON cr_shipments (reference);
CREATE TABLE IF NOT EXISTS cr_failed_once (
  message_reference TEXT PRIMARY KEY,
  failed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cr_attempts (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cr_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tracking_number TEXT NOT NULL,
  type_code TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  emitted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS cr_events_due ON cr_events (emitted, due_at);
CREATE TABLE IF NOT EXISTS cr_webhooks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id INTEGER NOT NULL UNIQUE,
  tracking_number TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  gave_up_at INTEGER,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS cr_webhooks_pending ON cr_webhooks (tracking_number, id) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE TABLE IF NOT EXISTS cr_webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  outcome TEXT NOT NULL
);
`;

interface ShipmentRow {
  tracking_number: string;
  message_reference: string | null;
  reference: string | null;
  created_at: number;
  request_json: string;
  response_json: string;
}
interface EventRow {
  id: number;
  tracking_number: string;
  type_code: string;
  description: string;
  status: string;
  due_at: number;
  emitted: number;
}
interface WebhookRow {
  id: number;
  event_id: number;
  tracking_number: string;
  body: string;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  gave_up_at: number | null;
  last_error: string | null;
}

const toShipment = (r: ShipmentRow): ShipmentRecord => ({
  trackingNumber: r.tracking_number,
  messageReference: r.message_reference,
  reference: r.reference,
  createdAt: r.created_at,
  request: JSON.parse(r.request_json),
  response: JSON.parse(r.response_json),
});
const toEvent = (r: EventRow): TrackingEventRecord => ({
  id: r.id,
  trackingNumber: r.tracking_number,
  typeCode: r.type_code,
  description: r.description,
  status: r.status,
  dueAt: r.due_at,
  emitted: r.emitted === 1,
});
const toWebhook = (r: WebhookRow): WebhookDelivery => ({
  id: r.id,
  eventId: r.event_id,
  trackingNumber: r.tracking_number,
  body: r.body,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  gaveUpAt: r.gave_up_at,
  lastError: r.last_error,
});

export class CarrierStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
    db.exec(schema);
  }

  findByMessageReference(messageReference: string): ShipmentRecord | undefined {
    const row = this.db.prepare<[string], ShipmentRow>('SELECT * FROM cr_shipments WHERE message_reference = ?').get(messageReference);
    return row && toShipment(row);
  }

  get(trackingNumber: string): ShipmentRecord | undefined {
    const row = this.db.prepare<[string], ShipmentRow>('SELECT * FROM cr_shipments WHERE tracking_number = ?').get(trackingNumber);
    return row && toShipment(row);
  }

  /** Every shipment, newest first: the /dev/shipments listing people browse. */
  all(limit: number): ShipmentRecord[] {
    return this.db.prepare<[number], ShipmentRow>('SELECT * FROM cr_shipments ORDER BY created_at DESC, tracking_number DESC LIMIT ?').all(limit).map(toShipment);
  }

  findByReference(reference: string): ShipmentRecord[] {
    return this.db.prepare<[string], ShipmentRow>('SELECT * FROM cr_shipments WHERE reference = ? ORDER BY created_at, tracking_number').all(reference).map(toShipment);
  }

  /**
   * Shipments of `shipperAccount` created in [fromMs, toMs] that carry `value` among their customer
   * references (of `typeCode`, when given; a reference without a type is MyDHL's default, CU).
   */
  findByCustomerReference(q: { value: string; typeCode?: string; shipperAccount: string; fromMs: number; toMs: number }): ShipmentRecord[] {
    return this.db
      .prepare<[number, number, string, string | null, string | null, string], ShipmentRow>(
        `SELECT s.* FROM cr_shipments s
         WHERE s.created_at BETWEEN ? AND ?
           AND EXISTS (SELECT 1 FROM json_each(s.request_json, '$.customerReferences') r
                       WHERE json_extract(r.value, '$.value') = ? AND (? IS NULL OR coalesce(json_extract(r.value, '$.typeCode'), 'CU') = ?))
           AND EXISTS (SELECT 1 FROM json_each(s.request_json, '$.accounts') a
                       WHERE json_extract(a.value, '$.typeCode') = 'shipper' AND json_extract(a.value, '$.number') = ?)
         ORDER BY s.created_at, s.tracking_number`,
      )
      .all(q.fromMs, q.toMs, q.value, q.typeCode ?? null, q.typeCode ?? null, q.shipperAccount)
      .map(toShipment);
  }

  /**
   * Stores a shipment with its planned events. Returns the already stored shipment instead when
   * another request with the same Message-Reference won the race (label rendering is async, so
   * two concurrent retries can both get past the first lookup).
   */
  createShipment(s: ShipmentRecord, events: PlannedEvent[]): ShipmentRecord {
    return this.db.transaction((): ShipmentRecord => {
      if (s.messageReference !== null) {
        const existing = this.findByMessageReference(s.messageReference);
        if (existing) return existing;
      }
      this.db
        .prepare('INSERT INTO cr_shipments (tracking_number, message_reference, reference, created_at, request_json, response_json) VALUES (?, ?, ?, ?, ?, ?)')
        .run(s.trackingNumber, s.messageReference, s.reference, s.createdAt, JSON.stringify(s.request), JSON.stringify(s.response));
      const insert = this.db.prepare('INSERT INTO cr_events (tracking_number, type_code, description, status, due_at) VALUES (?, ?, ?, ?, ?)');
      for (const e of events) insert.run(s.trackingNumber, e.typeCode, e.description, e.status, e.dueAt);
      return s;
    })();
  }

  trackingNumberExists(trackingNumber: string): boolean {
    return this.db.prepare('SELECT 1 FROM cr_shipments WHERE tracking_number = ?').get(trackingNumber) !== undefined;
  }

  /** Records that this Message-Reference already got its one simulated failure; true if it is new. */
  markFailedOnce(messageReference: string, at: number): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO cr_failed_once (message_reference, failed_at) VALUES (?, ?)').run(messageReference, at).changes === 1;
  }

  /** Counts a request under `key` and returns how many there have been, this one included. */
  countAttempt(key: string): number {
    this.db.prepare('INSERT INTO cr_attempts (key, count) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET count = count + 1').run(key);
    return (this.db.prepare('SELECT count FROM cr_attempts WHERE key = ?').get(key) as { count: number }).count;
  }

  /** Events that have happened (emitted), oldest first. */
  emittedEvents(trackingNumber: string): TrackingEventRecord[] {
    return this.db.prepare<[string], EventRow>('SELECT * FROM cr_events WHERE tracking_number = ? AND emitted = 1 ORDER BY due_at, id').all(trackingNumber).map(toEvent);
  }

  allEvents(trackingNumber: string): TrackingEventRecord[] {
    return this.db.prepare<[string], EventRow>('SELECT * FROM cr_events WHERE tracking_number = ? ORDER BY due_at, id').all(trackingNumber).map(toEvent);
  }

  /**
   * Marks every event due by `now` as emitted and, when `webhookBody` is given, queues one webhook
   * delivery per event in the same transaction, so an event is never emitted without its push.
   */
  emitDue(now: number, webhookBody?: (e: TrackingEventRecord, reference: string | null) => string): TrackingEventRecord[] {
    return this.db.transaction((): TrackingEventRecord[] => {
      const due = this.db
        .prepare<[number], EventRow & { reference: string | null }>(
          'SELECT e.*, s.reference FROM cr_events e JOIN cr_shipments s ON s.tracking_number = e.tracking_number WHERE e.emitted = 0 AND e.due_at <= ? ORDER BY e.due_at, e.id',
        )
        .all(now);
      const mark = this.db.prepare('UPDATE cr_events SET emitted = 1 WHERE id = ?');
      const queue = this.db.prepare('INSERT INTO cr_webhooks (event_id, tracking_number, body, next_attempt_at) VALUES (?, ?, ?, ?)');
      return due.map((row) => {
        const event = { ...toEvent(row), emitted: true };
        mark.run(row.id);
        if (webhookBody) queue.run(row.id, row.tracking_number, webhookBody(event, row.reference), now);
        return event;
      });
    })();
  }

  /**
   * Deliveries to attempt now: per shipment only the oldest unfinished one, so a receiver sees a
   * shipment's events in order even when an earlier push needs retries.
   */
  dueDeliveries(now: number): WebhookDelivery[] {
    return this.db
      .prepare<[number], WebhookRow>(
        `SELECT w.* FROM cr_webhooks w
         WHERE w.id IN (SELECT min(id) FROM cr_webhooks WHERE delivered_at IS NULL AND gave_up_at IS NULL GROUP BY tracking_number)
           AND w.next_attempt_at <= ? ORDER BY w.id`,
      )
      .all(now)
      .map(toWebhook);
  }

  /** The earliest time something is due (an event or a delivery), if anything is pending. */
  nextWakeAt(): number | undefined {
    const row = this.db
      .prepare<[], { t: number | null }>(
        `SELECT min(t) AS t FROM (
           SELECT min(due_at) AS t FROM cr_events WHERE emitted = 0
           UNION ALL
           SELECT min(next_attempt_at) AS t FROM cr_webhooks WHERE id IN (SELECT min(id) FROM cr_webhooks WHERE delivered_at IS NULL AND gave_up_at IS NULL GROUP BY tracking_number))`,
      )
      .get();
    return row?.t ?? undefined;
  }

  recordAttempt(id: number, at: number, result: { ok: true; outcome: string } | { ok: false; outcome: string; retryAt?: number }): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO cr_webhook_attempts (webhook_id, at, ok, outcome) VALUES (?, ?, ?, ?)').run(id, at, result.ok ? 1 : 0, result.outcome);
      if (result.ok) {
        this.db.prepare('UPDATE cr_webhooks SET attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?').run(at, id);
      } else if (result.retryAt !== undefined) {
        this.db.prepare('UPDATE cr_webhooks SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(result.retryAt, result.outcome, id);
      } else {
        this.db.prepare('UPDATE cr_webhooks SET attempts = attempts + 1, gave_up_at = ?, last_error = ? WHERE id = ?').run(at, result.outcome, id);
      }
    })();
  }

  deliveries(trackingNumber: string): (WebhookDelivery & { attemptLog: WebhookAttempt[] })[] {
    const attempts = this.db.prepare<[number], { at: number; ok: number; outcome: string }>('SELECT at, ok, outcome FROM cr_webhook_attempts WHERE webhook_id = ? ORDER BY id');
    return this.db
      .prepare<[string], WebhookRow>('SELECT * FROM cr_webhooks WHERE tracking_number = ? ORDER BY id')
      .all(trackingNumber)
      .map((r) => ({ ...toWebhook(r), attemptLog: attempts.all(r.id).map((a) => ({ at: a.at, ok: a.ok === 1, outcome: a.outcome })) }));
  }
}
