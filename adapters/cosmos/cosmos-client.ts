// One CosmosClient per process (it pools connections and caches partition maps). In Azure it
// authenticates with the app's managed identity; a key is used only for the local emulator.
import { CosmosClient } from '@azure/cosmos';
import type { CosmosClientOptions } from '@azure/cosmos';
import { DefaultAzureCredential } from '@azure/identity';

export interface CosmosSettings {
  endpoint: string;
  /** Account key: local emulator only. Without it, Entra ID (managed identity) is used. */
  key?: string;
  database: string;
}

export function createCosmosClient(s: CosmosSettings): CosmosClient {
  const options: CosmosClientOptions = s.key
    ? { endpoint: s.endpoint, key: s.key }
    : { endpoint: s.endpoint, aadCredentials: new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID }) };
  return new CosmosClient({ ...options, userAgentSuffix: 'order-backend' });
}

/** Container names the code uses; a test checks them against bicep/cosmos-containers.json. */
export const containerNames = { orders: 'orders', idempotency: 'idempotency', invoices: 'invoices', ledger: 'ledger', disputes: 'disputes' } as const;

/** Cosmos answers errors with `code` set to the HTTP status. */
export function cosmosStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
