import { coefficientExponent, type Decimal, exactCoefficient } from '@hl-bot/core-types';

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `d.toNumber()` without its string round trip, for the per-bar chart and statistics numbers: the same
 * number, always. When the value is m x 10^p with the integer m below 2^53 (`exactCoefficient`) and
 * |p| <= 22, both m and 10^p are exact doubles, so one multiplication or division rounds the exact value to
 * the nearest double, which is what parsing its decimal text gives. Anything else goes through `toNumber`.
 */
export function decimalToNumber(d: Decimal): number {
  const m = exactCoefficient(d);
  if (m === undefined) return d.toNumber();
  const p = coefficientExponent(d);
  if (p > 22 || p < -22) return d.toNumber();
  const v = p >= 0 ? m * (POW10[p] as number) : m / (POW10[-p] as number);
  return d.s < 0 ? -v : v;
}
