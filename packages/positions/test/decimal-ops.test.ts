import { fc, it } from '@fast-check/vitest';
import { Decimal } from '@hl-bot/core-types';
import { describe, expect } from 'vitest';
import { abs, cmp } from '../src/decimal-ops.js';

// Decimals of every shape the ledger meets: zero and negative zero, long and short mantissas, tiny and huge
// exponents, values that share a prefix of digit words and differ only in length.
const mantissa = fc.oneof(
  fc.constantFrom('0', '-0', '1', '-1', '10000000', '9999999', '10000000.0000001', '1e-30', '-1e30'),
  fc.bigInt({ min: -(10n ** 45n), max: 10n ** 45n }).map(String),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
);
const decimal = fc
  .tuple(mantissa, fc.integer({ min: -40, max: 40 }))
  .map(([m, e]) => new Decimal(m).times(new Decimal(10).pow(e)));
const nonFinite = fc.constantFrom(new Decimal(Number.NaN), new Decimal(Infinity), new Decimal(-Infinity));

describe('allocation-free decimal helpers', () => {
  it.prop([decimal, decimal])('cmp orders any two finite decimals exactly as decimal.js cmp does', (a, b) => {
    expect(cmp(a, b)).toBe(a.cmp(b));
    expect(cmp(b, a)).toBe(b.cmp(a));
    expect(cmp(a, a)).toBe(0);
    expect(cmp(a, new Decimal(a.toString()))).toBe(0);
  });

  it.prop([fc.oneof(decimal, nonFinite), fc.oneof(decimal, nonFinite)])(
    'cmp of NaN or infinities agrees with decimal.js too',
    (a, b) => {
      expect(Object.is(cmp(a, b), a.cmp(b))).toBe(true);
    },
  );

  it.prop([decimal])('abs has the value of decimal.js abs and returns a non-negative input itself', (d) => {
    const r = abs(d);
    expect(r.eq(d.abs())).toBe(true);
    expect(r.isNegative()).toBe(false);
    if (!d.isNegative()) expect(r).toBe(d);
  });
});
