import { Decimal } from '@hl-bot/core-types';

/**
 * `x.cmp(y)` without allocating. decimal.js copies `y` into a new Decimal on every comparison (and builds one
 * from a number for `gt(0)`), which is most of the garbage a risk check makes. For two finite Decimals of the
 * project's class, within its exponent range, this compares sign, exponent and digits exactly as decimal.js
 * does; anything else goes to decimal.js itself, so the answer is always the library's.
 */
export function cmp(x: Decimal, y: Decimal): number {
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
  if (!x0 || !y0) return x0 ? xs : y0 ? -ys : 0;
  if (xs !== ys) return xs;
  if (x.e !== y.e) return x.e > y.e !== xs < 0 ? 1 : -1;
  const xl = xd.length;
  const yl = yd.length;
  const n = Math.min(xl, yl);
  for (let i = 0; i < n; i++) {
    const a = xd[i] as number;
    const b = yd[i] as number;
    if (a !== b) return a > b !== xs < 0 ? 1 : -1;
  }
  return xl === yl ? 0 : xl > yl !== xs < 0 ? 1 : -1;
}

/** `x.gt(y)`, without allocating. */
export function gt(x: Decimal, y: Decimal): boolean {
  return cmp(x, y) > 0;
}

/** `x.gte(y)`, without allocating. */
export function gte(x: Decimal, y: Decimal): boolean {
  const k = cmp(x, y);
  return k === 1 || k === 0;
}

/** `x.lte(y)`, without allocating. */
export function lte(x: Decimal, y: Decimal): boolean {
  return cmp(x, y) < 1;
}

/** `x.lt(y)`, without allocating. */
export function lt(x: Decimal, y: Decimal): boolean {
  return cmp(x, y) < 0;
}

/** `x.eq(y)`, without allocating. */
export function equals(x: Decimal, y: Decimal): boolean {
  return cmp(x, y) === 0;
}

/** `x.gt(0)`, without allocating: positive sign and not zero (true for +Infinity, false for NaN). */
export function isPositive(x: Decimal): boolean {
  return x.s > 0 && !x.isZero();
}
