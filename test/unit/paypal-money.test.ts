import fc from 'fast-check';
import { fromPayPalAmount, toPayPalAmount } from '../../adapters/paypal/paypal-money';
import { currencies, money, MoneyError } from '../../domain/money';
import type { Currency } from '../../domain/money';

test('two-decimal currencies become exact decimal strings', () => {
  expect(toPayPalAmount(money(8488, 'EUR'))).toEqual({ currency_code: 'EUR', value: '84.88' });
  expect(toPayPalAmount(money(5, 'USD'))).toEqual({ currency_code: 'USD', value: '0.05' });
  expect(toPayPalAmount(money(0, 'GBP'))).toEqual({ currency_code: 'GBP', value: '0.00' });
  expect(toPayPalAmount(money(123456789012, 'CHF'))).toEqual({ currency_code: 'CHF', value: '1234567890.12' });
});

test('zero-decimal currencies have no decimal point', () => {
  expect(toPayPalAmount(money(1200, 'JPY'))).toEqual({ currency_code: 'JPY', value: '1200' });
  expect(fromPayPalAmount({ currency_code: 'JPY', value: '1200' })).toEqual(money(1200, 'JPY'));
});

test('PayPal values with fewer decimals are read exactly', () => {
  expect(fromPayPalAmount({ currency_code: 'EUR', value: '84.8' })).toEqual(money(8480, 'EUR'));
  expect(fromPayPalAmount({ currency_code: 'EUR', value: '84' })).toEqual(money(8400, 'EUR'));
  expect(fromPayPalAmount({ currency_code: 'EUR', value: '0.07' })).toEqual(money(7, 'EUR'));
});

test('what cannot be represented exactly is refused', () => {
  expect(() => fromPayPalAmount({ currency_code: 'EUR', value: '1.234' })).toThrow(/more than 2 decimals/);
  expect(() => fromPayPalAmount({ currency_code: 'JPY', value: '1.5' })).toThrow(/more than 0 decimals/);
  expect(() => fromPayPalAmount({ currency_code: 'EUR', value: '-1.00' })).toThrow(MoneyError);
  expect(() => fromPayPalAmount({ currency_code: 'EUR', value: '1e3' })).toThrow(MoneyError);
  expect(() => fromPayPalAmount({ currency_code: 'XXX', value: '1.00' })).toThrow(/unsupported currency/);
  expect(() => fromPayPalAmount({ currency_code: 'EUR', value: '99999999999999999' })).toThrow(/too large/);
  expect(() => toPayPalAmount(money(-1, 'EUR'))).toThrow(/negative/);
});

test('every supported currency round-trips through PayPal amounts', () => {
  const codes = Object.keys(currencies) as Currency[];
  fc.assert(fc.property(fc.constantFrom(...codes), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (currency, amount) => {
    const m = money(amount, currency);
    const pp = toPayPalAmount(m);
    expect(pp.value).toMatch(currencies[currency] === 0 ? /^\d+$/ : /^\d+\.\d{2}$/);
    expect(fromPayPalAmount(pp)).toEqual(m);
  }));
});
