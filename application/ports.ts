// What the order use cases need from the outside world. Adapters implement these; tests may
// implement them in memory.
import type { Money } from '../domain/money';
import type { Invoice } from '../domain/invoice';
import type { Order, ShippingAddress } from '../domain/order';
import type { OrderStageEvent } from '../domain/order-events';
import type { OrderStatus } from '../domain/order-status';
import type { LedgerEntry } from '../domain/evidence-ledger';
import type { Dispute } from '../domain/dispute';

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
  /** The order whose PayPal capture this is (a dispute names only the capture). */
  findByCapture(captureId: string): Promise<Versioned<Order> | undefined>;
  /** Replaces only if the stored version is still `etag`. */
  replace(order: Order, etag: string): Promise<Versioned<Order> | 'precondition-failed' | 'not-found'>;
  list(query: OrderQuery): Promise<OrderPage>;
  /**
   * The last version of the order this process read or wrote, if it remembers one: possibly
   * stale, so only good for a conditional write whose ETag then decides.
   */
  recent?(id: string, customerId: string): Versioned<Order> | undefined;
}

/** The long-running process behind an order (the Durable orchestration). */
export interface OrderWorkflow {
  /**
   * Starts the order's saga unless it already runs or ran; safe to call again. The saga carries
   * the order and stores it if nobody has, so a crash right after the start loses nothing.
   * `mayExist` is false only for a new order id, which no earlier attempt can have started.
   */
  start(order: Order, mayExist: boolean): Promise<void>;
  /** Tells a running saga that the order was cancelled, so it compensates now. */
  notifyCancelled(order: Order): Promise<void>;
  /** Starts the saga of one refund recorded on the order, unless it already runs or ran. */
  startRefund(order: Order, refundId: string): Promise<void>;
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

// ---- the saga's outside world ----


/** Why a payment step did not succeed, in terms the saga can act on. */
export type PaymentFailure =
  /** The buyer's instrument was refused: final, tell the customer. */
  | { kind: 'declined'; reason: string }
  /** PayPal or the network failed: worth retrying with the same request id. */
  | { kind: 'unavailable'; reason: string }
  /** PayPal refused our credentials (401/403): our configuration, not the buyer's payment; hold and retry. */
  | { kind: 'unauthorized'; reason: string };

/** An authorization as PayPal dated it: honoured for 3 days from `createdAt`, capturable until `expiresAt`. */
export interface AuthorizationGrant {
  authorizationId: string;
  /** PayPal's create_time (ISO 8601), when it says so. */
  createdAt?: string;
  /** PayPal's expiration_time (ISO 8601): no capture is possible afterwards. */
  expiresAt?: string;
}

/** The facts PayPal states about the payer and the transaction's shipping address when authorizing. */
export interface PayerFacts {
  payer?: { id?: string; email?: string };
  payPalShippingAddress?: ShippingAddress;
}

/** Tracking for a PayPal order's capture (Orders v2 /track). */
export interface TrackingRequest {
  providerOrderId: string;
  captureId: string;
  trackingNumber: string;
  /** Our carrier's name as the shipment records it (e.g. "DHL Express"); the adapter maps it to PayPal's code. */
  carrier: string;
  notifyPayer: boolean;
  items: { sku: string; name: string; quantity: number }[];
}

export interface PayPalTracker {
  id: string;
  status: 'SHIPPED' | 'CANCELLED';
}

export interface PaymentGateway {
  /**
   * Creates the PayPal order (intent AUTHORIZE) for the order total. With a vault id PayPal needs
   * no buyer; otherwise the result carries the approve link the buyer must visit. `shipTo` fixes
   * the shipping address PayPal shows on the transaction.
   */
  createOrder(req: { orderId: string; amount: Money; vaultId?: string; returnUrl: string; cancelUrl: string; requestId: string; shipTo?: ShippingAddress }): Promise<
    { ok: true; providerOrderId: string; needsApproval: boolean; approveUrl?: string } | { ok: false; failure: PaymentFailure }
  >;
  /** Authorizes an approved (or vaulted) PayPal order. */
  authorize(providerOrderId: string, requestId: string): Promise<({ ok: true } & AuthorizationGrant & PayerFacts) | { ok: false; failure: PaymentFailure }>;
  /**
   * A new authorization for the same amount once the honour period of `authorizationId` is over
   * (PayPal allows it once, until the original expires). 'expired': too late; 'not-allowed': too
   * early, or already reauthorized.
   */
  reauthorize(authorizationId: string, amount: Money, requestId: string): Promise<({ ok: true } & AuthorizationGrant) | { ok: false; failure: PaymentFailure | { kind: 'expired' | 'not-allowed'; reason: string } }>;
  /**
   * `pending`: PayPal took the capture but holds the money (its reason, e.g. PENDING_REVIEW); nothing may ship yet.
   * 'expired': the authorization can no longer be captured (AUTHORIZATION_EXPIRED).
   */
  capture(authorizationId: string, requestId: string): Promise<
    { ok: true; captureId: string; pending?: string; capturedAt?: string; sellerProtection?: { status: string; disputeCategories: string[] } } | { ok: false; failure: PaymentFailure | { kind: 'expired'; reason: string } }
  >;
  /** Where a capture stands now: the way to learn how a pending one settled. */
  captureStatus(captureId: string): Promise<{ ok: true; status: 'completed' | 'pending' | 'denied'; reason?: string } | { ok: false; failure: PaymentFailure }>;
  /**
   * Releases an authorization that will never be captured. Already voided counts as done; already
   * captured (a capture whose answer was lost) is reported as 'captured', so the caller refunds.
   */
  voidAuthorization(authorizationId: string, requestId: string): Promise<{ ok: true } | { ok: false; failure: PaymentFailure | { kind: 'captured'; reason: string } }>;
  /** The PayPal order's capture that took money (completed, pending or since refunded), if any. */
  findCapture(providerOrderId: string): Promise<{ ok: true; capture?: { captureId: string; amount: Money } } | { ok: false; failure: PaymentFailure }>;
  /** 'fully-refunded': PayPal has nothing left to refund on this capture. `pending`: PayPal accepted the refund but has not paid it out yet (its reason). */
  refund(captureId: string, amount: Money, requestId: string): Promise<{ ok: true; refundId: string; pending?: string } | { ok: false; failure: PaymentFailure | { kind: 'fully-refunded'; reason: string } }>;
  /** Adds tracking to the PayPal order (idempotent: the tracker already there for this capture and number is answered). */
  addTracking(req: TrackingRequest): Promise<{ ok: true; tracker: PayPalTracker } | { ok: false; failure: PaymentFailure }>;
  /** Marks a tracker CANCELLED (the shipment was stopped). */
  cancelTracking(providerOrderId: string, trackerId: string): Promise<{ ok: true } | { ok: false; failure: PaymentFailure }>;
  /** Where a refund stands now: the way to learn how a pending one ended. */
  refundStatus(refundId: string): Promise<{ ok: true; status: 'completed' | 'pending' | 'failed'; reason?: string } | { ok: false; failure: PaymentFailure }>;
}

export interface ShipmentRequest {
  orderId: string;
  /** Idempotency: a repeated request with the same reference returns the first shipment. */
  reference: string;
  recipient: { name: string; line1: string; line2?: string; city: string; postalCode: string; country: string; email: string };
  packages: { weightGrams: number }[];
  declaredValue: Money;
  service: 'standard' | 'express';
}

/** Why a shipment was not booked, in terms the saga can act on. */
export type CarrierFailureKind =
  /** The carrier refused this shipment (address, product, data): final for this order. */
  | 'refused'
  /** Outage, throttling, timeout: retry with the same reference. */
  | 'unavailable'
  /** 401/403: our credentials or account; an operator fixes it, the order is not to blame. */
  | 'unauthorized';

export interface BookedShipment {
  carrier: string;
  trackingNumber: string;
  trackingUrl: string;
}

export interface CarrierGateway {
  createShipment(req: ShipmentRequest): Promise<
    | ({ ok: true; labelPdfBase64: string } & BookedShipment)
    | { ok: false; kind: CarrierFailureKind; retryable: boolean; reason: string }
  >;
  /**
   * The shipment an earlier booking under `reference` created, if any: asked before booking again
   * after an attempt whose answer never came, so a lost answer never books a second shipment.
   */
  findShipment(reference: string): Promise<{ ok: true; shipment?: BookedShipment } | { ok: false; kind: CarrierFailureKind; reason: string }>;
}

export interface EmailMessage {
  /** Deterministic per order and stage: the email service deduplicates on it. */
  operationId: string;
  to: { address: string; displayName: string };
  subject: string;
  html: string;
  text: string;
}

export interface EmailSender {
  /** Sends and waits for the service's verdict; a repeated operationId sends nothing new. */
  send(message: EmailMessage): Promise<{ ok: true; messageId: string } | { ok: false; retryable: boolean; reason: string }>;
}

export interface InvoiceStore {
  /** Idempotent: saving the same number again replaces it with the same content. */
  save(invoice: Invoice): Promise<void>;
  /** The order's invoice and credit notes, oldest first. */
  forOrder(orderId: string): Promise<Invoice[]>;
}

/** Rendered documents (invoice PDFs) by name. */
export interface DocumentStore {
  put(name: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(name: string): Promise<Uint8Array | undefined>;
}

export interface StageEventPublisher {
  /** At-least-once; the topic drops duplicates by messageId `<orderId>:<stage>`. */
  publish(event: OrderStageEvent): Promise<void>;
}

/** The order's append-only evidence ledger (emails sent, carrier scans), oldest first. */
export interface EvidenceLedger {
  /** Records the entry unless it is there already (same fact, same id). */
  record(entry: LedgerEntry): Promise<void>;
  entries(orderId: string): Promise<LedgerEntry[]>;
}

export interface DisputeQuery {
  status?: string;
  reason?: string;
  orderId?: string;
  limit: number;
  /** Continue after this dispute (keyset pagination, most recently updated first). */
  after?: { updatedAt: string; id: string };
}

/** The shop's record of each PayPal dispute (Cosmos container `disputes`, id = PayPal's dispute id). */
export interface DisputeStore {
  get(id: string): Promise<Versioned<Dispute> | undefined>;
  /** 'exists' when another writer created it first. */
  create(dispute: Dispute): Promise<Versioned<Dispute> | 'exists'>;
  replace(dispute: Dispute, etag: string): Promise<Versioned<Dispute> | 'precondition-failed'>;
  list(query: DisputeQuery): Promise<{ items: Dispute[]; next?: { updatedAt: string; id: string } }>;
}
