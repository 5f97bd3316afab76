// PayPal's business rules for Orders v2 and Payments v2: state transitions, amount limits and the
// 422 issues PayPal answers with. Synchronous on SQLite; the caller runs each operation in a
// transaction together with its idempotency record and sends the returned webhooks afterwards.
import { randomInt } from 'node:crypto';
import { formatMinor, parseAmount, reauthorizationLimit, toMinor } from './paypal-amounts';
import type { Amount } from './paypal-amounts';
import { invalidRequest, notFound, unprocessable } from './paypal-errors';
import { PayPalResources } from './paypal-resources';
import type { AuthorizationRecord, CaptureRecord, OrderRecord, PayPalStore, PurchaseUnitRecord, RefundRecord } from './paypal-store';
import type { WebhookEvent } from './webhook-event';
import { webhookEvent } from './webhook-event';

/** What Payments v2 must know of a capture's disputes (DisputeStore answers it). */
export interface CaptureDisputeLedger {
  hasOpenDispute(captureId: string): boolean;
  /** What PayPal took back from the capture for disputes resolved in the buyer's favour. */
  reversedMinor(captureId: string): bigint;
}

/**
 * What is left to refund on a capture: its amount less every refund not FAILED (PENDING ones
 * hold theirs) and less what disputes took back.
 */
export function refundableMinor(store: PayPalStore, capture: CaptureRecord, disputes?: CaptureDisputeLedger): bigint {
  const refunded = store.refundsOfCapture(capture.id).filter((r) => r.status !== 'FAILED').reduce((total, r) => total + toMinor(r.amount), 0n);
  const left = toMinor(capture.amount) - refunded - (disputes?.reversedMinor(capture.id) ?? 0n);
  return left > 0n ? left : 0n;
}

export interface OperationResult {
  status: number;
  /** Undefined for 204 No Content. */
  body?: Record<string, unknown>;
  events: WebhookEvent[];
}

/** PayPal honours an authorization for 3 days and lets it be captured for 29 (both configurable for tests). */
export interface AuthorizationTimes {
  honorMs: number;
  validMs: number;
}
export const DEFAULT_AUTHORIZATION_TIMES: AuthorizationTimes = { honorMs: 3 * 24 * 3600 * 1000, validMs: 29 * 24 * 3600 * 1000 };
/** The vault id whose captures PayPal declines (see docs/paypal-simulator.md). */
export const CAPTURE_DECLINED_VAULT = 'vault-capture-declined';
export const AUTHORIZATION_DECLINED_VAULT = 'vault-declined';
/** Captures are declined (so the saga voids) and the void is refused. */
export const VOID_REFUSED_VAULT = 'vault-void-refused';
const capturesDeclined = (vault: string | undefined): boolean => vault === CAPTURE_DECLINED_VAULT || vault === VOID_REFUSED_VAULT;
/** Captures are PENDING (PayPal's review), then complete, or are denied, after `pendingCaptureMs`. */
export const CAPTURE_PENDING_VAULT = 'vault-capture-pending';
export const CAPTURE_PENDING_DENIED_VAULT = 'vault-capture-pending-denied';
/** Pending, then completed without a webhook: as when PayPal's delivery is lost. */
export const CAPTURE_PENDING_QUIET_VAULT = 'vault-capture-pending-quiet';
/** Refunds are PENDING (an eCheck-funded refund), then complete, or fail, after `pendingCaptureMs`. */
export const REFUND_PENDING_VAULT = 'vault-refund-pending';
export const REFUND_PENDING_FAILED_VAULT = 'vault-refund-pending-failed';
const pendingVaults = new Set([CAPTURE_PENDING_VAULT, CAPTURE_PENDING_DENIED_VAULT, CAPTURE_PENDING_QUIET_VAULT]);

export class PayPalOperations {
  constructor(
    private readonly store: PayPalStore,
    private readonly resources: PayPalResources,
    private readonly now: () => number,
    /** How long a `vault-capture-pending[-denied]` capture stays PENDING. */
    private readonly pendingCaptureMs = 3_000,
    private readonly times: AuthorizationTimes = DEFAULT_AUTHORIZATION_TIMES,
    private readonly disputes?: CaptureDisputeLedger,
  ) {}

  createOrder(body: unknown, representation: boolean): OperationResult {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest({ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }, 'orders');
    const req = body as Record<string, unknown>;
    const intent = req.intent;
    if (intent === undefined) throw invalidRequest({ field: '/intent', issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, 'orders');
    if (intent !== 'AUTHORIZE' && intent !== 'CAPTURE') {
      throw invalidRequest({ field: '/intent', value: String(intent), issue: 'INVALID_PARAMETER_VALUE', description: 'The value of a field is invalid.' }, 'orders');
    }
    const units = req.purchase_units;
    if (!Array.isArray(units) || units.length === 0) {
      throw invalidRequest({ field: '/purchase_units', issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, 'orders');
    }
    if (units.length > 1) {
      // PayPal allows up to 10; the simulator books payments against one unit only.
      throw unprocessable('MULTIPLE_PURCHASE_UNITS_NOT_SUPPORTED', 'The simulator supports one purchase unit per order.', 'orders', { field: '/purchase_units', location: 'body' });
    }
    const purchaseUnits = units.map(purchaseUnitOf);
    const paypal = objectAt(req, 'payment_source', 'paypal');
    const experience = paypal && objectAt(paypal, 'experience_context');
    const appContext = objectAt(req, 'application_context');
    const vaultId = typeof paypal?.vault_id === 'string' ? paypal.vault_id : undefined;
    const time = this.iso();
    const order: OrderRecord = {
      id: newId(),
      intent,
      // Simplification: PayPal completes vaulted orders in one step; the simulator leaves them
      // APPROVED so the saga's separate authorize call works without a buyer.
      status: vaultId ? 'APPROVED' : experience ? 'PAYER_ACTION_REQUIRED' : 'CREATED',
      purchase_units: purchaseUnits,
      ...(vaultId ? { vault_id: vaultId } : {}),
      experience_context: experience !== undefined,
      return_url: stringAt(experience, 'return_url') ?? stringAt(appContext, 'return_url'),
      cancel_url: stringAt(experience, 'cancel_url') ?? stringAt(appContext, 'cancel_url'),
      create_time: time,
      update_time: time,
    };
    this.store.saveOrder(order);
    const view = this.resources.order(order);
    return { status: 201, body: representation ? view : this.resources.minimal(view), events: [] };
  }

  getOrder(id: string): OperationResult {
    return { status: 200, body: this.resources.order(this.order(id)), events: [] };
  }

  /** The buyer approved on the checkout page. */
  approve(id: string): { order: OrderRecord; events: WebhookEvent[] } {
    const order = this.order(id);
    if (order.status !== 'CREATED' && order.status !== 'PAYER_ACTION_REQUIRED') return { order, events: [] };
    const approved: OrderRecord = { ...order, status: 'APPROVED', payer_id: 'SIMPAYER0001', update_time: this.iso() };
    this.store.saveOrder(approved);
    const view = this.resources.order(approved);
    return { order: approved, events: [webhookEvent('CHECKOUT.ORDER.APPROVED', 'checkout-order', view, 'An order has been approved by buyer', this.iso())] };
  }

  authorizeOrder(id: string): OperationResult {
    const order = this.order(id);
    this.requireApproved(order, 'AUTHORIZE');
    if (order.vault_id === AUTHORIZATION_DECLINED_VAULT) {
      throw unprocessable('INSTRUMENT_DECLINED', "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.", 'orders');
    }
    const unit = order.purchase_units[0];
    // One reading of the clock: PayPal's three dates are exact offsets of each other.
    const at = this.now();
    const time = this.iso(at);
    const authorization: AuthorizationRecord = {
      id: newId(),
      order_id: order.id,
      status: 'CREATED',
      amount: unit.amount,
      ...(unit.custom_id ? { custom_id: unit.custom_id } : {}),
      ...(unit.invoice_id ? { invoice_id: unit.invoice_id } : {}),
      expiration_time: this.iso(at + this.times.validMs),
      honor_until: this.iso(at + Math.min(this.times.honorMs, this.times.validMs)),
      create_time: time,
      update_time: time,
    };
    this.store.saveAuthorization(authorization);
    const completed: OrderRecord = { ...order, status: 'COMPLETED', update_time: time };
    this.store.saveOrder(completed);
    const summary = `Payment authorization created for ${authorization.amount.value} ${authorization.amount.currency_code}`;
    return {
      status: 201,
      body: this.resources.order(completed),
      events: [webhookEvent('PAYMENT.AUTHORIZATION.CREATED', 'authorization', this.resources.authorization(authorization), summary, time)],
    };
  }

  captureOrder(id: string): OperationResult {
    const order = this.order(id);
    this.requireApproved(order, 'CAPTURE');
    const unit = order.purchase_units[0];
    const time = this.iso();
    const declined = capturesDeclined(order.vault_id);
    const capture: CaptureRecord = {
      id: newId(),
      order_id: order.id,
      status: declined ? 'DECLINED' : 'COMPLETED',
      ...(declined ? { status_details: { reason: 'DECLINED_BY_RISK_FRAUD_FILTERS' } } : {}),
      amount: unit.amount,
      final_capture: true,
      ...(unit.custom_id ? { custom_id: unit.custom_id } : {}),
      ...(unit.invoice_id ? { invoice_id: unit.invoice_id } : {}),
      create_time: time,
      update_time: time,
    };
    this.store.saveCapture(capture);
    const completed: OrderRecord = { ...order, status: 'COMPLETED', update_time: time };
    this.store.saveOrder(completed);
    return { status: 201, body: this.resources.order(completed), events: [this.captureEvent(capture)] };
  }

  getAuthorization(id: string): OperationResult {
    return { status: 200, body: this.resources.authorization(this.authorization(id)), events: [] };
  }

  captureAuthorization(id: string, body: unknown, representation: boolean): OperationResult {
    const authorization = this.authorization(id);
    if (authorization.status === 'VOIDED') throw unprocessable('AUTHORIZATION_VOIDED', 'A voided authorization cannot be captured or reauthorized.', 'payments');
    if (authorization.status === 'CAPTURED') throw unprocessable('AUTHORIZATION_ALREADY_CAPTURED', 'Authorization has been previously captured and hence cannot be captured again.', 'payments');
    if (authorization.status === 'DENIED') throw unprocessable('AUTHORIZATION_DENIED', 'A denied authorization cannot be captured.', 'payments');
    // Past the honour period a capture still works (PayPal just no longer guarantees the funds).
    if (this.expired(authorization)) throw unprocessable('AUTHORIZATION_EXPIRED', 'An expired authorization cannot be captured.', 'payments');
    const req = isObject(body) ? body : {};
    const remaining = toMinor(authorization.amount) - this.capturedOf(authorization.id);
    const amount = req.amount === undefined ? { currency_code: authorization.amount.currency_code, value: formatMinor(remaining, authorization.amount.currency_code) } : this.requestAmount(req.amount, authorization.amount, 'payments');
    if (toMinor(amount) > remaining) {
      throw unprocessable('MAX_CAPTURE_AMOUNT_EXCEEDED', 'Capture amount exceeds allowable limit. Please contact customer service or your account manager to request the change to your overage limit.', 'payments', { field: '/amount/value', value: amount.value, location: 'body' });
    }
    const order = this.order(authorization.order_id);
    const finalCapture = req.final_capture === true;
    const declined = capturesDeclined(order.vault_id);
    const pending = order.vault_id !== undefined && pendingVaults.has(order.vault_id);
    const time = this.iso();
    const capture: CaptureRecord = {
      id: newId(),
      order_id: authorization.order_id,
      authorization_id: authorization.id,
      status: declined ? 'DECLINED' : pending ? 'PENDING' : 'COMPLETED',
      ...(declined ? { status_details: { reason: 'DECLINED_BY_RISK_FRAUD_FILTERS' } } : {}),
      ...(pending
        ? {
          status_details: { reason: 'PENDING_REVIEW' },
          settles: { at: new Date(this.now() + this.pendingCaptureMs).toISOString(), to: order.vault_id === CAPTURE_PENDING_DENIED_VAULT ? 'DECLINED' as const : 'COMPLETED' as const },
        }
        : {}),
      amount,
      final_capture: finalCapture,
      ...(typeof req.invoice_id === 'string' ? { invoice_id: req.invoice_id } : authorization.invoice_id ? { invoice_id: authorization.invoice_id } : {}),
      ...(authorization.custom_id ? { custom_id: authorization.custom_id } : {}),
      create_time: time,
      update_time: time,
    };
    this.store.saveCapture(capture);
    if (!declined) {
      const fully = finalCapture || toMinor(amount) === remaining;
      this.store.saveAuthorization({ ...authorization, status: fully ? 'CAPTURED' : 'PARTIALLY_CAPTURED', update_time: time });
    }
    const view = this.resources.capture(capture);
    return { status: 201, body: representation ? view : this.resources.minimal(view), events: [this.captureEvent(capture)] };
  }

  voidAuthorization(id: string, representation: boolean): OperationResult {
    const authorization = this.authorization(id);
    if (authorization.status === 'VOIDED') throw unprocessable('PREVIOUSLY_VOIDED', 'Authorization has been previously voided and hence cannot be voided again.', 'payments');
    if (authorization.status === 'CAPTURED') throw unprocessable('PREVIOUSLY_CAPTURED', 'Authorization has been previously captured and hence cannot be voided.', 'payments');
    const cannotBeVoided = unprocessable('CANNOT_BE_VOIDED', 'A reauthorization cannot be voided. Please void the original parent authorization.', 'payments');
    // PayPal's documented rule: a reauthorization is released by voiding its parent (below).
    if (authorization.parent_id !== undefined) throw cannotBeVoided;
    // Nothing is held any more; PayPal documents no void issue for this, so the capture's is used.
    if (this.expired(authorization)) throw unprocessable('AUTHORIZATION_EXPIRED', 'An expired authorization cannot be voided.', 'payments');
    // vault-void-refused: stands in for any refusal the saga cannot fix itself.
    if (this.order(authorization.order_id).vault_id === VOID_REFUSED_VAULT) throw cannotBeVoided;
    const time = this.iso();
    const voided: AuthorizationRecord = { ...authorization, status: 'VOIDED', update_time: time };
    const child = authorization.reauthorized_by === undefined ? undefined : this.store.getAuthorization(authorization.reauthorized_by);
    const released = [voided, ...(child && (child.status === 'CREATED' || child.status === 'PARTIALLY_CAPTURED') ? [{ ...child, status: 'VOIDED' as const, update_time: time }] : [])];
    const events = released.map((a) => {
      this.store.saveAuthorization(a);
      return webhookEvent('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', this.resources.authorization(a), `A payment authorization was voided`, time);
    });
    const view = this.resources.authorization(voided);
    // Default (return=minimal) is 204 No Content, as with PayPal.
    return representation ? { status: 200, body: view, events } : { status: 204, events };
  }

  /**
   * POST /v2/payments/authorizations/{id}/reauthorize: a new authorization for the same order,
   * allowed once per original, after its honour period and before it expires, for up to 115% of
   * it (and at most USD 75 more). The new one has its own honour period but lives no longer than
   * the original: PayPal's "a reauthorization on day 27 gets two days of honour period".
   */
  reauthorize(id: string, body: unknown, representation: boolean): OperationResult {
    const original = this.authorization(id);
    const req = isObject(body) ? body : {};
    // Syntax first (400, amount format), then the state of the authorization, then the amount's limits.
    const asked = req.amount === undefined ? original.amount : parseAmount(req.amount, '/amount', 'payments').amount;
    if (original.parent_id !== undefined) {
      throw unprocessable('REAUTHORIZATION_NOT_SUPPORTED', 'A reauthorize cannot be attempted on an authorization_id that is the result of a prior reauthorization or on an authorization made on an Order saved using the `v2/orders/id/save` API.', 'payments');
    }
    if (original.status === 'VOIDED') throw unprocessable('AUTHORIZATION_VOIDED', 'A voided authorization cannot be captured or reauthorized.', 'payments');
    if (original.status === 'CAPTURED' || original.status === 'PARTIALLY_CAPTURED') throw unprocessable('AUTHORIZATION_ALREADY_CAPTURED', 'Authorization has previously been captured.', 'payments');
    if (original.status === 'DENIED') throw unprocessable('AUTHORIZATION_DENIED', 'A denied authorization cannot be reauthorized.', 'payments');
    if (this.expired(original)) throw unprocessable('AUTHORIZATION_EXPIRED', 'An expired authorization cannot be reauthorized.', 'payments');
    // The issue PayPal documents says "only allowed once from Day 4 to Day 29": used for both limits.
    if (this.now() < Date.parse(this.honorUntil(original)) || original.reauthorized_by !== undefined) {
      throw unprocessable('REAUTHORIZATION_TOO_SOON', 'A reauthorization is only allowed once from Day 4 to Day 29 since the date of the original authorization.', 'payments');
    }
    if (asked.currency_code !== original.amount.currency_code) {
      throw unprocessable('AUTH_CURRENCY_MISMATCH', 'The currency specified during reauthorization should be the same as the currency specified in the original authorization. Please check the currency of the authorization for which you are trying to reauthorize and try again.', 'payments', { field: '/amount/currency_code', value: asked.currency_code, location: 'body' });
    }
    if (toMinor(asked) > reauthorizationLimit(original.amount)) {
      throw unprocessable('AUTHORIZATION_AMOUNT_EXCEEDED', 'Authorization amount specified exceeded allowable limit. Specify a different amount and try the request again. Alternately, contact Customer Support to increase your limits. Local regulations (e.g. in PSD2 countries) prohibit overages above the amount authorized by the payer.', 'payments', { field: '/amount/value', value: asked.value, location: 'body' });
    }
    const at = this.now();
    const time = this.iso(at);
    const renewed: AuthorizationRecord = {
      id: newId(),
      order_id: original.order_id,
      status: 'CREATED',
      amount: asked,
      ...(original.custom_id ? { custom_id: original.custom_id } : {}),
      ...(original.invoice_id ? { invoice_id: original.invoice_id } : {}),
      expiration_time: original.expiration_time,
      honor_until: this.iso(Math.min(at + this.times.honorMs, Date.parse(original.expiration_time))),
      parent_id: original.id,
      create_time: time,
      update_time: time,
    };
    this.store.saveAuthorization(renewed);
    this.store.saveAuthorization({ ...original, reauthorized_by: renewed.id, update_time: time });
    const view = this.resources.authorization(renewed);
    const summary = `Payment authorization created for ${asked.value} ${asked.currency_code}`;
    return {
      status: 201,
      body: representation ? view : this.resources.minimal(view),
      events: [webhookEvent('PAYMENT.AUTHORIZATION.CREATED', 'authorization', view, summary, time)],
    };
  }

  /** Marks open authorizations past their expiration_time EXPIRED (what GET then shows). */
  expireDueAuthorizations(): void {
    for (const a of this.store.authorizationsExpiringBy(this.iso())) {
      this.store.saveAuthorization({ ...a, status: 'EXPIRED', update_time: a.expiration_time });
    }
  }

  private refundableOf(capture: CaptureRecord): bigint {
    return refundableMinor(this.store, capture, this.disputes);
  }

  /** Settles the PENDING refunds that are due; a failed one gives its amount back to the capture. */
  settleDueRefunds(): WebhookEvent[] {
    const time = this.iso();
    return this.store.refundsSettlingBy(this.isoMs()).flatMap((r) => {
      const { settles, status_details: _, ...rest } = r;
      const settled: RefundRecord = { ...rest, status: settles!.to, update_time: time };
      this.store.saveRefund(settled);
      const capture = this.capture(r.capture_id);
      const left = this.refundableOf(capture);
      this.store.saveCapture({ ...capture, status: left === 0n ? 'REFUNDED' : left === toMinor(capture.amount) ? 'COMPLETED' : 'PARTIALLY_REFUNDED', update_time: time });
      if (settled.status !== 'COMPLETED') return [];
      return [webhookEvent('PAYMENT.CAPTURE.REFUNDED', 'refund', this.resources.refund(settled), `A ${r.amount.value} ${r.amount.currency_code} capture payment was refunded`, time)];
    });
  }

  /** Settles the PENDING captures that are due: COMPLETED, or DECLINED (PayPal's "denied"). */
  settleDueCaptures(): WebhookEvent[] {
    const time = this.iso();
    return this.store.capturesSettlingBy(this.isoMs()).flatMap((c) => {
      const { settles, status_details: _, ...rest } = c;
      const settled: CaptureRecord = { ...rest, status: settles!.to, update_time: time };
      this.store.saveCapture(settled);
      if (this.store.getOrder(c.order_id)?.vault_id === CAPTURE_PENDING_QUIET_VAULT) return [];
      const view = this.resources.capture(settled);
      const amount = `${c.amount.value} ${c.amount.currency_code}`;
      return [settled.status === 'COMPLETED'
        ? webhookEvent('PAYMENT.CAPTURE.COMPLETED', 'capture', view, `Payment completed for ${amount}`, time)
        : webhookEvent('PAYMENT.CAPTURE.DENIED', 'capture', view, `A ${amount} payment was denied`, time)];
    });
  }

  getCapture(id: string): OperationResult {
    return { status: 200, body: this.resources.capture(this.capture(id)), events: [] };
  }

  refundCapture(id: string, body: unknown, representation: boolean): OperationResult {
    const capture = this.capture(id);
    if (capture.status === 'REFUNDED') throw unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.', 'payments');
    if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') {
      throw unprocessable('REFUND_NOT_ALLOWED', 'Refund cannot be issued for a capture that was not completed.', 'payments');
    }
    const req = isObject(body) ? body : {};
    const remaining = this.refundableOf(capture);
    const amount = req.amount === undefined ? { currency_code: capture.amount.currency_code, value: formatMinor(remaining, capture.amount.currency_code) } : this.requestAmount(req.amount, capture.amount, 'payments');
    // A partial refund would pay the buyer twice once PayPal settles the case: PayPal refuses it.
    if (req.amount !== undefined && toMinor(amount) < remaining && this.disputes?.hasOpenDispute(capture.id)) {
      throw unprocessable('CAPTURE_DISPUTED_PARTIAL_REFUND_NOT_ALLOWED', 'Partial refunds cannot be offered at this time because there is an open case on this transaction. Visit the PayPal Resolution Center to review this case.', 'payments');
    }
    // remaining is 0 when a dispute took everything back that refunds had not: nothing is left.
    if (remaining === 0n) throw unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.', 'payments');
    if (toMinor(amount) > remaining) {
      throw unprocessable('REFUND_AMOUNT_EXCEEDED', 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.', 'payments', { field: '/amount/value', value: amount.value, location: 'body' });
    }
    const time = this.iso();
    const vault = this.store.getOrder(capture.order_id)?.vault_id;
    const pending = vault === REFUND_PENDING_VAULT || vault === REFUND_PENDING_FAILED_VAULT;
    const refund: RefundRecord = {
      id: newId(),
      capture_id: capture.id,
      order_id: capture.order_id,
      status: pending ? 'PENDING' : 'COMPLETED',
      ...(pending ? { status_details: { reason: 'ECHECK' }, settles: { at: new Date(this.now() + this.pendingCaptureMs).toISOString(), to: vault === REFUND_PENDING_FAILED_VAULT ? 'FAILED' as const : 'COMPLETED' as const } } : {}),
      amount,
      create_time: time,
      update_time: time,
    };
    this.store.saveRefund(refund);
    this.store.saveCapture({ ...capture, status: toMinor(amount) === remaining ? 'REFUNDED' : 'PARTIALLY_REFUNDED', update_time: time });
    const view = this.resources.refund(refund);
    if (pending) return { status: 201, body: representation ? view : this.resources.minimal(view), events: [] };
    const summary = `A ${amount.value} ${amount.currency_code} capture payment was refunded`;
    return {
      status: 201,
      body: representation ? view : this.resources.minimal(view),
      events: [webhookEvent('PAYMENT.CAPTURE.REFUNDED', 'refund', view, summary, time)],
    };
  }

  getRefund(id: string): OperationResult {
    const refund = this.store.getRefund(id);
    if (!refund) throw notFound(id, 'payments');
    return { status: 200, body: this.resources.refund(refund), events: [] };
  }

  /** The order plus everything booked against it, for /dev/paypal inspection. */
  inspect(order: OrderRecord): Record<string, unknown> {
    return {
      order: this.resources.order(order),
      authorizations: this.store.authorizationsOf(order.id).map((a) => this.resources.authorization(a)),
      captures: this.store.capturesOf(order.id).map((c) => this.resources.capture(c)),
      refunds: this.store.refundsOf(order.id).map((r) => this.resources.refund(r)),
    };
  }

  /** The order a request touches, so the router can apply vault magic values. */
  orderOf(kind: 'order' | 'authorization' | 'capture', id: string): OrderRecord | undefined {
    const orderId = kind === 'order' ? id : kind === 'authorization' ? this.store.getAuthorization(id)?.order_id : this.store.getCapture(id)?.order_id;
    return orderId === undefined ? undefined : this.store.getOrder(orderId);
  }

  private requireApproved(order: OrderRecord, action: 'AUTHORIZE' | 'CAPTURE'): void {
    if (order.intent !== action) {
      throw unprocessable('ACTION_DOES_NOT_MATCH_INTENT', `Order was created with an intent of '${order.intent}'. Please use /v2/checkout/orders/${order.id}/${order.intent === 'CAPTURE' ? 'capture' : 'authorize'} to complete the transaction.`, 'orders');
    }
    if (order.status === 'COMPLETED') {
      throw action === 'AUTHORIZE'
        ? unprocessable('ORDER_ALREADY_AUTHORIZED', 'Order already authorized. If \'intent=AUTHORIZE\' only one authorization per order is allowed.', 'orders')
        : unprocessable('ORDER_ALREADY_CAPTURED', 'Order already captured. If \'intent=CAPTURE\' only one capture per order is allowed.', 'orders');
    }
    if (order.status !== 'APPROVED') {
      throw unprocessable('ORDER_NOT_APPROVED', 'Payer has not yet approved the Order for payment. Please redirect the payer to the \'rel\':\'approve\' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.', 'orders');
    }
  }

  private requestAmount(raw: unknown, reference: Amount, api: 'payments'): Amount {
    const { amount } = parseAmount(raw, '/amount', api);
    if (amount.currency_code !== reference.currency_code) {
      throw unprocessable('CURRENCY_MISMATCH', 'The currency of the amount must match the currency of the original transaction.', api, { field: '/amount/currency_code', value: amount.currency_code, location: 'body' });
    }
    return amount;
  }

  private capturedOf(authorizationId: string): bigint {
    return this.store
      .capturesOf(this.authorization(authorizationId).order_id)
      .filter((c) => c.authorization_id === authorizationId && c.status !== 'DECLINED')
      .reduce((total, c) => total + toMinor(c.amount), 0n);
  }

  private captureEvent(capture: CaptureRecord): WebhookEvent {
    const view = this.resources.capture(capture);
    if (capture.status === 'PENDING') return webhookEvent('PAYMENT.CAPTURE.PENDING', 'capture', view, `Payment pending for ${capture.amount.value} ${capture.amount.currency_code}`, capture.update_time);
    return capture.status === 'DECLINED'
      ? webhookEvent('PAYMENT.CAPTURE.DECLINED', 'capture', view, `Payment capture for ${capture.amount.value} ${capture.amount.currency_code} was declined`, capture.update_time)
      : webhookEvent('PAYMENT.CAPTURE.COMPLETED', 'capture', view, `Payment completed for ${capture.amount.value} ${capture.amount.currency_code}`, capture.update_time);
  }

  private order(id: string): OrderRecord {
    const order = this.store.getOrder(id);
    if (!order) throw notFound(id, 'orders');
    return order;
  }

  private authorization(id: string): AuthorizationRecord {
    const authorization = this.store.getAuthorization(id);
    if (!authorization) throw notFound(id, 'payments');
    return authorization;
  }

  private capture(id: string): CaptureRecord {
    const capture = this.store.getCapture(id);
    if (!capture) throw notFound(id, 'payments');
    return capture;
  }

  private expired(a: AuthorizationRecord): boolean {
    return a.status === 'EXPIRED' || this.now() >= Date.parse(a.expiration_time);
  }

  /** Records from before honor_until existed get the configured honour period. */
  private honorUntil(a: AuthorizationRecord): string {
    return a.honor_until ?? this.iso(Date.parse(a.create_time) + this.times.honorMs);
  }

  /**
   * Now to the millisecond, for comparing with `settles.at` (stored so): against the second-precision
   * form, "…05.900Z" <= "…05Z" holds and a settlement would come up to a second early.
   */
  private isoMs(): string {
    return new Date(this.now()).toISOString();
  }

  /** PayPal's timestamps: ISO 8601 to the second. */
  private iso(at = this.now()): string {
    return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

function purchaseUnitOf(raw: unknown): PurchaseUnitRecord {
  const unit = isObject(raw) ? raw : {};
  const referenceId = typeof unit.reference_id === 'string' && unit.reference_id !== '' ? unit.reference_id : 'default';
  // PayPal points at purchase units by reference id in error fields.
  const field = `/purchase_units/@reference_id=='${referenceId}'/amount`;
  if (unit.amount === undefined) throw invalidRequest({ field, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, 'orders');
  const { amount } = parseAmount(unit.amount, field, 'orders');
  return {
    reference_id: referenceId,
    amount,
    ...(typeof unit.custom_id === 'string' ? { custom_id: unit.custom_id } : {}),
    ...(typeof unit.invoice_id === 'string' ? { invoice_id: unit.invoice_id } : {}),
    ...(typeof unit.description === 'string' ? { description: unit.description } : {}),
    ...shippingOf(unit.shipping, referenceId),
  };
}

const addressFields = ['address_line_1', 'address_line_2', 'admin_area_2', 'admin_area_1', 'postal_code', 'country_code'] as const;

/** The purchase unit's shipping name and address, checked as PayPal does (country code required, strings within limits). */
function shippingOf(raw: unknown, referenceId: string): { shipping?: NonNullable<PurchaseUnitRecord['shipping']> } {
  if (raw === undefined) return {};
  const field = `/purchase_units/@reference_id=='${referenceId}'/shipping`;
  if (!isObject(raw) || !isObject(raw.address)) throw invalidRequest({ field: `${field}/address`, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, 'orders');
  const a = raw.address;
  if (typeof a.country_code !== 'string' || !/^[A-Z]{2}$/.test(a.country_code)) {
    throw invalidRequest({ field: `${field}/address/country_code`, issue: 'INVALID_COUNTRY_CODE', description: 'Country code is invalid. Please refer to https://developer.paypal.com/api/rest/reference/country-codes/ for a list of supported country codes.' }, 'orders');
  }
  const address: Record<string, string> = {};
  for (const k of addressFields) {
    const v = a[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v.length > 300) throw invalidRequest({ field: `${field}/address/${k}`, issue: 'INVALID_STRING_LENGTH', description: 'The value of a field is either too short or too long.' }, 'orders');
    address[k] = v;
  }
  const name = isObject(raw.name) && typeof raw.name.full_name === 'string' ? { full_name: raw.name.full_name.slice(0, 300) } : undefined;
  return { shipping: { ...(name ? { name } : {}), address } };
}

/** PayPal-style 17-character ids of digits and capital letters. */
function newId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let id = '';
  for (let i = 0; i < 17; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(value: unknown, ...path: string[]): Record<string, unknown> | undefined {
  let current = value;
  for (const key of path) current = isObject(current) ? current[key] : undefined;
  return isObject(current) ? current : undefined;
}

function stringAt(value: Record<string, unknown> | undefined, key: string): string | undefined {
  return typeof value?.[key] === 'string' ? (value[key] as string) : undefined;
}
