// Cosmos DB time-to-live, which the in-memory emulator ignores: a container's defaultTtl (-1 =
// items live until their own `ttl` says otherwise) and an item's `ttl` in seconds since its
// last write (_ts); without a defaultTtl, item ttl is ignored, as in Cosmos.
import type { Account, ItemData } from './emulator-internals';

export function isExpired(doc: ItemData, defaultTtl: unknown, nowSeconds: number): boolean {
  if (typeof defaultTtl !== 'number') return false;
  const ttl = typeof doc.ttl === 'number' ? doc.ttl : defaultTtl;
  return ttl !== -1 && ttl > 0 && doc._ts + ttl <= nowSeconds;
}

/** Deletes every expired document; returns how many. */
export function sweepExpired(account: Account, nowMs: number): number {
  let removed = 0;
  for (const db of account.databases._data.values()) {
    for (const coll of db.collections?._data.values() ?? []) {
      const defaultTtl = coll.read()?.defaultTtl;
      const documents = coll.documents;
      if (typeof defaultTtl !== 'number' || !documents) continue;
      for (const doc of [...documents._data.values()].map((d) => d.read()!)) {
        if (!isExpired(doc, defaultTtl, nowMs / 1000)) continue;
        documents.delete(doc.id, documents._getPartition(doc));
        removed++;
      }
    }
  }
  return removed;
}
