// Orders in Cosmos DB, partitioned by customer: a customer's reads and listings stay inside one
// logical partition (1 RU point reads, single-partition queries). Concurrency is optimistic,
// with the document's _etag. docs/persistence.md explains the choices.
import type { Container, ItemDefinition, SqlParameter } from '@azure/cosmos';
import type { Order } from '../../domain/order';
import type { OrderPage, OrderQuery, OrderStore, Versioned } from '../../application/ports';
import { cosmosStatus } from './cosmos-client';

interface OrderDocument extends Order {
  customerId: string;
  schemaVersion: 1;
}

const systemProperties = ['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn'];

function toDocument(order: Order): OrderDocument {
  return { ...order, customerId: order.customer.id, schemaVersion: 1 };
}

function fromDocument(doc: ItemDefinition): Versioned<Order> {
  const etag = doc._etag as string;
  const copy: Record<string, unknown> = { ...doc };
  for (const p of [...systemProperties, 'customerId', 'schemaVersion']) delete copy[p];
  return { value: copy as unknown as Order, etag };
}

export class CosmosOrderStore implements OrderStore {
  constructor(private readonly container: Container) {}

  async create(order: Order): Promise<Versioned<Order> | 'exists'> {
    try {
      const { resource } = await this.container.items.create(toDocument(order));
      return fromDocument(resource!);
    } catch (err) {
      if (cosmosStatus(err) === 409) return 'exists';
      throw err;
    }
  }

  async get(id: string, customerId: string): Promise<Versioned<Order> | undefined> {
    try {
      const { resource } = await this.container.item(id, customerId).read<OrderDocument>();
      return resource ? fromDocument(resource) : undefined;
    } catch (err) {
      if (cosmosStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async find(id: string): Promise<Versioned<Order> | undefined> {
    // Cross-partition, but served from the index on id: for admins and support, not hot paths.
    const { resources } = await this.container.items
      .query<OrderDocument>({ query: 'SELECT * FROM c WHERE c.id = @id', parameters: [{ name: '@id', value: id }] })
      .fetchAll();
    return resources[0] ? fromDocument(resources[0]) : undefined;
  }

  async findByCapture(captureId: string): Promise<Versioned<Order> | undefined> {
    // Cross-partition, for disputes (rare): PayPal names the capture, not our order.
    const { resources } = await this.container.items
      .query<OrderDocument>({ query: 'SELECT * FROM c WHERE c.charge.captureId = @captureId', parameters: [{ name: '@captureId', value: captureId }] })
      .fetchAll();
    return resources[0] ? fromDocument(resources[0]) : undefined;
  }

  async replace(order: Order, etag: string): Promise<Versioned<Order> | 'precondition-failed' | 'not-found'> {
    try {
      const { resource } = await this.container
        .item(order.id, order.customer.id)
        .replace(toDocument(order), { accessCondition: { type: 'IfMatch', condition: etag } });
      return fromDocument(resource!);
    } catch (err) {
      const status = cosmosStatus(err);
      if (status === 412) return 'precondition-failed';
      if (status === 404) return 'not-found';
      throw err;
    }
  }

  async list(q: OrderQuery): Promise<OrderPage> {
    const where: string[] = [];
    const parameters: SqlParameter[] = [];
    if (q.customerId !== undefined) {
      where.push('c.customerId = @customerId');
      parameters.push({ name: '@customerId', value: q.customerId });
    }
    if (q.status !== undefined) {
      where.push('c.status = @status');
      parameters.push({ name: '@status', value: q.status });
    }
    if (q.after) {
      // Keyset pagination: stable under concurrent inserts and as cheap on page 100 as on page 1.
      where.push('(c.createdAt < @afterAt OR (c.createdAt = @afterAt AND c.id < @afterId))');
      parameters.push({ name: '@afterAt', value: q.after.createdAt }, { name: '@afterId', value: q.after.id });
    }
    const query = `SELECT * FROM c${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY c.createdAt DESC, c.id DESC`;
    const iterator = this.container.items.query<OrderDocument>(
      { query, parameters },
      { maxItemCount: q.limit + 1, ...(q.customerId !== undefined ? { partitionKey: q.customerId } : {}) },
    );
    // One extra item tells whether another page exists; pages may come back short, so keep going.
    const docs: OrderDocument[] = [];
    while (docs.length <= q.limit && iterator.hasMoreResults()) {
      const { resources } = await iterator.fetchNext();
      docs.push(...resources);
    }
    const items = docs.slice(0, q.limit).map(fromDocument);
    const last = items[items.length - 1]?.value;
    return { items, next: docs.length > q.limit && last ? { createdAt: last.createdAt, id: last.id } : undefined };
  }
}
