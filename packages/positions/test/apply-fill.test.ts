import { describe, expect, it } from 'vitest';
import { PositionTracker } from '../src/index.js';
import { fill, MemorySink } from './helpers.js';

const s = (v: { toString(): string } | undefined) => v?.toString();

describe('applyFill resolves to what the fill did', () => {
  it('an open: the new position, nothing before it, nothing closed, not a duplicate', async () => {
    const tracker = new PositionTracker(new MemorySink());
    const out = await tracker.applyFill(fill('buy', '2', '100', { fee: '1' }));
    expect(out.duplicate).toBe(false);
    expect(out.previous).toBeUndefined();
    expect(out.closed).toBeUndefined();
    expect(out.position).toBe(tracker.getPosition('BTC-USD'));
    expect(s(out.position?.signedQuantity)).toBe('2');
  });

  it('a partial close: the reduced position and the one before it, no round trip yet', async () => {
    const tracker = new PositionTracker(new MemorySink());
    const opened = await tracker.applyFill(fill('buy', '2', '100'));
    const out = await tracker.applyFill(fill('sell', '0.5', '110'));
    expect(out.previous).toBe(opened.position);
    expect(out.closed).toBeUndefined();
    expect(s(out.position?.signedQuantity)).toBe('1.5');
    expect(s(out.position?.realizedPnl)).toBe('5');
  });

  it('the close that ends a round trip returns it, the same object getClosedPositions lists', async () => {
    const tracker = new PositionTracker(new MemorySink());
    await tracker.applyFill(fill('buy', '2', '100', { fee: '1' }));
    await tracker.applyFill(fill('sell', '0.5', '110', { fee: '0.5' }));
    const out = await tracker.applyFill(fill('sell', '1.5', '120', { fee: '0.5' }));
    expect(out.position).toBeUndefined();
    expect(s(out.previous?.signedQuantity)).toBe('1.5');
    expect(out.closed).toBe(tracker.getClosedPositions().at(-1));
    expect(out.closed).toMatchObject({ symbol: 'BTC-USD', side: 'long', fillCount: 3 });
    expect(s(out.closed?.realizedPnl)).toBe('35'); // 0.5 x 10 + 1.5 x 20
    expect(s(out.closed?.netRealizedPnl)).toBe('33');
  });

  it('a flip returns the closed round trip and the new, opposite position', async () => {
    const tracker = new PositionTracker(new MemorySink());
    await tracker.applyFill(fill('buy', '1', '100'));
    const out = await tracker.applyFill(fill('sell', '3', '90', { fee: '3' }));
    expect(out.closed).toMatchObject({ side: 'long', fillCount: 2 });
    expect(s(out.closed?.realizedPnl)).toBe('-10');
    expect(s(out.closed?.fees)).toBe('1'); // the closing third of the fee
    expect(out.position?.side).toBe('short');
    expect(s(out.position?.signedQuantity)).toBe('-2');
    expect(s(out.position?.fees)).toBe('2');
    expect(out.position).toBe(tracker.getPosition('BTC-USD'));
  });

  it('a duplicate says so and changes nothing: same position, no new round trip, only fill_duplicate audited', async () => {
    const sink = new MemorySink();
    const tracker = new PositionTracker(sink);
    const f = fill('buy', '1', '100');
    await tracker.applyFill(f);
    const closing = fill('sell', '1', '105');
    await tracker.applyFill(closing);
    const reopened = await tracker.applyFill(fill('buy', '2', '101'));
    const entries = sink.entries.length;
    for (const again of [f, closing]) {
      const out = await tracker.applyFill(again);
      expect(out.duplicate).toBe(true);
      expect(out.closed).toBeUndefined();
      expect(out.position).toBe(reopened.position);
      expect(out.previous).toBe(reopened.position);
    }
    expect(tracker.getPosition('BTC-USD')).toBe(reopened.position);
    expect(tracker.closedPositionCount).toBe(1);
    expect(tracker.processedFillCount).toBe(3);
    expect(sink.entries.slice(entries).map((e) => e.type)).toEqual(['fill_duplicate', 'fill_duplicate']);
  });

  it('concurrent fills of one batch each see the position the one before left', async () => {
    const tracker = new PositionTracker(new MemorySink());
    const [a, b, c, again] = await Promise.all([
      tracker.applyFill(fill('buy', '1', '100')),
      tracker.applyFill(fill('sell', '1', '100')),
      tracker.applyFill(fill('sell', '1', '100', { id: 'same' })),
      tracker.applyFill(fill('sell', '1', '100', { id: 'same' })),
    ]);
    expect(again.duplicate).toBe(true);
    expect(again.position).toBe(c.position);
    expect(b.previous).toBe(a.position);
    expect(b.closed).toBeDefined();
    expect(c.previous).toBeUndefined();
    expect(c.position?.side).toBe('short');
    expect(c.duplicate).toBe(false);
  });

  it('updateFromFill still resolves to the position alone', async () => {
    const tracker = new PositionTracker(new MemorySink());
    const position = await tracker.updateFromFill(fill('buy', '1', '100'));
    expect(position).toBe(tracker.getPosition('BTC-USD'));
  });
});
