import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import { type AuditEntry, Decimal, type FundingPayment, OrderRequest } from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';
import { afterEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, eventually, startSim } from './helpers.js';

let sim: HyperliquidSim | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('funding from hl-sim', () => {
  it('streams userFundings, and a payment reaches the position’s P&L and the audit log', async () => {
    // One-hour bars: every bar crosses a funding hour.
    sim = await startSim({ barMs: 3_600_000 });
    dir = await mkdtemp(join(tmpdir(), 'hl-sim-funding-'));
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    const tracker = new PositionTracker(audit);
    const client = clientFor(sim);
    const payments: FundingPayment[] = [];
    const errors: Error[] = [];
    client.onError((e) => errors.push(e));
    client.onFill((f) => void tracker.updateFromFill(f));
    client.onFunding((p) => {
      payments.push(p);
      void tracker.applyFunding(p.symbol, p.amount, p.time);
    });
    await client.start();
    try {
      await client.placeOrder(
        OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.1' }),
      );
      await eventually(() => tracker.getPosition('BTC-USD') !== undefined, 'the fill in the tracker');
      await sim.pushBar({ coin: 'BTC', open: '60000', high: '60000', low: '60000', close: '60000' });
      await eventually(() => payments.length > 0, 'a funding payment on the stream');
      const [p] = payments;
      // A long pays positive funding: the account's side of the payment is negative.
      expect(p).toMatchObject({ symbol: 'BTC-USD' });
      expect(p?.amount.isNegative()).toBe(true);
      await eventually(() => !(tracker.getPosition('BTC-USD')?.funding.isZero() ?? true), 'funding in P&L');
      expect(tracker.getPosition('BTC-USD')?.funding.toFixed()).toBe(p?.amount.toFixed());
      // The venue's own books agree: cumFunding is what was paid (the opposite sign).
      const venue = await client.clearinghouseState();
      expect(venue.assetPositions[0]?.position.cumFunding.sinceOpen.toFixed()).toBe(
        p?.amount.neg().toFixed(),
      );
      await audit.flush();
      const log: AuditEntry[] = [];
      for await (const e of readAuditLog(dir)) log.push(e);
      const applied = log.filter((e) => e.type === 'funding_applied');
      expect(applied).toHaveLength(1);
      expect(applied[0]).toMatchObject({ symbol: 'BTC-USD' });
      expect(errors.filter((e) => /userFundings|subscription/i.test(e.message))).toEqual([]);
    } finally {
      client.close();
      await audit.close();
    }
  });

  it('stamps each payment with the hour it settles, so a four-hour bar is four payments on the stream', async () => {
    sim = await startSim({ barMs: 4 * 3_600_000 });
    const client = clientFor(sim);
    const payments: FundingPayment[] = [];
    client.onFunding((p) => payments.push(p));
    await client.start();
    try {
      await client.placeOrder(
        OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.1' }),
      );
      await eventually(
        async () => (await client.clearinghouseState()).assetPositions.length === 1,
        'the position',
      );
      await sim.pushBar({ coin: 'BTC', open: '60000', high: '60000', low: '60000', close: '60000' });
      await eventually(() => payments.length >= 4, 'four payments');
      await new Promise((r) => setTimeout(r, 100));
      expect(payments).toHaveLength(4);
      const times = payments.map((p) => p.time);
      // Whole hours, one apart, as the venue stamps them (the client keys each by coin and time).
      for (const t of times) expect(t % 3_600_000).toBe(0);
      expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual([
        3_600_000, 3_600_000, 3_600_000,
      ]);
      // The venue's cumFunding is the sum of what it streamed.
      const paid = payments.reduce((sum, p) => sum.plus(p.amount), new Decimal(0));
      const venue = await client.clearinghouseState();
      expect(venue.assetPositions[0]?.position.cumFunding.sinceOpen.toFixed()).toBe(paid.neg().toFixed());
    } finally {
      client.close();
    }
  });
});
