// Amount validation as PayPal does it, and exact minor-unit arithmetic for the simulator's
// bookkeeping (captured vs refunded). Deliberately independent of domain/money.ts: the simulator
// plays PayPal, which knows more currencies than our shop sells.
import { invalidRequest, unprocessable } from './paypal-errors';
import type { PayPalApi } from './paypal-errors';

export interface Amount {
  currency_code: string;
  value: string;
}

/** Currencies PayPal accepts in REST payments, with the decimals it allows. */
const DECIMALS: Record<string, number> = {
  AUD: 2, BRL: 2, CAD: 2, CHF: 2, CNY: 2, CZK: 2, DKK: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 0, ILS: 2,
  JPY: 0, MXN: 2, MYR: 2, NOK: 2, NZD: 2, PHP: 2, PLN: 2, SEK: 2, SGD: 2, THB: 2, TWD: 0, USD: 2,
};

/** Parses and checks a request amount; `field` is the JSON pointer PayPal reports errors at. */
export function parseAmount(raw: unknown, field: string, api: PayPalApi): { amount: Amount; minor: bigint } {
  if (!raw || typeof raw !== 'object') throw invalidRequest({ field, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, api);
  const { currency_code: code, value } = raw as Record<string, unknown>;
  if (typeof code !== 'string' || code === '') {
    throw invalidRequest({ field: `${field}/currency_code`, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, api);
  }
  if (typeof value !== 'string' || value === '') {
    throw invalidRequest({ field: `${field}/value`, issue: 'MISSING_REQUIRED_PARAMETER', description: 'A required field / parameter is missing.' }, api);
  }
  const decimals = DECIMALS[code];
  if (decimals === undefined) {
    throw unprocessable('CURRENCY_NOT_SUPPORTED', 'Currency code is not currently supported.', api, { field: `${field}/currency_code`, value: code, location: 'body' });
  }
  const match = /^-?(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match || value.length > 32) {
    throw invalidRequest({ field: `${field}/value`, value, issue: 'INVALID_PARAMETER_SYNTAX', description: 'The value of a field does not conform to the expected format.' }, api);
  }
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    const description = decimals === 0 ? 'The currency does not support decimals.' : 'If the currency supports decimals, only two decimal place precision is supported.';
    throw unprocessable('DECIMAL_PRECISION', description, api, { field: `${field}/value`, value, location: 'body' });
  }
  const minor = BigInt(match[1] + fraction.padEnd(decimals, '0'));
  if (value.startsWith('-') || minor === 0n) {
    throw unprocessable('CANNOT_BE_ZERO_OR_NEGATIVE', 'Must be greater than zero.', api, { field: `${field}/value`, value, location: 'body' });
  }
  return { amount: { currency_code: code, value: formatMinor(minor, code) }, minor };
}

export function toMinor(amount: Amount): bigint {
  const decimals = DECIMALS[amount.currency_code] ?? 2;
  const [units, fraction = ''] = amount.value.split('.');
  return BigInt(units + fraction.padEnd(decimals, '0'));
}

export function formatMinor(minor: bigint, currency: string): string {
  const decimals = DECIMALS[currency] ?? 2;
  const digits = minor.toString().padStart(decimals + 1, '0');
  return decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/**
 * Fixed indicative units per US dollar, for PayPal's "+75 USD" reauthorization cap in other
 * currencies. Not live rates (the simulator converts nothing else): they keep tests deterministic.
 */
const UNITS_PER_USD: Record<string, number> = {
  AUD: 1.5, BRL: 5, CAD: 1.35, CHF: 0.9, CNY: 7.2, CZK: 23, DKK: 6.9, EUR: 0.92, GBP: 0.79, HKD: 7.8, HUF: 360, ILS: 3.7,
  JPY: 150, MXN: 17, MYR: 4.7, NOK: 10.5, NZD: 1.65, PHP: 56, PLN: 4, SEK: 10.5, SGD: 1.35, THB: 36, TWD: 32, USD: 1,
};

/**
 * The most a reauthorization of `original` may ask, in minor units: PayPal allows up to 115% of
 * the original, and an increase of no more than USD 75.
 */
export function reauthorizationLimit(original: Amount): bigint {
  const minor = toMinor(original);
  const byPercent = (minor * 115n) / 100n;
  const decimals = DECIMALS[original.currency_code] ?? 2;
  const cap = BigInt(Math.round(75 * (UNITS_PER_USD[original.currency_code] ?? 1) * 10 ** decimals));
  return byPercent < minor + cap ? byPercent : minor + cap;
}
