// An in-memory DisputeStore with Cosmos's optimistic concurrency, for use-case tests.
import type { Dispute } from '../../domain/dispute';
import type { DisputeQuery, DisputeStore, Versioned } from '../../application/ports';

export class MemoryDisputeStore implements DisputeStore {
  readonly docs = new Map<string, Versioned<Dispute>>();
  private version = 0;

  async get(id: string): Promise<Versioned<Dispute> | undefined> {
    return this.docs.get(id);
  }

  async create(d: Dispute): Promise<Versioned<Dispute> | 'exists'> {
    if (this.docs.has(d.id)) return 'exists';
    return this.put(d);
  }

  async replace(d: Dispute, etag: string): Promise<Versioned<Dispute> | 'precondition-failed'> {
    if (this.docs.get(d.id)?.etag !== etag) return 'precondition-failed';
    return this.put(d);
  }

  async list(q: DisputeQuery): Promise<{ items: Dispute[] }> {
    return { items: [...this.docs.values()].map((v) => v.value).filter((d) => (!q.status || d.status === q.status) && (!q.orderId || d.orderId === q.orderId)).slice(0, q.limit) };
  }

  private put(d: Dispute): Versioned<Dispute> {
    const v = { value: structuredClone(d), etag: `"${++this.version}"` };
    this.docs.set(d.id, v);
    return v;
  }
}
