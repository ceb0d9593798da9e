import {
  type Decimal,
  ExchangeError,
  fitsSizeDecimals,
  priceDecimals as hyperliquidPriceDecimals,
  MAX_PRICE_SIG_FIGS,
  PositiveDecimalSchema,
  priceGridProblem,
  toDecimal,
} from '@hl-bot/core-types';
import { z } from 'zod';

/**
 * Per-symbol trading rules, Hyperliquid style. Prices must have at most `maxSignificantFigures`
 * significant figures (whole numbers always pass) and at most `maxPriceDecimals` decimals
 * (Hyperliquid perps: 6 - szDecimals), or be a multiple of `tickSize` when one is set. Sizes must have at
 * most `szDecimals` decimals. Orders worth less than `minNotional` (Hyperliquid: $10) are refused.
 */
export const InstrumentConfig = z
  .object({
    szDecimals: z.number().int().min(0).max(12),
    maxLeverage: z.number().int().min(1).max(200),
    tickSize: PositiveDecimalSchema.optional(),
    maxPriceDecimals: z.number().int().min(0).max(12).optional(),
    maxSignificantFigures: z.number().int().min(1).max(20).default(MAX_PRICE_SIG_FIGS),
    minNotional: PositiveDecimalSchema.default(() => toDecimal(10)),
  })
  .strict();
export type InstrumentConfig = z.output<typeof InstrumentConfig>;
export type InstrumentConfigInput = z.input<typeof InstrumentConfig>;

/**
 * Hyperliquid's published rules for a few perps (szDecimals and maxLeverage from `meta`), handy defaults
 * for simulations. Check `meta` for current values before relying on them.
 */
export const HYPERLIQUID_PERPS: Readonly<Record<string, InstrumentConfigInput>> = Object.freeze({
  'BTC-USD': { szDecimals: 5, maxLeverage: 40 },
  'ETH-USD': { szDecimals: 4, maxLeverage: 25 },
  'SOL-USD': { szDecimals: 2, maxLeverage: 20 },
});

/** Decimals a price of this instrument may have. */
export function priceDecimals(inst: InstrumentConfig): number {
  return inst.maxPriceDecimals ?? hyperliquidPriceDecimals(inst.szDecimals);
}

/** Throws INVALID_PRICE unless `price` is on the instrument's price grid. */
export function checkPrice(symbol: string, inst: InstrumentConfig, price: Decimal, field: string): void {
  const details = { symbol, field, price: price.toString() };
  if (inst.tickSize !== undefined) {
    if (!price.mod(inst.tickSize).isZero()) {
      throw new ExchangeError(
        'INVALID_PRICE',
        `${field} ${price} of ${symbol} is not a multiple of tick size ${inst.tickSize}`,
        {
          details: { ...details, tickSize: inst.tickSize.toString() },
        },
      );
    }
    return;
  }
  const maxDecimals = priceDecimals(inst);
  const problem = priceGridProblem(price, maxDecimals, inst.maxSignificantFigures);
  if (problem === 'decimals') {
    throw new ExchangeError(
      'INVALID_PRICE',
      `${field} ${price} of ${symbol} has more than ${maxDecimals} decimals`,
      {
        details: { ...details, maxDecimals },
      },
    );
  }
  if (problem === 'significant-figures') {
    throw new ExchangeError(
      'INVALID_PRICE',
      `${field} ${price} of ${symbol} has more than ${inst.maxSignificantFigures} significant figures`,
      { details: { ...details, maxSignificantFigures: inst.maxSignificantFigures } },
    );
  }
}

/** Throws INVALID_SIZE unless `quantity` has at most szDecimals decimals. */
export function checkSize(symbol: string, inst: InstrumentConfig, quantity: Decimal): void {
  if (!fitsSizeDecimals(quantity, inst.szDecimals)) {
    throw new ExchangeError(
      'INVALID_SIZE',
      `quantity ${quantity} of ${symbol} has more than ${inst.szDecimals} decimals (szDecimals)`,
      { details: { symbol, quantity: quantity.toString(), szDecimals: inst.szDecimals } },
    );
  }
}

/** Rounds a computed fill price onto the grid, away from the trader (up for buys, down for sells). */
export function roundAdverse(inst: InstrumentConfig, price: Decimal, side: 'buy' | 'sell'): Decimal {
  const mode = side === 'buy' ? 2 /* ROUND_CEIL */ : 3; /* ROUND_FLOOR */
  if (inst.tickSize !== undefined) {
    const ticks = price.div(inst.tickSize).toDecimalPlaces(0, mode);
    const rounded = ticks.times(inst.tickSize);
    return rounded.gt(0) ? rounded : inst.tickSize;
  }
  const rounded = price.toDecimalPlaces(priceDecimals(inst), mode);
  return rounded.gt(0) ? rounded : price;
}
