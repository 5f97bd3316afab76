// What the blob trigger remembers, in SQLite (Azure keeps it in the host's storage account):
// - receipts, one per (function, blob, ETag), as the extension's blob receipts
//   (azure-webjobs-hosts/blobreceipts/{hostId}/{functionId}/{ETag}/{container}/{blob}) so each
//   version of a blob triggers a function once; a receipt is written when the version is queued
//   for the function and holds the state of that work item, which stands in for the message on
//   the host's blob-trigger queue (azure-webjobs-blobtrigger-{hostId}): its dequeue count and
//   whether it is still to be processed, so queued work survives a restart;
// - poison records, the messages Azure moves to the `webjobs-blobtrigger-poison` queue once a
//   blob has failed poisonBlobThreshold times.
import type { Database } from '../core/sqlite';

export interface ReceiptKey {
  functionId: string;
  container: string;
  blob: string;
  etag: string;
}

export type ReceiptState = 'queued' | 'completed' | 'poisoned';

export interface Receipt extends ReceiptKey {
  state: ReceiptState;
  attempts: number;
  lastError: string | null;
}

export interface PoisonRecord extends ReceiptKey {
  attempts: number;
  error: string | null;
  /** The BlobTriggerMessage Azure would have put on the poison queue. */
  message: string;
  poisonedAt: number;
}

interface ReceiptRow {
  function_id: string;
  container: string;
  blob: string;
  etag: string;
  state: ReceiptState;
  attempts: number;
  last_error: string | null;
}

export class BlobTriggerStore {
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS blob_receipts (
        function_id TEXT NOT NULL, container TEXT NOT NULL, blob TEXT NOT NULL, etag TEXT NOT NULL,
        state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (function_id, container, blob, etag)
      );
      CREATE INDEX IF NOT EXISTS blob_receipts_queued ON blob_receipts (state) WHERE state = 'queued';
      CREATE TABLE IF NOT EXISTS blob_poison (
        id INTEGER PRIMARY KEY AUTOINCREMENT, function_id TEXT NOT NULL, container TEXT NOT NULL, blob TEXT NOT NULL,
        etag TEXT NOT NULL, attempts INTEGER NOT NULL, error TEXT, message TEXT NOT NULL, poisoned_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS blob_trigger_baseline (function_id TEXT PRIMARY KEY, at INTEGER NOT NULL);
    `);
  }

  /** Records a new version for the function; false when it already has a receipt (seen before). */
  tryEnqueue(k: ReceiptKey): boolean {
    const t = this.now();
    const r = this.db
      .prepare('INSERT OR IGNORE INTO blob_receipts (function_id, container, blob, etag, state, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)')
      .run(k.functionId, k.container, k.blob, k.etag, 'queued', t, t);
    return r.changes === 1;
  }

  /** Records a version as seen without queuing it (an Event Grid trigger's blobs from before its first start). */
  markSeen(k: ReceiptKey): void {
    const t = this.now();
    this.db
      .prepare('INSERT OR IGNORE INTO blob_receipts (function_id, container, blob, etag, state, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)')
      .run(k.functionId, k.container, k.blob, k.etag, 'completed', t, t);
  }

  get(k: ReceiptKey): Receipt | undefined {
    const row = this.db
      .prepare('SELECT * FROM blob_receipts WHERE function_id = ? AND container = ? AND blob = ? AND etag = ?')
      .get(k.functionId, k.container, k.blob, k.etag) as ReceiptRow | undefined;
    return row && toReceipt(row);
  }

  /** Work still to do (after a restart), oldest first. */
  queued(): Receipt[] {
    return (this.db.prepare("SELECT * FROM blob_receipts WHERE state = 'queued' ORDER BY created_at, rowid").all() as ReceiptRow[]).map(toReceipt);
  }

  /** A dequeue: the attempt count after it. */
  beginAttempt(k: ReceiptKey): number {
    this.db
      .prepare('UPDATE blob_receipts SET attempts = attempts + 1, updated_at = ? WHERE function_id = ? AND container = ? AND blob = ? AND etag = ?')
      .run(this.now(), k.functionId, k.container, k.blob, k.etag);
    return this.get(k)?.attempts ?? 0;
  }

  complete(k: ReceiptKey): void {
    this.setState(k, 'completed', null);
  }

  fail(k: ReceiptKey, error: string): void {
    this.setState(k, 'queued', error);
  }

  poison(k: ReceiptKey, attempts: number, error: string, message: string): void {
    const t = this.now();
    this.db.transaction(() => {
      this.setState(k, 'poisoned', error);
      this.db
        .prepare('INSERT INTO blob_poison (function_id, container, blob, etag, attempts, error, message, poisoned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(k.functionId, k.container, k.blob, k.etag, attempts, error, message, t);
    })();
  }

  poisoned(functionId?: string): PoisonRecord[] {
    const rows = (functionId === undefined
      ? this.db.prepare('SELECT * FROM blob_poison ORDER BY id').all()
      : this.db.prepare('SELECT * FROM blob_poison WHERE function_id = ? ORDER BY id').all(functionId)) as {
      function_id: string; container: string; blob: string; etag: string; attempts: number; error: string | null; message: string; poisoned_at: number;
    }[];
    return rows.map((r) => ({ functionId: r.function_id, container: r.container, blob: r.blob, etag: r.etag, attempts: r.attempts, error: r.error, message: r.message, poisonedAt: r.poisoned_at }));
  }

  isBaselined(functionId: string): boolean {
    return this.db.prepare('SELECT 1 FROM blob_trigger_baseline WHERE function_id = ?').get(functionId) !== undefined;
  }

  markBaselined(functionId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO blob_trigger_baseline (function_id, at) VALUES (?, ?)').run(functionId, this.now());
  }

  private setState(k: ReceiptKey, state: ReceiptState, error: string | null): void {
    this.db
      .prepare('UPDATE blob_receipts SET state = ?, last_error = COALESCE(?, last_error), updated_at = ? WHERE function_id = ? AND container = ? AND blob = ? AND etag = ?')
      .run(state, error, this.now(), k.functionId, k.container, k.blob, k.etag);
  }
}

function toReceipt(r: ReceiptRow): Receipt {
  return { functionId: r.function_id, container: r.container, blob: r.blob, etag: r.etag, state: r.state, attempts: r.attempts, lastError: r.last_error };
}
