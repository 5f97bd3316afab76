// Write-through durability for the in-memory emulator: every change of a database, container or
// document is recorded as the resource's final state (or its deletion) and committed to SQLite
// in one transaction before the HTTP response that acknowledges it is written.
import Database from 'better-sqlite3';
import type { Account, Item, ItemData, Items } from './emulator-internals';
import { itemsClass } from './emulator-internals';

type Kind = 'db' | 'coll' | 'doc';
interface Change { kind: Kind; parent: string; body: ItemData | null }

/** Which journal records the changes of an Items set, and what kind of resources it holds. */
const owners = new WeakMap<Items, { journal: SqliteJournal; kind: Kind }>();
let patched = false;

function patchItems(): void {
  if (patched) return;
  patched = true;
  const proto = itemsClass.default.prototype;
  const originalSet = proto._set;
  const originalDelete = proto.delete;
  proto._set = function (this: Items, data: ItemData): ItemData {
    const result = originalSet.call(this, data);
    const owner = owners.get(this);
    if (owner) {
      owner.journal.record(this, owner.kind, result);
      // The new resource's children are recorded by the same journal.
      const item = this._data.get(result._rid);
      if (item?.collections) owners.set(item.collections, { journal: owner.journal, kind: 'coll' });
      if (item?.documents) owners.set(item.documents, { journal: owner.journal, kind: 'doc' });
    }
    return result;
  };
  proto.delete = function (this: Items, idOrRid: string, partition?: unknown): void {
    const owner = owners.get(this);
    const data = owner ? this._item('/id', idOrRid, partition).read() : undefined;
    originalDelete.call(this, idOrRid, partition);
    if (owner && data) owner.journal.recordDelete(this, owner.kind, data);
  };
}

const parentSelf = (items: Items): string => items._parent.read()?._self ?? '';

export class SqliteJournal {
  private readonly db: Database.Database;
  private readonly pending = new Map<string, Change>();
  private readonly counters = new Map<string, number>();
  private suspended = false;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a process kill (not a power loss).
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS cosmos_resources (self TEXT PRIMARY KEY, kind TEXT NOT NULL, parent TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS cosmos_rid_counters (owner TEXT PRIMARY KEY, count INTEGER NOT NULL);
    `);
    patchItems();
  }

  /** Loads the stored state into a fresh account, then records its changes from now on. */
  attach(account: Account): { databases: number; containers: number; documents: number } {
    this.suspended = true;
    const counts = { databases: 0, containers: 0, documents: 0 };
    try {
      const rows = this.db.prepare("SELECT self, kind, parent, body FROM cosmos_resources ORDER BY CASE kind WHEN 'db' THEN 0 WHEN 'coll' THEN 1 ELSE 2 END").all() as { self: string; kind: Kind; parent: string; body: string }[];
      const bySelf = new Map<string, Item>();
      for (const row of rows) {
        const data = JSON.parse(row.body) as ItemData;
        const target = row.kind === 'db' ? account.databases : row.kind === 'coll' ? bySelf.get(row.parent)?.collections : bySelf.get(row.parent)?.documents;
        if (!target) continue; // an orphan of a deleted parent
        target._set(data);
        const item = target._data.get(data._rid);
        if (item) bySelf.set(data._self, item);
        counts[row.kind === 'db' ? 'databases' : row.kind === 'coll' ? 'containers' : 'documents']++;
      }
      const counters = new Map((this.db.prepare('SELECT owner, count FROM cosmos_rid_counters').all() as { owner: string; count: number }[]).map((r) => [r.owner, r.count]));
      // Rids are generated from a per-set counter: restore it, so new rids never reuse old ones.
      const restore = (items: Items) => (items._ridCount = Math.max(items._ridCount, counters.get(parentSelf(items)) ?? 0));
      restore(account.databases);
      for (const db of account.databases._data.values()) {
        if (!db.collections) continue;
        restore(db.collections);
        for (const coll of db.collections._data.values()) if (coll.documents) restore(coll.documents);
      }
      owners.set(account.databases, { journal: this, kind: 'db' });
      for (const db of account.databases._data.values()) {
        if (!db.collections) continue;
        owners.set(db.collections, { journal: this, kind: 'coll' });
        for (const coll of db.collections._data.values()) if (coll.documents) owners.set(coll.documents, { journal: this, kind: 'doc' });
      }
    } finally {
      this.suspended = false;
    }
    return counts;
  }

  record(items: Items, kind: Kind, data: ItemData): void {
    if (this.suspended) return;
    this.pending.set(data._self, { kind, parent: parentSelf(items), body: data });
    this.counters.set(parentSelf(items), items._ridCount);
  }

  recordDelete(items: Items, kind: Kind, data: ItemData): void {
    if (this.suspended) return;
    this.pending.set(data._self, { kind, parent: parentSelf(items), body: null });
  }

  /** Commits everything recorded so far; must run before a change is acknowledged. */
  flush(): void {
    if (this.pending.size === 0 && this.counters.size === 0) return;
    const upsert = this.db.prepare('INSERT INTO cosmos_resources (self, kind, parent, body) VALUES (?, ?, ?, ?) ON CONFLICT(self) DO UPDATE SET body = excluded.body');
    const remove = this.db.prepare('DELETE FROM cosmos_resources WHERE self = ?');
    const removeChildren = this.db.prepare('DELETE FROM cosmos_resources WHERE substr(self, 1, ?) = ?');
    const counter = this.db.prepare('INSERT INTO cosmos_rid_counters (owner, count) VALUES (?, ?) ON CONFLICT(owner) DO UPDATE SET count = max(count, excluded.count)');
    this.db.transaction(() => {
      for (const [self, c] of this.pending) {
        if (c.body) upsert.run(self, c.kind, c.parent, JSON.stringify(c.body));
        else {
          remove.run(self);
          // A deleted database or container takes its contents with it (a replaced one does not:
          // replace is delete + set, and only the final state is written).
          if (c.kind !== 'doc') removeChildren.run(self.length + 1, `${self}/`);
        }
      }
      for (const [owner, count] of this.counters) counter.run(owner, count);
    })();
    this.pending.clear();
    this.counters.clear();
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
