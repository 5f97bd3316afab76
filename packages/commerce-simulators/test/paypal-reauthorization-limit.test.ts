// PayPal's cap on a reauthorization: 115% of the original, and no more than USD 75 above it.
import { reauthorizationLimit } from '../src/paypal/paypal-amounts';

test.each([
  ['USD', '100.00', 11_500n],
  ['USD', '499.99', 57_498n],
  ['USD', '500.00', 57_500n],
  ['USD', '1000.00', 107_500n],
  ['EUR', '84.88', 9_761n],
  ['EUR', '1000.00', 106_900n],
  ['JPY', '1000', 1_150n],
  ['JPY', '100000', 111_250n],
])('%s %s may be reauthorized for at most %s minor units', (currency_code, value, limit) => {
  expect(reauthorizationLimit({ currency_code, value })).toBe(limit);
});
