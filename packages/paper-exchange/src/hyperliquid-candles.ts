import { readFile } from 'node:fs/promises';
import { Decimal, SymbolSchema, ValidationError } from '@hl-bot/core-types';
import { z } from 'zod';
import { type Candle, candleProblem, type MarketDataSource, parseReadCandle } from './candle.js';
import { MarketDataError } from './errors.js';

const WireNumber = z.union([z.string(), z.number()]).transform((value, ctx): Decimal => {
  const text = String(value);
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `not a decimal number: ${JSON.stringify(text.slice(0, 40))}` });
    return z.NEVER;
  }
  return new Decimal(text);
});
const Millis = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * One element of Hyperliquid's `candleSnapshot` response. Numbers arrive as strings in real responses and
 * as numbers in some docs; both are accepted. Unknown extra fields are ignored.
 */
export const HyperliquidCandleWire = z.object({
  t: Millis,
  T: Millis,
  s: z.string().min(1),
  i: z.string().min(1),
  o: WireNumber,
  c: WireNumber,
  h: WireNumber,
  l: WireNumber,
  v: WireNumber,
  n: z.number().int().nonnegative(),
});
export type HyperliquidCandleWire = z.output<typeof HyperliquidCandleWire>;

/** Options of `hyperliquidCandles`. */
export interface HyperliquidCandlesOptions {
  /** Symbol to give the candles; default `<coin>-USD` from the `s` field. */
  symbol?: string;
}

/**
 * Candles from a Hyperliquid `candleSnapshot` response: a file path, the JSON text itself (anything that
 * starts with `[`), or the already parsed array. Every element is validated with zod.
 *
 * @throws {MarketDataError} code `MARKET_DATA_INVALID` (at iteration) naming the element index for a
 *   malformed element, inconsistent OHLC, a non-increasing `t`, several coins, or an unreadable file.
 * @example
 * for await (const c of hyperliquidCandles('./btc-1h.json', { symbol: 'BTC-USD' })) await paper.onBar(c);
 */
export function hyperliquidCandles(
  pathOrJson: string | readonly unknown[],
  options: HyperliquidCandlesOptions = {},
): MarketDataSource {
  if (options.symbol !== undefined && !SymbolSchema.safeParse(options.symbol).success) {
    throw new ValidationError(`invalid symbol ${JSON.stringify(options.symbol)}`, { field: 'symbol' });
  }
  const isInline = typeof pathOrJson !== 'string' || pathOrJson.trimStart().startsWith('[');
  const file = isInline ? undefined : (pathOrJson as string);
  const where = file === undefined ? {} : { file };

  return {
    async *[Symbol.asyncIterator](): AsyncGenerator<Candle> {
      let raw: unknown = pathOrJson;
      if (typeof pathOrJson === 'string') {
        try {
          raw = JSON.parse(isInline ? pathOrJson : await readFile(pathOrJson, 'utf8'));
        } catch (error) {
          throw new MarketDataError(`not a candleSnapshot JSON: ${(error as Error).message}`, {
            ...where,
            cause: error,
          });
        }
      }
      if (!Array.isArray(raw)) throw new MarketDataError('candleSnapshot must be a JSON array', where);
      let lastTime = -1;
      let coin: string | undefined;
      for (let index = 0; index < raw.length; index++) {
        const fail = (message: string, cause?: unknown): never => {
          throw new MarketDataError(`candle [${index}]: ${message}`, { ...where, cause, details: { index } });
        };
        const parsed = HyperliquidCandleWire.safeParse(raw[index]);
        if (!parsed.success) {
          fail(
            parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
            parsed.error,
          );
          return;
        }
        const w = parsed.data;
        if (coin !== undefined && w.s !== coin)
          fail(`coin ${w.s} differs from ${coin}; one coin per snapshot`);
        coin = w.s;
        const symbol = options.symbol ?? `${w.s}-USD`;
        if (!SymbolSchema.safeParse(symbol).success)
          fail(`coin ${JSON.stringify(w.s)} gives no valid symbol`);
        if (!w.o.gt(0) || !w.h.gt(0) || !w.l.gt(0) || !w.c.gt(0)) fail('prices must be greater than 0');
        if (w.v.isNegative()) fail('volume is negative');
        const candle: Candle = {
          symbol,
          openTime: w.t,
          closeTime: w.T,
          open: w.o,
          high: w.h,
          low: w.l,
          close: w.c,
          volume: w.v,
        };
        const problem = candleProblem(candle);
        if (problem !== undefined) fail(problem);
        if (w.t <= lastTime) fail(`t ${w.t} does not increase (previous ${lastTime})`);
        lastTime = w.t;
        yield parseReadCandle(candle);
      }
    },
  };
}
