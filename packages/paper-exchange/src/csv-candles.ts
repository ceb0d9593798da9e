import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Decimal, SymbolSchema, ValidationError } from '@hl-bot/core-types';
import { type Candle, candleProblem, type MarketDataSource, parseReadCandle } from './candle.js';
import { MarketDataError } from './errors.js';
import { intervalMs } from './interval.js';

/** Options of `csvCandles`. */
export interface CsvCandlesOptions {
  /** Symbol the candles are for (a CSV file holds one symbol). */
  symbol: string;
  /** Bar length; when given each candle gets closeTime = openTime + interval - 1. */
  interval?: string | number;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?$/;
const HEADER_TIME = new Set(['timestamp', 'time', 'ts', 't', 'date', 'open_time', 'opentime', 'datetime']);
const HEADER_REST = ['open', 'high', 'low', 'close', 'volume'];
/**
 * Timestamps below this are seconds, at or above it milliseconds. 1e11 seconds is the year 5138 and 1e11
 * milliseconds is March 1973, so no real candle is ambiguous.
 */
const SECONDS_LIMIT = new Decimal('1e11');

/**
 * Streams candles from an OHLCV CSV file with the columns `timestamp,open,high,low,close,volume`.
 *
 * - The header row is optional; when present it must name those six columns (`time`/`date`/`open_time`
 *   are accepted for the first). Blank lines, a UTF-8 BOM and CRLF line ends are accepted.
 * - Timestamps are decided per value by magnitude: below 1e11 they are seconds (fractions allowed when they
 *   give whole milliseconds), otherwise milliseconds.
 * - Gaps (missing bars) are passed through as they are: nothing is invented for the missing time; the
 *   paper exchange sees no trading in it. Flat candles (open = high = low = close, volume 0) are valid.
 * - The file is read with node:readline, one line at a time, so its size does not matter.
 *
 * @throws {MarketDataError} code `MARKET_DATA_INVALID` naming the file and 1-based line: wrong column
 *   count, a value that is not a number, a negative or zero price, negative volume, high < low or an
 *   open/close outside [low, high], a timestamp that does not increase. Also when the file cannot be read.
 * @example
 * for await (const candle of csvCandles('btc-1m.csv', { symbol: 'BTC-USD', interval: '1m' })) {
 *   await paper.onBar(candle);
 * }
 */
export function csvCandles(path: string, options: CsvCandlesOptions): MarketDataSource {
  const symbolResult = SymbolSchema.safeParse(options.symbol);
  if (!symbolResult.success) {
    throw new ValidationError(`invalid symbol ${JSON.stringify(options.symbol)}`, { field: 'symbol' });
  }
  const symbol = symbolResult.data;
  const interval = options.interval === undefined ? undefined : intervalMs(options.interval);

  return {
    async *[Symbol.asyncIterator](): AsyncGenerator<Candle> {
      const stream = createReadStream(path, { encoding: 'utf8' });
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      let lineNo = 0;
      let seenData = false;
      let headerAllowed = true;
      let lastTime = -1;
      try {
        for await (const rawLine of lines) {
          lineNo++;
          const line = lineNo === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
          if (line.trim() === '') continue;
          const fields = line.split(',').map((f) => f.trim());
          const fail = (message: string): never => {
            throw new MarketDataError(message, {
              file: path,
              line: lineNo,
              details: { row: line.slice(0, 200) },
            });
          };
          if (fields.length !== 6)
            fail(`expected 6 columns (timestamp,open,high,low,close,volume), got ${fields.length}`);
          if (headerAllowed && !seenData && !NUMBER.test(fields[0] ?? '')) {
            headerAllowed = false;
            const names = fields.map((f) => f.toLowerCase().replace(/^"|"$/g, ''));
            const ok = HEADER_TIME.has(names[0] ?? '') && HEADER_REST.every((n, i) => names[i + 1] === n);
            if (!ok)
              fail(
                `unrecognised header ${JSON.stringify(line.slice(0, 200))}; expected timestamp,open,high,low,close,volume`,
              );
            continue;
          }
          headerAllowed = false;
          seenData = true;
          const nums = fields.map((f, i) => {
            if (!NUMBER.test(f)) fail(`column ${i + 1} is not a number: ${JSON.stringify(f.slice(0, 40))}`);
            return new Decimal(f);
          });
          const [ts, open, high, low, close, volume] = nums as [
            Decimal,
            Decimal,
            Decimal,
            Decimal,
            Decimal,
            Decimal,
          ];
          const ms = ts.lt(SECONDS_LIMIT) ? ts.times(1000) : ts;
          if (!ms.isInteger() || ms.isNegative() || ms.gt(Number.MAX_SAFE_INTEGER)) {
            fail(`timestamp ${ts} is not whole milliseconds since the epoch`);
          }
          const openTime = ms.toNumber();
          if (!open.gt(0) || !high.gt(0) || !low.gt(0) || !close.gt(0)) fail('prices must be greater than 0');
          if (volume.isNegative()) fail(`volume ${volume} is negative`);
          const problem = candleProblem({ openTime, open, high, low, close });
          if (problem !== undefined) fail(problem);
          if (openTime <= lastTime) fail(`timestamp ${openTime} does not increase (previous ${lastTime})`);
          lastTime = openTime;
          const candle: Candle = { symbol, openTime, open, high, low, close, volume };
          if (interval !== undefined) candle.closeTime = openTime + interval - 1;
          yield parseReadCandle(candle);
        }
      } catch (error) {
        if (error instanceof MarketDataError) throw error;
        throw new MarketDataError(`cannot read candles: ${(error as Error).message}`, {
          file: path,
          cause: error,
        });
      } finally {
        lines.close();
        stream.destroy();
      }
    },
  };
}
