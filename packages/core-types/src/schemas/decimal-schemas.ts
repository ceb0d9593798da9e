import { z } from 'zod';
import { type Decimal, decimalStringSign, toDecimal, ZERO } from '../decimal.js';
import { compareDecimals } from '../decimal-compare.js';
import { InvalidDecimalError, ValidationError } from '../errors.js';
import { toTimestamp, toVenueTimestamp } from '../timestamp.js';

type SignRule = 'any' | 'positive' | 'non-negative';

/**
 * Set while `checkWithoutDecimals` runs a schema: decimal fields are then checked (same rules, same
 * messages) but left as they are instead of becoming Decimals. Parsing is synchronous, so the flag cannot
 * leak into another parse.
 */
let checkOnly = false;

/**
 * Runs `schema.safeParse` in check-only mode: the result says whether `value` is valid exactly as the normal
 * parse would, but its decimal fields stay the input strings (no Decimal is built). For verifiers that only
 * need to know an event is valid (the audit log's verify), not to use its values.
 */
export function checkWithoutDecimals<S extends z.ZodType>(
  schema: S,
  value: unknown,
): ReturnType<S['safeParse']> {
  checkOnly = true;
  try {
    return schema.safeParse(value) as ReturnType<S['safeParse']>;
  } finally {
    checkOnly = false;
  }
}

const SIGN_PROBLEM: Record<SignRule, string | undefined> = {
  any: undefined,
  positive: 'must be greater than 0',
  'non-negative': 'must be >= 0',
};

function decimalWith(rule: SignRule, check: ((d: Decimal) => string | undefined) | undefined) {
  return z.unknown().transform((value, ctx): Decimal => {
    if (checkOnly && typeof value === 'string') {
      const sign = decimalStringSign(value);
      // A string toDecimal would refuse, or one whose sign breaks the rule, takes the full path below for
      // the exact message.
      if (sign !== undefined && (rule === 'any' || sign > 0 || (rule === 'non-negative' && sign === 0))) {
        return value as unknown as Decimal;
      }
    }
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
export const DecimalSchema = decimalWith('any', undefined);
/** A decimal strictly greater than zero: prices and quantities. */
export const PositiveDecimalSchema = decimalWith('positive', (d) =>
  d.gt(0) ? undefined : SIGN_PROBLEM.positive,
);
/** A decimal greater than or equal to zero. */
export const NonNegativeDecimalSchema = decimalWith('non-negative', (d) =>
  d.gte(0) ? undefined : SIGN_PROBLEM['non-negative'],
);

const RULES = new Map<unknown, SignRule>([
  [DecimalSchema, 'any'],
  [PositiveDecimalSchema, 'positive'],
  [NonNegativeDecimalSchema, 'non-negative'],
]);

/**
 * A decimal schema's parse of a Decimal without zod around it: for one of the schemas above, the same
 * `toDecimal` (genuineness, DECIMAL_LIMITS, a copy) and sign rule its transform applies, so the same output;
 * undefined for any other schema and for a value it refuses (whose parse then reports why).
 * For `safeParseWithValidatedParts`: most decimals of the project's own events are Decimals it computed.
 */
export function parseDecimalAsIs(schema: unknown, value: Decimal): Decimal | undefined {
  const rule = RULES.get(schema);
  if (rule === undefined) return undefined;
  let d: Decimal;
  try {
    d = toDecimal(value);
  } catch {
    return undefined;
  }
  if (rule === 'any') return d;
  const sign = compareDecimals(d, ZERO);
  return (rule === 'positive' ? sign > 0 : sign >= 0) ? d : undefined;
}

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
