// The saga's payment steps as use cases: each calls PayPal with request ids derived from the order
// (so a repeat finds PayPal's first answer) and records what PayPal confirmed on the order, with
// the stage's email, in the same step. PayPal trouble (unavailable, our credentials refused) is
// answered with its kind, for the caller to retry or hold.
import type { Charge, Order } from '../domain/order';
import type { OrderStore, PaymentFailure, PaymentGateway, StageEventPublisher } from './ports';
import { capturePayment } from './capture-payment';
import { chargeAuthorized, chargeCaptured } from './saga-decisions';
import { knownOrder, publishStage, recordStage } from './saga-steps';
import type { StageResult } from './saga-steps';

type Trouble = Extract<PaymentFailure, { kind: 'unavailable' | 'unauthorized' }>['kind'];
const trouble = (f: { kind: string }): Trouble | undefined => (f.kind === 'unavailable' || f.kind === 'unauthorized' ? f.kind : undefined);

export type PaymentStartResult =
  | { ok: true; charge: Charge; needsApproval: boolean; recorded: StageResult }
  | { ok: false; kind?: Trouble; reason: string; charge?: Charge; authorizeTried?: boolean };

export interface PaymentDeps {
  orders: OrderStore;
  payments: PaymentGateway;
  publisher: StageEventPublisher;
  /** Where PayPal sends the buyer back after approving (the order id is appended). */
  returnUrl: (orderId: string) => string;
}

/**
 * Creates the PayPal order; with a vaulted method authorizes it at once and records the order
 * authorized, otherwise records that the buyer's approval is awaited. Either way the customer
 * gets the `invoiced` email (with the approve link when there is one), unless it went out before
 * a hold (`invoiceEmailed`).
 */
export async function startPayment(deps: PaymentDeps, a: { orderId: string; customerId: string; at: string; invoiceEmailed?: boolean }): Promise<PaymentStartResult> {
  const order = await knownOrder(deps.orders, a.orderId, a.customerId);
  const created = await createPayPalOrder(deps.payments, order, deps.returnUrl(order.id));
  if (!created.ok) return { ok: false, kind: trouble(created.failure), reason: created.failure.reason };
  let charge: Charge = { provider: 'paypal', providerOrderId: created.providerOrderId, amount: order.quote.totals.total, ...(created.approveUrl ? { approveUrl: created.approveUrl } : {}) };
  const ids = { orderId: a.orderId, customerId: a.customerId, at: a.at };
  if (created.needsApproval) {
    const recorded = await recordStage(deps, { ...ids, events: ['approval-requested'], patch: { charge }, email: { stage: 'invoiced' } });
    return { ok: true, charge, needsApproval: true, recorded };
  }
  const auth = await deps.payments.authorize(created.providerOrderId, `${order.id}:authorize`);
  if (!auth.ok) return { ok: false, kind: trouble(auth.failure), reason: auth.failure.reason, charge, authorizeTried: true };
  charge = chargeAuthorized(charge, auth);
  const recorded = await recordStage(deps, { ...ids, events: ['payment-authorized'], patch: { charge }, ...(a.invoiceEmailed ? {} : { email: { stage: 'invoiced' as const } }) });
  // Cancelled while PayPal authorized: the invoice was issued all the same, and its email goes
  // out before the cancellation's.
  if (!recorded.ok && !a.invoiceEmailed) await publishStage(deps, { ...ids, stage: 'invoiced' });
  return { ok: true, charge, needsApproval: false, recorded };
}

/** PayPal's order for the order total (intent AUTHORIZE), under the request id `<orderId>:create`. */
export function createPayPalOrder(payments: PaymentGateway, order: Order, returnUrl: string): ReturnType<PaymentGateway['createOrder']> {
  return payments.createOrder({
    orderId: order.id,
    amount: order.quote.totals.total,
    vaultId: order.payment.vaultId,
    returnUrl,
    cancelUrl: `${returnUrl}&cancelled=true`,
    requestId: `${order.id}:create`,
    shipTo: order.shippingAddress,
  });
}

export type TakePaymentResult =
  | { ok: true; charge: Charge; pending?: string; recorded: StageResult }
  | { ok: false; kind?: Trouble; reason: string; expired?: boolean; charge: Charge };

/**
 * Captures the authorization right before fulfilment (reauthorizing it first once its honour
 * period is over) and records the order paid and handed to fulfilment, with the `paid` email. A
 * capture PayPal holds (PENDING) is recorded as such, with the `payment-pending` email.
 */
export async function takePayment(
  deps: Omit<PaymentDeps, 'returnUrl'>,
  a: { orderId: string; customerId: string; charge: Charge; at: string },
  nowMs: number,
  honorSeconds: number,
): Promise<TakePaymentResult> {
  const c = a.charge;
  if (!c.authorizationId) throw new Error(`order ${a.orderId} has no authorization to capture`);
  const r = await capturePayment(deps.payments, {
    orderId: a.orderId,
    authorizationId: c.authorizationId,
    amount: c.amount,
    ...(c.authorizedAt ? { authorizedAt: c.authorizedAt } : {}),
    ...(c.authorizationExpiresAt ? { expiresAt: c.authorizationExpiresAt } : {}),
  }, nowMs, honorSeconds);
  if (!r.ok) {
    if (r.outcome === 'failure') return { ok: false, kind: r.failure.kind, reason: r.failure.reason, charge: c };
    return { ok: false, reason: r.reason, ...(r.outcome === 'expired' ? { expired: true } : {}), charge: c };
  }
  const charge = chargeCaptured(c, r, a.at);
  const ids = { orderId: a.orderId, customerId: a.customerId, at: a.at };
  const recorded = r.pending
    ? await recordStage(deps, { ...ids, events: ['capture-pending'], patch: { charge }, email: { stage: 'payment-pending' } })
    : await recordStage(deps, { ...ids, events: ['payment-captured', 'fulfilment-started'], patch: { charge }, email: { stage: 'paid' } });
  return { ok: true, charge, ...(r.pending ? { pending: r.pending } : {}), recorded };
}
