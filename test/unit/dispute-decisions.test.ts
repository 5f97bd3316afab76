// The dispute answer per reason, as a pure function of the order's facts.
import fc from 'fast-check';
import { buyerWon, decideResponse, trackingMessage } from '../../domain/dispute';
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

test('the inquiry message names the carrier, the tracking and whether it was delivered', () => {
  const s = { carrier: 'DHL Express', trackingNumber: '1234567890', trackingUrl: 'https://dhl.test/1234567890' };
  expect(trackingMessage(s)).toMatch(/DHL Express.*1234567890.*on its way/);
  expect(trackingMessage({ ...s, deliveredAt: '2026-12-07T10:00:00.000Z' })).toContain('delivered it on 2026-12-07');
});
