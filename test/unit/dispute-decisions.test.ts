// The dispute answer per reason, as a pure function of the order's facts.
import fc from 'fast-check';
import { buyerWon, decideResponse } from '../../domain/dispute';
import type { FulfilmentFacts } from '../../domain/dispute';

const facts = (f: Partial<FulfilmentFacts> = {}): FulfilmentFacts => ({ shipped: false, scanned: false, delivered: false, refundIds: [], ...f });

test('item not received: delivered or scanned by the carrier is proven with the tracking', () => {
  expect(decideResponse('MERCHANDISE_OR_SERVICE_NOT_RECEIVED', facts({ shipped: true, scanned: true, delivered: true })).action).toBe('prove-fulfilment');
  expect(decideResponse('MERCHANDISE_OR_SERVICE_NOT_RECEIVED', facts({ shipped: true, scanned: true })).action).toBe('prove-fulfilment');
});

test('item not received: not shipped, or only a label, is accepted', () => {
  expect(decideResponse('MERCHANDISE_OR_SERVICE_NOT_RECEIVED', facts()).action).toBe('accept-claim');
  const labelled = decideResponse('MERCHANDISE_OR_SERVICE_NOT_RECEIVED', facts({ shipped: true }));
  expect(labelled.action).toBe('accept-claim');
  expect(labelled.why).toMatch(/label/);
});

test('credit not processed: a refund made is proven, none made needs a person', () => {
  expect(decideResponse('CREDIT_NOT_PROCESSED', facts({ refundIds: ['R1'] }))).toEqual({ action: 'prove-refund', why: expect.stringContaining('R1') });
  expect(decideResponse('CREDIT_NOT_PROCESSED', facts()).action).toBe('review');
});

test('unauthorised, not as described and anything else go to review whatever the facts', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('UNAUTHORISED', 'MERCHANDISE_OR_SERVICE_NOT_AS_DESCRIBED', 'DUPLICATE_TRANSACTION', 'INCORRECT_AMOUNT', 'OTHER'),
      fc.record({ shipped: fc.boolean(), scanned: fc.boolean(), delivered: fc.boolean(), refundIds: fc.array(fc.string({ minLength: 1 }), { maxLength: 2 }) }),
      (reason, f) => decideResponse(reason, f).action === 'review',
    ),
  );
});

test('a buyer win is any outcome that returned the money to the buyer', () => {
  expect(buyerWon('RESOLVED_BUYER_FAVOUR')).toBe(true);
  expect(buyerWon('ACCEPTED')).toBe(true);
  expect(buyerWon('RESOLVED_SELLER_FAVOUR')).toBe(false);
  expect(buyerWon('CANCELED_BY_BUYER')).toBe(false);
  expect(buyerWon(undefined)).toBe(false);
});
