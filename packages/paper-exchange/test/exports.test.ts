import type { Exchange } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('exports exactly the reviewed names (a change here needs a changeset)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'Candle',
      'HYPERLIQUID_BASELINE_FUNDING_RATE',
      'HYPERLIQUID_BASE_FEES',
      'HYPERLIQUID_PERPS',
      'HyperliquidCandleWire',
      'InstrumentConfig',
      'MarketDataError',
      'PaperExchange',
      'PaperExchangeError',
      'candleProblem',
      'createPrng',
      'csvCandles',
      'hyperliquidCandles',
      'intervalMs',
      'isLiquidationFill',
      'priceDecimals',
      'syntheticMarket',
    ]);
  });

  it('PaperExchange satisfies the core-types Exchange port', () => {
    const exchange: Exchange = new api.PaperExchange({
      startBalance: '1',
      instruments: api.HYPERLIQUID_PERPS,
    });
    expect(exchange.name).toBe('paper');
    expect(typeof exchange.onFunding).toBe('function');
  });

  it('the PRNG is reproducible and spreads over [0, 1)', () => {
    const a = api.createPrng(123);
    const b = api.createPrng(123);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    expect(api.createPrng(124).next()).not.toBe(xs[0]);
  });

  it('intervalMs understands Hyperliquid intervals and refuses months', () => {
    expect(api.intervalMs('1m')).toBe(60_000);
    expect(api.intervalMs('15m')).toBe(900_000);
    expect(api.intervalMs('4h')).toBe(14_400_000);
    expect(api.intervalMs('1w')).toBe(604_800_000);
    expect(() => api.intervalMs('1M')).toThrow(/unsupported interval/);
    expect(() => api.intervalMs(0)).toThrow(/positive/);
  });
});
