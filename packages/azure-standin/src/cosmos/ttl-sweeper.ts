// Cosmos DB time-to-live, which the in-memory server ignores. A container's defaultTtl turns it
// on (-1: items live until their own `ttl` says otherwise; n > 0: n seconds); an item's `ttl`
// (-1 never, n > 0 seconds) overrides it, and is ignored when the container has no defaultTtl.
// Lifetimes count from the item's last write (_ts).
import type { Account, CollectionItem, DatabaseItem, ResourceData } from './emulator-internals';

/** Seconds the document lives after its last write, or undefined if it does not expire. */
export function timeToLive(doc: ResourceData, defaultTtl: unknown): number | undefined {
  if (typeof defaultTtl !== 'number') return undefined;
  const ttl = typeof doc.ttl === 'number' ? doc.ttl : defaultTtl;
  return ttl > 0 ? ttl : undefined;
}

/** Deletes every expired document through the server's own delete (so it is recorded); returns how many. */
export function sweepExpired(account: Account, nowMs: number): number {
  let removed = 0;
  for (const database of account.databases._data.values()) {
    for (const container of (database as DatabaseItem).collections._data.values()) {
      const defaultTtl = container.read()?.defaultTtl;
      if (typeof defaultTtl !== 'number') continue;
      const documents = (container as CollectionItem).documents;
      const expired = [...documents._data.values()]
        .map((item) => item.read()!)
        .filter((doc) => {
          const ttl = timeToLive(doc, defaultTtl);
          return ttl !== undefined && doc._ts + ttl <= nowMs / 1000;
        });
      for (const doc of expired) documents.delete(doc.id, documents._getPartition(doc));
      removed += expired.length;
    }
  }
  return removed;
}
