import type { Decimal } from '@hl-bot/core-types';

/**
 * Allocation-free helpers for the per-fill hot path. decimal.js copies its argument into a new Decimal on
 * every comparison (`lt`, `gt`, `gte`, `eq` all go through `cmp`, which starts with `new Decimal(y)`), and
 * `abs()` copies even a positive value; at a few dozen Decimal operations per fill those copies were a large
 * part of the garbage collector's work. Decimals are immutable, so returning the same instance is safe.
 */

/**
 * Same result as `a.cmp(b)` for finite values (-1, 0 or 1), without copying `b`. Reads decimal.js's
 * documented instance properties: `s` (sign), `e` (exponent), `d` (base-1e7 digits, normalised, no trailing
 * zero words). Non-finite values go through decimal.js itself.
 */
export function cmp(a: Decimal, b: Decimal): number {
  const ad = a.d;
  const bd = b.d;
  // NaN and ±Infinity have no digits: let decimal.js decide.
  if (!ad || !bd) return a.cmp(b);
  const as = a.s;
  const bs = b.s;
  const a0 = ad[0];
  const b0 = bd[0];
  // Either zero (a zero's digits are [0])?
  if (!a0 || !b0) return a0 ? as : b0 ? -bs : 0;
  if (as !== bs) return as;
  const flip = as < 0;
  if (a.e !== b.e) return a.e > b.e !== flip ? 1 : -1;
  const al = ad.length;
  const bl = bd.length;
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i += 1) {
    const x = ad[i] as number;
    const y = bd[i] as number;
    if (x !== y) return x > y !== flip ? 1 : -1;
  }
  return al === bl ? 0 : al > bl !== flip ? 1 : -1;
}

/** `|d|`, returning `d` itself when it is not negative (decimal.js `abs()` always copies). */
export function abs(d: Decimal): Decimal {
  return d.isNegative() ? d.neg() : d;
}
