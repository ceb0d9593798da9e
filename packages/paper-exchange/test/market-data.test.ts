import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '@hl-bot/core-types';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Candle,
  csvCandles,
  hyperliquidCandles,
  MarketDataError,
  type MarketDataSource,
  syntheticMarket,
} from '../src/index.js';

async function collect(source: MarketDataSource, limit = Number.POSITIVE_INFINITY): Promise<Candle[]> {
  const out: Candle[] = [];
  for await (const c of source) {
    out.push(c);
    if (out.length >= limit) break;
  }
  return out;
}

async function failure(source: MarketDataSource): Promise<MarketDataError> {
  const error = await collect(source).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MarketDataError);
  return error as MarketDataError;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paper-exchange-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('csvCandles', () => {
  it('reads a file with a header, seconds timestamps, CRLF line ends and a trailing newline', async () => {
    const path = await csv(
      'good.csv',
      'timestamp,open,high,low,close,volume\r\n1704067200,42000.5,42100,41900,42050,12.5\r\n1704067260,42050,42060,42000,42010,3\r\n',
    );
    const candles = await collect(csvCandles(path, { symbol: 'BTC-USD', interval: '1m' }));
    expect(candles).toHaveLength(2);
    expect(candles[0]).toMatchObject({
      symbol: 'BTC-USD',
      openTime: 1704067200000,
      closeTime: 1704067259999,
    });
    expect(candles[0]?.open.toString()).toBe('42000.5');
    expect(candles[1]?.volume.toString()).toBe('3');
  });

  it('reads a header-less file with millisecond timestamps and decides seconds or ms per value', async () => {
    const path = await csv('ms.csv', '1704067200000,1,2,0.5,1.5,10\n1704067260,1.5,1.5,1.5,1.5,0\n');
    const candles = await collect(csvCandles(path, { symbol: 'X-USD' }));
    expect(candles.map((c) => c.openTime)).toEqual([1704067200000, 1704067260000]);
    expect(candles[0]?.closeTime).toBeUndefined();
  });

  it('accepts gaps and flat zero-volume candles as they are', async () => {
    const path = await csv('gaps.csv', '\uFEFF1704067200,10,10,10,10,0\n\n1704070800,10,11,9,10.5,4\n');
    const candles = await collect(csvCandles(path, { symbol: 'X-USD' }));
    expect(candles.map((c) => c.openTime)).toEqual([1704067200000, 1704070800000]);
    expect(candles[0]?.volume.isZero()).toBe(true);
  });

  it.each([
    ['a value that is not a number', '1704067260,abc,2,0.5,1,1', /line 3.*column 2 is not a number/],
    ['high below low', '1704067260,1,0.5,2,1,1', /line 3.*high 0.5 < low 2/],
    ['a close outside the range', '1704067260,1,2,0.5,3,1', /line 3.*high 2 is below/],
    ['a non-increasing timestamp', '1704067200,1,2,0.5,1,1', /line 3.*does not increase/],
    ['a wrong column count', '1704067260,1,2,0.5,1', /line 3.*expected 6 columns.*got 5/],
    ['a negative volume', '1704067260,1,2,0.5,1,-1', /line 3.*negative/],
    ['a zero price', '1704067260,0,2,0.5,1,1', /line 3.*greater than 0/],
    ['a fractional millisecond', '1704067260.0001,1,2,0.5,1,1', /line 3.*whole milliseconds/],
  ])('reports %s with the file and line number', async (_label, row, message) => {
    const path = await csv(
      'bad.csv',
      `timestamp,open,high,low,close,volume\n1704067200,1,2,0.5,1,1\n${row}\n`,
    );
    const error = await failure(csvCandles(path, { symbol: 'X-USD' }));
    expect(error.code).toBe('MARKET_DATA_INVALID');
    expect(error.file).toBe(path);
    expect(error.line).toBe(3);
    expect(error.message).toMatch(message);
  });

  it('refuses an unrecognised header and a missing file', async () => {
    const path = await csv('hdr.csv', 'when,o,h,l,c,v\n1704067200,1,2,0.5,1,1\n');
    expect((await failure(csvCandles(path, { symbol: 'X-USD' }))).line).toBe(1);
    const missing = await failure(csvCandles(join(dir, 'missing.csv'), { symbol: 'X-USD' }));
    expect(missing.message).toMatch(/cannot read candles/);
  });

  it('streams: breaking out early does not read the whole file', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${1704067200 + i * 60},1,2,0.5,1,1`).join('\n');
    const path = await csv('big.csv', rows);
    const first = await collect(csvCandles(path, { symbol: 'X-USD' }), 3);
    expect(first).toHaveLength(3);
  });
});

const SNAPSHOT = [
  {
    t: 1681923600000,
    T: 1681927199999,
    s: 'kPEPE',
    i: '1h',
    o: '0.0024',
    c: '0.00241',
    h: '0.002415',
    l: '0.002394',
    v: '52117660',
    n: 230,
  },
  {
    t: 1681927200000,
    T: 1681930799999,
    s: 'kPEPE',
    i: '1h',
    o: '0.00241',
    c: '0.002397',
    h: '0.002413',
    l: '0.002386',
    v: '22101300',
    n: 146,
  },
];

describe('hyperliquidCandles', () => {
  it('parses candleSnapshot JSON text, a parsed array and a file into Decimal candles', async () => {
    const fromText = await collect(hyperliquidCandles(JSON.stringify(SNAPSHOT), { symbol: 'kPEPE-USD' }));
    expect(fromText).toHaveLength(2);
    expect(fromText[0]).toMatchObject({
      symbol: 'kPEPE-USD',
      openTime: 1681923600000,
      closeTime: 1681927199999,
    });
    expect(fromText[0]?.high.toString()).toBe('0.002415');
    const fromArray = await collect(hyperliquidCandles(SNAPSHOT));
    expect(fromArray[1]?.symbol).toBe('kPEPE-USD');
    const path = join(dir, 'snap.json');
    await writeFile(path, JSON.stringify(SNAPSHOT));
    expect(await collect(hyperliquidCandles(path))).toEqual(fromArray);
  });

  it('accepts numbers where the docs show numbers', async () => {
    const numeric = SNAPSHOT.map((c) => ({
      ...c,
      o: Number(c.o),
      c: Number(c.c),
      h: Number(c.h),
      l: Number(c.l),
      v: Number(c.v),
    }));
    expect((await collect(hyperliquidCandles(numeric)))[0]?.open.toString()).toBe('0.0024');
  });

  it('names the element index of a malformed or inconsistent candle', async () => {
    const bad = [SNAPSHOT[0], { ...SNAPSHOT[1], h: 'x' }];
    expect((await failure(hyperliquidCandles(bad))).message).toMatch(/candle \[1\]: h: not a decimal/);
    const inverted = [{ ...SNAPSHOT[0], h: '0.001' }];
    expect((await failure(hyperliquidCandles(inverted))).message).toMatch(/candle \[0\]: high/);
    const backwards = [SNAPSHOT[1], SNAPSHOT[0]];
    expect((await failure(hyperliquidCandles(backwards))).message).toMatch(/does not increase/);
    expect((await failure(hyperliquidCandles('[{"t":'))).message).toMatch(/not a candleSnapshot JSON/);
    const mixed = [SNAPSHOT[0], { ...SNAPSHOT[1], s: 'BTC' }];
    expect((await failure(hyperliquidCandles(mixed))).message).toMatch(/candle \[1\]: coin BTC differs/);
    const missing = await failure(hyperliquidCandles(join(dir, 'nope.json')));
    expect(missing.file).toBe(join(dir, 'nope.json'));
  });
});

describe('syntheticMarket', () => {
  const opts = { symbols: ['BTC-USD', 'ETH-USD'], bars: 300, startTime: Date.UTC(2024, 0, 1) };

  it('gives the same candles for the same seed and different candles for another seed', async () => {
    const a = await collect(syntheticMarket({ seed: 11, ...opts }));
    const b = await collect(syntheticMarket({ seed: 11, ...opts }));
    const c = await collect(syntheticMarket({ seed: 12, ...opts }));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('interleaves symbols by time and opens each bar at the previous close', async () => {
    const candles = await collect(syntheticMarket({ seed: 1, ...opts, interval: '5m' }));
    expect(candles.slice(0, 4).map((c) => [c.symbol, c.openTime - opts.startTime])).toEqual([
      ['BTC-USD', 0],
      ['ETH-USD', 0],
      ['BTC-USD', 300_000],
      ['ETH-USD', 300_000],
    ]);
    const btc = candles.filter((c) => c.symbol === 'BTC-USD');
    for (let i = 1; i < btc.length; i++) expect(btc[i]?.open.eq(btc[i - 1]?.close ?? 0)).toBe(true);
    expect(btc[0]?.closeTime).toBe(opts.startTime + 299_999);
  });

  it('keeps OHLC invariants, positive prices, positive volume and 5 significant figures for any seed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom('1m', '1h', '1d'),
        async (seed, interval) => {
          const candles = await collect(
            syntheticMarket({
              seed,
              symbols: ['BTC-USD', 'PURR-USD'],
              bars: 200,
              interval,
              startPrice: { 'PURR-USD': '0.2' },
            }),
          );
          for (const c of candles) {
            expect(c.high.gte(Decimal.max(c.open, c.close))).toBe(true);
            expect(c.low.lte(Decimal.min(c.open, c.close))).toBe(true);
            expect(c.low.gt(0)).toBe(true);
            expect(c.volume.gt(0)).toBe(true);
            for (const p of [c.open, c.high, c.low, c.close]) {
              expect(p.isInteger() || p.precision(true) <= 5).toBe(true);
              expect(p.decimalPlaces()).toBeLessThanOrEqual(6);
            }
          }
        },
      ),
      { numRuns: 25, seed: 42 },
    );
  });

  it('builds every price and volume exactly as parsing its own text would, in every decimal field', async () => {
    // Prices on the integer grid and recent prices come from a cache, volumes from their integer words:
    // each must be indistinguishable from `new Decimal(text)`, on every grid and magnitude.
    const sets = [
      { seed: 1, symbols: ['BTC-USD', 'ETH-USD', 'SOL-USD'], bars: 3000 },
      { seed: 2, symbols: ['X'], bars: 3000, startPrice: 0.00123, maxPriceDecimals: 8, volatility: 0.01 },
      { seed: 3, symbols: ['Y'], bars: 3000, startPrice: 9999.7, priceSignificantDigits: 7, baseVolume: 2e7 },
      {
        seed: 4,
        symbols: ['Z'],
        bars: 3000,
        startPrice: 123456789,
        priceSignificantDigits: 9,
        baseVolume: 5e-5,
      },
      { seed: 5, symbols: ['W'], bars: 3000, startPrice: 99_990, volatility: 0.003, baseVolume: 1 },
    ];
    const fields = (d: Decimal) => ({
      s: d.s,
      e: d.e,
      d: [...d.d],
      text: d.toString(),
      keys: Object.keys(d),
    });
    for (const options of sets) {
      for (const c of await collect(syntheticMarket(options))) {
        for (const p of [c.open, c.high, c.low, c.close, c.volume]) {
          expect(fields(p)).toEqual(fields(new Decimal(p.toString())));
        }
      }
    }
  });

  it('gives the pinned series of seed 1 (the candles of every earlier build)', async () => {
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256');
    const market = syntheticMarket({
      seed: 1,
      symbols: ['BTC-USD', 'ETH-USD', 'PURR-USD'],
      bars: 20_000,
      startPrice: { 'PURR-USD': '0.2' },
    });
    for await (const c of market) hash.update(`${JSON.stringify(c)}\n`);
    expect(hash.digest('hex')).toBe('cf147a3bc92fef1f735a5b9d8520a31c5bcfef8ce75b78ccc5ae8a25920f377a');
  });

  it('streams a year of minutes lazily', async () => {
    const year = syntheticMarket({ seed: 5, symbols: ['BTC-USD'], bars: 525_600 });
    expect(await collect(year, 5)).toHaveLength(5);
  });

  it('refuses bad options', () => {
    expect(() => syntheticMarket({ seed: 1, symbols: [], bars: 1 })).toThrow(/symbols/);
    expect(() => syntheticMarket({ seed: 1, symbols: ['A-USD', 'A-USD'], bars: 1 })).toThrow(/distinct/);
    expect(() => syntheticMarket({ seed: 1, symbols: ['A-USD'], bars: -1 })).toThrow(/bars/);
    expect(() => syntheticMarket({ seed: 1, symbols: ['A-USD'], bars: 1, interval: '1M' })).toThrow(
      /interval/,
    );
  });
});
