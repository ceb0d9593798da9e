import { Decimal as OtherCopy } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuditEvent,
  DECIMAL_LIMITS,
  Decimal,
  Fill,
  InvalidDecimalError,
  isWithinDecimalLimits,
  OrderRequest,
  parseOrThrow,
  toDecimal,
} from '../src/index.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidDecimalError);
    return (error as InvalidDecimalError).code;
  }
  return undefined;
}

describe('decimal limits (DECIMAL_LIMITS)', () => {
  it('are the documented ones', () => {
    expect(DECIMAL_LIMITS).toEqual({
      maxSignificantDigits: 40,
      maxExponent: 29,
      minExponent: -60,
      maxStringLength: 128,
    });
  });

  it.each([
    ['1e999999', '1e999999'],
    ['1e30', '1e30'],
    ['-1e30', '-1e30'],
    ['1e-61', '1e-61'],
    ['a number 1e300', 1e300],
    ['the smallest double', 5e-324],
    ['41 significant digits', `1.${'1'.repeat(40)}`],
    ['a megabyte of digits', '1'.repeat(1024 * 1024)],
    ['a megabyte of leading zeros', `${'0'.repeat(1024 * 1024)}1`],
    ['a huge bigint', 10n ** 40n],
    ['a Decimal 1e999999', new Decimal('1e999999')],
    ['a Decimal of another decimal.js copy, 1e-70', new OtherCopy('1e-70')],
  ])('rejects %s with INVALID_DECIMAL', (_label, value) => {
    expect(codeOf(() => toDecimal(value))).toBe('INVALID_DECIMAL');
  });

  it('accepts the edges of the range, exactly', () => {
    expect(toDecimal(`${'9'.repeat(30)}`).toString()).toBe('9'.repeat(30));
    expect(toDecimal('1e-60').eq(new Decimal(10).pow(-60))).toBe(true);
    expect(toDecimal(`0.${'1'.repeat(40)}`).sd()).toBe(40);
    expect(toDecimal('0e999999').isZero()).toBe(true);
  });

  it('every in-range value round-trips through its plain string, and the string stays short', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n) + 1n, max: 10n ** 40n - 1n }),
        fc.integer({ min: DECIMAL_LIMITS.minExponent, max: DECIMAL_LIMITS.maxExponent }),
        (digits, exponent) => {
          const value = new Decimal(digits.toString()).times(new Decimal(10).pow(exponent - 39));
          fc.pre(
            value.isZero() ||
              (value.e >= DECIMAL_LIMITS.minExponent && value.e <= DECIMAL_LIMITS.maxExponent),
          );
          const back = toDecimal(value.toString());
          expect(back.eq(value)).toBe(true);
          expect(toDecimal(value).eq(value)).toBe(true);
          expect(value.toString().length).toBeLessThanOrEqual(DECIMAL_LIMITS.maxStringLength);
        },
      ),
    );
  });

  it('isWithinDecimalLimits is true exactly for the Decimals toDecimal accepts as they are (products of in-range values included)', () => {
    const inRange = fc
      .tuple(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: -60, max: 29 }))
      .map(([m, e]) => new Decimal(`${m}e${e}`));
    fc.assert(
      fc.property(inRange, inRange, fc.constantFrom('times', 'div', 'plus', 'minus'), (a, b, op) => {
        if (op === 'div' && b.isZero()) return;
        const d = a[op](b);
        expect(isWithinDecimalLimits(d)).toBe(codeOf(() => toDecimal(d)) === undefined);
      }),
      { numRuns: 3000 },
    );
    expect(isWithinDecimalLimits(new Decimal(Number.POSITIVE_INFINITY))).toBe(false);
    expect(isWithinDecimalLimits(new Decimal(Number.NaN))).toBe(false);
    // Another decimal.js copy prints by its own settings: toDecimal copies it, so it is not accepted as it is.
    expect(isWithinDecimalLimits(new OtherCopy('1') as unknown as Decimal)).toBe(false);
  });

  it('a schema reports an out-of-range money field as INVALID_DECIMAL naming the field', () => {
    const order = { symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '1e999999' };
    try {
      parseOrThrow(OrderRequest, order, 'order');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidDecimalError);
      expect((error as InvalidDecimalError).code).toBe('INVALID_DECIMAL');
      expect((error as InvalidDecimalError).field).toBe('quantity');
    }
  });

  it('an audit event cannot carry an out-of-range value, so such a line is never written', () => {
    const fill = { id: 'f', orderId: 'o', symbol: 'BTC-USD', side: 'buy', quantity: '1', price: '1' };
    expect(AuditEvent.safeParse({ type: 'order_filled', fill }).success).toBe(true);
    for (const field of ['quantity', 'price', 'fee', 'closedPnl']) {
      const bad = { type: 'order_filled', fill: { ...fill, [field]: '1e999999' } };
      expect(AuditEvent.safeParse(bad).success).toBe(false);
      expect(Fill.safeParse(bad.fill).success).toBe(false);
    }
    const funding = { type: 'funding_applied', symbol: 'BTC-USD', amount: '-1.5', fundingTime: 3_600_000 };
    expect(AuditEvent.safeParse(funding).success).toBe(true);
    expect(AuditEvent.safeParse({ ...funding, amount: '-1e999999' }).success).toBe(false);
  });
});
