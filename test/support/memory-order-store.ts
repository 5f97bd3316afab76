// In-memory OrderStore with the same concurrency contract as the Cosmos adapter (etag per
// write, conditional replace), for the application-layer tests.
import type { Order } from '../../domain/order';
import type { OrderPage, OrderQuery, OrderStore, Versioned } from '../../application/ports';

export class MemoryOrderStore implements OrderStore {
  readonly docs = new Map<string, Versioned<Order>>();
  private version = 0;
  /** Runs before each replace: lets a test change the order "concurrently". */
  beforeReplace?: () => void;
  /** Runs before each create: lets a test fail it (a crash). */
  beforeCreate?: () => void;

  put(order: Order): Versioned<Order> {
    const v = { value: structuredClone(order), etag: `v${++this.version}` };
    this.docs.set(order.id, v);
    return v;
  }

  async create(order: Order): Promise<Versioned<Order> | 'exists'> {
    this.beforeCreate?.();
    return this.docs.has(order.id) ? 'exists' : this.put(order);
  }

  async get(id: string, customerId: string): Promise<Versioned<Order> | undefined> {
    const v = this.docs.get(id);
    return v && v.value.customer.id === customerId ? v : undefined;
  }

  async find(id: string): Promise<Versioned<Order> | undefined> {
    return this.docs.get(id);
  }

  async findByCapture(captureId: string): Promise<Versioned<Order> | undefined> {
    return [...this.docs.values()].find((v) => v.value.charge?.captureId === captureId);
  }

  async replace(order: Order, etag: string): Promise<Versioned<Order> | 'precondition-failed' | 'not-found'> {
    const hook = this.beforeReplace;
    this.beforeReplace = undefined;
    hook?.();
    const current = this.docs.get(order.id);
    if (!current) return 'not-found';
    if (current.etag !== etag) return 'precondition-failed';
    return this.put(order);
  }

  async list(_q: OrderQuery): Promise<OrderPage> {
    throw new Error('listing is tested against Cosmos (order-store.test)');
  }
}
