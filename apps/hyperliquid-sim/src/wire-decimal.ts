import type { Decimal } from '@hl-bot/core-types';

/**
 * A decimal as the venue writes it: plain digits, and integers keep one decimal (`"57000.0"`, `"0.0"`),
 * as every recorded answer shows.
 */
export function wireDecimal(d: Decimal): string {
  const t = d.isZero() ? '0' : d.toFixed();
  return t.includes('.') ? t : `${t}.0`;
}
