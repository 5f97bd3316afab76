// Money as integer minor units with an explicit ISO 4217 currency. Arithmetic never mixes
// currencies and never leaves the safe-integer range; rates and splits round explicitly, using
// BigInt so intermediate products are exact.

/** Minor-unit exponent per supported currency (ISO 4217). */
export const currencies = { EUR: 2, USD: 2, GBP: 2, CHF: 2, SEK: 2, DKK: 2, NOK: 2, PLN: 2, CZK: 2, JPY: 0 } as const;
export type Currency = keyof typeof currencies;

export interface Money {
  /** Minor units (cents for EUR); a safe integer, possibly negative. */
  readonly amount: number;
  readonly currency: Currency;
}

export class MoneyError extends Error {}

export type Rounding = 'halfEven' | 'halfUp';

export function isCurrency(code: string): code is Currency {
  return Object.prototype.hasOwnProperty.call(currencies, code);
}

export function money(amount: number, currency: string): Money {
  if (!isCurrency(currency)) throw new MoneyError(`unsupported currency "${currency}"`);
  if (!Number.isSafeInteger(amount)) throw new MoneyError(`amount must be a safe integer number of minor units, got ${amount}`);
  // Normalize -0 (e.g. -1 × 0) so equal amounts compare equal.
  return { amount: amount === 0 ? 0 : amount, currency };
}

export const zero = (currency: Currency): Money => ({ amount: 0, currency });

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new MoneyError(`cannot combine ${a.currency} with ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

export function multiply(m: Money, factor: number): Money {
  if (!Number.isSafeInteger(factor)) throw new MoneyError(`factor must be an integer, got ${factor}`);
  return money(m.amount * factor, m.currency);
}

export function sum(currency: Currency, items: readonly Money[]): Money {
  return items.reduce(add, zero(currency));
}

/** numerator / denominator rounded to an integer (denominator > 0). */
export function roundDiv(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator <= 0n) throw new MoneyError('denominator must be positive');
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  let q = n / denominator;
  const twice = 2n * (n % denominator);
  if (twice > denominator || (twice === denominator && (rounding === 'halfUp' || q % 2n === 1n))) q += 1n;
  return negative ? -q : q;
}

/** m × basisPoints / 10,000 (1 bp = 0.01 %), rounded. */
export function applyRate(m: Money, basisPoints: number, rounding: Rounding = 'halfEven'): Money {
  if (!Number.isSafeInteger(basisPoints)) throw new MoneyError(`rate must be an integer number of basis points, got ${basisPoints}`);
  return money(Number(roundDiv(BigInt(m.amount) * BigInt(basisPoints), 10_000n, rounding)), m.currency);
}

/**
 * Splits `total` in proportion to non-negative integer `weights` so that the shares add up to
 * exactly `total` (largest-remainder method; ties go to the earlier share). No cent is lost or
 * invented.
 */
export function allocate(total: Money, weights: readonly number[]): Money[] {
  if (weights.length === 0) throw new MoneyError('allocate needs at least one weight');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new MoneyError('weights must be non-negative integers');
  const weightSum = weights.reduce((a, b) => a + BigInt(b), 0n);
  if (weightSum === 0n) throw new MoneyError('weights must not all be zero');
  const sign = total.amount < 0 ? -1n : 1n;
  const amount = BigInt(Math.abs(total.amount));
  const shares = weights.map((w) => (amount * BigInt(w)) / weightSum);
  let remainder = amount - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, rest: (amount * BigInt(w)) % weightSum }))
    .sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
  for (const { i } of order) {
    if (remainder === 0n) break;
    shares[i] += 1n;
    remainder -= 1n;
  }
  return shares.map((s) => money(Number(sign * s), total.currency));
}

/** "EUR 1,234.50" style text for people (invoices, emails); never parsed back. */
export function format(m: Money): string {
  const exp = currencies[m.currency];
  const abs = Math.abs(m.amount);
  const units = Math.floor(abs / 10 ** exp).toLocaleString('en-US');
  const minor = exp > 0 ? '.' + String(abs % 10 ** exp).padStart(exp, '0') : '';
  return `${m.amount < 0 ? '-' : ''}${m.currency} ${units}${minor}`;
}
