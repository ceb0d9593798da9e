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

const DECIMAL_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,6})?$/;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/**
 * Strictly converts a value to a Decimal.
 *
 * Accepts decimal strings (`"50000.5"`, `"-1e-8"`), bigints, Decimals and numbers that are exact: finite,
 * and, when integral, within Number.MAX_SAFE_INTEGER (beyond it the number has already lost digits).
 * Numbers are converted through their shortest round-trip string, so `0.1` becomes exactly `0.1`.
 *
 * @throws {InvalidDecimalError} code `INVALID_DECIMAL` for NaN, Infinity, empty or malformed strings,
 *   hex/binary literals, unsafe integers and anything that is not a number-like value.
 * @example
 * toDecimal('0.1').plus(toDecimal(0.2)).toString(); // '0.3'
 */
export function toDecimal(value: unknown, field?: string): Decimal {
  const where = field === undefined ? '' : `${field}: `;
  const opts = field === undefined ? {} : { field };
  if (DecimalJs.isDecimal(value)) {
    const d = value as DecimalJs;
    if (!d.isFinite()) throw new InvalidDecimalError(`${where}not a finite decimal: ${describe(d)}`, opts);
    // A Decimal from another decimal.js copy or clone carries other settings: rebuild it under ours.
    return (d.constructor as unknown) === Decimal ? d : new Decimal((d as { toString(): string }).toString());
  }
  switch (typeof value) {
    case 'string': {
      if (!DECIMAL_STRING.test(value)) {
        throw new InvalidDecimalError(`${where}not a decimal number: ${describe(value)}`, opts);
      }
      return new Decimal(value);
    }
    case 'number': {
      if (!Number.isFinite(value)) {
        throw new InvalidDecimalError(`${where}not a finite number: ${describe(value)}`, opts);
      }
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
        throw new InvalidDecimalError(
          `${where}integer ${describe(value)} is beyond Number.MAX_SAFE_INTEGER and may have lost precision; pass it as a string or bigint`,
          opts,
        );
      }
      return new Decimal(String(value));
    }
    case 'bigint':
      return new Decimal(value.toString());
    default:
      throw new InvalidDecimalError(
        `${where}expected a decimal string, number or Decimal, got ${describe(value)}`,
        opts,
      );
  }
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
