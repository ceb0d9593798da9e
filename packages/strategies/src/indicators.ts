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
