// Captures an authorization right before fulfilment, minding PayPal's authorization life cycle:
// an authorization past its honour period is reauthorized first (once, PayPal-Request-Id
// `<orderId>:reauthorize`, so a retry gets the same reauthorization), and an expired one is never
// captured. Idempotent: every PayPal call carries a request id derived from the order.
import { captureStep } from '../domain/authorization';
import type { Money } from '../domain/money';
import type { AuthorizationGrant, PaymentFailure, PaymentGateway } from './ports';

export interface CaptureInput {
  orderId: string;
  /** The authorization PayPal granted. */
  authorizationId: string;
  amount?: Money;
  /** Its dates as PayPal gave them (absent for authorizations recorded before they were kept). */
  authorizedAt?: string;
  expiresAt?: string;
  /** Made earlier: capture it. */
  reauthorizationId?: string;
}

export type CaptureResult =
  | { ok: true; captureId: string; pending?: string; reauthorization?: AuthorizationGrant; capturedAt?: string; sellerProtection?: { status: string; disputeCategories: string[] } }
  | { ok: false; outcome: 'declined' | 'expired'; reason: string }
  | { ok: false; outcome: 'failure'; failure: Extract<PaymentFailure, { kind: 'unavailable' | 'unauthorized' }> };

export async function capturePayment(payments: PaymentGateway, a: CaptureInput, nowMs: number, honorSeconds: number): Promise<CaptureResult> {
  const step = captureStep({ createdAt: a.authorizedAt, expiresAt: a.expiresAt, reauthorized: a.reauthorizationId !== undefined }, nowMs, honorSeconds);
  if (step === 'expired') return { ok: false, outcome: 'expired', reason: `PayPal authorization ${a.authorizationId} expired at ${a.expiresAt}` };
  let target = a.reauthorizationId ?? a.authorizationId;
  let reauthorization: AuthorizationGrant | undefined;
  if (step === 'reauthorize' && a.amount) {
    const r = await payments.reauthorize(a.authorizationId, a.amount, `${a.orderId}:reauthorize`);
    if (r.ok) {
      reauthorization = { authorizationId: r.authorizationId, ...(r.createdAt ? { createdAt: r.createdAt } : {}), ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}) };
      target = r.authorizationId;
    } else if (r.failure.kind === 'expired') {
      return { ok: false, outcome: 'expired', reason: r.failure.reason };
    } else if (r.failure.kind === 'unavailable' || r.failure.kind === 'unauthorized') {
      return { ok: false, outcome: 'failure', failure: r.failure };
    }
    // 'not-allowed' (too early by PayPal's clock) or 'declined': the original can still be
    // captured; only its funds are no longer guaranteed.
  }
  const cap = await payments.capture(target, target === a.authorizationId ? `${a.orderId}:capture` : `${a.orderId}:capture-reauthorized`);
  if (cap.ok) return { ...cap, ...(reauthorization ? { reauthorization } : {}) };
  if (cap.failure.kind === 'expired') return { ok: false, outcome: 'expired', reason: cap.failure.reason };
  if (cap.failure.kind === 'unavailable' || cap.failure.kind === 'unauthorized') return { ok: false, outcome: 'failure', failure: cap.failure };
  return { ok: false, outcome: 'declined', reason: cap.failure.reason };
}
