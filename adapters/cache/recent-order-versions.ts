// Remembers the last version of each order this process read or wrote (a bounded map, the least
// recently used entry dropped first), so the saga's next change of an order can go straight to a
// conditional replace with the ETag it already holds instead of reading the order first. An entry
// made stale by another writer (the API, another instance) costs one refused replace (412) and a
// read, never a lost update: the ETag decides.
import type { Order } from '../../domain/order';
import type { OrderPage, OrderQuery, OrderStore, Versioned } from '../../application/ports';

export class RecentOrderVersions implements OrderStore {
  private readonly versions = new Map<string, Versioned<Order>>();

  constructor(private readonly store: OrderStore, private readonly capacity = 2000) {}

  recent(id: string, customerId: string): Versioned<Order> | undefined {
    const v = this.versions.get(id);
    return v && v.value.customer.id === customerId ? v : undefined;
  }

  async create(order: Order): Promise<Versioned<Order> | 'exists'> {
    return this.remember(await this.store.create(order));
  }

  async get(id: string, customerId: string): Promise<Versioned<Order> | undefined> {
    const v = await this.store.get(id, customerId);
    if (!v) this.versions.delete(id);
    return this.remember(v);
  }

  async findByCapture(captureId: string): Promise<Versioned<Order> | undefined> {
    return this.remember(await this.store.findByCapture(captureId));
  }

  async find(id: string): Promise<Versioned<Order> | undefined> {
    return this.remember(await this.store.find(id));
  }

  async replace(order: Order, etag: string): Promise<Versioned<Order> | 'precondition-failed' | 'not-found'> {
    const written = await this.store.replace(order, etag);
    if (written === 'precondition-failed' || written === 'not-found') this.versions.delete(order.id);
    return this.remember(written);
  }

  list(query: OrderQuery): Promise<OrderPage> {
    return this.store.list(query);
  }

  private remember<T>(result: T): T {
    if (result && typeof result === 'object' && 'etag' in result) {
      const v = result as unknown as Versioned<Order>;
      this.versions.delete(v.value.id);
      this.versions.set(v.value.id, v);
      if (this.versions.size > this.capacity) this.versions.delete(this.versions.keys().next().value!);
    }
    return result;
  }
}
