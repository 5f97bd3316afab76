// What the order use cases need from the outside world. Adapters implement these; tests may
// implement them in memory.
import type { Order } from '../domain/order';
import type { OrderStatus } from '../domain/order-status';

export interface Versioned<T> {
  value: T;
  /** Opaque version for optimistic concurrency (the Cosmos _etag). */
  etag: string;
}

export interface OrderCursor {
  createdAt: string;
  id: string;
}

export interface OrderQuery {
  /** Only this customer's orders; all customers when absent (admin). */
  customerId?: string;
  status?: OrderStatus;
  limit: number;
  /** Continue after this order (keyset pagination, newest first). */
  after?: OrderCursor;
}

export interface OrderPage {
  items: Versioned<Order>[];
  /** Present when more orders may follow. */
  next?: OrderCursor;
}

export interface OrderStore {
  /** 'exists' when an order with this id is already stored (a retried request). */
  create(order: Order): Promise<Versioned<Order> | 'exists'>;
  /** Point read inside the customer's partition. */
  get(id: string, customerId: string): Promise<Versioned<Order> | undefined>;
  /** Lookup by id alone, across customers (admin). */
  find(id: string): Promise<Versioned<Order> | undefined>;
  /** Replaces only if the stored version is still `etag`. */
  replace(order: Order, etag: string): Promise<Versioned<Order> | 'precondition-failed' | 'not-found'>;
  list(query: OrderQuery): Promise<OrderPage>;
}

/** The long-running process behind an order (the Durable orchestration). */
export interface OrderWorkflow {
  /**
   * Starts the order's saga unless it already runs or ran; safe to call again. `mayExist` is
   * false only when the order was stored just now, so no earlier attempt can have started it.
   */
  start(order: Order, mayExist: boolean): Promise<void>;
  /** Tells a running saga that the order was cancelled, so it compensates now. */
  notifyCancelled(order: Order): Promise<void>;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyClaim =
  /** This request owns the key: do the work, then complete or release. */
  | { kind: 'owner'; resourceId: string; token: IdempotencyToken }
  /** The key already produced a response: send it again. */
  | { kind: 'replay'; response: StoredResponse }
  /** The key was used with a different request body. */
  | { kind: 'mismatch' }
  /** Another request with this key is being processed right now. */
  | { kind: 'in-progress'; retryAfterSeconds: number };

export interface IdempotencyToken {
  id: string;
  etag: string;
  /** The claimed record as stored, so completing it needs no extra read. */
  record: unknown;
}

export interface IdempotencyStore {
  /**
   * Claims `key` for `scope` (the caller). `newResourceId` is recorded with the claim, so a retry
   * that takes over an abandoned claim reuses it and never creates a second resource.
   */
  claim(scope: string, key: string, fingerprint: string, newResourceId: string): Promise<IdempotencyClaim>;
  complete(token: IdempotencyToken, response: StoredResponse): Promise<void>;
  /** Gives the key back (the request failed before any effect), so the client can retry it. */
  release(token: IdempotencyToken): Promise<void>;
}
