// The PaymentGateway port on PayPal's Orders v2 and Payments v2 APIs, through the official SDK.
// Intent AUTHORIZE: the saga authorizes when the order is placed, captures before shipping, voids
// on cancel before capture and refunds after. Every mutating call carries the saga's request id
// as PayPal-Request-Id, so the saga's retries never charge twice; the adapter itself never retries.
import {
  AuthorizationStatus,
  CaptureStatus,
  CheckoutPaymentIntent,
  Client,
  Environment,
  OrdersController,
  PaymentsController,
  RefundStatus,
} from '@paypal/paypal-server-sdk';
import type { LinkDescription, Order as PayPalOrder, PaymentAuthorization, ShipmentCarrier } from '@paypal/paypal-server-sdk';
import type { AuthorizationGrant, PaymentFailure, PaymentGateway, PayPalTracker, TrackingRequest } from '../../application/ports';
import type { ShippingAddress } from '../../domain/order';
import type { Money } from '../../domain/money';
import { redirectingAxiosAdapter } from './base-url-redirect';
import { payPalIssue, toPaymentFailure } from './paypal-failure';
import { fromPayPalAmount, toPayPalAmount } from './paypal-money';

export interface PayPalGatewayConfig {
  clientId: string;
  clientSecret: string;
  environment: 'sandbox' | 'production';
  /** Local simulator origin and path, e.g. http://127.0.0.1:7071/sim/paypal. */
  baseUrlOverride?: string;
  /** Per HTTP call; a timed-out call reports 'unavailable'. Default 30 s. */
  timeoutMs?: number;
}

const SDK_ORIGINS = { sandbox: 'https://api-m.sandbox.paypal.com', production: 'https://api-m.paypal.com' } as const;

type Failed = { ok: false; failure: PaymentFailure };

/** Reauthorization refusals the saga acts on; any other business refusal stays 'declined'. */
const REAUTHORIZE_REFUSALS: Record<string, 'expired' | 'not-allowed'> = {
  AUTHORIZATION_EXPIRED: 'expired',
  // Inside the honour period, or the original was already reauthorized once.
  REAUTHORIZATION_TOO_SOON: 'not-allowed',
  // The id is itself a reauthorization.
  REAUTHORIZATION_NOT_SUPPORTED: 'not-allowed',
  AUTHORIZATION_ALREADY_CAPTURED: 'not-allowed',
  AUTHORIZATION_VOIDED: 'not-allowed',
};

interface Sdk {
  orders: OrdersController;
  payments: PaymentsController;
}

export class PayPalGateway implements PaymentGateway {
  private sdk: Sdk | undefined;

  constructor(private readonly config: PayPalGatewayConfig) {}

  async createOrder(req: Parameters<PaymentGateway['createOrder']>[0]): Promise<
    { ok: true; providerOrderId: string; needsApproval: boolean; approveUrl?: string } | Failed
  > {
    const amount = toPayPalAmount(req.amount);
    return this.call(async ({ orders }) => {
      const { result } = await orders.createOrder({
        paypalRequestId: req.requestId,
        body: {
          intent: CheckoutPaymentIntent.Authorize,
          // Our order id in reference_id and custom_id lets support find the PayPal order and
          // survives into captures and webhooks. No invoice_id: PayPal blocks duplicate invoice
          // ids, which would decline a legitimate second attempt for the same order.
          // The address we ship to is the one PayPal shows on the transaction: Seller Protection
          // covers only deliveries to that address, so the buyer cannot change it at PayPal.
          purchaseUnits: [{
            referenceId: req.orderId,
            customId: req.orderId,
            amount: { currencyCode: amount.currency_code, value: amount.value },
            ...(req.shipTo ? { shipping: { name: { fullName: req.shipTo.name }, address: toPayPalAddress(req.shipTo) } } : {}),
          }],
          paymentSource: {
            paypal: req.vaultId
              ? { vaultId: req.vaultId }
              : { experienceContext: { returnUrl: req.returnUrl, cancelUrl: req.cancelUrl, ...(req.shipTo ? { shippingPreference: 'SET_PROVIDED_ADDRESS' as never } : {}) } },
          },
        },
      });
      if (!result.id) throw new Error('PayPal created an order without an id');
      const approveUrl = findLink(result.links, 'payer-action') ?? findLink(result.links, 'approve');
      const needsApproval = result.status === 'CREATED' || result.status === 'PAYER_ACTION_REQUIRED';
      return { ok: true as const, providerOrderId: result.id, needsApproval, ...(needsApproval && approveUrl ? { approveUrl } : {}) };
    });
  }

  async authorize(providerOrderId: string, requestId: string): Promise<({ ok: true } & AuthorizationGrant) | Failed> {
    return this.call(async ({ orders }) => {
      const { result } = await orders.authorizeOrder({ id: providerOrderId, paypalRequestId: requestId, prefer: 'return=representation' });
      const authorization = result.purchaseUnits?.[0]?.payments?.authorizations?.[0];
      if (!authorization?.id) throw new Error(`PayPal authorized order ${providerOrderId} without an authorization`);
      if (authorization.status === AuthorizationStatus.Denied) return declined(`authorization ${authorization.id} DENIED`);
      return { ok: true as const, ...grantOf(authorization, authorization.id), ...payerOf(result) };
    });
  }

  async reauthorize(authorizationId: string, amount: Money, requestId: string): ReturnType<PaymentGateway['reauthorize']> {
    const value = toPayPalAmount(amount);
    return this.call(async ({ payments }) => {
      const { result } = await payments.reauthorizePayment({
        authorizationId,
        paypalRequestId: requestId,
        // The full representation carries create_time and expiration_time.
        prefer: 'return=representation',
        body: { amount: { currencyCode: value.currency_code, value: value.value } },
      });
      if (!result.id) throw new Error(`PayPal reauthorized ${authorizationId} without an authorization id`);
      if (result.status === AuthorizationStatus.Denied) return declined(`reauthorization ${result.id} of ${authorizationId} DENIED`);
      return { ok: true as const, ...grantOf(result, result.id) };
    }, (err) => {
      const issue = payPalIssue(err);
      const kind = issue === undefined ? undefined : REAUTHORIZE_REFUSALS[issue];
      return kind ? { ok: false as const, failure: { kind, reason: `PayPal refused to reauthorize ${authorizationId}: ${issue}` } } : undefined;
    });
  }

  async capture(authorizationId: string, requestId: string): ReturnType<PaymentGateway['capture']> {
    return this.call(async ({ payments }) => {
      // final_capture: the order ships once, so the rest of the authorization is released.
      // The full representation carries status_details: why PayPal holds a PENDING capture.
      const { result } = await payments.captureAuthorizedPayment({ authorizationId, paypalRequestId: requestId, prefer: 'return=representation', body: { finalCapture: true } });
      if (!result.id) throw new Error(`PayPal captured ${authorizationId} without a capture id`);
      if (result.status === CaptureStatus.Declined || result.status === CaptureStatus.Failed) {
        return declined(`capture ${result.id} ${result.status}`);
      }
      const facts = {
        ...(result.createTime ? { capturedAt: result.createTime } : {}),
        ...(result.sellerProtection?.status ? { sellerProtection: { status: result.sellerProtection.status, disputeCategories: [...(result.sellerProtection.disputeCategories ?? [])] } } : {}),
      };
      if (result.status === CaptureStatus.Pending) return { ok: true as const, captureId: result.id, pending: result.statusDetails?.reason ?? 'PENDING', ...facts };
      return { ok: true as const, captureId: result.id, ...facts };
    }, (err) => (payPalIssue(err) === 'AUTHORIZATION_EXPIRED' ? { ok: false as const, failure: { kind: 'expired' as const, reason: `authorization ${authorizationId} has expired` } } : undefined));
  }

  async captureStatus(captureId: string): Promise<{ ok: true; status: 'completed' | 'pending' | 'denied'; reason?: string } | Failed> {
    return this.call(async ({ payments }) => {
      const { result } = await payments.getCapturedPayment({ captureId });
      const reason = result.statusDetails?.reason;
      switch (result.status) {
        case CaptureStatus.Pending:
          return { ok: true as const, status: 'pending' as const, reason: reason ?? 'PENDING' };
        case CaptureStatus.Declined:
        case CaptureStatus.Failed:
          return { ok: true as const, status: 'denied' as const, reason: `capture ${captureId} ${result.status}${reason ? ` (${reason})` : ''}` };
        default:
          // COMPLETED, or refunded since: the money arrived.
          return { ok: true as const, status: 'completed' as const };
      }
    });
  }

  async voidAuthorization(authorizationId: string, requestId: string): Promise<{ ok: true } | { ok: false; failure: PaymentFailure | { kind: 'captured'; reason: string } }> {
    try {
      await this.sdkClient().payments.voidPayment({ authorizationId, paypalRequestId: requestId });
      return { ok: true };
    } catch (err) {
      const issue = payPalIssue(err);
      // Already voided is the state we asked for (e.g. a retry under a new request id); so is
      // expired: PayPal holds nothing and will capture nothing.
      if (issue === 'PREVIOUSLY_VOIDED' || issue === 'AUTHORIZATION_EXPIRED') return { ok: true };
      // The money was taken after all (a capture whose answer never reached us): not voidable,
      // refundable.
      if (issue === 'PREVIOUSLY_CAPTURED' || issue === 'AUTHORIZATION_ALREADY_CAPTURED') {
        return { ok: false, failure: { kind: 'captured', reason: `authorization ${authorizationId} was already captured` } };
      }
      return this.failed(err);
    }
  }

  async findCapture(providerOrderId: string): Promise<{ ok: true; capture?: { captureId: string; amount: Money } } | Failed> {
    return this.call(async ({ orders }) => {
      const { result } = await orders.getOrder({ id: providerOrderId });
      // One purchase unit per order (a reauthorization's captures show on it too), so any capture that moved money is ours.
      const taken = new Set<string>([CaptureStatus.Completed, CaptureStatus.PartiallyRefunded, CaptureStatus.Refunded, CaptureStatus.Pending]);
      const capture = (result.purchaseUnits?.[0]?.payments?.captures ?? []).find((c) => c.id && c.status && taken.has(c.status));
      if (!capture?.id || !capture.amount) return { ok: true as const };
      return { ok: true as const, capture: { captureId: capture.id, amount: fromPayPalAmount({ currency_code: capture.amount.currencyCode, value: capture.amount.value }) } };
    });
  }

  async refund(captureId: string, amount: Money, requestId: string): Promise<{ ok: true; refundId: string } | { ok: false; failure: PaymentFailure | { kind: 'fully-refunded'; reason: string } }> {
    const value = toPayPalAmount(amount);
    const r = await this.call(async ({ payments }) => {
      const { result } = await payments.refundCapturedPayment({
        captureId,
        paypalRequestId: requestId,
        prefer: 'return=representation',
        body: { amount: { currencyCode: value.currency_code, value: value.value } },
      });
      if (!result.id) throw new Error(`PayPal refunded ${captureId} without a refund id`);
      if (result.status === RefundStatus.Failed || result.status === RefundStatus.Cancelled) return declined(`refund ${result.id} ${result.status}`);
      if (result.status === RefundStatus.Pending) return { ok: true as const, refundId: result.id, pending: result.statusDetails?.reason ?? 'PENDING' };
      return { ok: true as const, refundId: result.id };
    }, (err) => (payPalIssue(err) === 'CAPTURE_FULLY_REFUNDED' ? { ok: false as const, failure: { kind: 'fully-refunded' as const, reason: `capture ${captureId} is already fully refunded` } } : undefined));
    return r;
  }

  async refundStatus(refundId: string): Promise<{ ok: true; status: 'completed' | 'pending' | 'failed'; reason?: string } | Failed> {
    return this.call(async ({ payments }) => {
      const { result } = await payments.getRefund({ refundId });
      if (result.status === RefundStatus.Pending) return { ok: true as const, status: 'pending' as const, reason: result.statusDetails?.reason ?? 'PENDING' };
      if (result.status === RefundStatus.Failed || result.status === RefundStatus.Cancelled) return { ok: true as const, status: 'failed' as const, reason: `refund ${refundId} ${result.status}` };
      return { ok: true as const, status: 'completed' as const };
    });
  }

  async addTracking(req: TrackingRequest): ReturnType<PaymentGateway['addTracking']> {
    // PayPal's tracking call takes no PayPal-Request-Id: a repeat is recognised by the tracker
    // already on the order (same capture and tracking number), before and after a refusal.
    const existing = await this.call(async ({ orders }) => ({ ok: true as const, tracker: trackerOn((await orders.getOrder({ id: req.providerOrderId })).result, req) }));
    if (!existing.ok) return existing;
    if (existing.tracker) return { ok: true, tracker: existing.tracker };
    const created = await this.call(async ({ orders }) => {
      const { result } = await orders.createOrderTracking({
        id: req.providerOrderId,
        body: {
          captureId: req.captureId,
          trackingNumber: req.trackingNumber,
          ...payPalCarrier(req.carrier),
          notifyPayer: req.notifyPayer,
          items: req.items.map((i) => ({ name: i.name.slice(0, 127), quantity: String(i.quantity), sku: i.sku.slice(0, 127) })),
        },
      });
      const tracker = trackerOn(result, req);
      if (!tracker) throw new Error(`PayPal took tracking ${req.trackingNumber} for order ${req.providerOrderId} but shows no tracker for it`);
      return { ok: true as const, tracker };
    });
    if (created.ok) return created;
    // Refused as a duplicate, or the answer lost: the tracker may be there by now.
    const again = await this.call(async ({ orders }) => ({ ok: true as const, tracker: trackerOn((await orders.getOrder({ id: req.providerOrderId })).result, req) }));
    return again.ok && again.tracker ? { ok: true, tracker: again.tracker } : created;
  }

  async cancelTracking(providerOrderId: string, trackerId: string): ReturnType<PaymentGateway['cancelTracking']> {
    return this.call(async ({ orders }) => {
      await orders.updateOrderTracking({ id: providerOrderId, trackerId, body: [{ op: 'replace' as never, path: '/status', value: 'CANCELLED' }] });
      return { ok: true as const };
    });
  }

  /** `known` turns an error PayPal answers with into a specific result before the generic mapping. */
  private async call<T, K = never>(work: (sdk: Sdk) => Promise<T>, known?: (err: unknown) => K | undefined): Promise<T | K | Failed> {
    try {
      return await work(this.sdkClient());
    } catch (err) {
      const specific = known?.(err);
      return specific !== undefined ? specific : this.failed(err);
    }
  }

  private failed(err: unknown): Failed {
    const failure = toPaymentFailure(err);
    // The SDK shares one token promise per client; once a token request fails, every later call
    // replays that rejection, and a token PayPal refuses (401) stays cached until it expires. A
    // fresh client fetches a new token on the next call.
    if (failure.kind === 'unavailable' || failure.kind === 'unauthorized') this.sdk = undefined;
    return { ok: false, failure };
  }

  private sdkClient(): Sdk {
    if (this.sdk) return this.sdk;
    const { clientId, clientSecret, environment, baseUrlOverride, timeoutMs = 30_000 } = this.config;
    const client = new Client({
      clientCredentialsAuthCredentials: { oAuthClientId: clientId, oAuthClientSecret: clientSecret },
      environment: environment === 'production' ? Environment.Production : Environment.Sandbox,
      timeout: timeoutMs,
      // Retries belong to the saga, which repeats the same PayPal-Request-Id.
      httpClientOptions: { timeout: timeoutMs, retryConfig: { maxNumberOfRetries: 0 } },
      ...(baseUrlOverride ? { unstable_httpClientOptions: { adapter: redirectingAxiosAdapter(SDK_ORIGINS[environment], baseUrlOverride) } } : {}),
    });
    this.sdk = { orders: new OrdersController(client), payments: new PaymentsController(client) };
    return this.sdk;
  }
}

/** PayPal's dates of an authorization, when it gives them. */
function grantOf(a: Pick<PaymentAuthorization, 'createTime' | 'expirationTime'>, authorizationId: string): AuthorizationGrant {
  return { authorizationId, ...(a.createTime ? { createdAt: a.createTime } : {}), ...(a.expirationTime ? { expiresAt: a.expirationTime } : {}) };
}

/** PayPal's ShipmentCarrier code for our carrier; OTHER with the name for one PayPal does not list. */
const payPalCarriers: Record<string, string> = { 'DHL Express': 'DHL', DHL: 'DHL', UPS: 'UPS', FedEx: 'FEDEX', USPS: 'USPS' };
export function payPalCarrier(carrier: string): { carrier: ShipmentCarrier; carrierNameOther?: string } {
  const code = payPalCarriers[carrier];
  return code ? { carrier: code as ShipmentCarrier } : { carrier: 'OTHER' as ShipmentCarrier, carrierNameOther: carrier.slice(0, 64) };
}

function toPayPalAddress(a: ShippingAddress): { addressLine1: string; addressLine2?: string; adminArea2: string; adminArea1?: string; postalCode: string; countryCode: string } {
  return { addressLine1: a.line1, ...(a.line2 ? { addressLine2: a.line2 } : {}), adminArea2: a.city, ...(a.state ? { adminArea1: a.state } : {}), postalCode: a.postalCode, countryCode: a.country };
}

/** The payer, and the shipping address PayPal shows on the transaction, when PayPal's answer has them. */
function payerOf(o: PayPalOrder): { payer?: { id?: string; email?: string }; payPalShippingAddress?: ShippingAddress } {
  const payer = o.payer ? { ...(o.payer.payerId ? { id: o.payer.payerId } : {}), ...(o.payer.emailAddress ? { email: o.payer.emailAddress } : {}) } : undefined;
  const ship = o.purchaseUnits?.[0]?.shipping;
  const a = ship?.address;
  const address: ShippingAddress | undefined = a?.addressLine1 && a.adminArea2 && a.postalCode
    ? { name: ship?.name?.fullName ?? '', line1: a.addressLine1, ...(a.addressLine2 ? { line2: a.addressLine2 } : {}), city: a.adminArea2, postalCode: a.postalCode, country: a.countryCode, ...(a.adminArea1 ? { state: a.adminArea1 } : {}) }
    : undefined;
  return { ...(payer && Object.keys(payer).length ? { payer } : {}), ...(address ? { payPalShippingAddress: address } : {}) };
}

/** The order's tracker for this capture and tracking number, if PayPal shows one. */
function trackerOn(o: PayPalOrder, req: Pick<TrackingRequest, 'captureId' | 'trackingNumber'>): PayPalTracker | undefined {
  const id = `${req.captureId}-${req.trackingNumber}`;
  for (const unit of o.purchaseUnits ?? []) {
    const t = (unit.shipping?.trackers ?? []).find((x) => x.id === id || x.id?.endsWith(`-${req.trackingNumber}`));
    if (t?.id) return { id: t.id, status: t.status === 'CANCELLED' ? 'CANCELLED' : 'SHIPPED' };
  }
  return undefined;
}

function declined(reason: string): Failed {
  return { ok: false, failure: { kind: 'declined', reason } };
}

function findLink(links: LinkDescription[] | undefined, rel: string): string | undefined {
  return links?.find((l) => l.rel === rel)?.href;
}
