// The evidence ledger in Cosmos DB, partitioned by order: one document per fact, created once
// (a second create of the same id is the same fact again), read together when a dispute needs them.
import type { Container } from '@azure/cosmos';
import type { EvidenceLedger } from '../../application/ports';
import { ledgerEntryId } from '../../domain/evidence-ledger';
import type { LedgerEntry } from '../../domain/evidence-ledger';
import { cosmosStatus } from './cosmos-client';

export class CosmosEvidenceLedger implements EvidenceLedger {
  constructor(private readonly container: Container) {}

  async record(entry: LedgerEntry): Promise<void> {
    try {
      await this.container.items.create({ id: ledgerEntryId(entry), ...entry });
    } catch (err) {
      if (cosmosStatus(err) !== 409) throw err;
    }
  }

  async entries(orderId: string): Promise<LedgerEntry[]> {
    const { resources } = await this.container.items
      .query<LedgerEntry & { id: string }>({ query: 'SELECT * FROM c WHERE c.orderId = @orderId', parameters: [{ name: '@orderId', value: orderId }] }, { partitionKey: orderId })
      .fetchAll();
    return resources
      .map((r) => strip(r))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
}

function strip(r: LedgerEntry & Record<string, unknown>): LedgerEntry {
  const { id: _id, _rid, _self, _etag, _ts, _attachments, ...entry } = r;
  return entry as LedgerEntry;
}
