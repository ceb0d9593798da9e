import { Decimal, MAX_PRICE_SIG_FIGS, PERP_PRICE_DECIMALS, ValidationError } from '@hl-bot/core-types';
import { type Candle, type MarketDataSource, markBuiltCandle } from './candle.js';
import { intervalMs } from './interval.js';
import { createPrng, hashString, type Prng } from './prng.js';

/** Options of `syntheticMarket`. */
export interface SyntheticMarketOptions {
  /** Same seed, same candles. Any safe integer. */
  seed: number;
  /** Symbols, interleaved in this order at each bar time. */
  symbols: readonly string[];
  /** Bar length: `"1m"`, `"1h"`... or milliseconds. Default `"1m"`. */
  interval?: string | number;
  /** Bars per symbol. */
  bars: number;
  /** openTime of the first bar, epoch ms. Default 2024-01-01T00:00:00Z. */
  startTime?: number;
  /** First open, one for all symbols or per symbol. Default BTC* 60000, ETH* 3000, SOL* 150, else 100. */
  startPrice?: string | number | Readonly<Record<string, string | number>>;
  /** Standard deviation of a bar's return in the normal regime. Default 0.0006 per minute, scaled by sqrt(time). */
  volatility?: number;
  /** Mean volume of a bar in the base asset. Default 10. */
  baseVolume?: number;
  /** Probability per bar of a price jump of 3 to 8 standard deviations. Default 0.0005. */
  jumpProbability?: number;
  /** Significant figures of prices (Hyperliquid allows 5). Default 5. */
  priceSignificantDigits?: number;
  /** Most decimals a price may have (Hyperliquid perps: 6 - szDecimals). Default 6. */
  maxPriceDecimals?: number;
}

const REGIMES = [0.5, 1, 2] as const;
const MIN_VOLUME = new Decimal('0.0001');
const MIN_VOLUME_NUMBER = 0.0001;
/** Slots of the parsed-price cache (a power of two). A year of BTC minutes visits ~37,000 prices. */
const PRICE_CACHE_SIZE = 4096;

function defaultStartPrice(symbol: string): number {
  const s = symbol.toUpperCase();
  if (s.startsWith('BTC')) return 60_000;
  if (s.startsWith('ETH')) return 3_000;
  if (s.startsWith('SOL')) return 150;
  return 100;
}

/**
 * The Decimal of a volume's `toFixed(4)` text (at least MIN_VOLUME), equal in every field to parsing it.
 * From 1 to 1e7, `I.FFFF` is the words [I, FFFF000] with exponent digits(I) - 1 (decimal.js keeps base-1e7
 * words aligned to the decimal point, without trailing zero words), built from the integer I, which
 * decimal.js reads directly, instead of through its string parser. Anything else is parsed.
 */
function volumeOf(text: string): Decimal {
  const dot = text.length - 5;
  if (text.charCodeAt(dot) === 46 && dot > 0 && dot <= 7) {
    const whole = Number(text.slice(0, dot));
    const fraction = Number(text.slice(dot + 1));
    if (whole >= 1 && Number.isInteger(whole) && Number.isInteger(fraction)) {
      const d = new Decimal(whole);
      if (fraction !== 0) d.d.push(fraction * 1000);
      return d;
    }
  }
  return Number(text) < MIN_VOLUME_NUMBER ? MIN_VOLUME : new Decimal(text);
}

function positiveFinite(value: number | undefined, fallback: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0)
    throw new ValidationError(`${field} must be a finite number >= 0`, { field });
  return v;
}

/** A standard normal draw from four uniforms (Irwin-Hall): only + and *, so bit-identical everywhere. */
function normal(rng: Prng): number {
  return (rng.next() + rng.next() + rng.next() + rng.next() - 2) * 1.7320508075688772;
}

interface SymbolState {
  symbol: string;
  rng: Prng;
  price: number;
  /** The previous close (the next open) as a Decimal, once there is one. */
  close: Decimal | undefined;
  floor: number;
  regime: number;
  trend: number;
}

/**
 * A deterministic synthetic market: per symbol a random walk with slowly changing trends, three
 * volatility regimes (calm, normal, volatile) and occasional jumps, several symbols interleaved by time.
 * It needs no network or files. Candles are generated lazily, so a year of minutes never sits in memory.
 *
 * Determinism: a seeded xoshiro128** per symbol (seed mixed with the symbol name) and float arithmetic
 * limited to + - * / and sqrt, which IEEE 754 specifies exactly, and rounding through toPrecision/toFixed,
 * which ECMAScript specifies exactly; no Math.random, exp or log.
 * Prices are rounded to `priceSignificantDigits` and `maxPriceDecimals`; high >= max(open, close),
 * low <= min(open, close), low > 0 and volume > 0 always hold. Each bar opens at the previous close.
 *
 * @throws {ValidationError} for bad options (no symbols, duplicate symbols, negative bars, bad interval).
 * @example
 * for await (const candle of syntheticMarket({ seed: 1, symbols: ['BTC-USD'], bars: 60 })) {
 *   await paper.onBar(candle);
 * }
 */
export function syntheticMarket(options: SyntheticMarketOptions): MarketDataSource {
  const interval = intervalMs(options.interval ?? '1m');
  const bars = options.bars;
  if (!Number.isSafeInteger(bars) || bars < 0) {
    throw new ValidationError(`bars must be a whole number >= 0, got ${bars}`, { field: 'bars' });
  }
  if (!Number.isSafeInteger(options.seed)) {
    throw new ValidationError(`seed must be a safe integer, got ${options.seed}`, { field: 'seed' });
  }
  if (options.symbols.length === 0)
    throw new ValidationError('symbols must not be empty', { field: 'symbols' });
  if (new Set(options.symbols).size !== options.symbols.length) {
    throw new ValidationError('symbols must be distinct', { field: 'symbols' });
  }
  const startTime = options.startTime ?? Date.UTC(2024, 0, 1);
  if (!Number.isSafeInteger(startTime) || startTime < 0) {
    throw new ValidationError(`startTime must be epoch milliseconds, got ${startTime}`, {
      field: 'startTime',
    });
  }
  const sigFigs = options.priceSignificantDigits ?? MAX_PRICE_SIG_FIGS;
  const maxDecimals = options.maxPriceDecimals ?? PERP_PRICE_DECIMALS;
  if (!Number.isInteger(sigFigs) || sigFigs < 1 || sigFigs > 15) {
    throw new ValidationError('priceSignificantDigits must be 1..15', { field: 'priceSignificantDigits' });
  }
  if (!Number.isInteger(maxDecimals) || maxDecimals < 0 || maxDecimals > 12) {
    throw new ValidationError('maxPriceDecimals must be 0..12', { field: 'maxPriceDecimals' });
  }
  const vol = positiveFinite(options.volatility, 0.0006 * Math.sqrt(interval / 60_000), 'volatility');
  const baseVolume = positiveFinite(options.baseVolume, 10, 'baseVolume');
  const jumpProbability = positiveFinite(options.jumpProbability, 0.0005, 'jumpProbability');
  const minTick = new Decimal(10).pow(-maxDecimals).toNumber();

  const states: SymbolState[] = options.symbols.map((symbol) => {
    const raw = options.startPrice;
    const start =
      raw === undefined
        ? defaultStartPrice(symbol)
        : typeof raw === 'object'
          ? Number(raw[symbol] ?? defaultStartPrice(symbol))
          : Number(raw);
    if (!Number.isFinite(start) || start <= 0) {
      throw new ValidationError(`startPrice of ${symbol} must be > 0`, { field: 'startPrice' });
    }
    return {
      symbol,
      rng: createPrng((options.seed ^ hashString(symbol)) >>> 0),
      price: start,
      close: undefined,
      // Keep prices well clear of the smallest tick so rounding never produces 0.
      floor: Math.max(start / 1000, minTick * 1000),
      regime: 1,
      trend: 0,
    };
  });

  // At or above this magnitude a number with sigFigs significant figures has at most maxDecimals decimals.
  const noDecimalCapAbove = Number(`1e${sigFigs - 1 - maxDecimals}`);
  const roundDecimal = (x: number): Decimal => {
    // toPrecision is specified exactly by ECMAScript (nearest, ties up), so this is engine-independent.
    const d = new Decimal(x.toPrecision(sigFigs));
    if (x >= noDecimalCapAbove) return d;
    const capped = d.toDecimalPlaces(maxDecimals);
    return capped.gt(0) ? capped : new Decimal(minTick);
  };
  // The rounded price as a number, and its text when no decimal cap applies (the common case). Numbers
  // parsed from decimals of at most 15 significant figures keep their order and equality exactly, so prices
  // are compared as numbers and a Decimal is built only for a price a candle keeps.
  let roundedText: string | undefined;
  let roundedDecimal: Decimal | undefined;
  // Between 10^(sigFigs-1) and 10^sigFigs the grid is the integers: toPrecision rounds to the nearest one,
  // ties up, which is Math.round (also exact), and no decimal cap applies.
  const integerGridFrom = 10 ** (sigFigs - 1);
  const integerGridBelow = 10 ** sigFigs;
  const roundNumber = (x: number): number => {
    if (x >= integerGridFrom && x < integerGridBelow) {
      roundedText = undefined;
      roundedDecimal = undefined;
      return Math.round(x);
    }
    if (x >= noDecimalCapAbove) {
      roundedText = x.toPrecision(sigFigs);
      roundedDecimal = undefined;
      return Number(roundedText);
    }
    roundedText = undefined;
    roundedDecimal = roundDecimal(x);
    return roundedDecimal.toNumber();
  };
  // A walk stays near its last prices for hours: the Decimal of a recent price is parsed once and shared
  // (decimals are immutable) through a small direct-mapped cache keyed by the rounded number, which
  // identifies its text (see above).
  const cachedKeys = new Float64Array(PRICE_CACHE_SIZE);
  const cachedDecimals: Array<Decimal | undefined> = new Array(PRICE_CACHE_SIZE).fill(undefined);
  const decimalOfRounded = (value: number): Decimal => {
    if (roundedDecimal !== undefined) return roundedDecimal;
    const slot = ((value * 1_000_003) | 0) & (PRICE_CACHE_SIZE - 1);
    const hit = cachedDecimals[slot];
    if (hit !== undefined && cachedKeys[slot] === value) return hit;
    // An integer price (no text) parses as its number: decimal.js reads integers below 1e7 directly and
    // others through their text, the same digits toPrecision gives.
    const d = new Decimal(roundedText ?? value);
    cachedKeys[slot] = value;
    cachedDecimals[slot] = d;
    return d;
  };

  return {
    async *[Symbol.asyncIterator](): AsyncGenerator<Candle> {
      for (let i = 0; i < bars; i++) {
        const openTime = startTime + i * interval;
        for (const s of states) yield nextCandle(s, openTime);
      }
    },
  };

  function nextCandle(s: SymbolState, openTime: number): Candle {
    const rng = s.rng;
    if (rng.next() < 0.002) s.regime = Math.floor(rng.next() * REGIMES.length);
    if (rng.next() < 0.001) s.trend = (rng.next() - 0.5) * 0.04;
    const sigma = vol * (REGIMES[s.regime] ?? 1);
    let ret = s.trend * sigma + sigma * normal(rng);
    if (rng.next() < jumpProbability) {
      const size = (3 + rng.next() * 5) * sigma;
      ret += rng.next() < 0.5 ? -size : size;
    }
    // Mean-revert gently off the floor instead of letting the walk die.
    if (s.price < s.floor && ret < 0) ret = -ret;
    ret = Math.max(-0.5, Math.min(0.5, ret));
    // Each bar opens at the previous close, which is rounded already (rounding is idempotent): only the
    // first bar's open needs rounding.
    let open = s.close;
    let openF = s.price;
    if (open === undefined) {
      openF = roundNumber(s.price);
      open = decimalOfRounded(openF);
    }
    const closeF = roundNumber(openF * (1 + ret));
    const close = closeF === openF ? open : decimalOfRounded(closeF);
    const upper = Math.max(openF, closeF) * (1 + Math.abs(normal(rng)) * sigma * 0.5);
    const lower = Math.min(openF, closeF) * Math.max(0.5, 1 - Math.abs(normal(rng)) * sigma * 0.5);
    const highF = roundNumber(upper);
    const high = highF > Math.max(openF, closeF) ? decimalOfRounded(highF) : openF >= closeF ? open : close;
    const lowF = roundNumber(lower);
    const low = lowF <= Math.min(openF, closeF) ? decimalOfRounded(lowF) : openF <= closeF ? open : close;
    const volumeF = baseVolume * (REGIMES[s.regime] ?? 1) * (0.5 + rng.next()) * (1 + 20 * Math.abs(ret));
    const volume = volumeOf(volumeF.toFixed(4));
    s.price = closeF;
    s.close = close;
    // Built from prices rounded above, high >= max(open, close), low <= min(open, close), low > 0 and
    // volume > 0 by construction: marked, so the paper exchange does not parse it again.
    return markBuiltCandle({
      symbol: s.symbol,
      openTime,
      closeTime: openTime + interval - 1,
      open,
      high,
      low,
      close,
      volume,
    });
  }
}
