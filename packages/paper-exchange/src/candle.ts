import {
  claimValidatedMarker,
  type Decimal,
  NonNegativeDecimalSchema,
  PositiveDecimalSchema,
  parseValidated,
  SymbolSchema,
  TimestampSchema,
} from '@hl-bot/core-types';
import { z } from 'zod';

/**
 * One OHLCV bar. `openTime` is the first millisecond of the bar, `closeTime` the last one (Hyperliquid's
 * `T` convention: openTime + interval - 1). Volume is in the base asset and may be 0 (a bar with no trades).
 */
export const Candle = z
  .object({
    symbol: SymbolSchema,
    openTime: TimestampSchema,
    closeTime: TimestampSchema.optional(),
    open: PositiveDecimalSchema,
    high: PositiveDecimalSchema,
    low: PositiveDecimalSchema,
    close: PositiveDecimalSchema,
    volume: NonNegativeDecimalSchema,
  })
  .strict()
  .superRefine((c, ctx) => {
    const problem = candleProblem(c);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
export type Candle = z.output<typeof Candle>;
export type CandleInput = z.input<typeof Candle>;

/**
 * Marks a candle this package built from numbers it rounded and ordered itself (the synthetic market), so
 * the paper exchange takes it as parsed. Internal: not exported from the package; every candle from a file
 * or a caller is parsed with the Candle schema (`parseValidated`) at its boundary instead.
 */
export const markBuiltCandle: (candle: Candle) => Candle = claimValidatedMarker(Candle);

/**
 * A candle read from a file, after the reader's own checks (which name the line): parsed once with the
 * Candle schema and marked, so the paper exchange does not parse it again.
 *
 * @throws {ValidationError} when it is not a valid candle
 */
export function parseReadCandle(candle: CandleInput): Candle {
  return parseValidated(Candle, candle, 'candle');
}

/** A stream of candles ordered by openTime (several symbols may be interleaved). */
export type MarketDataSource = AsyncIterable<Candle>;

/** Why a candle's numbers are inconsistent, or undefined when they are fine. */
export function candleProblem(c: {
  openTime: number;
  closeTime?: number | undefined;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
}): string | undefined {
  if (c.high.lt(c.low)) return `high ${c.high} < low ${c.low}`;
  if (c.high.lt(c.open) || c.high.lt(c.close))
    return `high ${c.high} is below open ${c.open} or close ${c.close}`;
  if (c.low.gt(c.open) || c.low.gt(c.close))
    return `low ${c.low} is above open ${c.open} or close ${c.close}`;
  if (c.closeTime !== undefined && c.closeTime < c.openTime) {
    return `closeTime ${c.closeTime} is before openTime ${c.openTime}`;
  }
  return undefined;
}
