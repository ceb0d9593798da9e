import type { Decimal } from '@hl-bot/core-types';

/**
 * Allocation-free helpers for the per-fill hot path. decimal.js copies its argument into a new Decimal on
 * every comparison and `abs()` copies even a positive value; at a few dozen Decimal operations per fill
 * those copies were a large part of the garbage collector's work. Decimals are immutable, so returning the
 * same instance is safe. The comparison is core-types' `compareDecimals` (one owner); `cmp` is its short
 * name in the ledger's arithmetic.
 */
export { compareDecimals as cmp } from '@hl-bot/core-types';

/** `|d|`, returning `d` itself when it is not negative (decimal.js `abs()` always copies). */
export function abs(d: Decimal): Decimal {
  return d.isNegative() ? d.neg() : d;
}
