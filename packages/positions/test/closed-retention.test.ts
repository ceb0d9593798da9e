import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import { Decimal, ZERO } from '@hl-bot/core-types';
import { afterEach, describe, expect, it } from 'vitest';
import { nullAuditSink, PositionTracker } from '../src/index.js';
import { MemorySink } from './helpers.js';

/** Round trip `i`: buy 1 at 100, sell 1 at 100 + (i % 7) - 3 (wins, losses and flats), fee 0.1 each leg. */
async function roundTrips(tracker: PositionTracker, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 1) {
    const base = {
      orderId: `o${i}`,
      symbol: 'BTC-USD',
      quantity: '1',
      fee: '0.1',
      timestamp: 1_700_000_000_000 + i,
    };
    await tracker.updateFromFill({ ...base, id: `b${i}`, side: 'buy', price: '100' });
    await tracker.updateFromFill({ ...base, id: `s${i}`, side: 'sell', price: String(100 + (i % 7) - 3) });
  }
}

const netOf = (i: number) => new Decimal((i % 7) - 3).minus('0.2');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('closed round trips kept in memory', () => {
  it('keeps the latest keepClosedPositions; the count and the totals still cover every round trip', async () => {
    const tracker = new PositionTracker(new MemorySink(), { keepClosedPositions: 3 });
    await roundTrips(tracker, 0, 10);
    const kept = tracker.getClosedPositions();
    expect(kept.map((c) => c.netRealizedPnl.toString())).toEqual([7, 8, 9].map((i) => netOf(i).toString()));
    expect(tracker.closedPositionCount).toBe(10);
    let net = ZERO;
    for (let i = 0; i < 10; i += 1) net = net.plus(netOf(i));
    expect(tracker.getTotalNetRealizedPnl().toString()).toBe(net.toString());
    expect(tracker.getTotalFees().toString()).toBe('2');
  });

  it('keeps 10,000 by default, so a process that trades for months does not grow without bound', async () => {
    const tracker = new PositionTracker(nullAuditSink);
    await roundTrips(tracker, 0, 12_000);
    const kept = tracker.getClosedPositions();
    expect(kept).toHaveLength(10_000);
    expect(kept[0]?.closedAt).toBe(1_700_000_000_000 + 2_000);
    expect(kept.at(-1)?.closedAt).toBe(1_700_000_000_000 + 11_999);
    expect(tracker.closedPositionCount).toBe(12_000);
  });

  it('0 keeps none and Infinity every one; anything else is refused', async () => {
    const none = new PositionTracker(nullAuditSink, { keepClosedPositions: 0 });
    const all = new PositionTracker(nullAuditSink, { keepClosedPositions: Number.POSITIVE_INFINITY });
    await roundTrips(none, 0, 50);
    await roundTrips(all, 0, 50);
    expect(none.getClosedPositions()).toEqual([]);
    expect(none.closedPositionCount).toBe(50);
    expect(all.getClosedPositions()).toHaveLength(50);
    expect(none.getTotalNetRealizedPnl().toString()).toBe(all.getTotalNetRealizedPnl().toString());
    for (const bad of [-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, '10' as unknown as number]) {
      expect(() => new PositionTracker(nullAuditSink, { keepClosedPositions: bad })).toThrow(RangeError);
    }
  });

  it('every dropped round trip is still in the log, and a recovery counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-positions-retention-'));
    dirs.push(dir);
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    const live = new PositionTracker(audit, { keepClosedPositions: 2 });
    await roundTrips(live, 0, 20);
    await audit.close();
    let logged = 0;
    for await (const e of readAuditLog(dir)) if (e.type === 'position_closed') logged += 1;
    expect(logged).toBe(20);

    const back = await PositionTracker.recover(dir, {
      durability: 'none',
      checkpoint: null,
      keepClosedPositions: 2,
    });
    try {
      expect(back.closedPositionCount).toBe(20);
      expect(back.getClosedPositions()).toEqual(live.getClosedPositions());
      expect(back.getTotalNetRealizedPnl().toString()).toBe(live.getTotalNetRealizedPnl().toString());
    } finally {
      await back.close();
    }
  });
});
