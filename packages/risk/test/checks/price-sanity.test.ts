import { Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { checkMarketPrice, checkPriceDeviation, checkReferencePrices, checkSlippage } from '../internals.js';
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

describe("check 5, price sanity: the venue's mark and oracle price as references besides the mid", () => {
  const world = () => new World({ maxPriceDeviation: '0.05' }).mark('BTC-USD', '50000');

  it('passes an order within the band around the mid, the venue mark and the oracle', () => {
    const w = world().reference('BTC-USD', 'venueMark', '50100').reference('BTC-USD', 'oracle', '49900');
    expect(run(checkReferencePrices, w.context(buy('1', '52000')))).toEqual([]);
  });

  it('refuses a price inside the band around the mid but outside the band around the oracle', () => {
    // A thin book: the mid ran 4 % above the oracle, so 5 % above the mid is 9 % above the oracle.
    const w = world().reference('BTC-USD', 'venueMark', '48100').reference('BTC-USD', 'oracle', '48000');
    expect(run(checkPriceDeviation, w.context(buy('1', '52500')))).toEqual([]);
    expect(run(checkReferencePrices, w.context(buy('1', '52500'))).map((f) => f.message)).toEqual([
      'PRICE_DEVIATION_EXCEEDED: price=52500 venueMark=48100 deviation=0.0914761 limit=0.05',
      'PRICE_DEVIATION_EXCEEDED: price=52500 oracle=48000 deviation=0.09375 limit=0.05',
    ]);
  });

  it('passes a price exactly at the band around a reference and refuses one a unit beyond', () => {
    const w = world().reference('BTC-USD', 'oracle', '50000');
    expect(run(checkReferencePrices, w.context(buy('1', '47500')))).toEqual([]);
    expect(run(checkReferencePrices, w.context(buy('1', '47499'))).map((f) => f.details)).toEqual([
      { price: '47499', oracle: '50000', deviation: '0.05002', limit: '0.05' },
    ]);
  });

  it("holds a trigger price and a market order's protective price to the references too", () => {
    const w = world().reference('BTC-USD', 'venueMark', '46000');
    const stop = w.context({
      symbol: 'BTC-USD',
      side: 'sell',
      orderType: 'stop-market',
      quantity: '1',
      triggerPrice: '49000',
    });
    expect(run(checkReferencePrices, stop).map((f) => f.details.triggerPrice)).toEqual(['49000']);
    const market = w.context(
      { symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '1' },
      { worstPrice: new Decimal('50500') },
    );
    expect(run(checkReferencePrices, market).map((f) => f.message)).toEqual([
      'PRICE_DEVIATION_EXCEEDED: price=50500 venueMark=46000 deviation=0.0978261 limit=0.05',
    ]);
  });

  it('fails closed on a reference older than maxMarketPriceAgeMs, whatever the price', () => {
    const w = new World({ maxMarketPriceAgeMs: 5000 })
      .mark('BTC-USD', '50000')
      .reference('BTC-USD', 'venueMark', '50000', NOW - 5000)
      .reference('BTC-USD', 'oracle', '50000', NOW - 5001);
    expect(run(checkReferencePrices, w.context(buy('1', '50000'))).map((f) => f.message)).toEqual([
      'REFERENCE_PRICE_STALE: symbol=BTC-USD reference=oracle ageMs=5001 limitMs=5000',
    ]);
  });

  it('refuses an order of an expected symbol until both references were reported; others need none', () => {
    const w = world();
    expect(run(checkReferencePrices, w.context(buy('1')))).toEqual([]);
    w.references.expect('BTC-USD');
    expect(run(checkReferencePrices, w.context(buy('1'))).map((f) => f.message)).toEqual([
      'REFERENCE_PRICE_MISSING: symbol=BTC-USD reference=venueMark',
      'REFERENCE_PRICE_MISSING: symbol=BTC-USD reference=oracle',
    ]);
    w.reference('BTC-USD', 'venueMark', '50000');
    expect(run(checkReferencePrices, w.context(buy('1'))).map((f) => f.code)).toEqual([
      'REFERENCE_PRICE_MISSING',
    ]);
    w.reference('BTC-USD', 'oracle', '50000');
    expect(run(checkReferencePrices, w.context(buy('1')))).toEqual([]);
  });

  it('checks a reduce-only exit like any order: it passes inside the bands and fails when a reference is stale', () => {
    const w = new World({ maxPriceDeviation: '0.05', maxMarketPriceAgeMs: 5000 })
      .mark('BTC-USD', '50000')
      .position({ symbol: 'BTC-USD', side: 'long', quantity: '1', entryPrice: '50000' })
      .reference('BTC-USD', 'venueMark', '50000')
      .reference('BTC-USD', 'oracle', '50000');
    const exit = {
      symbol: 'BTC-USD',
      side: 'sell' as const,
      orderType: 'limit' as const,
      quantity: '1',
      price: '49000',
      reduceOnly: true,
    };
    expect(run(checkReferencePrices, w.context(exit, { reducing: true }))).toEqual([]);
    expect(
      run(checkReferencePrices, w.context(exit, { reducing: true, now: NOW + 5001 })).map((f) => f.code),
    ).toEqual(['REFERENCE_PRICE_STALE', 'REFERENCE_PRICE_STALE']);
  });

  it('keeps the newer of two reports of a reference', () => {
    const w = world().reference('BTC-USD', 'oracle', '50000', NOW);
    expect(w.references.set('BTC-USD', 'oracle', new Decimal('40000'), NOW - 1)).toBe(false);
    expect(w.references.get('BTC-USD')?.oracle?.price.toString()).toBe('50000');
  });
});
