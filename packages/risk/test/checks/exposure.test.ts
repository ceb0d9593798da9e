import { describe, expect, it } from 'vitest';
import { checkExposure, checkPositionPrices } from '../internals.js';
import { buy, NOW, run, valued, World } from './world.js';

const long = (symbol: string, quantity: string, entryPrice: string) => ({
  symbol,
  side: 'long' as const,
  quantity,
  entryPrice,
});

describe('check 4, exposure: other positions must be valued', () => {
  it('fails when a position has no mark at all', () => {
    const w = new World().mark('BTC-USD', '50000');
    w.position(long('ETH-USD', '1', '3000'));
    expect(run(checkPositionPrices, w.context(buy('0.001'))).map((f) => f.message)).toEqual([
      'POSITION_PRICE_UNAVAILABLE: unmarkedPositions=1 oldestMarkAgeMs=0 limitMs=10000',
    ]);
  });

  it('passes a mark exactly maxMarketPriceAgeMs old and fails one a millisecond older', () => {
    const w = new World({ maxMarketPriceAgeMs: 5000 }).mark('BTC-USD', '50000');
    w.position(long('ETH-USD', '1', '3000'));
    w.mark('ETH-USD', '3000', NOW - 5000);
    expect(run(checkPositionPrices, w.context(buy('0.001')))).toEqual([]);
    expect(run(checkPositionPrices, w.context(buy('0.001'), { now: NOW + 1 })).map((f) => f.details)).toEqual(
      [{ unmarkedPositions: '0', oldestMarkAgeMs: '5001', limitMs: '5000' }],
    );
  });
});

describe('check 4, exposure: total', () => {
  it('adds positions at mark, opening holds and the order, and passes exactly at maxTotalExposure', () => {
    const w = new World({ maxTotalExposure: '4000' }).mark('BTC-USD', '50000').mark('ETH-USD', '3000');
    w.position(long('ETH-USD', '1', '2000'));
    w.hold(buy('0.01', '50000'));
    // 1 ETH at its mark 3,000 + the held 500 + this order's 500.
    expect(run(checkExposure, valued(w.context(buy('0.01'))))).toEqual([]);
    expect(run(checkExposure, valued(w.context(buy('0.0101')))).map((f) => f.message)).toEqual([
      'EXPOSURE_EXCEEDED: exposure=4005 limit=4000',
    ]);
  });

  it('does not count a reducing hold against exposure', () => {
    const w = new World({ maxTotalExposure: '500' }).mark('BTC-USD', '50000');
    w.hold(buy('1', '50000'), false);
    expect(run(checkExposure, valued(w.context(buy('0.01'))))).toEqual([]);
  });
});

describe('check 4, exposure: against equity', () => {
  it('fails maxExposurePercent of equity one unit over', () => {
    const w = new World({ maxExposurePercent: '0.5' }).mark('BTC-USD', '50000');
    expect(run(checkExposure, valued(w.context(buy('0.1'))))).toEqual([]);
    expect(run(checkExposure, valued(w.context(buy('0.1001')))).map((f) => f.message)).toEqual([
      'EXPOSURE_PERCENT_EXCEEDED: exposure=5005 limit=5000 percent=0.5 equity=10000',
    ]);
  });

  it('fails maxLeverage x equity with the leverage in the message', () => {
    const w = new World({ maxLeverage: '0.5' }).mark('BTC-USD', '50000');
    expect(run(checkExposure, valued(w.context(buy('0.1001')))).map((f) => f.message)).toEqual([
      'LEVERAGE_EXCEEDED: leverage=0.5005 limit=0.5 exposure=5005 equity=10000',
    ]);
  });

  it('checks only the absolute limit without a positive equity', () => {
    const w = new World({ maxExposurePercent: '0.01', maxLeverage: '0.01' }).mark('BTC-USD', '50000');
    expect(run(checkExposure, valued(w.context(buy('1'), { equity: null })))).toEqual([]);
  });
});
