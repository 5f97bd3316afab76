// Invoices and credit notes in Cosmos DB, partitioned by order: an order's documents are read
// together, and the number is the id, unique within the order's partition.
import type { Container } from '@azure/cosmos';
import type { Invoice } from '../../domain/invoice';
import type { InvoiceStore } from '../../application/ports';

export class CosmosInvoiceStore implements InvoiceStore {
  constructor(private readonly container: Container) {}

  async save(invoice: Invoice): Promise<void> {
    await this.container.items.upsert(invoice);
  }

  async forOrder(orderId: string): Promise<Invoice[]> {
    const { resources } = await this.container.items
      .query<Invoice & { _rid?: string; _self?: string; _etag?: string; _ts?: number; _attachments?: string }>({ query: 'SELECT * FROM c WHERE c.orderId = @orderId', parameters: [{ name: '@orderId', value: orderId }] }, { partitionKey: orderId })
      .fetchAll();
    return resources
      .map(({ _rid, _self, _etag, _ts, _attachments, ...inv }) => inv)
      .sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : a.issuedAt > b.issuedAt ? 1 : a.number < b.number ? -1 : 1));
  }
}
