import { compareDecimals as cmp, type Decimal } from '@hl-bot/core-types';

// The comparison itself is core-types' `compareDecimals` (one copy for positions and risk); these are the
// allocation-free predicates risk's checks read best with.
export { cmp };

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
