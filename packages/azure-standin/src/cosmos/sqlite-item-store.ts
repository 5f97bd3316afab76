// The SQLite side of the durable emulator: resources keyed by their logical identity (database
// id; + container id; + partition key value and document id), changes collected as pending and
// committed together in one transaction, and the stored state read back at startup.
import { Database } from '../core/sqlite';
import type { ResourceData } from './emulator-internals';

export type ResourceKey =
  | { kind: 'database'; db: string }
  | { kind: 'container'; db: string; coll: string }
  /** pk: the JSON of the document's partition key value (null when it has none). */
  | { kind: 'document'; db: string; coll: string; pk: string; id: string };

/** Whose rid counter: the account's (no db: databases), a database's (containers) or a container's (documents). */
export interface CounterScope { db?: string; coll?: string }

interface Pending {
  key: ResourceKey;
  body: ResourceData | null;
  /** The stored children of this database or container must go first (it was deleted). */
  clearChildren: boolean;
}

export interface StoredState {
  databaseRidCount: number;
  databases: { body: ResourceData; ridCount: number }[];
  containers: { db: string; body: ResourceData; ridCount: number }[];
  /** Streamed: there can be many. */
  documents: Iterable<{ db: string; coll: string; body: ResourceData }>;
}

const schema = `
  CREATE TABLE IF NOT EXISTS cosmos_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  -- rid_count: the counter of the set below the resource (its containers, its documents).
  CREATE TABLE IF NOT EXISTS cosmos_databases (db TEXT PRIMARY KEY, body TEXT NOT NULL, rid_count INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS cosmos_containers (db TEXT NOT NULL, coll TEXT NOT NULL, body TEXT NOT NULL, rid_count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (db, coll));
  CREATE TABLE IF NOT EXISTS cosmos_documents (db TEXT NOT NULL, coll TEXT NOT NULL, pk TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (db, coll, pk, id));
`;

const pendingId = (k: ResourceKey): string =>
  JSON.stringify(k.kind === 'database' ? [k.db] : k.kind === 'container' ? [k.db, k.coll] : [k.db, k.coll, k.pk, k.id]);

export class SqliteItemStore {
  private readonly db: Database;
  /** Coalesced: only the last state of each resource is written (replace is delete + set). */
  private readonly pending = new Map<string, Pending>();
  private readonly counters = new Map<string, { scope: CounterScope; read: () => number }>();
  private readonly sql;
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL commits survive a killed process (not an OS crash) without an fsync each.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(schema);
    const prepare = (s: string) => this.db.prepare(s);
    this.sql = {
      putDatabase: prepare('INSERT INTO cosmos_databases (db, body) VALUES (?, ?) ON CONFLICT (db) DO UPDATE SET body = excluded.body'),
      putContainer: prepare('INSERT INTO cosmos_containers (db, coll, body) VALUES (?, ?, ?) ON CONFLICT (db, coll) DO UPDATE SET body = excluded.body'),
      putDocument: prepare('INSERT INTO cosmos_documents (db, coll, pk, id, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (db, coll, pk, id) DO UPDATE SET body = excluded.body'),
      deleteDatabase: prepare('DELETE FROM cosmos_databases WHERE db = ?'),
      deleteContainer: prepare('DELETE FROM cosmos_containers WHERE db = ? AND coll = ?'),
      deleteDocument: prepare('DELETE FROM cosmos_documents WHERE db = ? AND coll = ? AND pk = ? AND id = ?'),
      containersOf: prepare('DELETE FROM cosmos_containers WHERE db = ?'),
      documentsOfDatabase: prepare('DELETE FROM cosmos_documents WHERE db = ?'),
      documentsOfContainer: prepare('DELETE FROM cosmos_documents WHERE db = ? AND coll = ?'),
      databaseCounter: prepare("INSERT INTO cosmos_meta (name, value) VALUES ('database_rid_count', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
      containerCounter: prepare('UPDATE cosmos_databases SET rid_count = ? WHERE db = ?'),
      documentCounter: prepare('UPDATE cosmos_containers SET rid_count = ? WHERE db = ? AND coll = ?'),
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  put(key: ResourceKey, body: ResourceData): void {
    if (this.closed) return;
    const id = pendingId(key);
    const before = this.pending.get(id);
    // A put over a pending delete re-creates the resource; the old one's children stay deleted.
    const clearChildren = key.kind !== 'document' && before !== undefined && (before.body === null || before.clearChildren);
    this.pending.delete(id);
    this.pending.set(id, { key, body, clearChildren });
  }

  remove(key: ResourceKey): void {
    if (this.closed) return;
    const id = pendingId(key);
    if (key.kind !== 'document') {
      // Pending writes below a deleted database or container must not resurrect its contents.
      const prefix = id.slice(0, -1) + ',';
      for (const other of this.pending.keys()) if (other.startsWith(prefix)) this.pending.delete(other);
    }
    this.pending.delete(id);
    this.pending.set(id, { key, body: null, clearChildren: key.kind !== 'document' });
  }

  /** Remembers to store this counter's value (read at flush time) with the next flush. */
  trackRidCount(scope: CounterScope, read: () => number): void {
    if (this.closed) return;
    this.counters.set(JSON.stringify([scope.db, scope.coll]), { scope, read });
  }

  /** Commits every pending change in one transaction; call before acknowledging any of them. */
  flush(): void {
    if (this.closed || (this.pending.size === 0 && this.counters.size === 0)) return;
    const s = this.sql;
    this.db.transaction(() => {
      // Clear the stored contents of deleted parents first, so that children written in the
      // same batch to a re-created parent of the same id survive.
      for (const { key, clearChildren } of this.pending.values()) {
        if (!clearChildren) continue;
        if (key.kind === 'database') {
          s.containersOf.run(key.db);
          s.documentsOfDatabase.run(key.db);
        } else if (key.kind === 'container') s.documentsOfContainer.run(key.db, key.coll);
      }
      for (const { key, body } of this.pending.values()) {
        const json = body && JSON.stringify(body);
        if (key.kind === 'database') {
          if (json) s.putDatabase.run(key.db, json);
          else s.deleteDatabase.run(key.db);
        } else if (key.kind === 'container') {
          if (json) s.putContainer.run(key.db, key.coll, json);
          else s.deleteContainer.run(key.db, key.coll);
        } else if (json) s.putDocument.run(key.db, key.coll, key.pk, key.id, json);
        else s.deleteDocument.run(key.db, key.coll, key.pk, key.id);
      }
      // Counters live on their parent's row (gone with it when it is deleted).
      for (const { scope, read } of this.counters.values()) {
        if (scope.db === undefined) s.databaseCounter.run(read());
        else if (scope.coll !== undefined) s.documentCounter.run(read(), scope.db, scope.coll);
        else s.containerCounter.run(read(), scope.db);
      }
    })();
    this.pending.clear();
    this.counters.clear();
  }

  load(): StoredState {
    const parse = (body: string) => JSON.parse(body) as ResourceData;
    const meta = this.db.prepare("SELECT value FROM cosmos_meta WHERE name = 'database_rid_count'").get() as { value: number } | undefined;
    const databases = this.db.prepare('SELECT body, rid_count FROM cosmos_databases ORDER BY db').all() as { body: string; rid_count: number }[];
    const containers = this.db.prepare('SELECT db, body, rid_count FROM cosmos_containers ORDER BY db, coll').all() as { db: string; body: string; rid_count: number }[];
    const documents = this.db.prepare('SELECT db, coll, body FROM cosmos_documents ORDER BY db, coll');
    return {
      databaseRidCount: meta?.value ?? 0,
      databases: databases.map((r) => ({ body: parse(r.body), ridCount: r.rid_count })),
      containers: containers.map((r) => ({ db: r.db, body: parse(r.body), ridCount: r.rid_count })),
      documents: {
        *[Symbol.iterator]() {
          for (const r of documents.iterate() as Iterable<{ db: string; coll: string; body: string }>) yield { db: r.db, coll: r.coll, body: parse(r.body) };
        },
      },
    };
  }

  /** Flushes what is pending and closes; later changes are ignored (nothing can acknowledge them). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
