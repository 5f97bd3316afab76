// Durable state of the email simulator (SQLite, tables prefixed `em_`): one row per accepted send
// operation with the message as sent, and the operation ids that were already throttled once.
// An operation's status is derived from its age and its planned outcome, so it progresses the
// same way across restarts without a background timer.
import type { Database } from '../core/sqlite';

export type OperationStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

export interface Recipient {
  address: string;
  displayName?: string;
}

export interface NewOperation {
  operationId: string;
  messageId: string;
  from: string;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  subject: string;
  text: string;
  html: string;
  createdAt: number;
  /** What the operation ends as once it stops running. */
  outcome: { status: 'Succeeded' } | { status: 'Failed'; code: string; message: string };
}

export interface StoredOperation extends NewOperation {
  /** Insertion order; lists are returned in it. */
  seq: number;
}

interface Row {
  seq: number;
  operation_id: string;
  message_id: string;
  sender: string;
  recipients: string;
  subject: string;
  text: string;
  html: string;
  created_at: number;
  outcome: string;
}

export class EmailStore {
  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS em_operations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        operation_id TEXT NOT NULL UNIQUE,
        message_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL,
        subject TEXT NOT NULL,
        text TEXT NOT NULL,
        html TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        outcome TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS em_recipients (
        address TEXT NOT NULL,
        seq INTEGER NOT NULL REFERENCES em_operations(seq),
        PRIMARY KEY (address, seq)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS em_throttled (operation_id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
    `);
  }

  get(operationId: string): StoredOperation | undefined {
    const row = this.db.prepare('SELECT * FROM em_operations WHERE operation_id = ?').get(operationId) as Row | undefined;
    return row && fromRow(row);
  }

  /** Stores the operation unless one with this id exists; returns the stored one either way. */
  insertOnce(op: NewOperation): { operation: StoredOperation; created: boolean } {
    return this.db.transaction(() => {
      const existing = this.get(op.operationId);
      if (existing) return { operation: existing, created: false };
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO em_operations (operation_id, message_id, sender, recipients, subject, text, html, created_at, outcome)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(op.operationId, op.messageId, op.from, JSON.stringify({ to: op.to, cc: op.cc, bcc: op.bcc }), op.subject, op.text, op.html, op.createdAt, JSON.stringify(op.outcome));
      const seq = Number(lastInsertRowid);
      const addRecipient = this.db.prepare('INSERT OR IGNORE INTO em_recipients (address, seq) VALUES (?, ?)');
      for (const r of [...op.to, ...op.cc, ...op.bcc]) addRecipient.run(r.address.toLowerCase(), seq);
      return { operation: { ...op, seq }, created: true };
    })();
  }

  /** Operations with `address` among their recipients (any case), oldest first; all when absent. */
  list(address?: string): StoredOperation[] {
    const rows = (
      address === undefined
        ? this.db.prepare('SELECT * FROM em_operations ORDER BY seq')
        : this.db.prepare('SELECT o.* FROM em_operations o JOIN em_recipients r ON r.seq = o.seq WHERE r.address = ? ORDER BY o.seq')
    ).all(...(address === undefined ? [] : [address.toLowerCase()])) as Row[];
    return rows.map(fromRow);
  }

  /** True the first time an operation id is seen by the throttle, false afterwards. */
  throttleOnce(operationId: string, at: number): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO em_throttled (operation_id, at) VALUES (?, ?)').run(operationId, at).changes === 1;
  }
}

function fromRow(r: Row): StoredOperation {
  const recipients = JSON.parse(r.recipients) as { to: Recipient[]; cc: Recipient[]; bcc: Recipient[] };
  return {
    seq: r.seq,
    operationId: r.operation_id,
    messageId: r.message_id,
    from: r.sender,
    ...recipients,
    subject: r.subject,
    text: r.text,
    html: r.html,
    createdAt: r.created_at,
    outcome: JSON.parse(r.outcome) as NewOperation['outcome'],
  };
}

/** Running until `runningForMs` after acceptance, then its planned outcome. */
export function statusAt(op: NewOperation, now: number, runningForMs: number): OperationStatus {
  return now - op.createdAt < runningForMs ? 'Running' : op.outcome.status;
}
