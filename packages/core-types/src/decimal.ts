import { Decimal as DecimalJs } from 'decimal.js';
import { InvalidDecimalError } from './errors.js';

/**
 * The one Decimal constructor of the project.
 *
 * 40 significant digits hold any price x size product on Hyperliquid exactly; banker's rounding only
 * applies to divisions (average entry prices). Exponent notation is disabled so `toString()` and JSON
 * always give plain decimal strings, which is what wire formats and audit lines expect.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Decimal = DecimalJs;

/** Anything `toDecimal` accepts. */
export type DecimalInput = string | number | bigint | DecimalJs;

/**
 * What a money or size value may be. No real price, size, balance, fee or P&L comes near these, and every
 * product of two in-range inputs that the project computes stays far inside what decimal.js holds; the
 * bounds exist so one absurd value (`1e999999` is a megabyte of digits as a plain string) cannot be
 * recorded, or brick a replay, or poison a running total.
 *
 * - `maxSignificantDigits`: the Decimal precision; arithmetic never produces more.
 * - `maxExponent`: the decimal exponent of the leading digit, so `|value| < 1e30`.
 * - `minExponent`: the smallest leading-digit exponent of a non-zero value, so `|value| >= 1e-60`
 *   (generous on purpose: an average entry price carries 40 digits, and P&L computed from it must stay
 *   recordable).
 * - `maxStringLength`: the longest decimal string read at all (the longest in-range plain string is ~103).
 */
export const DECIMAL_LIMITS = Object.freeze({
  maxSignificantDigits: 40,
  maxExponent: 29,
  minExponent: -60,
  maxStringLength: 128,
});

const DECIMAL_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,6})?$/;
const WORD_BASE = 1e7;
const WORD_DIGITS = 7;
// 40 significant digits span at most 7 base-1e7 words.
const MAX_WORDS = 7;
const DECIMAL_TAG = '[object Decimal]';

/**
 * A short description of any value for an error message, without ever calling into it: a hostile object may
 * throw from `toString`, have no prototype or be a revoked proxy, and `String(value)` would then throw a raw
 * `TypeError` out of the code that was only trying to refuse it.
 * @example
 * describeValue(Object.create(null)); // 'an object'
 * describeValue('1e999999'); // '"1e999999"'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'bigint') {
    const text = value.toString();
    return `${text.length > 64 ? `${text.slice(0, 64)}…` : text}n`;
  }
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return String(value);
}

function fail(where: string, message: string, field: string | undefined): never {
  throw new InvalidDecimalError(`${where}${message}`, field === undefined ? {} : { field });
}

/**
 * Whether a genuine Decimal (one decimal.js built: arithmetic, or `toDecimal`'s copy) of this module's
 * constructor is finite and within `DECIMAL_LIMITS`: what `toDecimal`, and so every decimal schema, accepts. For code that builds values by arithmetic on accepted ones and marks what it
 * builds as validated (`claimValidatedMarker`): a product of two in-range values can leave the range.
 *
 * @example
 * isWithinDecimalLimits(new Decimal('1e29').times('10')); // false: |value| >= 1e30
 */
export function isWithinDecimalLimits(d: Decimal): boolean {
  // Another clone's Decimal is copied by `toDecimal` (its own settings would print it differently).
  if (!(d instanceof DecimalJs) || d.constructor !== Decimal || !d.isFinite()) return false;
  if (d.isZero()) return true;
  return (
    d.e <= DECIMAL_LIMITS.maxExponent &&
    d.e >= DECIMAL_LIMITS.minExponent &&
    d.sd() <= DECIMAL_LIMITS.maxSignificantDigits
  );
}

function withinLimits(d: Decimal, where: string, field: string | undefined, shown: () => string): Decimal {
  if (d.isZero() || isWithinDecimalLimits(d)) return d;
  if (d.e > DECIMAL_LIMITS.maxExponent) {
    fail(where, `${shown()} is too large: |value| must be below 1e${DECIMAL_LIMITS.maxExponent + 1}`, field);
  }
  if (d.e < DECIMAL_LIMITS.minExponent) {
    fail(
      where,
      `${shown()} is too small: a non-zero |value| must be at least 1e${DECIMAL_LIMITS.minExponent}`,
      field,
    );
  }
  if (d.sd() > DECIMAL_LIMITS.maxSignificantDigits) {
    fail(where, `${shown()} has more than ${DECIMAL_LIMITS.maxSignificantDigits} significant digits`, field);
  }
  return d;
}

function fromString(value: string, where: string, field: string | undefined): Decimal {
  if (value.length > DECIMAL_LIMITS.maxStringLength) {
    fail(
      where,
      `decimal string of ${value.length} characters is longer than ${DECIMAL_LIMITS.maxStringLength}`,
      field,
    );
  }
  if (!DECIMAL_STRING.test(value)) fail(where, `not a decimal number: ${describeValue(value)}`, field);
  return withinLimits(new Decimal(value), where, field, () => describeValue(value));
}

/**
 * A Decimal object from any decimal.js copy, rebuilt from its internal digits under our constructor. Only
 * plain data is read (sign, exponent, base-1e7 words), each once, and checked for the shape decimal.js
 * itself produces, so a duck-typed fake, a proxy or an object with throwing accessors is refused and the
 * caller never holds the object it passed.
 */
function fromDecimalObject(value: object, where: string, field: string | undefined): Decimal {
  let s: unknown;
  let e: unknown;
  let words: number[] | null;
  try {
    if (!(value instanceof DecimalJs) && (value as { toStringTag?: unknown }).toStringTag !== DECIMAL_TAG) {
      return fail(where, 'expected a decimal string, number or Decimal, got an object', field);
    }
    s = (value as { s?: unknown }).s;
    e = (value as { e?: unknown }).e;
    const d = (value as { d?: unknown }).d;
    if (d === null) {
      words = null;
    } else {
      if (!Array.isArray(d)) throw new TypeError('digits are not an array');
      const length = d.length;
      if (!Number.isInteger(length) || length < 1) throw new TypeError('no digits');
      if (length > MAX_WORDS) {
        return fail(
          where,
          `Decimal has more than ${DECIMAL_LIMITS.maxSignificantDigits} significant digits`,
          field,
        );
      }
      // Exactly as many words as it has: built by push, the copy kept room for 16 more, about 120 bytes in
      // every Decimal a parse returned, for as long as it lived. (Not `slice`: it would call whatever
      // constructor the array claims.)
      words = new Array<number>(length);
      for (let i = 0; i < length; i++) {
        const w: unknown = d[i];
        if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w >= WORD_BASE) {
          throw new TypeError('malformed digits');
        }
        words[i] = w;
      }
    }
  } catch (error) {
    if (error instanceof InvalidDecimalError) throw error;
    return fail(where, 'not a genuine Decimal', field);
  }
  if (words === null) return fail(where, 'not a finite decimal', field);
  if (s !== 1 && s !== -1) return fail(where, 'not a genuine Decimal', field);
  if (typeof e !== 'number' || !Number.isSafeInteger(e)) return fail(where, 'not a genuine Decimal', field);
  const first = words[0] as number;
  const isZero = words.length === 1 && first === 0;
  if (isZero ? e !== 0 : first === 0 || words[words.length - 1] === 0) {
    return fail(where, 'not a genuine Decimal', field);
  }
  // decimal.js aligns words on the exponent: the leading word holds (e mod 7) + 1 digits.
  if (!isZero && String(first).length !== (((e % WORD_DIGITS) + WORD_DIGITS) % WORD_DIGITS) + 1) {
    return fail(where, 'not a genuine Decimal', field);
  }
  const copy = Object.create(Decimal.prototype) as Decimal & {
    constructor: unknown;
    s: number;
    e: number;
    d: number[];
  };
  copy.constructor = Decimal;
  copy.s = s;
  copy.e = e;
  copy.d = words;
  // Exponent form: a plain string of an out-of-range value could be a megabyte long.
  return withinLimits(copy, where, field, () => `Decimal ${copy.toExponential()}`);
}

/**
 * Strictly converts a value to a Decimal.
 *
 * Accepts decimal strings (`"50000.5"`, `"-1e-8"`), bigints, Decimals and numbers that are exact: finite,
 * and, when integral, within Number.MAX_SAFE_INTEGER (beyond it the number has already lost digits).
 * Numbers are converted through their shortest round-trip string, so `0.1` becomes exactly `0.1`. Every
 * value must lie within DECIMAL_LIMITS. A Decimal object is copied, never returned as given.
 *
 * @throws {InvalidDecimalError} code `INVALID_DECIMAL` for NaN, Infinity, empty or malformed strings,
 *   hex/binary literals, unsafe integers, values beyond DECIMAL_LIMITS and anything that is not a
 *   number-like value (including objects that only look like a Decimal).
 * @example
 * toDecimal('0.1').plus(toDecimal(0.2)).toString(); // '0.3'
 */
export function toDecimal(value: unknown, field?: string): Decimal {
  const where = field === undefined ? '' : `${field}: `;
  switch (typeof value) {
    case 'string':
      return fromString(value, where, field);
    case 'number': {
      if (!Number.isFinite(value)) fail(where, `not a finite number: ${describeValue(value)}`, field);
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        fail(
          where,
          `integer ${describeValue(value)} is beyond Number.MAX_SAFE_INTEGER and may have lost precision; pass it as a string or bigint`,
          field,
        );
      }
      return withinLimits(new Decimal(String(value)), where, field, () => describeValue(value));
    }
    case 'bigint': {
      const text = value.toString();
      if (text.length > DECIMAL_LIMITS.maxStringLength) {
        fail(where, `integer of ${text.length} digits is too large`, field);
      }
      return withinLimits(new Decimal(text), where, field, () => describeValue(value));
    }
    case 'object':
      if (value !== null) return fromDecimalObject(value, where, field);
      break;
  }
  return fail(where, `expected a decimal string, number or Decimal, got ${describeValue(value)}`, field);
}

/**
 * The sign (-1, 0 or 1) of a decimal string that `toDecimal` accepts (same syntax and DECIMAL_LIMITS),
 * without building a Decimal; undefined for a string it refuses. For check-only validation (verifying a
 * log), where building Decimals is the cost.
 */
export function decimalStringSign(value: string): -1 | 0 | 1 | undefined {
  if (value.length > DECIMAL_LIMITS.maxStringLength || !DECIMAL_STRING.test(value)) return undefined;
  let i = 0;
  const c0 = value.charCodeAt(0);
  const negative = c0 === 0x2d;
  if (negative || c0 === 0x2b) i = 1;
  // Digits of the mantissa (without the point), where the point sits, and the exponent.
  let first = -1; // index among mantissa digits of the first non-zero digit
  let last = -1;
  let digits = 0;
  let pointAt = -1;
  for (; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === 0x2e) {
      pointAt = digits;
      continue;
    }
    if (c === 0x65 || c === 0x45) break;
    if (c !== 0x30) {
      if (first === -1) first = digits;
      last = digits;
    }
    digits += 1;
  }
  if (first === -1) return 0;
  const exponent = i < value.length ? Number(value.slice(i + 1)) : 0;
  const intDigits = pointAt === -1 ? digits : pointAt;
  // decimal.js's `e`: the exponent of the leading digit.
  const e = intDigits - 1 - first + exponent;
  if (e > DECIMAL_LIMITS.maxExponent || e < DECIMAL_LIMITS.minExponent) return undefined;
  if (last - first + 1 > DECIMAL_LIMITS.maxSignificantDigits) return undefined;
  return negative ? -1 : 1;
}

/** True when `value` would be accepted by `toDecimal`. */
export function isDecimalInput(value: unknown): value is DecimalInput {
  try {
    toDecimal(value);
    return true;
  } catch {
    return false;
  }
}

export const ZERO: Decimal = new Decimal(0);
export const ONE: Decimal = new Decimal(1);

/** Sum of decimals, exact. */
export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** Largest of two decimals. */
export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}

/** Smallest of two decimals. */
export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}
