import { Decimal, MAX_PRICE_SIG_FIGS, roundSizeDown, ZERO } from '@hl-bot/core-types';

/** Simple moving average over a fixed window, O(1) per update. */
export class MovingAverage {
  private readonly values: Decimal[] = [];
  private sum = ZERO;

  constructor(readonly length: number) {}

  push(value: Decimal): void {
    this.values.push(value);
    this.sum = this.sum.plus(value);
    if (this.values.length > this.length) {
      const dropped = this.values.shift();
      if (dropped !== undefined) this.sum = this.sum.minus(dropped);
    }
  }

  get ready(): boolean {
    return this.values.length === this.length;
  }

  get value(): Decimal {
    return this.values.length === 0 ? ZERO : this.sum.div(this.values.length);
  }

  /**
   * `this.value.cmp(other.value)` without the two 40-digit divisions (most of an indicator's cost per bar):
   * the sums cross-multiplied by the counts. The same answer, ties included, whenever that is provable:
   * sums of at most 25 significant digits within 3 orders of magnitude of each other, and counts whose
   * product is below 1e9, make the products exact and keep two different averages more than a 40-digit
   * rounding step apart (so their rounded values differ the same way); otherwise it divides.
   */
  compare(other: MovingAverage): number {
    const n = this.values.length;
    const m = other.values.length;
    const a = this.sum;
    const b = other.sum;
    if (n === 0 || m === 0 || n * m >= 1e9 || a.sd() > 25 || b.sd() > 25 || Math.abs(a.e - b.e) > 3) {
      return this.value.cmp(other.value);
    }
    return a.times(m).cmp(b.times(n));
  }

  /** Population standard deviation of the window. */
  stdDev(): Decimal {
    if (this.values.length === 0) return ZERO;
    const mean = this.value;
    let acc = ZERO;
    for (const v of this.values) acc = acc.plus(v.minus(mean).pow(2));
    return acc.div(this.values.length).sqrt();
  }
}

/** Quantity worth `notional` at `price`, rounded down to `decimals` places (never more than asked). */
export function quantityFor(notional: Decimal, price: Decimal, decimals: number): Decimal {
  return roundSizeDown(notional.div(price), decimals);
}

/**
 * A price rounded to Hyperliquid's 5 significant figures toward the given direction. Unlike the venue's full
 * rule (core-types' `roundToPriceGrid`) it also rounds integers from 1e5 up and knows no szDecimals cap; the
 * built-in strategies rely on exactly this, and the client rounds onto the grid on the safe side anyway.
 */
export function roundPrice(price: Decimal, direction: 'down' | 'up'): Decimal {
  return price.toSignificantDigits(
    MAX_PRICE_SIG_FIGS,
    direction === 'down' ? Decimal.ROUND_DOWN : Decimal.ROUND_UP,
  );
}
