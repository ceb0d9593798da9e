import {
  type Decimal,
  type DecimalInput,
  fitsSizeDecimals,
  InvalidDecimalError,
  isOnPriceGrid,
  MAX_PRICE_SIG_FIGS,
  priceDecimals,
  priceGridProblem,
  roundSizeDown,
  roundToPriceGrid,
  toDecimal,
} from '@hl-bot/core-types';
import { UnrepresentableNumberError } from './errors.js';

// The tick, lot and significant-figure rules themselves live in core-types (one owner for the client, the
// paper exchange, hl-sim and the strategies); this module adds the wire format, errors and range checks.

/** Which side an order is on. Rounding a price always moves it toward the side's safe direction. */
export type Side = 'buy' | 'sell';

export interface FormatPriceOptions {
  /** Spot market (8 decimals budget instead of 6). */
  spot?: boolean;
  /**
   * Round an unrepresentable price instead of throwing: down for a buy, up for a sell, so the result is
   * never a worse price than the one asked for.
   */
  roundFor?: Side;
}

export interface FormatSizeOptions {
  /** Round an unrepresentable size down (a smaller order is the safe side) instead of throwing. */
  round?: boolean;
}

function parse(value: DecimalInput, field: string, code: 'HL_INVALID_PRICE' | 'HL_INVALID_SIZE'): Decimal {
  let d: Decimal;
  try {
    d = toDecimal(value, field);
  } catch (error) {
    if (error instanceof InvalidDecimalError) {
      throw new UnrepresentableNumberError(code, error.message, { cause: error });
    }
    throw error;
  }
  if (!d.isFinite() || d.lte(0)) {
    throw new UnrepresentableNumberError(code, `${field} must be greater than 0, got ${d.toFixed()}`, {
      details: { [field]: d.toFixed() },
    });
  }
  return d;
}

function checkSzDecimals(szDecimals: number): void {
  if (!Number.isInteger(szDecimals) || szDecimals < 0 || szDecimals > 8) {
    throw new RangeError(`szDecimals must be an integer in [0, 8], got ${szDecimals}`);
  }
}

/** Max decimals of a price for an asset with `szDecimals`. */
export function maxPriceDecimals(szDecimals: number, spot = false): number {
  checkSzDecimals(szDecimals);
  return priceDecimals(szDecimals, spot);
}

/** True when `price` satisfies Hyperliquid's tick rules as it is. */
export function isValidPrice(price: Decimal, szDecimals: number, spot = false): boolean {
  if (!price.isFinite() || price.lte(0)) return false;
  if (price.isInteger()) return true;
  // An impossible szDecimals throws whenever the decimals budget would decide the answer.
  if (priceGridProblem(price, Number.POSITIVE_INFINITY) === undefined) checkSzDecimals(szDecimals);
  return isOnPriceGrid(price, szDecimals, spot);
}

/**
 * The canonical wire string of a decimal: plain notation, no exponent, no trailing zeros, no `-0`.
 * Hyperliquid re-serialises the action to check the signature, so `"100.0"` would sign another hash.
 *
 * @throws {UnrepresentableNumberError} `HL_INVALID_PRICE` for non-finite values.
 * @example
 * toWireDecimal('100.000'); // '100'
 */
export function toWireDecimal(value: DecimalInput): string {
  const d = toDecimal(value);
  if (!d.isFinite()) throw new UnrepresentableNumberError('HL_INVALID_PRICE', 'not a finite decimal');
  if (d.isZero()) return '0';
  // decimal.js keeps no trailing zeros and our Decimal never switches to exponent notation.
  return d.toFixed();
}

/**
 * Formats a price for the wire under Hyperliquid's tick rules: at most 5 significant figures (integers are
 * always allowed) and at most `6 - szDecimals` decimals (`8 - szDecimals` on spot).
 *
 * @throws {UnrepresentableNumberError} `HL_INVALID_PRICE` when the price is not positive, or is not
 *   representable and `roundFor` is not given, or rounds to zero.
 * @example
 * formatPrice('1670.1', 2);                        // '1670.1'
 * formatPrice('1670.123', 2, { roundFor: 'buy' }); // '1670.1' (down: never pay more than asked)
 * formatPrice('1670.123', 2, { roundFor: 'sell' }); // '1670.2' (up: never sell for less)
 */
export function formatPrice(
  price: DecimalInput,
  szDecimals: number,
  options: FormatPriceOptions = {},
): string {
  const spot = options.spot === true;
  const d = parse(price, 'price', 'HL_INVALID_PRICE');
  if (isValidPrice(d, szDecimals, spot)) return d.toFixed();
  const maxDecimals = maxPriceDecimals(szDecimals, spot);
  if (options.roundFor === undefined) {
    const down = roundToPriceGrid(d, maxDecimals, 'down');
    const up = roundToPriceGrid(d, maxDecimals, 'up');
    throw new UnrepresentableNumberError(
      'HL_INVALID_PRICE',
      `price ${d.toFixed()} is not a valid Hyperliquid price (max ${MAX_PRICE_SIG_FIGS} significant figures and ${maxDecimals} decimals for szDecimals ${szDecimals}${spot ? ' on spot' : ''}); nearest valid prices are ${down.toFixed()} and ${up.toFixed()}, or pass roundFor`,
      { details: { price: d.toFixed(), szDecimals, spot, below: down.toFixed(), above: up.toFixed() } },
    );
  }
  const rounded = roundToPriceGrid(d, maxDecimals, options.roundFor === 'buy' ? 'down' : 'up');
  if (rounded.lte(0) || !isValidPrice(rounded, szDecimals, spot)) {
    throw new UnrepresentableNumberError(
      'HL_INVALID_PRICE',
      `price ${d.toFixed()} rounds to ${rounded.toFixed()}, which is not a valid price`,
      { details: { price: d.toFixed(), szDecimals, spot } },
    );
  }
  return rounded.toFixed();
}

/**
 * Formats a size for the wire: at most `szDecimals` decimals, greater than zero.
 *
 * @throws {UnrepresentableNumberError} `HL_INVALID_SIZE` when the size is not positive, has too many
 *   decimals and `round` is not set, or rounds down to zero.
 * @example
 * formatSize('0.0100', 4);                    // '0.01'
 * formatSize('0.01234', 4, { round: true });  // '0.0123'
 */
export function formatSize(size: DecimalInput, szDecimals: number, options: FormatSizeOptions = {}): string {
  checkSzDecimals(szDecimals);
  const d = parse(size, 'size', 'HL_INVALID_SIZE');
  if (fitsSizeDecimals(d, szDecimals)) return d.toFixed();
  if (options.round !== true) {
    throw new UnrepresentableNumberError(
      'HL_INVALID_SIZE',
      `size ${d.toFixed()} has more than ${szDecimals} decimals; pass round to round it down to ${roundSizeDown(d, szDecimals).toFixed()}`,
      { details: { size: d.toFixed(), szDecimals } },
    );
  }
  const rounded = roundSizeDown(d, szDecimals);
  if (rounded.isZero()) {
    throw new UnrepresentableNumberError(
      'HL_INVALID_SIZE',
      `size ${d.toFixed()} rounds down to 0 with ${szDecimals} decimals`,
      { details: { size: d.toFixed(), szDecimals } },
    );
  }
  return rounded.toFixed();
}
