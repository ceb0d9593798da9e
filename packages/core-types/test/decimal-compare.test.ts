import { fc, it } from '@fast-check/vitest';
import { Decimal as DecimalJs } from 'decimal.js';
import { describe, expect } from 'vitest';
import { compareDecimals, Decimal } from '../src/index.js';

// Decimals of every shape the ledger and the risk checks meet: zero and negative zero, long and short
// mantissas, tiny and huge exponents, values that share a prefix of digit words and differ only in length.
const mantissa = fc.oneof(
  fc.constantFrom('0', '-0', '1', '-1', '10000000', '9999999', '10000000.0000001', '1e-30', '-1e30'),
  fc.bigInt({ min: -(10n ** 45n), max: 10n ** 45n }).map(String),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
);
const finite = fc
  .tuple(mantissa, fc.integer({ min: -60, max: 60 }))
  .map(([m, e]) => new Decimal(m).times(new Decimal(10).pow(e)));
const nonFinite = fc.constantFrom(new Decimal(Number.NaN), new Decimal(Infinity), new Decimal(-Infinity));
const any = fc.oneof(finite, nonFinite);

describe('compareDecimals', () => {
  it.prop([finite, finite], { numRuns: 2000 })(
    'orders any two finite decimals exactly as decimal.js cmp',
    (a, b) => {
      expect(compareDecimals(a, b)).toBe(a.cmp(b));
      expect(compareDecimals(b, a)).toBe(b.cmp(a));
      expect(compareDecimals(a, a)).toBe(0);
      expect(compareDecimals(a, new Decimal(a.toString()))).toBe(0);
    },
  );

  it.prop([any, any])('agrees with decimal.js for NaN and infinities too', (a, b) => {
    expect(Object.is(compareDecimals(a, b), a.cmp(b))).toBe(true);
  });

  it.prop([finite, finite])('leaves a Decimal of another class to decimal.js itself', (a, b) => {
    const foreign = new DecimalJs(b.toString());
    expect(compareDecimals(a, foreign)).toBe(a.cmp(foreign));
    expect(compareDecimals(foreign, a)).toBe(foreign.cmp(a));
  });

  it('tells zero, negative zero and the smallest values apart as decimal.js does', () => {
    const zero = new Decimal(0);
    expect(compareDecimals(zero, new Decimal('-0'))).toBe(0);
    expect(compareDecimals(new Decimal('1e-60'), zero)).toBe(1);
    expect(compareDecimals(new Decimal('-1e-60'), zero)).toBe(-1);
    expect(compareDecimals(new Decimal('10000000'), new Decimal('9999999.9999999'))).toBe(1);
    expect(compareDecimals(new Decimal('-10000000.0000001'), new Decimal('-10000000'))).toBe(-1);
  });
});
