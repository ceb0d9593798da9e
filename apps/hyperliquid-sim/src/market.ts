import {
  Decimal,
  type DecimalInput,
  isOnPriceGrid,
  priceDecimals,
  priceTickAt,
  toDecimal,
} from '@hl-bot/core-types';
import { type Candle, csvCandles, type MarketDataSource, syntheticMarket } from '@hl-bot/paper-exchange';
import { SimError } from './errors.js';

/** One tradable perp of the simulator. */
export interface SimCoin {
  /** `BTC`, or `xyz:XYZ100` on a HIP-3 dex. */
  coin: string;
  szDecimals: number;
  maxLeverage: number;
  /** Asset id in actions: the index on the first dex, 100000 + 10000 * dex index + index on a HIP-3 dex. */
  asset: number;
  /** `""` for the first dex. */
  dex: string;
  /**
   * No cross margin (`onlyIsolated`, `marginMode: 'strictIsolated'` in meta), as every asset of the docs'
   * HIP-3 dex example: the HIP-3 dex's coins.
   */
  isolatedOnly: boolean;
}

/** Known defaults (Hyperliquid's `meta` values); other coins get szDecimals 2 and 20x unless given. */
const KNOWN: Record<string, { szDecimals: number; maxLeverage: number }> = {
  BTC: { szDecimals: 5, maxLeverage: 40 },
  ETH: { szDecimals: 4, maxLeverage: 25 },
  SOL: { szDecimals: 2, maxLeverage: 20 },
};

/**
 * Parses `BTC`, or `DOGE:0:10` (coin:szDecimals:maxLeverage).
 * @throws {SimError} `SIM_INVALID_OPTION` for a malformed spec.
 */
export function parseCoinSpec(spec: string): SimCoin {
  const [coin = '', sz, lev] = spec.split(':');
  if (!/^[A-Z0-9]{1,20}$/.test(coin)) {
    throw new SimError(
      'SIM_INVALID_OPTION',
      `coin ${JSON.stringify(coin)} must be 1-20 uppercase letters/digits`,
    );
  }
  const known = KNOWN[coin] ?? { szDecimals: 2, maxLeverage: 20 };
  const szDecimals = sz === undefined ? known.szDecimals : Number(sz);
  const maxLeverage = lev === undefined ? known.maxLeverage : Number(lev);
  if (!Number.isInteger(szDecimals) || szDecimals < 0 || szDecimals > 6) {
    throw new SimError('SIM_INVALID_OPTION', `szDecimals of ${coin} must be an integer 0..6`);
  }
  if (!Number.isInteger(maxLeverage) || maxLeverage < 1 || maxLeverage > 200) {
    throw new SimError('SIM_INVALID_OPTION', `maxLeverage of ${coin} must be an integer 1..200`);
  }
  return { coin, szDecimals, maxLeverage, asset: 0, dex: '', isolatedOnly: false };
}

/** Smallest price step at `price` under the 5-significant-figure and decimals rules (integers at 1e5 and up). */
export function tickAt(price: Decimal, szDecimals: number): Decimal {
  return priceTickAt(price, priceDecimals(szDecimals));
}

/** Where bars come from. */
export type BarSource =
  | { kind: 'synthetic'; seed: number; volatility?: number; startPrices?: Record<string, DecimalInput> }
  | { kind: 'csv'; path: string; coin: string };

/**
 * Feeds bars one time step at a time. Every bar is re-stamped onto the simulator's own time line
 * (`startTime + step * intervalMs`), so explicit bars pushed by tests and bars from the source never go
 * out of order, and candle times follow the wall clock when bars advance in real time.
 */
export class MarketFeed {
  readonly coins: readonly SimCoin[];
  readonly intervalMs: number;
  readonly #startTime: number;
  readonly #iterator: AsyncIterator<Candle>;
  #lookahead: Candle | undefined;
  #exhausted = false;
  #step = -1;
  readonly #history = new Map<string, Candle[]>();
  readonly #maxHistory: number;

  constructor(options: {
    coins: readonly SimCoin[];
    source: BarSource;
    intervalMs: number;
    startTime: number;
    maxHistory?: number;
  }) {
    this.coins = options.coins;
    this.intervalMs = options.intervalMs;
    this.#startTime = options.startTime;
    this.#maxHistory = options.maxHistory ?? 5000;
    const source: MarketDataSource =
      options.source.kind === 'synthetic'
        ? syntheticMarket({
            seed: options.source.seed,
            symbols: options.coins.map((c) => `${c.coin}-USD`),
            interval: options.intervalMs,
            bars: Number.MAX_SAFE_INTEGER,
            startTime: options.startTime,
            ...(options.source.volatility === undefined ? {} : { volatility: options.source.volatility }),
            ...(options.source.startPrices === undefined
              ? {}
              : {
                  startPrice: Object.fromEntries(
                    Object.entries(options.source.startPrices).map(([c, p]) => [
                      `${c}-USD`,
                      toDecimal(p).toString(),
                    ]),
                  ),
                }),
          })
        : csvCandles(options.source.path, { symbol: `${options.source.coin}-USD` });
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** True once a CSV source has no more bars. */
  get exhausted(): boolean {
    return this.#exhausted;
  }

  /** Open time of the last bar handed out (undefined before the first). */
  get lastBarTime(): number | undefined {
    return this.#step < 0 ? undefined : this.#startTime + this.#step * this.intervalMs;
  }

  #stamp(c: Candle): Candle {
    const openTime = this.#startTime + this.#step * this.intervalMs;
    const bar: Candle = { ...c, openTime, closeTime: openTime + this.intervalMs - 1 };
    const coin = c.symbol.slice(0, -4);
    let list = this.#history.get(coin);
    if (list === undefined) {
      list = [];
      this.#history.set(coin, list);
    }
    list.push(bar);
    if (list.length > this.#maxHistory) list.splice(0, list.length - this.#maxHistory);
    return bar;
  }

  /** The next time step's bars (one per coin of the source); empty when the source is exhausted. */
  async next(): Promise<Candle[]> {
    if (this.#exhausted) return [];
    const group: Candle[] = [];
    let first = this.#lookahead;
    this.#lookahead = undefined;
    if (first === undefined) {
      const r = await this.#iterator.next();
      if (r.done === true) {
        this.#exhausted = true;
        return [];
      }
      first = r.value;
    }
    group.push(first);
    for (;;) {
      const r = await this.#iterator.next();
      if (r.done === true) {
        this.#exhausted = true;
        break;
      }
      if (r.value.openTime !== first.openTime) {
        this.#lookahead = r.value;
        break;
      }
      group.push(r.value);
    }
    this.#step += 1;
    return group.map((c) => this.#stamp(c));
  }

  /**
   * An explicit bar for one coin as the next time step (tests use it to make prices trade through orders).
   * @throws {SimError} `SIM_INVALID_OPTION` for an unknown coin or inconsistent prices.
   */
  explicit(input: {
    coin: string;
    open: DecimalInput;
    high: DecimalInput;
    low: DecimalInput;
    close: DecimalInput;
    volume?: DecimalInput;
  }): Candle {
    const coin = this.coins.find((c) => c.coin === input.coin);
    if (coin === undefined) throw new SimError('SIM_INVALID_OPTION', `unknown coin ${input.coin}`);
    const bar = {
      symbol: `${input.coin}-USD`,
      open: toDecimal(input.open, 'open'),
      high: toDecimal(input.high, 'high'),
      low: toDecimal(input.low, 'low'),
      close: toDecimal(input.close, 'close'),
      volume: toDecimal(input.volume ?? '1000', 'volume'),
    };
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      if (!bar[k].gt(0) || !isOnPriceGrid(bar[k], coin.szDecimals)) {
        throw new SimError(
          'SIM_INVALID_OPTION',
          `${k} ${bar[k].toString()} is not a valid ${input.coin} price`,
        );
      }
    }
    if (bar.high.lt(Decimal.max(bar.open, bar.close)) || bar.low.gt(Decimal.min(bar.open, bar.close))) {
      throw new SimError('SIM_INVALID_OPTION', 'high must be >= open, close and low <= open, close');
    }
    this.#step += 1;
    return this.#stamp({ ...bar, openTime: 0 });
  }

  /** Bars of a coin in [startTime, endTime], aggregated to `intervalMs` buckets (the last 5000 base bars). */
  candles(coin: string, bucketMs: number, startTime: number, endTime: number): Candle[] {
    const out: Candle[] = [];
    for (const bar of this.#history.get(coin) ?? []) {
      const t = Math.floor(bar.openTime / bucketMs) * bucketMs;
      if (t + bucketMs - 1 < startTime || t > endTime) continue;
      const last = out[out.length - 1];
      if (last !== undefined && last.openTime === t) {
        out[out.length - 1] = {
          ...last,
          high: Decimal.max(last.high, bar.high),
          low: Decimal.min(last.low, bar.low),
          close: bar.close,
          volume: last.volume.plus(bar.volume),
        };
      } else {
        out.push({ ...bar, openTime: t, closeTime: t + bucketMs - 1 });
      }
    }
    return out;
  }

  /** Number of base bars in each aggregated candle (for the `n` field). */
  barsIn(bucketMs: number): number {
    return Math.max(1, Math.round(bucketMs / this.intervalMs));
  }
}
