// The few internals of @vercel/cosmosdb-server 1.0.1 that durability needs, typed in one place.
// The version is pinned; cosmos-emulator.test.ts fails loudly if an upgrade changes them.
/* eslint-disable @typescript-eslint/no-require-imports */

export interface ItemData {
  id: string;
  _rid: string;
  _self: string;
  _etag: string;
  _ts: number;
  [key: string]: unknown;
}

/** One stored resource (database, collection or document). */
export interface Item {
  read(): ItemData | undefined;
  collections?: Items;
  documents?: Items;
}

/** A set of resources of one kind under one parent. */
export interface Items {
  _parent: Item & { databases?: Items };
  _data: Map<string, Item>;
  _ridCount: number;
  _set(data: ItemData): ItemData;
  delete(idOrRid: string, partition?: unknown): void;
  _item(keyPath: string, value: unknown, partition?: unknown): Item;
  _getPartition(data: ItemData): unknown;
}

export interface Account {
  databases: Items;
}

const lib = '@vercel/cosmosdb-server/lib/account/';
export const itemsClass = require(`${lib}items`) as { default: { prototype: Items } };
const accountModule = require(`${lib}index`) as { default: new (host: string, port: number) => Account };

let created: Account | undefined;
let hooked = false;

/**
 * The server builds its Account inside its own 'listening' handler and keeps it private; this
 * subclass lets us take the one built by the server that just started listening.
 */
export function captureAccounts(): void {
  if (hooked) return;
  hooked = true;
  const Original = accountModule.default;
  accountModule.default = class extends Original {
    constructor(host: string, port: number) {
      super(host, port);
      created = this as unknown as Account;
    }
  } as typeof Original;
}

export function takeCreatedAccount(): Account {
  if (!created) throw new Error('the Cosmos emulator did not create its account');
  const a = created;
  created = undefined;
  return a;
}
