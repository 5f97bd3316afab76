// The order saga's decisions about money, as pure functions of what PayPal confirmed: how the
// charge reads after each answer, and what compensation still has to undo. The orchestrator only
// sequences them (and unit tests pin them without a runtime).
import type { Charge } from '../domain/order';
import type { AuthorizationGrant, PayerFacts } from './ports';

/** The charge once PayPal authorized it (with PayPal's dates, payer and shipping address, when it gave them). */
export function chargeAuthorized(charge: Charge, grant: AuthorizationGrant & PayerFacts): Charge {
  return {
    ...charge,
    authorizationId: grant.authorizationId,
    ...(grant.createdAt ? { authorizedAt: grant.createdAt } : {}),
    ...(grant.expiresAt ? { authorizationExpiresAt: grant.expiresAt } : {}),
    ...(grant.payer ? { payer: grant.payer } : {}),
    ...(grant.payPalShippingAddress ? { payPalShippingAddress: grant.payPalShippingAddress } : {}),
  };
}

/** The charge once PayPal took the capture: of the reauthorization if one was made, pending while PayPal holds the money. */
export function chargeCaptured(
  charge: Charge,
  capture: { captureId: string; pending?: string; reauthorization?: AuthorizationGrant; capturedAt?: string; sellerProtection?: Charge['sellerProtection'] },
  at: string,
): Charge {
  const re = capture.reauthorization;
  return {
    ...charge,
    capturedAt: capture.capturedAt ?? at,
    ...(capture.sellerProtection ? { sellerProtection: capture.sellerProtection } : {}),
    ...(re ? { reauthorizationId: re.authorizationId, ...(re.createdAt ? { authorizedAt: re.createdAt } : {}), ...(re.expiresAt ? { authorizationExpiresAt: re.expiresAt } : {}) } : {}),
    captureId: capture.captureId,
    ...(capture.pending ? { capturePending: { reason: capture.pending, since: at } } : {}),
  };
}

/** A pending capture settled: completed (the money is in) or denied (nothing was taken, the authorization is used up). */
export function chargeSettled(charge: Charge, settled: { ok: true } | { ok: false; reason: string }): Charge {
  const { captureId, capturePending: _, ...rest } = charge;
  return settled.ok ? { ...rest, captureId } : { ...rest, captureDenied: settled.reason };
}

/**
 * The charge after PayPal answered a void: voided (now or before); captured after all, by a
 * capture whose answer was lost (so it is refunded next); or refused, kept as the reason.
 */
export function chargeAfterVoid(charge: Charge, answer: { outcome: 'voided' } | { outcome: 'captured'; captureId: string } | { outcome: 'failed'; reason: string }): Charge {
  if (answer.outcome === 'voided') {
    const { voidFailure: _, ...rest } = charge;
    return { ...rest, voided: true };
  }
  return answer.outcome === 'captured' ? { ...charge, captureId: answer.captureId } : { ...charge, voidFailure: answer.reason };
}

/** A capture that is not (yet) refunded. */
export const refundOwed = (charge: Charge | undefined): boolean => charge?.captureId !== undefined && !charge.refunded;

/**
 * What compensation has to do about the payment, in this order:
 * - `findAuthorization`: an authorize call was made whose answer never came; asking again with
 *   the same request id returns the authorization if PayPal made one, so it can be voided;
 * - `void`: an authorization that can still be captured (not captured, voided, denied or expired);
 * - `refund`: a capture not yet refunded.
 */
export function paymentUndo(charge: Charge | undefined, authorizeTried: boolean): { findAuthorization: boolean; void: boolean; refund: boolean } {
  if (!charge) return { findAuthorization: false, void: false, refund: false };
  return {
    findAuthorization: authorizeTried && !charge.authorizationId && !charge.captureId,
    void: mayVoid(charge),
    refund: refundOwed(charge),
  };
}

/** A denied capture used the authorization up and took nothing, an expired one holds nothing: neither is voided. */
export const mayVoid = (charge: Charge): boolean =>
  charge.authorizationId !== undefined && !charge.captureId && !charge.voided && !charge.captureDenied && !charge.authorizationExpired;
