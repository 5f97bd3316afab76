// The order saga's money decisions (application/saga-decisions.ts): what compensation does about
// the payment, for every combination of what PayPal confirmed.
import fc from 'fast-check';
import { chargeAfterVoid, chargeAuthorized, chargeCaptured, chargeSettled, mayVoid, paymentUndo, refundOwed } from '../../application/saga-decisions';
import type { Charge } from '../../domain/order';

const amount = { amount: 4200, currency: 'EUR' as const };
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const charges: fc.Arbitrary<Charge> = fc.record({
  provider: fc.constant('paypal' as const),
  providerOrderId: fc.constant('PP-1'),
  amount: fc.constant(amount),
  authorizationId: opt(fc.constant('AUTH-1')),
  captureId: opt(fc.constant('CAP-1')),
  voided: opt(fc.boolean()),
  captureDenied: opt(fc.constant('denied after review')),
  authorizationExpired: opt(fc.boolean()),
  refunded: opt(fc.constant(amount)),
});

test('compensation never both voids and refunds, refunds exactly a capture not yet refunded, and voids only what can still be captured', () => {
  fc.assert(fc.property(charges, fc.boolean(), (charge, tried) => {
    const plan = paymentUndo(charge, tried);
    expect(plan.void && plan.refund).toBe(false);
    expect(plan.refund).toBe(charge.captureId !== undefined && charge.refunded === undefined);
    if (plan.void) {
      expect(charge.authorizationId).toBeDefined();
      expect(charge.captureId ?? charge.voided ?? charge.captureDenied ?? charge.authorizationExpired).toBeFalsy();
    }
    // Asking again for a lost authorization only makes sense when an authorize call went out and nothing came back.
    expect(plan.findAuthorization).toBe(tried && !charge.authorizationId && !charge.captureId);
  }));
});

test('no charge: nothing to undo', () => {
  expect(paymentUndo(undefined, true)).toEqual({ findAuthorization: false, void: false, refund: false });
  expect(refundOwed(undefined)).toBe(false);
});

test('an authorization, a capture of its reauthorization, and a pending capture settling either way', () => {
  const base: Charge = { provider: 'paypal', providerOrderId: 'PP-1', amount };
  const authorized = chargeAuthorized(base, { authorizationId: 'AUTH-1', createdAt: '2026-12-01T00:00:00Z', expiresAt: '2026-12-30T00:00:00Z' });
  expect(authorized).toMatchObject({ authorizationId: 'AUTH-1', authorizedAt: '2026-12-01T00:00:00Z', authorizationExpiresAt: '2026-12-30T00:00:00Z' });
  expect(mayVoid(authorized)).toBe(true);

  const captured = chargeCaptured(authorized, { captureId: 'CAP-1', reauthorization: { authorizationId: 'AUTH-2', createdAt: '2026-12-05T00:00:00Z' } }, '2026-12-05T01:00:00Z');
  // Voids always name the original authorization; the capture took the reauthorization.
  expect(captured).toMatchObject({ authorizationId: 'AUTH-1', reauthorizationId: 'AUTH-2', authorizedAt: '2026-12-05T00:00:00Z', captureId: 'CAP-1' });
  expect(captured.capturePending).toBeUndefined();
  expect(refundOwed(captured)).toBe(true);

  const pending = chargeCaptured(authorized, { captureId: 'CAP-1', pending: 'PENDING_REVIEW' }, '2026-12-05T01:00:00Z');
  expect(pending.capturePending).toEqual({ reason: 'PENDING_REVIEW', since: '2026-12-05T01:00:00Z' });
  const completed = chargeSettled(pending, { ok: true });
  expect(completed).toMatchObject({ captureId: 'CAP-1' });
  expect(completed.capturePending).toBeUndefined();
  const denied = chargeSettled(pending, { ok: false, reason: 'denied after review' });
  expect(denied.captureId).toBeUndefined();
  expect(denied.captureDenied).toBe('denied after review');
  // A denied capture used the authorization up and took nothing: neither voided nor refunded.
  expect(paymentUndo(denied, true)).toEqual({ findAuthorization: false, void: false, refund: false });
});

test('a void answer: voided clears an earlier refusal; captured after all is then refunded; a refusal is kept and the authorization is not counted voided', () => {
  const open: Charge = { provider: 'paypal', providerOrderId: 'PP-1', amount, authorizationId: 'AUTH-1', voidFailure: 'earlier refusal' };
  const voided = chargeAfterVoid(open, { outcome: 'voided' });
  expect(voided.voided).toBe(true);
  expect(voided.voidFailure).toBeUndefined();
  expect(paymentUndo(voided, true)).toEqual({ findAuthorization: false, void: false, refund: false });
  const captured = chargeAfterVoid(open, { outcome: 'captured', captureId: 'CAP-9' });
  expect(paymentUndo(captured, true)).toEqual({ findAuthorization: false, void: false, refund: true });
  const refused = chargeAfterVoid(open, { outcome: 'failed', reason: 'CANNOT_BE_VOIDED' });
  expect(refused).toMatchObject({ voidFailure: 'CANNOT_BE_VOIDED' });
  expect(refused.voided).toBeUndefined();
});
