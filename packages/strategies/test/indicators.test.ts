import { Decimal, toDecimal } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MovingAverage, quantityFor, roundPrice } from '../src/index.js';

describe('MovingAverage', () => {
  it('is ready only once its window is full, and averages only the window', () => {
    const ma = new MovingAverage(3);
    for (const v of [1, 2]) ma.push(toDecimal(v));
    expect(ma.ready).toBe(false);
    ma.push(toDecimal(3));
    expect(ma.ready).toBe(true);
    expect(ma.value.toString()).toBe('2');
    ma.push(toDecimal(10)); // window is now 2, 3, 10
    expect(ma.value.toString()).toBe('5');
  });

  it('compare() orders two averages exactly as comparing their values does, ties included', () => {
    // Prices from a few grids (ties are common on a coarse one), wide magnitudes and long digit strings,
    // so both the cross-multiplied path and the division fallback are taken.
    const price = fc.oneof(
      fc.integer({ min: 1, max: 40 }).map((n) => new Decimal(n).times('0.5')),
      fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Decimal(n).div(100)),
      fc.constantFrom('0.000001', '1e20', '123456789.123456789123456789', '3.3333333333333333333333333333'),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 48 }),
        fc.array(price, { minLength: 1, maxLength: 120 }),
        (fastLength, slowLength, closes) => {
          const fast = new MovingAverage(fastLength);
          const slow = new MovingAverage(slowLength);
          for (const close of closes) {
            const d = new Decimal(close);
            fast.push(d);
            slow.push(d);
            expect(fast.compare(slow)).toBe(fast.value.cmp(slow.value));
            expect(slow.compare(fast)).toBe(slow.value.cmp(fast.value));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gives the very values and comparisons of a decimal-only average, in ticks or after leaving them', () => {
    // The average before it summed in ticks, verbatim: a decimal running sum (rounded to 40 digits at each
    // step once values are long), compare by cross-multiplying only where provably the same as dividing.
    class DecimalAverage {
      readonly values: Decimal[] = [];
      sum = new Decimal(0);
      constructor(readonly length: number) {}
      push(value: Decimal): void {
        this.values.push(value);
        this.sum = this.sum.plus(value);
        if (this.values.length > this.length) this.sum = this.sum.minus(this.values.shift() as Decimal);
      }
      get value(): Decimal {
        return this.values.length === 0 ? new Decimal(0) : this.sum.div(this.values.length);
      }
      compare(other: DecimalAverage): number {
        const n = this.values.length;
        const m = other.values.length;
        const a = this.sum;
        const b = other.sum;
        if (n === 0 || m === 0 || n * m >= 1e9 || a.sd() > 25 || b.sd() > 25 || Math.abs(a.e - b.e) > 3) {
          return this.value.cmp(other.value);
        }
        return a.times(m).cmp(b.times(n));
      }
    }
    // Mostly tick grids (BTC integers, ETH tenths, cents, fine decimals) so sums stay in ticks for long runs;
    // now and then a value that ends that: more digits than 2^53 ticks hold, a sum beyond 2^53 (2^52 + 1 twice,
    // 2^53 / 3 three times), zero, or a huge magnitude.
    const price = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 30_000, max: 90_000 }).map((n) => new Decimal(n)) },
      { weight: 4, arbitrary: fc.integer({ min: 10_000, max: 99_999 }).map((n) => new Decimal(n).div(10)) },
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Decimal(n).div(100)) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 99_999 }).map((n) => new Decimal(n).div(1e8)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '0',
          '1e20',
          '9007199254740993',
          '4503599627370497',
          '3002399751580331',
          '123456789.123456789123456789',
          '3.3333333333333333333333333333',
          '0.000000000000000000001',
        ),
      },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 48 }),
        fc.array(price, { minLength: 1, maxLength: 200 }),
        (fastLength, slowLength, closes) => {
          const fast = new MovingAverage(fastLength);
          const slow = new MovingAverage(slowLength);
          const refFast = new DecimalAverage(fastLength);
          const refSlow = new DecimalAverage(slowLength);
          for (const close of closes) {
            const d = new Decimal(close);
            fast.push(d);
            slow.push(d);
            refFast.push(d);
            refSlow.push(d);
            expect(fast.value.toString()).toBe(refFast.value.toString());
            expect(slow.value.toString()).toBe(refSlow.value.toString());
            expect(fast.compare(slow)).toBe(refFast.compare(refSlow));
            expect(slow.compare(fast)).toBe(refSlow.compare(refFast));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the population standard deviation of the window, zero when empty', () => {
    const ma = new MovingAverage(4);
    expect(ma.stdDev().toString()).toBe('0');
    for (const v of [2, 4, 4, 6]) ma.push(toDecimal(v));
    expect(ma.stdDev().toString()).toBe(new Decimal(2).sqrt().toString());
  });
});

describe('quantityFor', () => {
  it('never buys more than the notional asked for: it rounds down to the size decimals', () => {
    expect(quantityFor(toDecimal(800), toDecimal(30_000), 4).toString()).toBe('0.0266');
    expect(quantityFor(toDecimal(100), toDecimal(3), 0).toString()).toBe('33');
    expect(quantityFor(toDecimal(1), toDecimal(50_000), 4).toString()).toBe('0');
  });
});

describe('roundPrice', () => {
  it('keeps 5 significant figures, rounding toward the side that is safe for the order', () => {
    expect(roundPrice(toDecimal('123456.7'), 'down').toString()).toBe('123450');
    expect(roundPrice(toDecimal('123456.7'), 'up').toString()).toBe('123460');
    expect(roundPrice(toDecimal('0.0123456'), 'down').toString()).toBe('0.012345');
    expect(roundPrice(toDecimal('0.0123456'), 'up').toString()).toBe('0.012346');
  });
});
