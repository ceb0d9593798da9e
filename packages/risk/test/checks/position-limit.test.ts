import { describe, expect, it } from 'vitest';
import { checkOpenOrders, checkPositionCount, checkPositionSize } from '../internals.js';
import { buy, run, sell, valued, World } from './world.js';

const long = (symbol: string, quantity: string, entryPrice: string) => ({
  symbol,
  side: 'long' as const,
  quantity,
  entryPrice,
});

describe('check 2, position limit: number of positions', () => {
  it('lets a new symbol in while one slot is free, not when the positions fill maxPositions', () => {
    const w = new World({ maxPositions: 2 }).mark('ETH-USD', '3000').mark('SOL-USD', '100');
    w.position(long('ETH-USD', '1', '3000'));
    expect(run(checkPositionCount, w.context(buy('0.01')))).toEqual([]);
    w.position(long('SOL-USD', '1', '100'));
    expect(run(checkPositionCount, w.context(buy('0.01'))).map((f) => f.message)).toEqual([
      'MAX_POSITIONS_EXCEEDED: positions=2 reserved=0 limit=2',
    ]);
  });

  it('counts a symbol that so far only holds an opening reservation', () => {
    const w = new World({ maxPositions: 1 });
    w.hold(buy('1', '100', 'ETH-USD'));
    expect(run(checkPositionCount, w.context(buy('0.01'))).map((f) => f.details)).toEqual([
      { positions: '0', reserved: '1', limit: '1' },
    ]);
  });

  it('does not count a symbol twice when it holds both a position and a reservation', () => {
    const w = new World({ maxPositions: 2 }).mark('ETH-USD', '3000');
    w.position(long('ETH-USD', '1', '3000'));
    w.hold(buy('1', '3000', 'ETH-USD'));
    expect(run(checkPositionCount, w.context(buy('0.01'), { overlap: 1 }))).toEqual([]);
  });

  it('never limits an order on a symbol already held or reserved', () => {
    const w = new World({ maxPositions: 1 }).mark('BTC-USD', '50000');
    w.position(long('BTC-USD', '0.01', '50000'));
    expect(run(checkPositionCount, w.context(buy('0.01')))).toEqual([]);
  });
});

describe('check 2, position limit: open orders', () => {
  it('passes while reserved plus working orders are below maxOpenOrders', () => {
    const w = new World({ maxOpenOrders: 2 });
    w.hold(buy('1', '100', 'ETH-USD'));
    expect(run(checkOpenOrders, w.context(buy('0.01')))).toEqual([]);
    w.hold(buy('1', '100', 'SOL-USD'));
    expect(run(checkOpenOrders, w.context(buy('0.01'))).map((f) => f.message)).toEqual([
      'MAX_OPEN_ORDERS_EXCEEDED: openOrders=2 limit=2',
    ]);
  });
});

describe('check 2, position limit: position size', () => {
  it('adds the order to the position and passes exactly at maxPositionSizeUsd', () => {
    const w = new World({ maxPositionSizeUsd: '1000' }).mark('BTC-USD', '50000');
    w.position(long('BTC-USD', '0.01', '50000'));
    expect(run(checkPositionSize, valued(w.context(buy('0.01'))))).toEqual([]);
    expect(run(checkPositionSize, valued(w.context(buy('0.0101')))).map((f) => f.message)).toEqual([
      'POSITION_SIZE_EXCEEDED: size=1005 limit=1000 quantity=0.0201',
    ]);
  });

  it('counts working orders on the same side ahead of the order', () => {
    const w = new World({ maxPositionSizeUsd: '1000' }).mark('BTC-USD', '50000');
    w.hold(buy('0.015'));
    expect(run(checkPositionSize, valued(w.context(buy('0.01')))).map((f) => f.details.quantity)).toEqual([
      '0.025',
    ]);
  });

  it('measures a flip by the size of the position on the other side', () => {
    const w = new World({ maxPositionSizeUsd: '1000' }).mark('BTC-USD', '50000');
    w.position(long('BTC-USD', '0.01', '50000'));
    // Long 0.01, sell 0.03: short 0.02 = $1,000, at the limit.
    expect(run(checkPositionSize, valued(w.context(sell('0.03'))))).toEqual([]);
    expect(run(checkPositionSize, valued(w.context(sell('0.0302')))).map((f) => f.details.quantity)).toEqual([
      '0.0202',
    ]);
  });

  it('fails the percentage of equity one unit over', () => {
    const w = new World({ maxPositionSizePercent: '0.1' }).mark('BTC-USD', '50000');
    expect(run(checkPositionSize, valued(w.context(buy('0.0201')))).map((f) => f.message)).toEqual([
      'POSITION_SIZE_PERCENT_EXCEEDED: size=1005 limit=1000 percent=0.1 equity=10000',
    ]);
  });
});
