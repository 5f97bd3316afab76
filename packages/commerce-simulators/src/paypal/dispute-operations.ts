// PayPal's dispute life cycle: the seller's calls of the Disputes API v1, PayPal's sandbox-only
// calls (require-evidence, adjudicate), the buyer's and PayPal's moves the trigger control plane
// plays (open, escalate, return the item, adjudicate) and the seller's missed deadline. Every
// state change sends CUSTOMER.DISPUTE.UPDATED or .RESOLVED. Synchronous on SQLite: the router runs
// each call in a transaction and dispatches the returned deliveries afterwards.
import { randomInt } from 'node:crypto';
import { allows, DISPUTE_STATES, disputeState } from './dispute-machine';
import type { DisputeAction } from './dispute-machine';
import type { DisputeResources } from './dispute-resources';
import { DISPUTE_REASONS } from './dispute-store';
import type { DisputeReason, DisputeRecord, DisputeStage, DisputeStatus, DisputeStore, EvidenceRecord, TrackingInfo } from './dispute-store';
import { isObject } from './http-io';
import type { FormFile } from './multipart';
import { checkEvidenceFiles } from './multipart';
import { formatMinor, parseAmount, toMinor } from './paypal-amounts';
import type { Amount } from './paypal-amounts';
import { invalidRequest, notFound, PayPalApiError, unprocessable } from './paypal-errors';
import type { ErrorDetail } from './paypal-errors';
import { refundableMinor } from './paypal-operations';
import type { CaptureRecord, PayPalStore } from './paypal-store';
import { webhookEvent } from './webhook-event';
import type { WebhookEvent, WebhookEventType } from './webhook-event';

/** A webhook to send, possibly held back (the reorder knob). */
export interface Delivery {
  event: WebhookEvent;
  afterMs: number;
}

export interface DisputeResult {
  status: number;
  body?: Record<string, unknown>;
  deliveries: Delivery[];
}

/** How long the CREATED event waits behind its UPDATED twin when the trigger asks for reordering. */
const REORDER_DELAY_MS = 300;
const DAY_MS = 24 * 3600 * 1000;
/** Captures a buyer can dispute: money moved to the seller (refunded ones too, e.g. CREDIT_NOT_PROCESSED). */
const DISPUTABLE: ReadonlySet<CaptureRecord['status']> = new Set(['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
/** Evidence types whose evidence_info PayPal needs: tracking for shipments, refund ids for refunds. */
const NEEDS_TRACKING = new Set(['PROOF_OF_FULFILLMENT', 'PROOF_OF_RETURN']);
const ACCEPT_CLAIM_TYPES = ['REFUND', 'REFUND_WITH_RETURN', 'PARTIAL_REFUND', 'REFUND_WITH_RETURN_SHIPMENT_LABEL'];
const OFFER_TYPES = ['REFUND', 'REFUND_WITH_RETURN', 'REFUND_WITH_REPLACEMENT', 'REPLACEMENT_WITHOUT_REFUND'];
const ACKNOWLEDGEMENT_TYPES = ['ITEM_RECEIVED', 'ITEM_NOT_RECEIVED', 'DAMAGED', 'EMPTY_PACKAGE_OR_DIFFERENT', 'MISSING_ITEMS'];

const missing = (field: string, location: ErrorDetail['location'] = 'body'): PayPalApiError =>
  invalidRequest({ field, location, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, 'disputes');
const invalidValue = (field: string, value: unknown, description = 'The value of a field is invalid.', location: ErrorDetail['location'] = 'body'): PayPalApiError =>
  invalidRequest({ field, location, value: typeof value === 'string' ? value : JSON.stringify(value), issue: 'INVALID_PARAMETER_VALUE', description }, 'disputes');

export class DisputeOperations {
  constructor(
    private readonly disputes: DisputeStore,
    private readonly store: PayPalStore,
    private readonly resources: DisputeResources,
    private readonly now: () => number,
  ) {}

  // ---- reads ----

  get(id: string): DisputeResult {
    return { status: 200, body: this.resources.full(this.dispute(id)), deliveries: [] };
  }

  /** GET /v1/customer/disputes: filters, newest first, opaque page tokens. */
  list(query: URLSearchParams, selfUrl: string): DisputeResult {
    const start = dateParam(query, 'start_time');
    const transaction = query.get('disputed_transaction_id') ?? undefined;
    if (start !== undefined && transaction !== undefined) {
      throw invalidValue('start_time', query.get('start_time'), 'Specify either start_time or disputed_transaction_id, not both.', 'query');
    }
    const before = dateParam(query, 'update_time_before');
    const after = dateParam(query, 'update_time_after');
    const statesRaw = query.get('dispute_state');
    const states = statesRaw ? statesRaw.split(',').map((s) => s.trim()) : undefined;
    for (const s of states ?? []) {
      if (!(DISPUTE_STATES as readonly string[]).includes(s)) throw invalidValue('dispute_state', s, `dispute_state must be a comma-separated list of ${DISPUTE_STATES.join(', ')}.`, 'query');
    }
    const sizeRaw = query.get('page_size');
    const pageSize = sizeRaw === null ? 10 : Number(sizeRaw);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) throw invalidValue('page_size', sizeRaw, 'page_size must be an integer from 1 to 50.', 'query');
    const token = query.get('next_page_token');
    const offset = token === null ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw invalidValue('next_page_token', token, 'The next_page_token is not one this API returned.', 'query');
    const matching = this.disputes.all().filter((d) =>
      (start === undefined || Date.parse(d.create_time) >= start)
      && (transaction === undefined || d.capture_id === transaction || d.buyer_transaction_id === transaction)
      && (before === undefined || Date.parse(d.update_time) < before)
      && (after === undefined || Date.parse(d.update_time) > after)
      && (states === undefined || states.includes(disputeState(d))));
    const page = matching.slice(offset, offset + pageSize);
    const links: { href: string; rel: string; method: string }[] = [{ href: selfUrl, rel: 'self', method: 'GET' }];
    const first = new URL(selfUrl);
    first.searchParams.delete('next_page_token');
    links.push({ href: first.toString(), rel: 'first', method: 'GET' });
    if (offset + pageSize < matching.length) {
      const next = new URL(selfUrl);
      next.searchParams.set('next_page_token', Buffer.from(String(offset + pageSize), 'utf8').toString('base64url'));
      links.push({ href: next.toString(), rel: 'next', method: 'GET' });
    }
    return { status: 200, body: { items: page.map((d) => this.resources.info(d)), links }, deliveries: [] };
  }

  // ---- the seller's calls ----

  /** POST /{id}/provide-evidence: `input` = {evidences:[…]}, files checked by name and content. */
  provideEvidence(id: string, input: unknown, files: readonly FormFile[]): DisputeResult {
    const d = this.allowed(id, 'provide_evidence');
    if (input === undefined) throw missing('input');
    if (!isObject(input)) throw invalidRequest({ field: 'input', issue: 'MALFORMED_REQUEST_JSON', description: 'The `input` part must be a JSON object.' }, 'disputes');
    const raw = input.evidences;
    if (!Array.isArray(raw) || raw.length === 0) throw missing('/evidences');
    for (const f of files) {
      if (f.field !== 'evidence-file') throw invalidValue(f.field, f.name, 'Evidence files are sent in parts named `evidence-file`.');
    }
    checkEvidenceFiles(files);
    const uploaded = new Map(files.map((f) => [f.name, f.bytes.length]));
    const time = this.iso();
    const named = new Set<string>();
    const evidences = raw.map((e, i) => this.evidence(e, i, uploaded, named, d.stage, time));
    // Files no evidence names still count: PayPal attaches them to the submission (here, the first evidence).
    const unnamed = files.filter((f) => !named.has(f.name)).map((f) => ({ name: f.name, size: f.bytes.length }));
    if (unnamed.length) evidences[0] = { ...evidences[0], documents: [...evidences[0].documents, ...unnamed] };
    return this.change({ ...d, evidences: [...d.evidences, ...evidences], status: 'UNDER_REVIEW', seller_response_due_date: undefined });
  }

  /** POST /{id}/accept-claim: the seller concedes; PayPal refunds the buyer from the seller's balance. */
  acceptClaim(id: string, body: unknown): DisputeResult {
    const d = this.allowed(id, 'accept_claim');
    const req = isObject(body) ? body : {};
    if (typeof req.note !== 'string' || req.note.trim() === '') throw missing('/note');
    const type = req.accept_claim_type ?? 'REFUND';
    if (typeof type !== 'string' || !ACCEPT_CLAIM_TYPES.includes(type)) throw invalidValue('/accept_claim_type', type);
    const withReturn = type === 'REFUND_WITH_RETURN' || type === 'REFUND_WITH_RETURN_SHIPMENT_LABEL';
    if (withReturn && d.reason !== 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED') {
      throw unprocessable('INVALID_ACCEPT_CLAIM_TYPE', `${type} is offered only for MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED disputes.`, 'disputes', { field: '/accept_claim_type', value: type, location: 'body' });
    }
    const time = this.iso();
    const note = { posted_by: 'SELLER' as const, time_posted: time, content: req.note };
    if (withReturn) {
      // The buyer now sends the item back; the refund follows the seller's acknowledgement.
      return this.change({ ...d, messages: [...d.messages, note], status: 'WAITING_FOR_BUYER_RESPONSE', return_state: 'REQUESTED', seller_response_due_date: undefined, buyer_response_due_date: this.due(d.response_days) });
    }
    let amount = d.dispute_amount;
    if (type === 'PARTIAL_REFUND') {
      if (req.refund_amount === undefined) throw missing('/refund_amount');
      amount = this.amountWithin(req.refund_amount, '/refund_amount', d.dispute_amount, 'REFUND_AMOUNT_EXCEEDS_DISPUTE_AMOUNT');
    }
    return this.change(this.resolvedForBuyer({ ...d, messages: [...d.messages, note] }, amount, time));
  }

  /** POST /{id}/send-message (inquiry only). */
  sendMessage(id: string, body: unknown): DisputeResult {
    const d = this.allowed(id, 'send_message');
    const message = isObject(body) ? body.message : undefined;
    if (typeof message !== 'string' || message.trim() === '') throw missing('/message');
    if (message.length > 2000) throw invalidValue('/message', `${message.slice(0, 20)}…`, 'A message has at most 2000 characters.');
    return this.change({ ...d, messages: [...d.messages, { posted_by: 'SELLER', time_posted: this.iso(), content: message }] });
  }

  /** POST /{id}/make-offer (inquiry only): the buyer answers next. */
  makeOffer(id: string, body: unknown): DisputeResult {
    const d = this.allowed(id, 'make_offer');
    const req = isObject(body) ? body : {};
    if (typeof req.note !== 'string' || req.note.trim() === '') throw missing('/note');
    const type = req.offer_type;
    if (type === undefined) throw missing('/offer_type');
    if (typeof type !== 'string' || !OFFER_TYPES.includes(type)) throw invalidValue('/offer_type', type);
    if (type === 'REFUND_WITH_RETURN' && d.reason !== 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED') {
      throw unprocessable('INVALID_OFFER_TYPE', 'REFUND_WITH_RETURN is offered only for MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED disputes.', 'disputes', { field: '/offer_type', value: type, location: 'body' });
    }
    let amount: Amount | undefined;
    if (type !== 'REPLACEMENT_WITHOUT_REFUND') {
      if (req.offer_amount === undefined) throw missing('/offer_amount');
      amount = this.amountWithin(req.offer_amount, '/offer_amount', this.capture(d).amount, 'OFFER_AMOUNT_EXCEEDS_TRANSACTION_AMOUNT');
    }
    const time = this.iso();
    const offer = {
      offer_type: type,
      ...(amount ? { seller_offered_amount: amount } : {}),
      history: [...(d.offer?.history ?? []), { offer_time: time, actor: 'SELLER' as const, event_type: 'PROPOSED' as const, offer_type: type, ...(amount ? { offer_amount: amount } : {}), notes: req.note }],
    };
    return this.change({ ...d, offer, status: 'WAITING_FOR_BUYER_RESPONSE', seller_response_due_date: undefined, buyer_response_due_date: this.due(d.response_days) });
  }

  /**
   * POST /{id}/acknowledge-return-item: only for a not-as-described dispute whose item the buyer
   * sent back after the seller accepted the claim with a return. ITEM_RECEIVED refunds the buyer;
   * any other acknowledgement (not received, damaged, …) puts the case to PayPal (UNDER_REVIEW).
   */
  acknowledgeReturnItem(id: string, body: unknown): DisputeResult {
    const d = this.allowed(id, 'acknowledge_return_item');
    const req = isObject(body) ? body : {};
    const type = req.acknowledgement_type ?? 'ITEM_RECEIVED';
    if (typeof type !== 'string' || !ACKNOWLEDGEMENT_TYPES.includes(type)) throw invalidValue('/acknowledgement_type', type);
    const time = this.iso();
    const notes = typeof req.note === 'string' && req.note !== '' ? [{ posted_by: 'SELLER' as const, time_posted: time, content: req.note }] : [];
    const next = { ...d, messages: [...d.messages, ...notes], return_state: undefined };
    if (type === 'ITEM_RECEIVED') return this.change(this.resolvedForBuyer(next, d.dispute_amount, time));
    return this.change({ ...next, status: 'UNDER_REVIEW', seller_response_due_date: undefined });
  }

  /** POST /{id}/escalate by the seller (inquiry only): the case becomes a claim. */
  escalate(id: string, body: unknown): DisputeResult {
    const d = this.allowed(id, 'escalate');
    const note = isObject(body) ? body.note : undefined;
    if (typeof note !== 'string' || note.trim() === '') throw missing('/note');
    return this.change(this.escalated({ ...d, messages: [...d.messages, { posted_by: 'SELLER', time_posted: this.iso(), content: note }] }));
  }

  // ---- PayPal's sandbox-only calls ----

  /** POST /{id}/require-evidence {action}: UNDER_REVIEW -> WAITING_FOR_SELLER_RESPONSE / WAITING_FOR_BUYER_RESPONSE. */
  requireEvidence(id: string, body: unknown): DisputeResult {
    const d = this.allowed(id, 'require_evidence');
    const action = isObject(body) ? body.action : undefined;
    if (action === undefined) throw missing('/action');
    if (action === 'SELLER_EVIDENCE') return this.change({ ...d, status: 'WAITING_FOR_SELLER_RESPONSE', seller_response_due_date: this.due(d.response_days) });
    if (action === 'BUYER_EVIDENCE') return this.change({ ...d, status: 'WAITING_FOR_BUYER_RESPONSE', buyer_response_due_date: this.due(d.response_days) });
    throw invalidValue('/action', action, 'action must be SELLER_EVIDENCE or BUYER_EVIDENCE.');
  }

  /** POST /{id}/adjudicate {adjudication_outcome} (status must be UNDER_REVIEW). */
  adjudicate(id: string, body: unknown): DisputeResult {
    const d = this.allowed(id, 'adjudicate');
    const outcome = isObject(body) ? body.adjudication_outcome : undefined;
    if (outcome === undefined) throw missing('/adjudication_outcome');
    if (outcome !== 'BUYER_FAVOR' && outcome !== 'SELLER_FAVOR') throw invalidValue('/adjudication_outcome', outcome, 'adjudication_outcome must be BUYER_FAVOR or SELLER_FAVOR.');
    return this.change(this.adjudicated(d, outcome));
  }

  // ---- the trigger control plane (the buyer's and PayPal's moves) ----

  /** POST /sim/paypal/disputes: a buyer opens a dispute on a capture. */
  trigger(body: unknown): DisputeResult {
    if (!isObject(body)) throw invalidRequest({ issue: 'MALFORMED_REQUEST_JSON', description: 'The request JSON is not well formed.' }, 'disputes');
    const capture = this.triggerCapture(body);
    const reason = body.reason ?? 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED';
    if (typeof reason !== 'string' || !(DISPUTE_REASONS as readonly string[]).includes(reason)) throw invalidValue('/reason', reason, `reason must be one of ${DISPUTE_REASONS.join(', ')}.`);
    const stage = body.stage ?? 'CHARGEBACK';
    if (stage !== 'INQUIRY' && stage !== 'CHARGEBACK') throw invalidValue('/stage', stage, 'stage must be INQUIRY or CHARGEBACK.');
    const channel = body.channel ?? 'INTERNAL';
    if (channel !== 'INTERNAL' && channel !== 'EXTERNAL') throw invalidValue('/channel', channel, 'channel must be INTERNAL or EXTERNAL.');
    if (stage === 'INQUIRY' && (channel === 'EXTERNAL' || (reason !== 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED' && reason !== 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED'))) {
      // PayPal's rule: only PayPal buyers' item-not-received and not-as-described cases start as inquiries.
      throw unprocessable('INQUIRY_NOT_ALLOWED', 'Only INTERNAL disputes with reason MERCHANDISE_OR_SERVICE_NOT_RECEIVED or MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED start in the INQUIRY stage.', 'disputes', { field: '/stage', value: stage, location: 'body' });
    }
    const status = body.status ?? 'WAITING_FOR_SELLER_RESPONSE';
    if (status !== 'WAITING_FOR_SELLER_RESPONSE' && !(status === 'OPEN' && stage === 'INQUIRY')) {
      throw invalidValue('/status', status, 'status is WAITING_FOR_SELLER_RESPONSE, or OPEN for an inquiry.');
    }
    const days = body.response_days ?? 10;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365) throw invalidValue('/response_days', days, 'response_days must be an integer from 1 to 365.');
    const delivery = isObject(body.delivery) ? body.delivery : {};
    for (const knob of ['duplicate', 'reorder'] as const) {
      if (delivery[knob] !== undefined && typeof delivery[knob] !== 'boolean') throw invalidValue(`/delivery/${knob}`, delivery[knob], `delivery.${knob} must be a boolean.`);
    }
    const amount = body.amount === undefined ? capture.amount : this.amountWithin(body.amount, '/amount', capture.amount, 'DISPUTE_AMOUNT_EXCEEDS_CAPTURE');
    if (this.disputes.hasOpenDispute(capture.id)) {
      throw unprocessable('DISPUTE_ALREADY_OPEN', 'The capture already has an open dispute; resolve it first.', 'disputes', { field: '/capture_id', value: capture.id, location: 'body' });
    }
    const time = this.iso();
    const d: DisputeRecord = {
      dispute_id: this.newDisputeId(),
      create_time: time,
      update_time: time,
      capture_id: capture.id,
      order_id: capture.order_id,
      buyer_transaction_id: newTransactionId(),
      reason: reason as DisputeReason,
      status: status as DisputeStatus,
      stage: stage as DisputeStage,
      channel,
      dispute_amount: amount,
      response_days: days,
      ...(status === 'WAITING_FOR_SELLER_RESPONSE' ? { seller_response_due_date: this.due(days) } : {}),
      messages: [],
      evidences: [],
      money_movements: [],
      delivery: { duplicate: delivery.duplicate === true, reorder: delivery.reorder === true },
    };
    this.disputes.save(d);
    const created = this.event(d, 'CUSTOMER.DISPUTE.CREATED');
    // reorder: an UPDATED for the same dispute goes out first and CREATED after it, as PayPal's
    // deliveries can arrive; receivers must not depend on CREATED coming first.
    const deliveries = d.delivery.reorder
      ? [...this.repeat(d, { event: this.event(d, 'CUSTOMER.DISPUTE.UPDATED'), afterMs: 0 }), ...this.repeat(d, { event: created, afterMs: REORDER_DELAY_MS })]
      : this.repeat(d, { event: created, afterMs: 0 });
    return { status: 201, body: this.resources.full(d), deliveries };
  }

  /** POST /sim/paypal/disputes/{id}/escalate: the buyer takes the inquiry to a claim. */
  escalateByBuyer(id: string): DisputeResult {
    const d = this.allowed(id, 'escalate');
    return this.change(this.escalated(d));
  }

  /** POST /sim/paypal/disputes/{id}/adjudicate {outcome}: PayPal decides, passing through UNDER_REVIEW. */
  settle(id: string, body: unknown): DisputeResult {
    const d = this.dispute(id);
    const outcome = isObject(body) ? body.outcome : undefined;
    if (outcome !== 'BUYER_FAVOR' && outcome !== 'SELLER_FAVOR') throw invalidValue('/outcome', outcome, 'outcome must be BUYER_FAVOR or SELLER_FAVOR.');
    if (d.status === 'RESOLVED') throw this.notAllowed(d, 'adjudicate');
    if (d.status === 'UNDER_REVIEW') return this.change(this.adjudicated(d, outcome));
    const review = this.change({ ...d, status: 'UNDER_REVIEW', seller_response_due_date: undefined, buyer_response_due_date: undefined });
    const reviewed = this.dispute(id);
    const settled = this.change(this.adjudicated(reviewed, outcome));
    return { ...settled, deliveries: [...review.deliveries, ...settled.deliveries] };
  }

  /** POST /sim/paypal/disputes/{id}/return-item: the buyer sent the item back (after an accepted claim with return). */
  returnItem(id: string): DisputeResult {
    const d = this.dispute(id);
    if (d.status === 'RESOLVED' || d.return_state !== 'REQUESTED') {
      throw unprocessable('ACTION_NOT_ALLOWED_IN_CURRENT_STATE', 'No return was requested on this dispute (accept the claim with REFUND_WITH_RETURN first).', 'disputes');
    }
    return this.change({ ...d, return_state: 'SHIPPED', status: 'WAITING_FOR_SELLER_RESPONSE', buyer_response_due_date: undefined, seller_response_due_date: this.due(d.response_days) });
  }

  /** The seller let seller_response_due_date pass: PayPal decides for the buyer (settle tick, reads). */
  expireDue(): Delivery[] {
    const time = this.iso();
    return this.disputes.sellerOverdueBy(time).flatMap((d) => this.change(this.resolvedForBuyer(d, d.dispute_amount, d.seller_response_due_date ?? time)).deliveries);
  }

  /** For /dev/paypal. */
  inspectAll(): Record<string, unknown>[] {
    return this.disputes.all().map((d) => this.resources.full(d));
  }

  inspectOrder(orderId: string): Record<string, unknown>[] {
    return this.disputes.ofOrder(orderId).map((d) => this.resources.full(d));
  }

  // ---- helpers ----

  private dispute(id: string): DisputeRecord {
    const d = this.disputes.get(id);
    if (!d) throw notFound(id, 'disputes');
    return d;
  }

  private allowed(id: string, action: DisputeAction): DisputeRecord {
    const d = this.dispute(id);
    if (!allows(d, action)) throw this.notAllowed(d, action);
    return d;
  }

  private notAllowed(d: DisputeRecord, action: DisputeAction): PayPalApiError {
    return unprocessable(
      'ACTION_NOT_ALLOWED_IN_CURRENT_STATE',
      `The action ${action} is not allowed for a dispute in stage ${d.stage} with status ${d.status}${d.return_state ? ` (return ${d.return_state})` : ''}; follow the dispute's HATEOAS links.`,
      'disputes',
    );
  }

  /** Saves a changed dispute and announces it: RESOLVED once resolved, else UPDATED. */
  private change(after: DisputeRecord): DisputeResult {
    const saved: DisputeRecord = { ...after, update_time: this.iso() };
    // Optional fields set to undefined disappear from the stored JSON.
    this.disputes.save(saved);
    const type: WebhookEventType = saved.status === 'RESOLVED' ? 'CUSTOMER.DISPUTE.RESOLVED' : 'CUSTOMER.DISPUTE.UPDATED';
    return { status: 200, body: { links: [this.resources.selfLink(saved.dispute_id)] }, deliveries: this.repeat(saved, { event: this.event(saved, type), afterMs: 0 }) };
  }

  /** The duplicate knob: the same event (same id, same bytes) delivered twice. */
  private repeat(d: DisputeRecord, delivery: Delivery): Delivery[] {
    return d.delivery.duplicate ? [delivery, { ...delivery }] : [delivery];
  }

  private event(d: DisputeRecord, type: WebhookEventType): WebhookEvent {
    const summary = type === 'CUSTOMER.DISPUTE.CREATED'
      ? `A new dispute opened with Case # ${d.dispute_id}`
      : type === 'CUSTOMER.DISPUTE.RESOLVED' ? `A dispute was resolved with case # ${d.dispute_id}` : `A dispute was updated with case # ${d.dispute_id}`;
    return webhookEvent(type, 'dispute', this.resources.webhook(d), summary, d.update_time);
  }

  /** Inquiry -> claim: PayPal now waits for the seller's evidence, with a fresh due date. */
  private escalated(d: DisputeRecord): DisputeRecord {
    return { ...d, stage: 'CHARGEBACK', status: 'WAITING_FOR_SELLER_RESPONSE', seller_response_due_date: this.due(d.response_days), buyer_response_due_date: undefined };
  }

  private adjudicated(d: DisputeRecord, outcome: 'BUYER_FAVOR' | 'SELLER_FAVOR'): DisputeRecord {
    const time = this.iso();
    if (outcome === 'BUYER_FAVOR') return this.resolvedForBuyer(d, d.dispute_amount, time);
    return { ...d, status: 'RESOLVED', outcome: { outcome_code: 'RESOLVED_SELLER_FAVOUR' }, seller_response_due_date: undefined, buyer_response_due_date: undefined };
  }

  /**
   * Resolved for the buyer: PayPal takes the money back from the seller (a DEBIT), up to what the
   * capture still holds (refunds already paid out count), and the capture's refundable amount shrinks.
   */
  private resolvedForBuyer(d: DisputeRecord, amount: Amount, time: string): DisputeRecord {
    const capture = this.capture(d);
    const left = refundableMinor(this.store, capture, this.disputes);
    const taken = toMinor(amount) < left ? toMinor(amount) : left;
    const moved = { currency_code: amount.currency_code, value: formatMinor(taken, amount.currency_code) };
    return {
      ...d,
      status: 'RESOLVED',
      outcome: { outcome_code: 'RESOLVED_BUYER_FAVOUR', amount_refunded: moved },
      money_movements: taken > 0n ? [...d.money_movements, { affected_party: 'SELLER', amount: moved, initiated_time: time, type: 'DEBIT', reason: 'DISPUTE_SETTLEMENT' }] : d.money_movements,
      reversed_minor: String(BigInt(d.reversed_minor ?? '0') + taken),
      return_state: undefined,
      seller_response_due_date: undefined,
      buyer_response_due_date: undefined,
    };
  }

  private capture(d: DisputeRecord): CaptureRecord {
    const capture = this.store.getCapture(d.capture_id);
    if (!capture) throw notFound(d.capture_id, 'payments');
    return capture;
  }

  private triggerCapture(body: Record<string, unknown>): CaptureRecord {
    const { capture_id: captureId, order_id: orderId } = body;
    if (captureId === undefined && orderId === undefined) throw missing('/capture_id');
    if (captureId !== undefined && orderId !== undefined) throw invalidValue('/order_id', orderId, 'Give capture_id or order_id, not both.');
    if (captureId !== undefined) {
      if (typeof captureId !== 'string') throw invalidValue('/capture_id', captureId);
      const capture = this.store.getCapture(captureId);
      if (!capture) throw notFound(captureId, 'payments');
      if (!DISPUTABLE.has(capture.status)) {
        throw unprocessable('CAPTURE_NOT_COMPLETED', `A buyer can dispute only a completed capture; this one is ${capture.status}.`, 'disputes', { field: '/capture_id', value: capture.id, location: 'body' });
      }
      return capture;
    }
    if (typeof orderId !== 'string') throw invalidValue('/order_id', orderId);
    if (!this.store.getOrder(orderId)) throw notFound(orderId, 'orders');
    const capture = this.store.capturesOf(orderId).find((c) => DISPUTABLE.has(c.status));
    if (!capture) throw unprocessable('CAPTURE_NOT_COMPLETED', 'The order has no completed capture to dispute.', 'disputes', { field: '/order_id', value: orderId, location: 'body' });
    return capture;
  }

  /** A request amount in the reference's currency and not above it. */
  private amountWithin(raw: unknown, field: string, limit: Amount, issue: string): Amount {
    const { amount, minor } = parseAmount(raw, field, 'disputes');
    if (amount.currency_code !== limit.currency_code) {
      throw unprocessable('CURRENCY_MISMATCH', `The currency must be ${limit.currency_code}.`, 'disputes', { field: `${field}/currency_code`, value: amount.currency_code, location: 'body' });
    }
    if (minor > toMinor(limit)) {
      throw unprocessable(issue, `The amount must not exceed ${limit.value} ${limit.currency_code}.`, 'disputes', { field: `${field}/value`, value: amount.value, location: 'body' });
    }
    return amount;
  }

  private evidence(raw: unknown, i: number, uploaded: Map<string, number>, named: Set<string>, stage: DisputeStage, date: string): EvidenceRecord {
    const at = `/evidences/${i}`;
    if (!isObject(raw)) throw invalidValue(at, raw);
    const type = raw.evidence_type;
    if (type === undefined) throw missing(`${at}/evidence_type`);
    if (typeof type !== 'string' || !/^[A-Z_]{3,64}$/.test(type)) throw invalidValue(`${at}/evidence_type`, type);
    const info = isObject(raw.evidence_info) ? raw.evidence_info : {};
    const tracking = Array.isArray(info.tracking_info) ? info.tracking_info.map((t, j) => trackingInfo(t, `${at}/evidence_info/tracking_info/${j}`)) : [];
    const refundIds = Array.isArray(info.refund_ids) ? info.refund_ids.filter((r): r is string => typeof r === 'string' && r !== '') : [];
    if (NEEDS_TRACKING.has(type) && tracking.length === 0) {
      throw unprocessable('MISSING_TRACKING_INFO', `Evidence of type ${type} needs evidence_info.tracking_info with the carrier and tracking number.`, 'disputes', { field: `${at}/evidence_info/tracking_info`, location: 'body' });
    }
    if (type === 'PROOF_OF_REFUND' && refundIds.length === 0) {
      throw unprocessable('MISSING_EVIDENCE_INFO', 'Evidence of type PROOF_OF_REFUND needs evidence_info.refund_ids.', 'disputes', { field: `${at}/evidence_info/refund_ids`, location: 'body' });
    }
    const notes = typeof raw.notes === 'string' ? raw.notes : undefined;
    if (notes !== undefined && notes.length > 2000) throw invalidValue(`${at}/notes`, `${notes.slice(0, 20)}…`, 'notes have at most 2000 characters.');
    const documents = (Array.isArray(raw.documents) ? raw.documents : []).map((doc, j) => {
      const name = isObject(doc) ? doc.name : undefined;
      if (typeof name !== 'string' || name === '') throw missing(`${at}/documents/${j}/name`);
      const size = uploaded.get(name);
      if (size === undefined) {
        throw unprocessable('MISSING_EVIDENCE_FILE', `The document '${name}' is named in the evidence but was not uploaded as an evidence-file part.`, 'disputes', { field: `${at}/documents/${j}/name`, value: name, location: 'body' });
      }
      named.add(name);
      return { name, size };
    });
    return {
      evidence_type: type,
      ...(tracking.length || refundIds.length ? { evidence_info: { ...(tracking.length ? { tracking_info: tracking } : {}), ...(refundIds.length ? { refund_ids: refundIds } : {}) } } : {}),
      ...(notes !== undefined ? { notes } : {}),
      documents,
      date,
      source: 'SUBMITTED_BY_SELLER',
      dispute_life_cycle_stage: stage,
    };
  }

  private due(days: number): string {
    return this.iso(this.now() + days * DAY_MS);
  }

  private iso(at = this.now()): string {
    return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private newDisputeId(): string {
    for (;;) {
      const id = `PP-D-${String(randomInt(10_000_000, 100_000_000))}`;
      if (!this.disputes.get(id)) return id;
    }
  }
}

function trackingInfo(raw: unknown, at: string): TrackingInfo {
  if (!isObject(raw)) throw invalidValue(at, raw);
  const out: TrackingInfo = {};
  for (const key of ['carrier_name', 'carrier_name_other', 'tracking_url', 'tracking_number'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalidValue(`${at}/${key}`, v);
    out[key] = v;
  }
  if (!out.tracking_number || !out.carrier_name) {
    throw unprocessable('MISSING_TRACKING_INFO', 'Each tracking_info needs carrier_name and tracking_number.', 'disputes', { field: at, location: 'body' });
  }
  if (out.carrier_name === 'OTHER' && !out.carrier_name_other) {
    throw unprocessable('MISSING_TRACKING_INFO', 'carrier_name OTHER needs carrier_name_other.', 'disputes', { field: `${at}/carrier_name_other`, location: 'body' });
  }
  return out;
}

function dateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) {
    throw invalidRequest({ field: name, location: 'query', value: raw, issue: 'INVALID_PARAMETER_SYNTAX', description: 'The value of a field does not conform to the expected format (an Internet date and time, RFC 3339).' }, 'disputes');
  }
  return at;
}

/** PayPal-style 17-character ids of digits and capital letters (the buyer's side of the payment). */
function newTransactionId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let id = '';
  for (let i = 0; i < 17; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}
