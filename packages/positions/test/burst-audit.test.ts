import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { PositionTracker } from '../src/index.js';
import { scenario } from './fixtures/scenario.js';
import { fill, ledgerView, MemorySink } from './helpers.js';

const s = (v: { toString(): string } | undefined) => v?.toString();

describe('audit events of fills applied in one batch', () => {
  it('every fill of a burst is audited as order_filled; each symbol gets one position_updated, with its final position', async () => {
    const sink = new MemorySink();
    const t = new PositionTracker(sink);
    const fills = [
      fill('buy', '1', '100'),
      fill('buy', '2', '103', { symbol: 'ETH-USD' }),
      fill('buy', '1', '102'),
      fill('sell', '3', '104'), // flips BTC short 1
      fill('sell', '1', '101', { symbol: 'ETH-USD' }),
    ];
    const results = await Promise.all(fills.map((f) => t.updateFromFill(f)));
    expect(sink.entries.map((e) => e.type)).toEqual([
      'order_filled',
      'order_filled',
      'order_filled',
      'order_filled',
      'position_closed',
      'position_updated',
      'order_filled',
      'position_updated',
    ]);
    expect(sink.ofType('order_filled').map((e) => e.fill.id)).toEqual(fills.map((f) => f.id));
    const [btc, eth] = sink.ofType('position_updated');
    expect(btc?.fillId).toBe(fills[3]?.id);
    expect(btc?.position).toEqual(t.getPosition('BTC-USD')?.toPosition());
    expect(s(btc?.position?.signedQuantity)).toBe('-1');
    expect(eth?.fillId).toBe(fills[4]?.id);
    expect(eth?.position).toEqual(t.getPosition('ETH-USD')?.toPosition());
    // every caller still gets the position right after its own fill
    expect(results.map((p) => s(p?.signedQuantity))).toEqual(['1', '2', '2', '-1', '1']);
  });

  it('a fill that leaves a symbol flat at the end of a burst is audited as a position_updated without position', async () => {
    const sink = new MemorySink();
    const t = new PositionTracker(sink);
    await Promise.all([fill('buy', '1', '100'), fill('sell', '1', '110')].map((f) => t.updateFromFill(f)));
    const updates = sink.ofType('position_updated');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.position).toBeUndefined();
    expect(sink.ofType('position_closed')).toHaveLength(1);
  });

  it('fills awaited one at a time each get their own position_updated', async () => {
    const sink = new MemorySink();
    const t = new PositionTracker(sink);
    for (const f of [fill('buy', '1', '100'), fill('buy', '1', '102'), fill('sell', '1', '104')]) {
      await t.updateFromFill(f);
    }
    expect(sink.entries.map((e) => e.type)).toEqual([
      'order_filled',
      'position_updated',
      'order_filled',
      'position_updated',
      'order_filled',
      'position_updated',
    ]);
  });

  it('a log written in bursts (marks and funding in between) recovers to exactly the live ledger', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-positions-burst-'));
    try {
      const audit = await AuditLogger.open(dir, {
        durability: 'none',
        clock: new ManualClock(1_767_225_600_000),
      });
      const live = new PositionTracker(audit);
      const steps = scenario(400, 11);
      for (let i = 0; i < steps.length; i += 25) {
        await Promise.all(
          steps.slice(i, i + 25).map((step) => {
            if (step.kind === 'fill') return live.updateFromFill(step.fill);
            if (step.kind === 'mark') return live.updateMarketPrice(step.symbol, step.price, step.time);
            return live
              .applyFunding(step.symbol, step.amount, step.time, step.fundingId)
              .catch((error: unknown) => {
                // funding for a symbol that is flat at that point of the burst is refused, as when awaited
                if ((error as { code?: string }).code !== 'POSITION_NOT_OPEN') throw error;
              });
          }),
        );
      }
      await live.flush();
      await audit.close();
      let fills = 0;
      let updates = 0;
      for await (const e of readAuditLog(dir)) {
        if (e.type === 'order_filled') fills += 1;
        if (e.type === 'position_updated' && e.cause === 'fill') updates += 1;
      }
      expect(fills).toBe(live.processedFillCount);
      expect(updates).toBeLessThan(fills);
      expect(live.getClosedPositions().length).toBeGreaterThan(5);

      const recovered = await PositionTracker.recover(dir, { durability: 'none' });
      try {
        expect(ledgerView(recovered)).toEqual(ledgerView(live));
      } finally {
        await recovered.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
