import { describe, expect, it } from 'vitest';
import { type Position, PositionTracker } from '../src/index.js';
import { MemorySink } from './helpers.js';

const T = Date.parse('2026-01-05T10:00:00Z');

function fill(id: string, side: 'buy' | 'sell', quantity: string, price: string, symbol = 'BTC-USD') {
  return { id, orderId: `o-${id}`, symbol, side, quantity, price, fee: '0', timestamp: T };
}

describe('onPositionChange: the tracker tells its readers when a position changes', () => {
  it('hears opens, adds, funding and flats with the position now visible, and not marks', async () => {
    const tracker = new PositionTracker(new MemorySink());
    const heard: Array<[string, Position | undefined]> = [];
    const off = tracker.onPositionChange((symbol, p) => {
      // Called as the change becomes visible: the reader sees the same position the tracker holds.
      expect(tracker.getPosition(symbol)).toBe(p);
      heard.push([symbol, p]);
    });
    await tracker.updateFromFill(fill('f1', 'buy', '0.1', '50000'));
    await tracker.updateFromFill(fill('f2', 'buy', '0.1', '52000'));
    tracker.updateMarketPrice('BTC-USD', '53000');
    await tracker.flush();
    await tracker.applyFunding('BTC-USD', '-1', T + 1);
    await tracker.updateFromFill(fill('f2', 'buy', '0.1', '52000')); // a duplicate changes nothing
    await tracker.updateFromFill(fill('f3', 'sell', '0.2', '53000'));
    expect(heard.map(([s, p]) => `${s} ${p?.signedQuantity.toString() ?? 'flat'}`)).toEqual([
      'BTC-USD 0.1',
      'BTC-USD 0.2',
      'BTC-USD 0.2', // funding
      'BTC-USD flat',
    ]);
    expect(heard[2]?.[1]?.funding.toString()).toBe('-1');
    off();
    await tracker.updateFromFill(fill('f4', 'buy', '1', '3000', 'ETH-USD'));
    expect(heard).toHaveLength(4);
  });

  it('a listener that throws leaves the change applied and the other listeners told', async () => {
    const tracker = new PositionTracker(new MemorySink());
    tracker.onPositionChange(() => {
      throw new Error('reader broke');
    });
    const seen: string[] = [];
    tracker.onPositionChange((symbol) => seen.push(symbol));
    const position = await tracker.updateFromFill(fill('f1', 'buy', '0.1', '50000'));
    expect(position?.quantity.toString()).toBe('0.1');
    expect(tracker.getPosition('BTC-USD')).toBe(position);
    expect(seen).toEqual(['BTC-USD']);
  });
});
