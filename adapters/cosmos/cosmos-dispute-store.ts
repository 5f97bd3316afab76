// Disputes in Cosmos DB, partitioned by PayPal's dispute id: the webhook and the dispute's
// orchestration know the id, so every write is a point operation; the admin listing is a
// cross-partition query (rare, paged). Concurrency is optimistic, with the document's _etag.
import type { Container, ItemDefinition, SqlParameter } from '@azure/cosmos';
import type { Dispute } from '../../domain/dispute';
import type { DisputeQuery, DisputeStore, Versioned } from '../../application/ports';
import { cosmosStatus } from './cosmos-client';

const systemProperties = ['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn'];

function fromDocument(doc: ItemDefinition): Versioned<Dispute> {
  const etag = doc._etag as string;
  const copy: Record<string, unknown> = { ...doc };
  for (const p of systemProperties) delete copy[p];
  return { value: copy as unknown as Dispute, etag };
}

export class CosmosDisputeStore implements DisputeStore {
  constructor(private readonly container: Container) {}

  async get(id: string): Promise<Versioned<Dispute> | undefined> {
    try {
      const { resource } = await this.container.item(id, id).read<Dispute>();
      return resource ? fromDocument(resource) : undefined;
    } catch (err) {
      if (cosmosStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async create(dispute: Dispute): Promise<Versioned<Dispute> | 'exists'> {
    try {
      const { resource } = await this.container.items.create(dispute);
      return fromDocument(resource!);
    } catch (err) {
      if (cosmosStatus(err) === 409) return 'exists';
      throw err;
    }
  }

  async replace(dispute: Dispute, etag: string): Promise<Versioned<Dispute> | 'precondition-failed'> {
    try {
      const { resource } = await this.container.item(dispute.id, dispute.id).replace(dispute, { accessCondition: { type: 'IfMatch', condition: etag } });
      return fromDocument(resource!);
    } catch (err) {
      if (cosmosStatus(err) === 412) return 'precondition-failed';
      throw err;
    }
  }

  async list(q: DisputeQuery): Promise<{ items: Dispute[]; next?: { updatedAt: string; id: string } }> {
    const where: string[] = [];
    const parameters: SqlParameter[] = [];
    for (const field of ['status', 'reason', 'orderId'] as const) {
      const value = q[field];
      if (value === undefined) continue;
      where.push(`c.${field} = @${field}`);
      parameters.push({ name: `@${field}`, value });
    }
    if (q.after) {
      where.push('(c.updatedAt < @afterAt OR (c.updatedAt = @afterAt AND c.id < @afterId))');
      parameters.push({ name: '@afterAt', value: q.after.updatedAt }, { name: '@afterId', value: q.after.id });
    }
    const query = `SELECT * FROM c${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY c.updatedAt DESC, c.id DESC`;
    const iterator = this.container.items.query<Dispute>({ query, parameters }, { maxItemCount: q.limit + 1 });
    // One extra item tells whether another page exists; pages may come back short, so keep going.
    const docs: Dispute[] = [];
    while (docs.length <= q.limit && iterator.hasMoreResults()) docs.push(...(await iterator.fetchNext()).resources);
    const items = docs.slice(0, q.limit).map((r) => fromDocument(r).value);
    const last = items[items.length - 1];
    return { items, ...(docs.length > q.limit && last ? { next: { updatedAt: last.updatedAt, id: last.id } } : {}) };
  }
}
