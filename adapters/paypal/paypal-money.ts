// Exact conversion between our Money (integer minor units) and PayPal's amount objects, whose
// `value` is a decimal string ("84.88", or "1200" for zero-decimal currencies such as JPY).
// String arithmetic only: floats would turn 0.1 + 0.2 into 0.30000000000000004.
import { currencies, isCurrency, money, MoneyError } from '../../domain/money';
import type { Money } from '../../domain/money';

export interface PayPalAmount {
  currency_code: string;
  value: string;
}

/** Money → PayPal amount; negative amounts have no meaning for PayPal and are refused. */
export function toPayPalAmount(m: Money): PayPalAmount {
  if (m.amount < 0) throw new MoneyError(`PayPal amounts cannot be negative, got ${m.amount}`);
  const exp = currencies[m.currency];
  const digits = String(m.amount).padStart(exp + 1, '0');
  const value = exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
  return { currency_code: m.currency, value };
}

/**
 * PayPal amount → Money. Refuses what cannot be represented exactly: more decimals than the
 * currency has (PayPal's DECIMAL_PRECISION), signs, exponents or other syntax.
 */
export function fromPayPalAmount(amount: PayPalAmount): Money {
  const { currency_code: code, value } = amount;
  if (!isCurrency(code)) throw new MoneyError(`unsupported currency "${code}"`);
  const exp = currencies[code];
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new MoneyError(`"${value}" is not a PayPal amount value`);
  const fraction = match[2] ?? '';
  if (fraction.length > exp) throw new MoneyError(`"${value}" has more than ${exp} decimals for ${code}`);
  const minor = BigInt(match[1] + fraction.padEnd(exp, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`"${value}" is too large`);
  return money(Number(minor), code);
}
