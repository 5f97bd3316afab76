// Write-through durability: the emulator's resource sets (Items) are patched, once per process,
// so that every change of a database, container or document is handed to the SQLite store of
// the emulator it belongs to; and a store's state is loaded back into a fresh account.
import { Collections, Databases, Documents, ItemsBase } from './emulator-internals';
import type { Account, CollectionItem, DatabaseItem, Item, Items, ResourceData } from './emulator-internals';
import type { ResourceKey, SqliteItemStore } from './sqlite-item-store';

/**
 * What a parent's children are recorded under: the Account → its store; a Database → + its id;
 * a Collection → + both ids. Database and Collection objects hold no link to their own parent,
 * so each is registered when it is set rather than found by walking `_parent` upwards.
 */
interface Scope {
  store: SqliteItemStore;
  db?: string;
  coll?: string;
}
const scopes = new WeakMap<object, Scope>();
/** Stores whose account is being loaded: what is set then is already stored. */
const loading = new WeakSet<SqliteItemStore>();

/**
 * Items.replace() is delete() then _set() of the same resource. While one runs, the delete is
 * not a deletion: nothing is recorded for it, and the old object is kept to hand its children
 * over (the server would otherwise give a replaced container a new, empty set of documents).
 */
let replacing: { items: Items; old?: Item } | undefined;

type Kind = ResourceKey['kind'];
function kindOf(items: Items): Kind | undefined {
  const set: object = items; // Items is structural: test the classes on a plain object
  // Partition key ranges and user-defined functions are not persisted.
  if (set instanceof Documents) return 'document';
  if (set instanceof Collections) return 'container';
  if (set instanceof Databases) return 'database';
  return undefined;
}

function keyOf(kind: Kind, items: Items, scope: Scope, data: ResourceData): ResourceKey {
  const id = String(data.id);
  if (kind === 'database') return { kind, db: id };
  if (kind === 'container') return { kind, db: scope.db!, coll: id };
  return { kind, db: scope.db!, coll: scope.coll!, pk: JSON.stringify(items._getPartition(data) ?? null), id };
}

/** Moves the child sets (documents, partition key ranges, functions) of a replaced item. */
function adoptChildren(from: Item, to: Item): void {
  const source = from as unknown as Record<string, unknown>;
  const target = to as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(source)) {
    if (value instanceof ItemsBase && value._parent === from) {
      value._parent = to;
      target[name] = value;
    }
  }
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  const proto = ItemsBase.prototype;
  const { _set: set, delete: remove, replace } = proto;

  proto.replace = function (this: Items, data: unknown, original: unknown): unknown {
    const outer = replacing;
    replacing = { items: this };
    try {
      return replace.call(this, data, original);
    } finally {
      replacing = outer;
    }
  };

  proto.delete = function (this: Items, idOrRid: string, partition?: unknown): void {
    const target = this._item('/id', idOrRid, partition);
    const data = target.read();
    remove.call(this, idOrRid, partition);
    if (replacing?.items === this) {
      replacing.old = target;
      return;
    }
    const kind = kindOf(this);
    const scope = scopes.get(this._parent);
    if (kind && scope && data && !loading.has(scope.store)) scope.store.remove(keyOf(kind, this, scope, data));
  };

  proto._set = function (this: Items, data: ResourceData): ResourceData {
    const result = set.call(this, data);
    const kind = kindOf(this);
    const scope = scopes.get(this._parent);
    if (!kind || !scope) return result;
    const item = this._data.get(result._rid)!;
    if (replacing?.items === this && replacing.old) {
      adoptChildren(replacing.old, item);
      replacing.old = undefined;
    }
    if (kind === 'database') scopes.set(item, { store: scope.store, db: result.id });
    if (kind === 'container') scopes.set(item, { store: scope.store, db: scope.db, coll: result.id });
    if (!loading.has(scope.store)) {
      scope.store.put(keyOf(kind, this, scope, result), result);
      // New rids come from this counter: stored with the change, so none is handed out twice.
      scope.store.trackRidCount({ db: scope.db, coll: scope.coll }, () => this._ridCount);
    }
    return result;
  };
}

/**
 * Loads the stored state into a freshly built account, with the system properties (_rid, _self,
 * _etag, _ts) exactly as stored and the rid counters restored, then records its changes.
 */
export function attachStore(account: Account, store: SqliteItemStore): void {
  install();
  scopes.set(account, { store });
  loading.add(store);
  try {
    const state = store.load();
    const raise = (items: Items, count: number) => (items._ridCount = Math.max(items._ridCount, count));
    raise(account.databases, state.databaseRidCount);
    const databases = new Map<string, DatabaseItem>();
    for (const { body, ridCount } of state.databases) {
      const database = account.databases._data.get(account.databases._set(body)._rid) as DatabaseItem;
      raise(database.collections, ridCount);
      databases.set(body.id, database);
    }
    const documents = new Map<string, Items>();
    for (const { db, body, ridCount } of state.containers) {
      const collections = databases.get(db)?.collections;
      if (!collections) continue;
      const container = collections._data.get(collections._set(body)._rid) as CollectionItem;
      raise(container.documents, ridCount);
      documents.set(JSON.stringify([db, body.id]), container.documents);
    }
    for (const { db, coll, body } of state.documents) documents.get(JSON.stringify([db, coll]))?._set(body);
  } finally {
    loading.delete(store);
  }
}
