// Typed handles on the internals of @vercel/cosmosdb-server 1.0.1 that durability needs. They
// are not public API: the version is pinned and the integration test fails if they change.
/* eslint-disable @typescript-eslint/no-require-imports */

/** A stored resource as the server keeps it, with its system properties. */
export interface ResourceData {
  id: string;
  _rid: string;
  _self: string;
  _etag: string;
  _ts: number;
  [key: string]: unknown;
}

/** One database, collection or document (`lib/account/item.js`). */
export interface Item {
  read(): ResourceData | undefined;
}

/** A set of resources of one kind under one parent (`lib/account/items.js`). */
export interface Items {
  _parent: Item;
  /** By _rid. */
  _data: Map<string, Item>;
  /** Numbers the rids this set hands out; create() increments it. */
  _ridCount: number;
  _set(data: ResourceData): ResourceData;
  delete(idOrRid: string, partition?: unknown): void;
  /** Implemented as delete() then _set() of the same resource. */
  replace(data: unknown, original: unknown): unknown;
  query(params: unknown, options: unknown): unknown;
  _item(keyPath: string, value: unknown, partition?: unknown): Item;
  _getPartition(data: ResourceData): unknown;
}

export interface DatabaseItem extends Item {
  collections: Items;
}

export interface CollectionItem extends Item {
  documents: Items;
}

export interface Account extends Item {
  databases: Items;
  /** The account document served at GET /. */
  _data: { writableLocations: { databaseAccountEndpoint: string }[]; readableLocations: { databaseAccountEndpoint: string }[] };
}

type ItemsClass = (abstract new (...args: never[]) => Items) & { prototype: Items };
const lib = '@vercel/cosmosdb-server/lib/account/';
const load = <T>(name: string): T => (require(lib + name) as { default: T }).default;

export const ItemsBase = load<ItemsClass>('items');
export const Databases = load<ItemsClass>('databases');
export const Collections = load<ItemsClass>('collections');
export const Documents = load<ItemsClass>('documents');

const accountModule = require(lib + 'index') as { default: new (host: string, port: number) => Account };
let captureInstalled = false;
let lastCreated: Account | undefined;

/**
 * The server builds its Account in its own 'listening' handler and keeps it in a closure. The
 * module's export is looked up at that moment, so a subclass put in its place sees each one.
 */
function installAccountCapture(): void {
  if (captureInstalled) return;
  captureInstalled = true;
  const Original = accountModule.default;
  accountModule.default = class CapturedAccount extends Original {
    constructor(host: string, port: number) {
      super(host, port);
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- capturing the instance is the point
      lastCreated = this;
    }
  };
}

/** Call before listen(); after it, takeCreatedAccount() returns the account the server built. */
export function prepareAccountCapture(): void {
  installAccountCapture();
  lastCreated = undefined;
}

/**
 * Must be called synchronously in the listen callback: the server's own 'listening' handler has
 * just run, and no other server can have built an account in between.
 */
export function takeCreatedAccount(): Account {
  const account = lastCreated;
  lastCreated = undefined;
  if (!account) throw new Error('@vercel/cosmosdb-server did not build its account as expected (internals changed?)');
  return account;
}
