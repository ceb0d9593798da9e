import { toDecimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { meanReversion, riskShowcase, trendFollower } from '../src/index.js';
import { bar, recordingContext } from './recording-context.js';

describe('trendFollower', () => {
  it('waits for a real crossover: nothing while the slow window fills or on the first reading', async () => {
    const s = trendFollower({ fast: 2, slow: 3 });
    const { ctx, orders } = recordingContext();
    for (const close of [100, 100, 101, 102, 103]) await s.onBar?.(bar('BTC-USD', close), ctx);
    expect(orders).toEqual([]);
  });

  it('enters with a market order of its notional, in the direction of the cross', async () => {
    const s = trendFollower({ fast: 2, slow: 3, notional: toDecimal(1000), sizeDecimals: () => 2 });
    const { ctx, orders } = recordingContext();
    // fast above slow (first reading), then a cross below
    for (const close of [100, 101, 102, 90]) await s.onBar?.(bar('ETH-USD', close), ctx);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ symbol: 'ETH-USD', side: 'sell', orderType: 'market' });
    expect(orders[0]?.quantity?.toString()).toBe('11.11'); // 1000 / 90 rounded down
  });

  it('exits an open position reduce-only before entering the other way', async () => {
    const s = trendFollower({ fast: 2, slow: 3, notional: toDecimal(1000), sizeDecimals: () => 3 });
    const { ctx, orders, setPosition } = recordingContext();
    for (const close of [100, 101, 102]) await s.onBar?.(bar('BTC-USD', close), ctx);
    setPosition({
      symbol: 'BTC-USD',
      side: 'long',
      quantity: toDecimal('0.5'),
      entryPrice: toDecimal(100),
    });
    await s.onBar?.(bar('BTC-USD', 80), ctx);
    expect(orders.map((o) => [o.side, o.reduceOnly === true, o.quantity?.toString()])).toEqual([
      ['sell', true, '0.5'],
      ['sell', false, '12.5'],
    ]);
  });
});

describe('meanReversion', () => {
  it('quotes post-only at the bands once its window is full, cancelling the old quotes first', async () => {
    const s = meanReversion({ length: 4, width: toDecimal(1), notional: toDecimal(100), requoteBars: 1 });
    const { ctx, orders, cancels } = recordingContext();
    for (const close of [98, 102, 98, 102]) await s.onBar?.(bar('SOL-USD', close), ctx);
    // mean 100, population std 2: bid 98, ask 102
    expect(cancels).toEqual(['SOL-USD']);
    expect(orders.map((o) => [o.side, o.price?.toString(), o.timeInForce, o.quantity?.toString()])).toEqual([
      ['buy', '98', 'post-only', '1.0204'],
      ['sell', '102', 'post-only', '0.9803'],
    ]);
  });

  it('takes profit at the mean with a reduce-only limit once it holds a position', async () => {
    const s = meanReversion({ length: 4, width: toDecimal(1), requoteBars: 1 });
    const { ctx, orders, setPosition } = recordingContext();
    setPosition({ symbol: 'SOL-USD', side: 'short', quantity: toDecimal(3), entryPrice: toDecimal(102) });
    for (const close of [98, 102, 98, 102]) await s.onBar?.(bar('SOL-USD', close), ctx);
    expect(orders).toEqual([
      expect.objectContaining({ side: 'buy', reduceOnly: true, timeInForce: 'GTC', quantity: toDecimal(3) }),
    ]);
    expect(orders[0]?.price?.toString()).toBe('100');
  });

  it('does not quote a flat market (zero band)', async () => {
    const s = meanReversion({ length: 3, requoteBars: 1 });
    const { ctx, orders } = recordingContext();
    for (const close of [50, 50, 50, 50]) await s.onBar?.(bar('SOL-USD', close), ctx);
    expect(orders).toEqual([]);
  });
});

describe('riskShowcase', () => {
  it('sends, every N bars, alternately an oversized market order and a fat-finger limit 30% through', async () => {
    const s = riskShowcase({ every: 2, sizeDecimals: () => 4 });
    const { ctx, orders } = recordingContext();
    for (let i = 0; i < 4; i++) await s.onBar?.(bar('BTC-USD', 50_000, i), ctx);
    expect(orders).toHaveLength(2);
    expect(orders[0]).toMatchObject({ side: 'buy', orderType: 'market' });
    expect(orders[0]?.quantity?.toString()).toBe('2'); // 100,000 USD at 50,000
    expect(orders[1]).toMatchObject({ side: 'buy', orderType: 'limit' });
    expect(orders[1]?.price?.toString()).toBe('65000');
  });
});
