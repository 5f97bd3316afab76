import fc from 'fast-check';
import { add, allocate, applyRate, format, money, MoneyError, multiply, roundDiv, subtract, sum } from '../../domain/money';

const amount = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 });
const eur = amount.map((a) => money(a, 'EUR'));

test('construction rejects fractions, unsafe integers and unknown currencies', () => {
  expect(() => money(1.5, 'EUR')).toThrow(MoneyError);
  expect(() => money(2 ** 53, 'EUR')).toThrow(/safe integer/);
  expect(() => money(1, 'XXX')).toThrow(/unsupported currency "XXX"/);
});

test('currencies are never mixed', () => {
  expect(() => add(money(1, 'EUR'), money(1, 'USD'))).toThrow(/cannot combine EUR with USD/);
  expect(() => sum('EUR', [money(1, 'EUR'), money(1, 'GBP')])).toThrow(MoneyError);
});

test('addition is commutative and associative; subtraction inverts it', () => {
  fc.assert(fc.property(eur, eur, eur, (a, b, c) => {
    expect(add(a, b)).toEqual(add(b, a));
    expect(add(add(a, b), c)).toEqual(add(a, add(b, c)));
    expect(subtract(add(a, b), b)).toEqual(a);
  }));
});

test('multiplying by a quantity equals repeated addition', () => {
  fc.assert(fc.property(eur, fc.integer({ min: 0, max: 50 }), (m, q) => {
    expect(multiply(m, q)).toEqual(sum('EUR', Array.from({ length: q }, () => m)));
  }));
  // Found by the property above: -1 × 0 must be 0, not -0.
  expect(Object.is(multiply(money(-1, 'EUR'), 0).amount, 0)).toBe(true);
});

test('roundDiv rounds to nearest, ties to even or up, symmetric for negatives', () => {
  expect(roundDiv(25n, 10n, 'halfEven')).toBe(2n);
  expect(roundDiv(35n, 10n, 'halfEven')).toBe(4n);
  expect(roundDiv(25n, 10n, 'halfUp')).toBe(3n);
  expect(roundDiv(-25n, 10n, 'halfUp')).toBe(-3n);
  expect(roundDiv(-26n, 10n, 'halfEven')).toBe(-3n);
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (n, d) => {
    const q = roundDiv(n, d, 'halfEven');
    // Never more than half a unit from the exact quotient.
    const diff = q * d - n;
    expect(2n * (diff < 0n ? -diff : diff)).toBeLessThanOrEqual(d);
  }));
});

test('applyRate is within half a minor unit of the exact product', () => {
  fc.assert(fc.property(eur, fc.integer({ min: 0, max: 100_000 }), (m, bp) => {
    const r = applyRate(m, bp);
    expect(Math.abs(r.amount * 10_000 - m.amount * bp)).toBeLessThanOrEqual(5_000);
  }));
  expect(applyRate(money(1999, 'EUR'), 1900).amount).toBe(380); // 379.81
  expect(applyRate(money(250, 'EUR'), 1000).amount).toBe(25);
  expect(applyRate(money(5, 'EUR'), 1000).amount).toBe(0); // 0.5 → even
});

test('allocate never loses or invents a minor unit and stays proportional', () => {
  fc.assert(fc.property(eur, fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)), (total, weights) => {
    const shares = allocate(total, weights);
    expect(sum('EUR', shares)).toEqual(total);
    const weightSum = weights.reduce((a, b) => a + b, 0);
    shares.forEach((s, i) => {
      const exact = (total.amount * weights[i]) / weightSum;
      expect(Math.abs(s.amount - exact)).toBeLessThan(1 + 1e-6);
      if (weights[i] === 0) expect(s.amount).toBe(0);
    });
  }));
  expect(allocate(money(100, 'EUR'), [1, 1, 1]).map((m) => m.amount)).toEqual([34, 33, 33]);
  expect(() => allocate(money(1, 'EUR'), [0, 0])).toThrow(/must not all be zero/);
});

test('format shows the currency and its minor units', () => {
  expect(format(money(123450, 'EUR'))).toBe('EUR 1,234.50');
  expect(format(money(-5, 'USD'))).toBe('-USD 0.05');
  expect(format(money(1200, 'JPY'))).toBe('JPY 1,200');
});
