import { once } from 'node:events';
import { Decimal, TradingState } from '@hl-bot/core-types';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PgRiskBudget } from '../src/index.js';
import {
  countedExposure,
  killBots,
  newAccount,
  openBots,
  sql,
  startBot,
  unitNeed,
  waitFor,
} from './helpers.js';

const url = inject('pgUrl');
afterAll(killBots);

describe('the shared breaker', () => {
  it('a trip from one bot halts all of them within one second, and one reset resumes all', async () => {
    const account = newAccount();
    const bots = await openBots(url, account, 6, { maxExposure: 1000 });
    try {
      const [tripper, ...others] = bots as [PgRiskBudget, ...PgRiskBudget[]];
      const halted = others.map(
        (bot) =>
          new Promise<number>((resolve) => {
            bot.onChange((s) => {
              if (s.tradingState === TradingState.HALTED) resolve(performance.now());
            });
          }),
      );
      const start = performance.now();
      await tripper.trip('operator kill');
      expect(tripper.tryTake('x', unitNeed(1))).toMatchObject({ ok: false, code: 'BUDGET_HALTED' });
      const times = await Promise.race([
        Promise.all(halted),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('not every bot halted in 1 s')), 1000),
        ),
      ]);
      expect(Math.max(...times) - start).toBeLessThan(1000);
      for (const bot of others) {
        expect(bot.state).toMatchObject({ tradingState: 'HALTED', reason: 'operator kill' });
        expect(bot.tryTake('y', unitNeed(1))).toMatchObject({ ok: false, code: 'BUDGET_HALTED' });
      }
      await others[0]?.reset();
      expect(await waitFor(() => bots.every((b) => b.state.tradingState === 'ACTIVE'), 1000)).toBe(true);
      expect(tripper.tryTake('x', unitNeed(1)).ok).toBe(true);
    } finally {
      await Promise.all(bots.map((b) => b.close()));
    }
  });

  it('the account loss streak trips every bot; daily loss across bots makes every bot REDUCING', async () => {
    const account = newAccount();
    const [a, b] = (await openBots(url, account, 2, {
      maxConsecutiveLosses: 3,
      dailyLoss: 100,
    })) as [PgRiskBudget, PgRiskBudget];
    try {
      a.recordTradeResult(new Decimal(-5));
      b.recordTradeResult(new Decimal(-5));
      a.recordTradeResult(new Decimal(-5));
      expect(
        await waitFor(() => a.state.tradingState === 'HALTED' && b.state.tradingState === 'HALTED', 2000),
      ).toBe(true);
      expect(b.state.consecutiveLosses).toBe(3);
      await a.reset();
      expect(await waitFor(() => b.state.tradingState === 'ACTIVE', 1000)).toBe(true);
      // Each bot alone is within the limit; together they reach it.
      a.reportPnl(new Decimal(-60));
      b.reportPnl(new Decimal(-40));
      expect(
        await waitFor(() => a.state.tradingState === 'REDUCING' && b.state.tradingState === 'REDUCING', 2000),
      ).toBe(true);
      expect(b.tryTake('z', unitNeed(1))).toMatchObject({ ok: false, code: 'BUDGET_REDUCING' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a bot whose own loss passes its share of the account's loss budget stops opening, alone", async () => {
    const account = newAccount();
    const [a, b] = (await openBots(url, account, 2, { dailyLoss: 100, slice: '0.5' })) as [
      PgRiskBudget,
      PgRiskBudget,
    ];
    try {
      await a.renew();
      a.reportPnl(new Decimal(-50));
      expect(a.tryTake('a1', unitNeed(1)).ok).toBe(true);
      a.reportPnl(new Decimal('-50.01'));
      expect(a.tryTake('a2', unitNeed(1))).toMatchObject({ ok: false, code: 'BUDGET_LOSS' });
      expect(b.tryTake('b1', unitNeed(1)).ok).toBe(true);
      expect(a.state.tradingState).toBe('ACTIVE');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/** Takes `unit` (renewing when the slice runs out) until the account has nothing left; returns the total. */
async function fill(bot: PgRiskBudget, unit: number, prefix: string): Promise<number> {
  let total = 0;
  let misses = 0;
  for (let i = 0; i < 1000 && misses < 3; i++) {
    if (bot.tryTake(`${prefix}-${i}`, unitNeed(unit)).ok) {
      total += unit;
      misses = 0;
    } else {
      misses += 1;
      await bot.renew();
    }
  }
  return total;
}

describe('leases of bots killed with SIGKILL', () => {
  it('free their unused slice at expiry, but what a dead bot had live keeps counting until the reconciler clears it', async () => {
    const account = newAccount();
    const creator = await PgRiskBudget.open({
      url,
      account,
      botId: 'creator',
      caps: { maxExposure: 1000, slice: '0.3', leaseMs: 600 },
    });
    await creator.close();
    // One bot dies with a live order of 150; the other had given its order back (nothing live).
    const holder = await startBot(url, account, 'holder', 'hold', 150);
    const idle = await startBot(url, account, 'idle', 'idle', 300);
    holder.kill('SIGKILL');
    idle.kill('SIGKILL');
    await Promise.all([once(holder, 'exit'), once(idle, 'exit')]);
    const before = await countedExposure(url, account);
    expect(before.gte(150 + 300)).toBe(true);
    await new Promise((r) => setTimeout(r, 700));
    // Expired: only the holder's possibly-live order still counts.
    expect((await countedExposure(url, account)).toString()).toBe('150');
    // No grace: the dead leases expired 0.7 s ago (the grace itself is tested in report-order.test.ts).
    const bot = await PgRiskBudget.open({
      url,
      account,
      botId: 'survivor',
      timeoutMs: 5000,
      deadLeaseGraceMs: 0,
    });
    try {
      expect(await fill(bot, 50, 'a')).toBe(850);
      expect(await bot.clearDeadLease('survivor')).toBe(false);
      // What the reconciler sees: every dead lease and what it still counts.
      const dead = await bot.deadLeases();
      const row = (id: string) => dead.find((d) => d.botId === id);
      expect(row('holder')).toMatchObject({ liveOrders: 1, usedPositions: 0 });
      expect(row('holder')?.usedExposure.toString()).toBe('150');
      expect(row('idle')).toMatchObject({ liveOrders: 0 });
      expect(row('survivor')).toBeUndefined(); // its own lease is live, and never listed
      // The reconciler saw none of the holder's orders open on the venue.
      expect(await bot.clearDeadLease('holder')).toBe(true);
      expect(await fill(bot, 50, 'b')).toBe(150);
      const rows = await sql(url, 'SELECT bot_id FROM hl_risk.leases WHERE account = $1 ORDER BY bot_id', [
        account,
      ]);
      expect(rows.map((r) => r.bot_id)).toEqual(['idle', 'survivor']);
    } finally {
      await bot.close();
    }
  }, 40_000);
});
