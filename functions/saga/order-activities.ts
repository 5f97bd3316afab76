// The order saga's activities: name, input and answer of each, shared by the orchestrators that
// call them and saga-activities.ts that implements them. Activities named here keep their names
// and shapes for as long as sagas of any version call them.
import type { Money } from '../../domain/money';
import type { OrderEvent, OrderStatus } from '../../domain/order-status';
import type { EmailStage } from '../../domain/order-events';
import type { Charge, Order, Shipment } from '../../domain/order';
import type { AdvanceResult, OrderPatch, StageResult } from '../../application/saga-steps';
import type { CarrierFailureKind, PayerFacts } from '../../application/ports';
import type { TrackingShared } from '../../application/share-tracking';
import type { RecoveryTimes } from '../wiring/durable-workflow';
import { activity } from './activity-contract';

export interface Ids {
  orderId: string;
  customerId: string;
}

/** What the saga needs to know about the order, loaded once. */
export interface SagaOrder {
  lines: { sku: string; quantity: number }[];
  total: Money;
  vaulted: boolean;
  year: number;
}

export interface IssuedDocument {
  number: string;
  issuedAt: string;
}

/** A PayPal step that PayPal could not answer (after the retry policy), or whose credentials it refused. */
export type PayPalTrouble = { ok: false; kind: 'unavailable' | 'unauthorized'; reason: string };
/** `report`: answer PayPal trouble instead of throwing it, for the saga to decide (hold or fail). */
export interface Report {
  report?: boolean;
}

export type Created = { ok: true; providerOrderId: string; needsApproval: boolean; approveUrl?: string } | { ok: false; reason: string } | PayPalTrouble;
export type Authorized = ({ ok: true; authorizationId: string; createdAt?: string; expiresAt?: string } & PayerFacts) | { ok: false; reason: string } | PayPalTrouble;
export type Captured =
  | { ok: true; captureId: string; pending?: string; reauthorization?: { authorizationId: string; createdAt?: string; expiresAt?: string } }
  | { ok: false; reason: string; expired?: boolean }
  | PayPalTrouble;
/** `pending`: PayPal accepted the refund but holds it (its reason); it counts once paid out. */
export type RefundAnswer = { ok: true; alreadyRefunded?: boolean; refundId?: string; pending?: string } | { ok: false; reason: string };
/** What became of a void: voided (now or before), captured after all (refund it), or refused. */
export type VoidAnswer = { outcome: 'voided' } | { outcome: 'captured'; captureId: string; amount: Money } | { outcome: 'failed'; reason: string };
export type CaptureStatus = { ok: true; status: 'completed' | 'pending' | 'denied'; reason?: string } | { ok: false; reason: string };
export type RefundStatus = { ok: true; status: 'completed' | 'pending' | 'failed'; reason?: string } | { ok: false; reason: string };
/** What booking a shipment answered (kind is absent in histories written before it existed). */
export type ShipAnswer = { ok: true; shipment: Shipment } | { ok: false; kind?: CarrierFailureKind; reason?: string };

/** The payment started: PayPal's order created, then authorized (vaulted) or waiting for the buyer. */
export type PaymentStart =
  | { ok: true; charge: Charge; needsApproval: boolean; recorded: StageResult }
  /** Declined, or PayPal trouble; `charge` once PayPal's order exists, `authorizeTried` once an authorize call was made. */
  | { ok: false; kind?: PayPalTrouble['kind']; reason: string; charge?: Charge; authorizeTried?: boolean };

/** The capture: taken (recorded with the hand-over to fulfilment), held by PayPal, or refused. */
export type CaptureTaken =
  | { ok: true; charge: Charge; pending?: string; recorded: StageResult }
  | { ok: false; kind?: PayPalTrouble['kind']; reason: string; expired?: boolean; charge: Charge };

/** A shipment booked and recorded (`recorded` false: the order was cancelled while on hold). */
export type Booked = { ok: true; shipment: Shipment; recorded: StageResult } | { ok: false; kind?: CarrierFailureKind; reason?: string };

export const orderActivities = {
  // ---- steps that do their work and record it on the order with its email in one go ----
  openOrder: activity<Ids & { order?: Order; at: string }, SagaOrder>('openOrder'),
  issueInvoice: activity<Ids & { number: string; at: string; events: OrderEvent[] }, { invoice: IssuedDocument; recorded: StageResult }>('issueInvoice'),
  /** `invoiceEmailed`: the invoiced email went out already (before a hold). */
  startPayment: activity<Ids & Report & { at: string; invoiceEmailed?: boolean }, PaymentStart>('startPayment'),
  takePayment: activity<Ids & Report & { charge: Charge; at: string }, CaptureTaken>('takePayment'),
  bookShipment: activity<Ids & Report & { at: string }, Booked>('bookShipment'),
  recordStage: activity<Ids & { events: OrderEvent[]; at: string; patch?: OrderPatch; shipmentFacts?: Partial<Shipment>; email?: { stage: EmailStage; reason?: string } }, StageResult>('recordStage'),
  /** Saga 6.0: the tracking number to the PayPal order's capture. */
  shareTracking: activity<Ids & { at: string }, TrackingShared>('shareTracking'),

  // ---- single calls ----
  loadOrder: activity<Ids & { order?: Order }, SagaOrder>('loadOrder'),
  advanceOrder: activity<Ids & { event: OrderEvent; at: string; patch?: OrderPatch; key?: string }, AdvanceResult>('advanceOrder'),
  patchOrder: activity<Ids & { patch: OrderPatch; at: string }, void>('patchOrder'),
  publishStage: activity<Ids & { stage: EmailStage; at: string; reason?: string; refundId?: string }, void>('publishStage'),
  issueDocument: activity<Ids & { number: string; kind: 'invoice' | 'credit-note'; corrects?: string; at: string; refundId?: string }, IssuedDocument>('issueDocument'),
  createPayment: activity<Ids & Report, Created>('createPayment'),
  authorizePayment: activity<Ids & Report & { providerOrderId: string }, Authorized>('authorizePayment'),
  capturePayment: activity<Ids & Report & { authorizationId: string; amount?: Money; authorizedAt?: string; expiresAt?: string; reauthorizationId?: string }, Captured>('capturePayment'),
  checkCapture: activity<Ids & { captureId: string }, CaptureStatus>('checkCapture'),
  voidPayment: activity<Ids & { authorizationId: string; providerOrderId: string }, VoidAnswer>('voidPayment'),
  refundPayment: activity<Ids & { captureId: string; amount: Money; requestKey?: string }, RefundAnswer>('refundPayment'),
  checkRefund: activity<Ids & { providerRefundId: string }, RefundStatus>('checkRefund'),
  createShipment: activity<Ids & Report & { at: string }, ShipAnswer>('createShipment'),
  loadRefundState: activity<Ids, { status: OrderStatus; charge?: Charge; recovery: RecoveryTimes }>('loadRefundState'),
} as const;
