import type { Decimal } from '@hl-bot/core-types';

const EXACT = 2 ** 53;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `d.toNumber()` without its string round trip, for the per-bar chart and statistics numbers: the same
 * number, always. decimal.js keeps a coefficient in base-1e7 words (`d`), the decimal exponent `e` and the
 * sign `s`; when the words form an integer m below 2^53 and the value is m x 10^p with |p| <= 22, both m and
 * 10^p are exact doubles, so one multiplication or division rounds the exact value to the nearest double,
 * which is what parsing its decimal text gives. Anything else goes through `toNumber`.
 */
export function decimalToNumber(d: Decimal): number {
  const words = d.d;
  if (words === null || words === undefined || words.length > 3) return d.toNumber();
  const n = words.length;
  let m = words[0] as number;
  for (let i = 1; i < n; i++) m = m * 1e7 + (words[i] as number);
  // The first word holds the digits from 10^(7 floor(e / 7)) up.
  const p = 7 * (Math.floor(d.e / 7) - n + 1);
  if (!(m < EXACT) || p > 22 || p < -22) return d.toNumber();
  const v = p >= 0 ? m * (POW10[p] as number) : m / (POW10[-p] as number);
  return d.s < 0 ? -v : v;
}
