import { z } from 'zod';
import { type Decimal, toDecimal } from '../decimal.js';
import { InvalidDecimalError, ValidationError } from '../errors.js';
import { toTimestamp, toVenueTimestamp } from '../timestamp.js';

function decimalWith(check: ((d: Decimal) => string | undefined) | undefined) {
  return z.unknown().transform((value, ctx): Decimal => {
    let d: Decimal;
    try {
      d = toDecimal(value);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: error instanceof InvalidDecimalError ? error.message : 'not a decimal',
        params: { code: 'INVALID_DECIMAL' },
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

function timestampWith(parse: (value: unknown) => number) {
  return z.custom<number | string | Date>().transform((value, ctx): number => {
    try {
      return parse(value);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: error instanceof ValidationError ? error.message : 'not a time',
        params: { code: 'INVALID_TIMESTAMP' },
      });
      return z.NEVER;
    }
  });
}

/**
 * Epoch milliseconds as a whole number between the Unix epoch and year 9999; accepts a Date or an ISO 8601
 * string with a zone too (see `toTimestamp`).
 */
export const TimestampSchema = timestampWith((value) => toTimestamp(value));

/** A time a venue can send: TimestampSchema within VENUE_TIME_WINDOW of this machine's clock. */
export const VenueTimestampSchema = timestampWith((value) => toVenueTimestamp(value));
