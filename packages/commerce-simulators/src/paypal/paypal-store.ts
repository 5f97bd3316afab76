// The simulator's state in SQLite (tables prefixed pp_), so orders, payments, tokens, idempotency
// records and the webhook signing key survive restarts. Records are JSON documents; the columns
// next to them exist only for lookups.
import type { Database } from 'azure-standin/sqlite';
import type { Amount } from './paypal-amounts';

export type OrderStatus = 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';

export interface PurchaseUnitRecord {
  reference_id: string;
  amount: Amount;
  custom_id?: string;
  invoice_id?: string;
  description?: string;
  /** The shipping address the merchant set (shipping_preference SET_PROVIDED_ADDRESS): the one PayPal shows on the transaction. */
  shipping?: { name?: { full_name: string }; address: Record<string, string> };
}

export interface OrderRecord {
  id: string;
  intent: 'AUTHORIZE' | 'CAPTURE';
  status: OrderStatus;
  purchase_units: PurchaseUnitRecord[];
  vault_id?: string;
  /** True when the buyer context came as payment_source.paypal.experience_context (new style). */
  experience_context: boolean;
  return_url?: string;
  cancel_url?: string;
  payer_id?: string;
  create_time: string;
  update_time: string;
}

export interface AuthorizationRecord {
  id: string;
  order_id: string;
  status: 'CREATED' | 'CAPTURED' | 'PARTIALLY_CAPTURED' | 'VOIDED' | 'DENIED' | 'EXPIRED';
  amount: Amount;
  custom_id?: string;
  invoice_id?: string;
  expiration_time: string;
  /** Simulator only, never shown: the end of PayPal's honour period (reauthorization is refused before it). */
  honor_until?: string;
  /** Simulator only: on a reauthorization, the authorization it renewed. */
  parent_id?: string;
  /** Simulator only: on an original, its (only) reauthorization. */
  reauthorized_by?: string;
  create_time: string;
  update_time: string;
}

export interface CaptureRecord {
  id: string;
  order_id: string;
  authorization_id?: string;
  status: 'COMPLETED' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'PENDING';
  status_details?: { reason: string };
  /** Simulator only, never shown: when a PENDING capture settles, and how. */
  settles?: { at: string; to: 'COMPLETED' | 'DECLINED' };
  amount: Amount;
  final_capture: boolean;
  custom_id?: string;
  invoice_id?: string;
  create_time: string;
  update_time: string;
}

export interface RefundRecord {
  id: string;
  capture_id: string;
  order_id: string;
  status: 'COMPLETED' | 'PENDING' | 'FAILED';
  status_details?: { reason: string };
  /** Simulator only, never shown: when a PENDING refund settles, and how. */
  settles?: { at: string; to: 'COMPLETED' | 'FAILED' };
  amount: Amount;
  create_time: string;
  update_time: string;
}

/** An item of a shipment, as Orders v2 tracking takes it (upc: {type UPC-A…, code}). */
export interface TrackerItem {
  name?: string;
  quantity?: string;
  sku?: string;
  url?: string;
  image_url?: string;
  upc?: { type: string; code: string };
}

/** A shipment's tracking information on a capture of an order (POST /v2/checkout/orders/{id}/track). */
export interface TrackerRecord {
  /** `${capture_id}-${tracking_number}`, PayPal's form. */
  id: string;
  order_id: string;
  capture_id: string;
  status: 'SHIPPED' | 'CANCELLED';
  tracking_number?: string;
  carrier?: string;
  carrier_name_other?: string;
  notify_payer: boolean;
  items: TrackerItem[];
  create_time: string;
  update_time: string;
}

export interface StoredApiResponse {
  status: number;
  body: string;
}

export class PayPalStore {
  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS pp_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS pp_tokens (token TEXT PRIMARY KEY, client_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS pp_orders (id TEXT PRIMARY KEY, reference_id TEXT, custom_id TEXT, created_at TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS pp_orders_reference ON pp_orders (reference_id);
      CREATE INDEX IF NOT EXISTS pp_orders_custom ON pp_orders (custom_id);
      CREATE TABLE IF NOT EXISTS pp_authorizations (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS pp_authorizations_order ON pp_authorizations (order_id);
      -- The same tick looks for open authorizations past their expiration_time.
      CREATE INDEX IF NOT EXISTS pp_authorizations_open ON pp_authorizations (json_extract(data, '$.expiration_time')) WHERE json_extract(data, '$.status') IN ('CREATED', 'PARTIALLY_CAPTURED');
      CREATE TABLE IF NOT EXISTS pp_captures (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, authorization_id TEXT, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS pp_captures_order ON pp_captures (order_id);
      -- The settle tick (every 250 ms) and every read look for due PENDING rows: index only those.
      CREATE INDEX IF NOT EXISTS pp_captures_pending ON pp_captures (json_extract(data, '$.settles.at')) WHERE json_extract(data, '$.status') = 'PENDING';
      CREATE TABLE IF NOT EXISTS pp_refunds (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, capture_id TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS pp_refunds_capture ON pp_refunds (capture_id);
      CREATE INDEX IF NOT EXISTS pp_refunds_pending ON pp_refunds (json_extract(data, '$.settles.at')) WHERE json_extract(data, '$.status') = 'PENDING';
      CREATE TABLE IF NOT EXISTS pp_idempotency (
        client_id TEXT NOT NULL, endpoint TEXT NOT NULL, request_id TEXT NOT NULL,
        status INTEGER NOT NULL, body TEXT NOT NULL, stored_at INTEGER NOT NULL,
        PRIMARY KEY (client_id, endpoint, request_id));
      CREATE TABLE IF NOT EXISTS pp_trackers (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, capture_id TEXT NOT NULL, data TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS pp_trackers_order ON pp_trackers (order_id);
      CREATE TABLE IF NOT EXISTS pp_attempts (key TEXT PRIMARY KEY, count INTEGER NOT NULL);
    `);
  }

  /** Runs `work` atomically: an effect and its idempotency record commit together or not at all. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM pp_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO pp_meta (key, value) VALUES (?, ?)').run(key, value);
  }

  saveToken(token: string, clientId: string, expiresAt: number): void {
    this.db.prepare('INSERT INTO pp_tokens (token, client_id, expires_at) VALUES (?, ?, ?)').run(token, clientId, expiresAt);
  }

  findToken(token: string): { clientId: string; expiresAt: number } | undefined {
    const row = this.db.prepare('SELECT client_id, expires_at FROM pp_tokens WHERE token = ?').get(token) as { client_id: string; expires_at: number } | undefined;
    return row && { clientId: row.client_id, expiresAt: row.expires_at };
  }

  saveOrder(order: OrderRecord): void {
    const unit = order.purchase_units[0];
    this.db
      .prepare('INSERT OR REPLACE INTO pp_orders (id, reference_id, custom_id, created_at, data) VALUES (?, ?, ?, ?, ?)')
      .run(order.id, unit?.reference_id ?? null, unit?.custom_id ?? null, order.create_time, JSON.stringify(order));
  }

  getOrder(id: string): OrderRecord | undefined {
    return parse(this.db.prepare('SELECT data FROM pp_orders WHERE id = ?').get(id));
  }

  /** Orders whose first purchase unit carries `reference` as reference_id or custom_id. */
  /** Every order, newest first: the /dev/paypal listing people browse. */
  allOrders(limit: number): OrderRecord[] {
    return parseAll(this.db.prepare('SELECT data FROM pp_orders ORDER BY created_at DESC, id DESC LIMIT ?').all(limit));
  }

  findOrdersByReference(reference: string): OrderRecord[] {
    return parseAll(this.db.prepare('SELECT data FROM pp_orders WHERE reference_id = ? OR custom_id = ? ORDER BY created_at, id').all(reference, reference));
  }

  saveAuthorization(a: AuthorizationRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO pp_authorizations (id, order_id, data) VALUES (?, ?, ?)').run(a.id, a.order_id, JSON.stringify(a));
  }

  getAuthorization(id: string): AuthorizationRecord | undefined {
    return parse(this.db.prepare('SELECT data FROM pp_authorizations WHERE id = ?').get(id));
  }

  /** Open (CREATED or PARTIALLY_CAPTURED) authorizations whose expiration_time is at or before `at`. */
  authorizationsExpiringBy(at: string): AuthorizationRecord[] {
    return parseAll(
      this.db
        .prepare("SELECT data FROM pp_authorizations WHERE json_extract(data, '$.status') IN ('CREATED', 'PARTIALLY_CAPTURED') AND json_extract(data, '$.expiration_time') <= ?")
        .all(at),
    );
  }

  authorizationsOf(orderId: string): AuthorizationRecord[] {
    return parseAll(this.db.prepare('SELECT data FROM pp_authorizations WHERE order_id = ? ORDER BY rowid').all(orderId));
  }

  saveCapture(c: CaptureRecord): void {
    this.db
      .prepare('INSERT OR REPLACE INTO pp_captures (id, order_id, authorization_id, data) VALUES (?, ?, ?, ?)')
      .run(c.id, c.order_id, c.authorization_id ?? null, JSON.stringify(c));
  }

  getCapture(id: string): CaptureRecord | undefined {
    return parse(this.db.prepare('SELECT data FROM pp_captures WHERE id = ?').get(id));
  }

  /** PENDING captures due to settle by `at`. */
  capturesSettlingBy(at: string): CaptureRecord[] {
    return parseAll(this.db.prepare("SELECT data FROM pp_captures WHERE json_extract(data, '$.status') = 'PENDING' AND json_extract(data, '$.settles.at') <= ?").all(at));
  }

  /** PENDING refunds due to settle by `at`. */
  refundsSettlingBy(at: string): RefundRecord[] {
    return parseAll(this.db.prepare("SELECT data FROM pp_refunds WHERE json_extract(data, '$.status') = 'PENDING' AND json_extract(data, '$.settles.at') <= ?").all(at));
  }

  capturesOf(orderId: string): CaptureRecord[] {
    return parseAll(this.db.prepare('SELECT data FROM pp_captures WHERE order_id = ? ORDER BY rowid').all(orderId));
  }

  saveRefund(r: RefundRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO pp_refunds (id, order_id, capture_id, data) VALUES (?, ?, ?, ?)').run(r.id, r.order_id, r.capture_id, JSON.stringify(r));
  }

  getRefund(id: string): RefundRecord | undefined {
    return parse(this.db.prepare('SELECT data FROM pp_refunds WHERE id = ?').get(id));
  }

  refundsOfCapture(captureId: string): RefundRecord[] {
    return parseAll(this.db.prepare('SELECT data FROM pp_refunds WHERE capture_id = ? ORDER BY rowid').all(captureId));
  }

  refundsOf(orderId: string): RefundRecord[] {
    return parseAll(this.db.prepare('SELECT data FROM pp_refunds WHERE order_id = ? ORDER BY rowid').all(orderId));
  }

  saveTracker(t: TrackerRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO pp_trackers (id, order_id, capture_id, data) VALUES (?, ?, ?, ?)').run(t.id, t.order_id, t.capture_id, JSON.stringify(t));
  }

  getTracker(id: string): TrackerRecord | undefined {
    return parse(this.db.prepare('SELECT data FROM pp_trackers WHERE id = ?').get(id));
  }

  trackersOf(orderId: string): TrackerRecord[] {
    return parseAll(this.db.prepare('SELECT data FROM pp_trackers WHERE order_id = ? ORDER BY rowid').all(orderId));
  }

  /** The response stored for this request id, unless older than `notBefore` (PayPal keeps keys for hours, not forever). */
  findResponse(clientId: string, endpoint: string, requestId: string, notBefore: number): StoredApiResponse | undefined {
    return this.db
      .prepare('SELECT status, body FROM pp_idempotency WHERE client_id = ? AND endpoint = ? AND request_id = ? AND stored_at >= ?')
      .get(clientId, endpoint, requestId, notBefore) as StoredApiResponse | undefined;
  }

  saveResponse(clientId: string, endpoint: string, requestId: string, response: StoredApiResponse, storedAt: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO pp_idempotency (client_id, endpoint, request_id, status, body, stored_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(clientId, endpoint, requestId, response.status, response.body, storedAt);
  }

  /** Counts attempts under `key` and returns the new count (for the flaky magic value). */
  countAttempt(key: string): number {
    this.db.prepare('INSERT INTO pp_attempts (key, count) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET count = count + 1').run(key);
    return (this.db.prepare('SELECT count FROM pp_attempts WHERE key = ?').get(key) as { count: number }).count;
  }
}

function parse<T>(row: unknown): T | undefined {
  return row ? (JSON.parse((row as { data: string }).data) as T) : undefined;
}

function parseAll<T>(rows: unknown[]): T[] {
  return rows.map((row) => JSON.parse((row as { data: string }).data) as T);
}
