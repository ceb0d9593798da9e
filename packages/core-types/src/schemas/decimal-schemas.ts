import { z } from 'zod';
import { type Decimal, toDecimal } from '../decimal.js';
import { InvalidDecimalError } from '../errors.js';

function decimalWith(check: ((d: Decimal) => string | undefined) | undefined) {
  return z.unknown().transform((value, ctx): Decimal => {
    let d: Decimal;
    try {
      d = toDecimal(value);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: error instanceof InvalidDecimalError ? error.message : 'not a decimal',
      });
      return z.NEVER;
    }
    const problem = check?.(d);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${problem}, got ${d.toString()}` });
      return z.NEVER;
    }
    return d;
  });
}

/** Any finite decimal (string, number, bigint or Decimal in; Decimal out). */
export const DecimalSchema = decimalWith(undefined);
/** A decimal strictly greater than zero: prices and quantities. */
export const PositiveDecimalSchema = decimalWith((d) => (d.gt(0) ? undefined : 'must be greater than 0'));
/** A decimal greater than or equal to zero. */
export const NonNegativeDecimalSchema = decimalWith((d) => (d.gte(0) ? undefined : 'must be >= 0'));

/** Epoch milliseconds as a non-negative safe integer; accepts a Date or an ISO string too. */
export const TimestampSchema = z.union([z.number(), z.string(), z.date()]).transform((value, ctx): number => {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isSafeInteger(ms) || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `not a valid timestamp: ${String(value)}` });
    return z.NEVER;
  }
  return ms;
});
