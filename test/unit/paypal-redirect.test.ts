import { rewritePayPalUrl } from '../../adapters/paypal/base-url-redirect';

const sandbox = 'https://api-m.sandbox.paypal.com';
const local = 'http://127.0.0.1:7071/sim/paypal';

test('PayPal URLs move to the override base, keeping path and query', () => {
  expect(rewritePayPalUrl(`${sandbox}/v1/oauth2/token`, sandbox, local)).toBe('http://127.0.0.1:7071/sim/paypal/v1/oauth2/token');
  expect(rewritePayPalUrl(`${sandbox}/v2/checkout/orders/ABC?fields=payment_source`, sandbox, `${local}/`)).toBe(
    'http://127.0.0.1:7071/sim/paypal/v2/checkout/orders/ABC?fields=payment_source',
  );
});

test('other hosts, including look-alikes, are refused rather than sent out', () => {
  expect(() => rewritePayPalUrl('https://api-m.paypal.com/v1/oauth2/token', sandbox, local)).toThrow(/refusing/);
  expect(() => rewritePayPalUrl(`${sandbox}.evil.example/v1/oauth2/token`, sandbox, local)).toThrow(/refusing/);
});
