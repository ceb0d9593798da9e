import {
  coefficientExponent,
  Decimal,
  exactCoefficient,
  MAX_PRICE_SIG_FIGS,
  roundSizeDown,
  ZERO,
} from '@hl-bot/core-types';

/** 2^53: integers below it are exact numbers. */
const EXACT = 2 ** 53;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** A positive decimal as an integer count of 10^-scale ticks (the fewest: scale is its decimal places). */
interface Ticks {
  ticks: number;
  scale: number;
}

// The trend follower pushes each close into two averages: the second push reuses the first's conversion.
let lastDecimal: Decimal | undefined;
let lastTicks: Ticks | undefined;

function ticksOf(value: Decimal): Ticks | undefined {
  if (value === lastDecimal) return lastTicks;
  lastDecimal = value;
  lastTicks = undefined;
  // The value is the integer m times 10^p, exact while m < 2^53.
  if (value.s !== 1) return undefined;
  let m = exactCoefficient(value);
  if (m === undefined || m === 0) return undefined;
  let p = coefficientExponent(value);
  if (p >= 0) {
    if (p >= POW10.length) return undefined;
    m *= POW10[p] as number;
    if (!(m < EXACT)) return undefined;
    p = 0;
  }
  while (p < 0 && m % 10 === 0) {
    m /= 10;
    p += 1;
  }
  if (-p >= POW10.length) return undefined;
  lastTicks = { ticks: m, scale: -p };
  return lastTicks;
}

/** The number of decimal digits of a positive safe integer. */
function digits(n: number): number {
  let d = 1;
  while (d < POW10.length && n >= (POW10[d] as number)) d++;
  return d;
}

/**
 * Simple moving average over a fixed window, O(1) per update.
 *
 * Positive prices (every venue price) are summed as plain numbers, in integer ticks of the finest decimal
 * place seen: while the sum stays an integer below 2^53 it is exact, and it is exactly the decimal sum
 * (which rounds nothing at that size). Anything else (a value or sum beyond 2^53 ticks, zero or negative
 * values) switches the average to decimal sums for good, as it always summed. `value` and `compare` give
 * the same answers either way, ties included.
 */
export class MovingAverage {
  private readonly values: Decimal[] = [];
  /** The decimal sum of the window: kept only once the average left integer ticks. */
  private sum: Decimal | undefined;
  /** While summing in ticks: each value of the window in ticks of 10^-scale, and their sum. */
  private ticks: number[] | undefined = [];
  private tickSum = 0;
  private scale = 0;
  /** `tickSum` as a decimal, built on demand. */
  private sumDecimal: Decimal | undefined = ZERO;

  constructor(readonly length: number) {}

  push(value: Decimal): void {
    this.values.push(value);
    const ticks = this.ticks === undefined ? undefined : this.addTicks(value);
    if (ticks === undefined) {
      // The decimal path, as it always was: sum plus the new value, minus the one that leaves the window.
      this.sum = this.decimalSum().plus(value);
      this.ticks = undefined;
    }
    if (this.values.length > this.length) {
      const dropped = this.values.shift();
      if (ticks !== undefined) {
        this.tickSum -= ticks.shift() as number;
        this.sumDecimal = undefined;
      } else if (dropped !== undefined) this.sum = (this.sum as Decimal).minus(dropped);
    }
  }

  /** Adds `value` to the tick window; undefined (nothing changed) when that cannot stay exact. */
  private addTicks(value: Decimal): number[] | undefined {
    const window = this.ticks as number[];
    const t = ticksOf(value);
    if (t === undefined) return undefined;
    let n = t.ticks;
    if (t.scale > this.scale) {
      // A finer price: every tick of the window becomes 10^k finer (all positive, so the sum bounds each).
      const f = POW10[t.scale - this.scale] as number;
      if (!(this.tickSum * f < EXACT)) return undefined;
      for (let i = 0; i < window.length; i++) window[i] = (window[i] as number) * f;
      this.tickSum *= f;
      this.scale = t.scale;
    } else if (t.scale < this.scale) {
      n *= POW10[this.scale - t.scale] as number;
    }
    if (!(this.tickSum + n < EXACT)) return undefined;
    window.push(n);
    this.tickSum += n;
    this.sumDecimal = undefined;
    return window;
  }

  private decimalSum(): Decimal {
    if (this.ticks === undefined) return this.sum as Decimal;
    if (this.sumDecimal === undefined) this.sumDecimal = new Decimal(`${this.tickSum}e-${this.scale}`);
    return this.sumDecimal;
  }

  get ready(): boolean {
    return this.values.length === this.length;
  }

  get value(): Decimal {
    return this.values.length === 0 ? ZERO : this.decimalSum().div(this.values.length);
  }

  /**
   * `this.value.cmp(other.value)` without the two 40-digit divisions (most of an indicator's cost per bar):
   * the sums cross-multiplied by the counts. The same answer, ties included, whenever that is provable:
   * sums of at most 25 significant digits within 3 orders of magnitude of each other, and counts whose
   * product is below 1e9, make the products exact and keep two different averages more than a 40-digit
   * rounding step apart (so their rounded values differ the same way); otherwise it divides. Two averages
   * in ticks cross-multiply as plain integers while the products stay below 2^53.
   */
  compare(other: MovingAverage): number {
    const n = this.values.length;
    const m = other.values.length;
    if (n !== 0 && m !== 0 && n * m < 1e9 && this.ticks !== undefined && other.ticks !== undefined) {
      // Tick sums are below 2^53, so at most 16 significant digits; the exponent of a positive sum is its
      // digit count - 1 - scale.
      const a = this.tickSum;
      const b = other.tickSum;
      if (Math.abs(digits(a) - this.scale - (digits(b) - other.scale)) > 3) {
        return this.value.cmp(other.value);
      }
      const scale = Math.max(this.scale, other.scale);
      const x = a * m * (POW10[scale - this.scale] as number);
      const y = b * n * (POW10[scale - other.scale] as number);
      // A product of integers whose float is below 2^53 is exact (a larger true product rounds to >= 2^53).
      if (x < EXACT && y < EXACT) return x < y ? -1 : x > y ? 1 : 0;
    }
    const a = this.decimalSum();
    const b = other.decimalSum();
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
