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

const meetsSign = (rule: SignRule, sign: number): boolean =>
  rule === 'any' || sign > 0 || (rule === 'non-negative' && sign === 0);

/**
 * The rule of the decimal schemas below, without zod: the value as the schema's parse outputs it (with
 * `keepStrings`, as in check-only mode, a valid decimal string stays the string; else a Decimal by
 * `toDecimal`: genuineness, DECIMAL_LIMITS, a copy), or undefined when the rule refuses it.
 */
function applyDecimalRule(
  rule: SignRule,
  value: unknown,
  keepStrings: boolean,
): Decimal | string | undefined {
  if (keepStrings && typeof value === 'string') {
    const sign = decimalStringSign(value);
    if (sign !== undefined && meetsSign(rule, sign)) return value;
  }
  let d: Decimal;
  try {
    d = toDecimal(value);
  } catch {
    return undefined;
  }
  return meetsSign(rule, compareDecimals(d, ZERO)) ? d : undefined;
}

function decimalWith(rule: SignRule) {
  const schema = z.unknown().transform((value, ctx): Decimal => {
    const out = applyDecimalRule(rule, value, checkOnly);
    if (out !== undefined) return out as Decimal;
    // Refused: the same steps once more, for the exact message.
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
    ctx.addIssue({ code: 'custom', message: `${SIGN_PROBLEM[rule]}, got ${d.toString()}` });
    return z.NEVER;
  });
  RULES.set(schema, rule);
  return schema;
}

const RULES = new Map<unknown, SignRule>();

/** Any finite decimal (string, number, bigint or Decimal in; Decimal out). */
export const DecimalSchema = decimalWith('any');
/** A decimal strictly greater than zero: prices and quantities. */
export const PositiveDecimalSchema = decimalWith('positive');
/** A decimal greater than or equal to zero. */
export const NonNegativeDecimalSchema = decimalWith('non-negative');

/**
 * A decimal schema's parse without zod around it: for one of the schemas above, the same rule its transform
 * applies (`applyDecimalRule`), so the same output, and in `keepStrings` form the output of
 * `checkWithoutDecimals`; undefined for any other schema and for a value it refuses (whose parse then
 * reports why). For `safeParseWithValidatedParts` (most decimals of the project's own events are Decimals
 * it computed) and the compiled checkers.
 */
export function decimalAsIs(
  schema: unknown,
  value: unknown,
  keepStrings: boolean,
): Decimal | string | undefined {
  const rule = RULES.get(schema);
  return rule === undefined ? undefined : applyDecimalRule(rule, value, keepStrings);
}

/** `decimalAsIs` for a Decimal, in a normal parse (the output is a Decimal). */
export function parseDecimalAsIs(schema: unknown, value: Decimal): Decimal | undefined {
  return decimalAsIs(schema, value, false) as Decimal | undefined;
}

/** Whether `schema` is one of the decimal schemas above. */
export const isDecimalSchema = (schema: unknown): boolean => RULES.has(schema);

const TIME_PARSERS = new Map<unknown, (value: unknown) => number>();

/** The parse function of one of the timestamp schemas below (its transform without zod), else undefined. */
export const timestampParserOf = (schema: unknown): ((value: unknown) => number) | undefined =>
  TIME_PARSERS.get(schema);

function timestampWith(parse: (value: unknown) => number) {
  const schema = z.custom<number | string | Date>().transform((value, ctx): number => {
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
  TIME_PARSERS.set(schema, parse);
  return schema;
}

/**
 * Epoch milliseconds as a whole number between the Unix epoch and year 9999; accepts a Date or an ISO 8601
 * string with a zone too (see `toTimestamp`).
 */
export const TimestampSchema = timestampWith((value) => toTimestamp(value));

/** A time a venue can send: TimestampSchema within VENUE_TIME_WINDOW of this machine's clock. */
export const VenueTimestampSchema = timestampWith((value) => toVenueTimestamp(value));
