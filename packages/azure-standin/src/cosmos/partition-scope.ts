// The server ignores the partition key of a query request (x-ms-documentdb-partitionkey) and
// searches every partition. Cosmos answers from that one partition only; so does this patch, by
// running the server's own query over the documents of that partition.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import { Documents, ItemsBase } from './emulator-internals';
import type { Items } from './emulator-internals';

const requestPartition = new AsyncLocalStorage<string | undefined>();

/** Runs the handling of a request with its partition key header visible to document queries. */
export function inRequestPartition<T>(req: IncomingMessage, handle: () => T): T {
  const header = req.headers['x-ms-documentdb-partitionkey'];
  return requestPartition.run(Array.isArray(header) ? header[0] : header, handle);
}

/** The header is a JSON array: ["value"], [null], or [{}] for documents without the key. */
function partitionFilter(header: string | undefined): ((value: unknown) => boolean) | undefined {
  if (!header) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    return undefined; // the server answers malformed headers itself
  }
  if (!Array.isArray(parsed) || parsed.length !== 1) return undefined; // hierarchical keys: not scoped
  const [key] = parsed as unknown[];
  if (key !== null && typeof key === 'object') return Object.keys(key).length === 0 ? (v) => v === undefined : undefined;
  return (v) => v === key;
}

let installed = false;
export function installPartitionScopedQueries(): void {
  if (installed) return;
  installed = true;
  const query = ItemsBase.prototype.query;
  Documents.prototype.query = function (this: Items, params: unknown, options: unknown): unknown {
    const inPartition = partitionFilter(requestPartition.getStore());
    if (!inPartition) return query.call(this, params, options);
    const scoped = new Map([...this._data].filter(([, item]) => inPartition(this._getPartition(item.read()!))));
    return query.call(Object.create(this, { _data: { value: scoped } }) as Items, params, options);
  };
}
