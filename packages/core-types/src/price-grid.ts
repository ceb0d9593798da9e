import { Decimal } from './decimal.js';

/*
 * Hyperliquid's tick, lot and significant-figure rules, in one place: the venue client formats orders with
 * them, the paper exchange and hl-sim refuse orders with them, and the built-in strategies round to them.
 * Each caller keeps its own rounding direction (always the safe side for that caller); these functions
 * only know the grid. Docs: https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/tick-and-lot-size
 */

/** Significant figures a non-integer Hyperliquid price may have (integers are always allowed). */
export const MAX_PRICE_SIG_FIGS = 5;
/** Decimals budget of a perp price: a price may have at most `6 - szDecimals` decimals. */
export const PERP_PRICE_DECIMALS = 6;
/** Decimals budget of a spot price: at most `8 - szDecimals` decimals. */
export const SPOT_PRICE_DECIMALS = 8;

/**
 * Most decimals a price may have for an asset with `szDecimals` (never below 0). No range check: callers
 * that only accept the venue's szDecimals check that themselves.
 * @example
 * priceDecimals(2); // 4
 * priceDecimals(2, true); // 6 (spot)
 */
export function priceDecimals(szDecimals: number, spot = false): number {
  return Math.max((spot ? SPOT_PRICE_DECIMALS : PERP_PRICE_DECIMALS) - szDecimals, 0);
}

/**
 * Why `price` is off the grid, or undefined when it is on it: more than `maxDecimals` decimals first, then,
 * for a non-integer, more than `maxSigFigs` significant figures. Sign and finiteness are the caller's.
 * @example
 * priceGridProblem(new Decimal('1670.12'), 1); // 'decimals'
 * priceGridProblem(new Decimal('12345.6'), 1); // 'significant-figures'
 * priceGridProblem(new Decimal('123456'), 1);  // undefined (integers always pass)
 */
export function priceGridProblem(
  price: Decimal,
  maxDecimals: number,
  maxSigFigs: number = MAX_PRICE_SIG_FIGS,
): 'decimals' | 'significant-figures' | undefined {
  if (price.decimalPlaces() > maxDecimals) return 'decimals';
  if (!price.isInteger() && price.precision(false) > maxSigFigs) return 'significant-figures';
  return undefined;
}

/**
 * True when `price` is a valid Hyperliquid price as it is: finite, above 0, and an integer or within
 * 5 significant figures and `priceDecimals(szDecimals, spot)` decimals.
 * @example
 * isOnPriceGrid(new Decimal('1670.1'), 2); // true
 * isOnPriceGrid(new Decimal('1670.12'), 2); // false (6 significant figures)
 */
export function isOnPriceGrid(price: Decimal, szDecimals: number, spot = false): boolean {
  if (!price.isFinite() || price.lte(0)) return false;
  if (price.isInteger()) return true;
  return priceGridProblem(price, priceDecimals(szDecimals, spot)) === undefined;
}

/**
 * The nearest grid price in `direction` (`down` toward zero, `up` away from it) for a positive price with at
 * most `maxDecimals` decimals. From 1e5 up every integer is valid, so the result is an integer there rather
 * than a 5-significant-figure price needlessly far away. A result of 0 (a price below the smallest tick,
 * rounded down) is the caller's to refuse.
 * @example
 * roundToPriceGrid(new Decimal('1670.123'), 4, 'down'); // 1670.1
 * roundToPriceGrid(new Decimal('9.999951'), 6, 'up');   // 10
 */
export function roundToPriceGrid(price: Decimal, maxDecimals: number, direction: 'down' | 'up'): Decimal {
  const mode = direction === 'down' ? Decimal.ROUND_DOWN : Decimal.ROUND_UP;
  if (price.gte(100_000)) return price.toDecimalPlaces(0, mode);
  const magnitude = price.abs().e; // floor(log10(|price|)) for a non-zero decimal
  const sigFigDecimals = Math.max(MAX_PRICE_SIG_FIGS - 1 - magnitude, 0);
  let r = price.toDecimalPlaces(Math.min(maxDecimals, sigFigDecimals), mode);
  // Rounding up can carry into a new digit (9.99995 -> 10.0000); apply the rule once more then.
  if (!r.isInteger() && r.sd(false) > MAX_PRICE_SIG_FIGS) {
    r = r.toDecimalPlaces(Math.max(MAX_PRICE_SIG_FIGS - 1 - r.e, 0), mode);
  }
  return r;
}

/**
 * The smallest price step at `price`: 1 from 1e5 up, else the finer of 5 significant figures and
 * `maxDecimals` decimals allows.
 * @example
 * priceTickAt(new Decimal('57000'), 1); // 1
 * priceTickAt(new Decimal('3000'), 2);  // 0.1
 */
export function priceTickAt(price: Decimal, maxDecimals: number): Decimal {
  if (price.gte(100_000)) return new Decimal(1);
  const sigDecimals = Math.max(MAX_PRICE_SIG_FIGS - 1 - price.e, 0);
  return new Decimal(10).pow(-Math.min(maxDecimals, sigDecimals));
}

/**
 * True when `size` has at most `szDecimals` decimals (the lot rule; sign is the caller's).
 * @example
 * fitsSizeDecimals(new Decimal('0.0123'), 4); // true
 */
export function fitsSizeDecimals(size: Decimal, szDecimals: number): boolean {
  return size.decimalPlaces() <= szDecimals;
}

/**
 * `size` rounded toward zero to `szDecimals` decimals: a smaller order is the safe side.
 * @example
 * roundSizeDown(new Decimal('0.01239'), 4); // 0.0123
 */
export function roundSizeDown(size: Decimal, szDecimals: number): Decimal {
  return size.toDecimalPlaces(szDecimals, Decimal.ROUND_DOWN);
}
