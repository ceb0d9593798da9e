import { Decimal } from './decimal.js';

/**
 * `x.cmp(y)` without allocating: -1, 0 or 1 (NaN when either is NaN, as decimal.js).
 *
 * decimal.js copies `y` into a new Decimal on every comparison (`lt`, `gt`, `eq` all go through `cmp`, and
 * `gt(0)` first builds a Decimal from the number), which was most of the garbage of a risk check and of a
 * position update. For two finite Decimals of the project's class within its exponent range this compares
 * sign, exponent and the base-1e7 digit words (decimal.js's documented `s`, `e`, `d`) exactly as decimal.js
 * does; anything else (NaN, infinities, another Decimal class) goes to decimal.js itself, so the answer is
 * always the library's.
 *
 * @example
 * compareDecimals(new Decimal('1.5'), new Decimal('1.50')); // 0
 * compareDecimals(new Decimal('-2'), new Decimal('1'));     // -1
 */
export function compareDecimals(x: Decimal, y: Decimal): number {
  const xd = x.d;
  const yd = y.d;
  if (
    !xd ||
    !yd ||
    x.constructor !== Decimal ||
    y.constructor !== Decimal ||
    y.e > Decimal.maxE ||
    y.e < Decimal.minE
  )
    return x.cmp(y);
  const xs = x.s;
  const ys = y.s;
  const x0 = xd[0];
  const y0 = yd[0];
  // A zero's digits are [0].
  if (!x0 || !y0) return x0 ? xs : y0 ? -ys : 0;
  if (xs !== ys) return xs;
  const flip = xs < 0;
  if (x.e !== y.e) return x.e > y.e !== flip ? 1 : -1;
  const xl = xd.length;
  const yl = yd.length;
  const n = Math.min(xl, yl);
  for (let i = 0; i < n; i++) {
    const a = xd[i] as number;
    const b = yd[i] as number;
    if (a !== b) return a > b !== flip ? 1 : -1;
  }
  return xl === yl ? 0 : xl > yl !== flip ? 1 : -1;
}
