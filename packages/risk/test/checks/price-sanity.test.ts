import { describe, expect, it } from 'vitest';
import { checkMarketPrice, checkPriceDeviation, checkSlippage } from '../internals.js';
import { buy, NOW, run, World } from './world.js';

describe('check 5, price sanity: the order needs a fresh mark', () => {
  it('fails without a mark and returns none', () => {
    const out: ReturnType<typeof run> = [];
    expect(checkMarketPrice(new World().context(buy('1')), out)).toBeUndefined();
    expect(out.map((f) => f.message)).toEqual(['MARKET_PRICE_MISSING: symbol=BTC-USD']);
  });

  it('returns a mark exactly maxMarketPriceAgeMs old and refuses one a millisecond older', () => {
    const w = new World({ maxMarketPriceAgeMs: 5000 }).mark('BTC-USD', '50000', NOW - 5000);
    const out: ReturnType<typeof run> = [];
    expect(checkMarketPrice(w.context(buy('1')), out)?.toString()).toBe('50000');
    expect(checkMarketPrice(w.context(buy('1'), { now: NOW + 1 }), out)).toBeUndefined();
    expect(out.map((f) => f.message)).toEqual(['MARKET_PRICE_STALE: symbol=BTC-USD ageMs=5001 limitMs=5000']);
  });
});

describe('check 5, price sanity: limit and trigger prices near the mark', () => {
  const w = new World({ maxPriceDeviation: '0.05' }).mark('BTC-USD', '50000');

  it('passes a limit price exactly maxPriceDeviation away on either side', () => {
    expect(run(checkPriceDeviation, w.context(buy('1', '52500')))).toEqual([]);
    expect(run(checkPriceDeviation, w.context(buy('1', '47500')))).toEqual([]);
  });

  it('fails a fat-fingered price one unit beyond the band, above or below', () => {
    expect(run(checkPriceDeviation, w.context(buy('1', '52501'))).map((f) => f.message)).toEqual([
      'PRICE_DEVIATION_EXCEEDED: price=52501 mark=50000 deviation=0.05002 limit=0.05',
    ]);
    expect(run(checkPriceDeviation, w.context(buy('1', '47499'))).map((f) => f.code)).toEqual([
      'PRICE_DEVIATION_EXCEEDED',
    ]);
  });

  it('checks the trigger of a stop order too', () => {
    const ctx = w.context({
      symbol: 'BTC-USD',
      side: 'sell',
      orderType: 'stop-limit',
      quantity: '1',
      price: '50000',
      triggerPrice: '40000',
    });
    expect(run(checkPriceDeviation, ctx).map((f) => f.details)).toEqual([
      { triggerPrice: '40000', mark: '50000', deviation: '0.2', limit: '0.05' },
    ]);
  });
});

describe('check 5, price sanity: market-order slippage', () => {
  const w = new World({ maxSlippagePercent: '0.01' }).mark('BTC-USD', '50000');
  const market = (side: 'buy' | 'sell', price?: string) => ({
    symbol: 'BTC-USD',
    side,
    orderType: 'market' as const,
    quantity: '1',
    ...(price === undefined ? {} : { price }),
  });

  it('gives a market order without a price its protective price, mark +/- the slippage', () => {
    expect(checkSlippage(w.context(market('buy')), [])?.toString()).toBe('50500');
    expect(checkSlippage(w.context(market('sell')), [])?.toString()).toBe('49500');
  });

  it('passes a protective price at the limit and fails one beyond it', () => {
    expect(run(checkSlippage, w.context(market('buy', '50500')))).toEqual([]);
    expect(run(checkSlippage, w.context(market('buy', '50501'))).map((f) => f.message)).toEqual([
      'SLIPPAGE_EXCEEDED: price=50501 mark=50000 slippage=0.01002 limit=0.01',
    ]);
  });

  it('leaves limit orders to the deviation check', () => {
    expect(checkSlippage(w.context(buy('1', '60000')), [])).toBeUndefined();
  });
});
