import {
  Decimal,
  type DecimalInput,
  ManualClock,
  parseOrThrow,
  SymbolSchema,
  toDecimal,
  ValidationError,
} from '@hl-bot/core-types';
import { InstrumentConfig, type InstrumentConfigInput } from '../instruments.js';
import { createPrng } from '../prng.js';
import type { PaperSettings } from './core.js';

/**
 * Hyperliquid's base-tier (tier 0) perp fees: taker 0.045%, maker 0.015%, from Hyperliquid's "Fees" docs
 * page. `/work/shared/research/hyperliquid.md` lists no fee rates, so these come from that page.
 */
export const HYPERLIQUID_BASE_FEES = Object.freeze({
  taker: toDecimal('0.00045'),
  maker: toDecimal('0.00015'),
});

/** Hyperliquid's baseline funding: 0.01% per 8 hours, paid hourly as 0.00125% per hour. */
export const HYPERLIQUID_BASELINE_FUNDING_RATE = toDecimal('0.0000125');

/** Options of PaperExchange. */
export interface PaperExchangeOptions {
  /** USDC the account starts with. */
  startBalance: DecimalInput;
  /** Tradable symbols and their rules; orders and bars for other symbols are refused. */
  instruments: Readonly<Record<string, InstrumentConfigInput>>;
  /** Venue name reported by `name`. Default `"paper"`. */
  name?: string;
  /** Fee rates as fractions of notional. Default HYPERLIQUID_BASE_FEES. A negative maker rate is a rebate. */
  fees?: { taker: DecimalInput; maker: DecimalInput };
  /**
   * Adverse slippage of taker fills as a fraction of the reference price: a constant, or a uniform draw
   * in [min, max] from the seeded PRNG. Default 0.0005 (5 bps).
   */
  slippage?: DecimalInput | { min: DecimalInput; max: DecimalInput };
  /** Seed of the PRNG used by random slippage. Default 0. */
  seed?: number;
  /** Funding rate per hour, a constant or a function of symbol and funding time. Default 0.0000125. */
  fundingRate?: DecimalInput | ((symbol: string, time: number) => DecimalInput);
  /**
   * When taker orders placed between bars fill: at the next bar's open (default, no look-ahead and no
   * stale price) or immediately at the last close.
   */
  fillMarketOrdersAt?: 'next-open' | 'last-close';
  /** When set, at most this fraction of a bar's volume fills per symbol per bar; the rest waits or is cancelled. */
  maxVolumeParticipation?: DecimalInput;
  /** Leverage of a symbol until `setLeverage` is called. Default min(20, maxLeverage). */
  defaultLeverage?: number;
  /** Clock to advance with the bars. Default a ManualClock at `startTime`. */
  clock?: ManualClock;
  /**
   * Receives errors thrown by listeners. Without it, the operation (onBar, placeOrder, cancel) completes and
   * then throws an AggregateError of them, so a broken listener is never silent; note that placeOrder then
   * throws although the order was accepted.
   */
  onListenerError?: (error: unknown) => void;
  /** Start time of the default clock, epoch ms. Default 0. */
  startTime?: number;
}

/** What the constructor takes from the options, every field checked, in the order the checks run. */
export interface ParsedOptions {
  name: string;
  balance: Decimal;
  settings: PaperSettings;
  clock: ManualClock;
  onListenerError: ((error: unknown) => void) | undefined;
}

/** @throws {ValidationError} for invalid options (bad instrument, negative balance, bad rates). */
export function parseOptions(options: PaperExchangeOptions): ParsedOptions {
  const name = options.name ?? 'paper';
  const balance = toDecimal(options.startBalance, 'startBalance');
  if (balance.isNegative()) throw new ValidationError('startBalance must be >= 0', { field: 'startBalance' });
  const instruments = new Map<string, InstrumentConfig>();
  for (const [symbol, raw] of Object.entries(options.instruments)) {
    if (!SymbolSchema.safeParse(symbol).success) {
      throw new ValidationError(`instrument symbol ${JSON.stringify(symbol)} is not a valid symbol`, {
        field: 'instruments',
      });
    }
    instruments.set(symbol, parseOrThrow(InstrumentConfig, raw, `instrument ${symbol}`));
  }
  if (instruments.size === 0)
    throw new ValidationError('instruments must not be empty', { field: 'instruments' });
  const fees = options.fees ?? HYPERLIQUID_BASE_FEES;
  const takerFee = toDecimal(fees.taker, 'fees.taker');
  const makerFee = toDecimal(fees.maker, 'fees.maker');
  if (takerFee.isNegative()) throw new ValidationError('fees.taker must be >= 0', { field: 'fees.taker' });
  if (takerFee.gte(1) || makerFee.abs().gte(1)) {
    throw new ValidationError('fee rates are fractions of notional and must be below 1', { field: 'fees' });
  }
  const slip = options.slippage ?? '0.0005';
  let slippageFixed: Decimal | undefined;
  let slippageRange: { min: Decimal; max: Decimal } | undefined;
  if (typeof slip === 'object' && !Decimal.isDecimal(slip)) {
    const range = { min: toDecimal(slip.min, 'slippage.min'), max: toDecimal(slip.max, 'slippage.max') };
    if (range.min.isNegative() || range.max.lt(range.min) || range.max.gte(1)) {
      throw new ValidationError('slippage range must satisfy 0 <= min <= max < 1', { field: 'slippage' });
    }
    slippageRange = range;
  } else {
    slippageFixed = toDecimal(slip, 'slippage');
    if (slippageFixed.isNegative() || slippageFixed.gte(1)) {
      throw new ValidationError('slippage must be in [0, 1)', { field: 'slippage' });
    }
  }
  const prng = createPrng(options.seed ?? 0);
  const rate = options.fundingRate ?? HYPERLIQUID_BASELINE_FUNDING_RATE;
  const fundingRateOf =
    typeof rate === 'function'
      ? (symbol: string, time: number) => toDecimal(rate(symbol, time), 'fundingRate')
      : (
          (constant: Decimal) => () =>
            constant
        )(toDecimal(rate, 'fundingRate'));
  const fillMode = options.fillMarketOrdersAt ?? 'next-open';
  let participation: Decimal | undefined;
  if (options.maxVolumeParticipation !== undefined) {
    const p = toDecimal(options.maxVolumeParticipation, 'maxVolumeParticipation');
    if (p.lte(0) || p.gt(1)) {
      throw new ValidationError('maxVolumeParticipation must be in (0, 1]', {
        field: 'maxVolumeParticipation',
      });
    }
    participation = p;
  }
  if (
    options.defaultLeverage !== undefined &&
    (!Number.isInteger(options.defaultLeverage) || options.defaultLeverage < 1)
  ) {
    throw new ValidationError('defaultLeverage must be an integer >= 1', { field: 'defaultLeverage' });
  }
  return {
    name,
    balance,
    settings: {
      instruments,
      takerFee,
      makerFee,
      slippageFixed,
      slippageRange,
      prng,
      fundingRateOf,
      fillMode,
      participation,
      defaultLeverage: options.defaultLeverage,
    },
    clock: options.clock ?? new ManualClock(options.startTime ?? 0),
    onListenerError: options.onListenerError,
  };
}
