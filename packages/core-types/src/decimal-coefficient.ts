import type { Decimal } from './decimal.js';

/** 2^53: integers below it are exact numbers. */
const EXACT = 2 ** 53;

/**
 * The coefficient of a finite Decimal as a plain integer, read without a string from decimal.js's documented
 * base-1e7 words (`d`): `|d| = exactCoefficient(d) × 10^coefficientExponent(d)` exactly. The words are
 * aligned on the decimal point, so the coefficient may end in zeros. Undefined when it is not below 2^53
 * (then not an exact number) or `d` is not finite. For hot paths that need a Decimal as exact plain numbers
 * (a sum of prices in ticks, a chart number without a string round trip).
 *
 * @example
 * const d = new Decimal('12.5'); // exactCoefficient(d) === 125_000_000, coefficientExponent(d) === -7
 */
export function exactCoefficient(d: Decimal): number | undefined {
  const words = d.d;
  // Four words hold at least 10^21 > 2^53.
  if (words === null || words === undefined || words.length > 3) return undefined;
  let m = words[0] as number;
  for (let i = 1; i < words.length; i++) m = m * 1e7 + (words[i] as number);
  return m < EXACT ? m : undefined;
}

/** The power of ten of `exactCoefficient(d)`'s last digit (see there). */
export function coefficientExponent(d: Decimal): number {
  // The first word holds the digits from 10^(7 floor(e / 7)) up.
  return 7 * (Math.floor(d.e / 7) - d.d.length + 1);
}
