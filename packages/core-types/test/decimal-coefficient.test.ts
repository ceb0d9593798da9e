import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { coefficientExponent, Decimal, exactCoefficient } from '../src/index.js';

// Values of every shape: integers, fractions, tiny and huge exponents, long mantissas past 2^53.
const finite = fc
  .tuple(
    fc.oneof(
      fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
      fc.bigInt({ min: -(2n ** 53n) - 5n, max: 2n ** 53n + 5n }),
      fc.integer({ min: -10_000_000, max: 10_000_000 }).map(BigInt),
    ),
    fc.integer({ min: -40, max: 40 }),
  )
  .map(([m, e]) => new Decimal(m.toString()).times(new Decimal(10).pow(e)));

/** |d| as an exact rational n / 10^k from its decimal text. */
function exactOf(d: Decimal): { n: bigint; k: number } {
  const [int, frac = ''] = d.abs().toFixed().split('.');
  return { n: BigInt(`${int}${frac}`), k: frac.length };
}

describe('exactCoefficient and coefficientExponent', () => {
  it.prop([finite], { numRuns: 3000 })(
    'give |d| exactly as coefficient x 10^exponent whenever the coefficient is an exact number',
    (d) => {
      const m = exactCoefficient(d);
      if (m === undefined) {
        // Refused only when the integer of its words is 2^53 or more.
        const { n, k } = exactOf(d);
        const p = coefficientExponent(d);
        const words = p >= 0 ? n / 10n ** BigInt(p + k) : n * 10n ** BigInt(-p - k);
        expect(words >= 2n ** 53n).toBe(true);
        return;
      }
      expect(Number.isSafeInteger(m)).toBe(true);
      const p = coefficientExponent(d);
      const { n, k } = exactOf(d);
      // m x 10^p == n x 10^-k, compared as integers.
      const left = BigInt(m) * 10n ** BigInt(Math.max(0, p + k));
      const right = n * 10n ** BigInt(Math.max(0, -(p + k)));
      expect(left).toBe(right);
    },
  );

  it('reads the words of a few known values', () => {
    expect([exactCoefficient(new Decimal('12.5')), coefficientExponent(new Decimal('12.5'))]).toEqual([
      125_000_000, -7,
    ]);
    expect([exactCoefficient(new Decimal('0')), coefficientExponent(new Decimal('0'))]).toEqual([0, 0]);
    expect(exactCoefficient(new Decimal('-3'))).toBe(3);
    expect(exactCoefficient(new Decimal('9007199254740993'))).toBeUndefined();
    expect(exactCoefficient(new Decimal(Number.NaN))).toBeUndefined();
    expect(exactCoefficient(new Decimal(Infinity))).toBeUndefined();
  });
});
