import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { PgRiskBudget } from '../src/index.js';
import { newAccount, sql, unitNeed, waitFor } from './helpers.js';

const url = inject('pgUrl');

const leaseOf = async (account: string, botId: string) =>
  (
    await sql<{ used_exposure: string; live_orders: number }>(
      url,
      'SELECT used_exposure::text AS used_exposure, live_orders FROM hl_risk.leases WHERE account = $1 AND bot_id = $2',
      [account, botId],
    )
  )[0];

describe('what the database counts for a bot after a flush', () => {
  it('keeps the flushed order when a renewal that began before the take commits after it', async () => {
    const account = newAccount();
    const budget = await PgRiskBudget.open({
      url,
      account,
      botId: 'racer',
      caps: { maxExposure: 1000, slice: '0.5', leaseMs: 10_000 },
      timeoutMs: 3000,
    });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      // Another bot holds the account row: the racer's renewal reads its usage (nothing) and waits.
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM hl_risk.accounts WHERE account = $1 FOR UPDATE', [account]);
      const renewal = budget.renew();
      expect(
        await waitFor(
          async () =>
            (
              await sql<{ n: number }>(
                url,
                `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'hl-risk racer' AND wait_event_type = 'Lock'`,
              )
            )[0]?.n === 1,
          3000,
        ),
      ).toBe(true);

      // An order is taken and flushed meanwhile: once flush resolves the bot sends it.
      expect(budget.tryTake('o1', unitNeed(100)).ok).toBe(true);
      const flushed = budget.flush();
      await new Promise((r) => setTimeout(r, 200));
      await locker.query('COMMIT');
      await flushed;
      await renewal;

      // The renewal landed after the report: the order the flush promised is still counted.
      const lease = await leaseOf(account, 'racer');
      expect(lease?.live_orders).toBe(1);
      expect(lease?.used_exposure).toBe('100');
    } finally {
      await locker.end();
      await budget.close();
    }
  });

  it('an order taken on the lease must reach the venue before the lease ends: takesValidUntil, on the wall clock', async () => {
    const account = newAccount();
    const budget = await PgRiskBudget.open({
      url,
      account,
      botId: 'deadline',
      caps: { maxExposure: 1000, leaseMs: 2000 },
      timeoutMs: 1000,
    });
    try {
      const until = budget.takesValidUntil;
      expect(until).toBeGreaterThan(Date.now() + 1000);
      expect(until).toBeLessThanOrEqual(Date.now() + 2000);
      // Never later than the database's own expiry of the lease.
      const [row] = await sql<{ expires: string }>(
        url,
        `SELECT (extract(epoch FROM expires_at) * 1000)::text AS expires FROM hl_risk.leases WHERE account = $1 AND bot_id = $2`,
        [account, 'deadline'],
      );
      expect(until).toBeLessThanOrEqual(Number(row?.expires));
    } finally {
      await budget.close();
    }
    // A closed (or lapsed) lease gives a time already past: nothing taken under it may be sent.
    expect(budget.takesValidUntil).toBeLessThan(Date.now() + 1);
  });

  it('a lease expired less than the grace ago is neither listed as dead nor cleared (its last orders may still land)', async () => {
    const account = newAccount();
    const dead = await PgRiskBudget.open({ url, account, botId: 'gone', timeoutMs: 1000 });
    expect(dead.tryTake('o1', unitNeed(10)).ok).toBe(true);
    await dead.flush();
    const watcher = await PgRiskBudget.open({ url, account, botId: 'watcher', timeoutMs: 1000 });
    try {
      const expire = (ago: string) =>
        sql(
          url,
          `UPDATE hl_risk.leases SET expires_at = now() - interval '${ago}' WHERE bot_id = 'gone' AND account = $1`,
          [account],
        );
      await expire('2 seconds');
      expect(await watcher.deadLeases()).toEqual([]);
      expect(await watcher.clearDeadLease('gone')).toBe(false);
      await expire('6 seconds');
      expect((await watcher.deadLeases()).map((d) => d.botId)).toEqual(['gone']);
      expect(await watcher.clearDeadLease('gone')).toBe(true);
    } finally {
      await watcher.close();
      await dead.close().catch(() => undefined);
    }
  });

  it('refuses a grace that is not a whole number of milliseconds in range', async () => {
    for (const deadLeaseGraceMs of [-1, 1.5, 3_600_001]) {
      await expect(
        PgRiskBudget.open({ url, account: newAccount(), botId: 'x', deadLeaseGraceMs }),
      ).rejects.toMatchObject({ code: 'RISK_BUDGET_CONFIG' });
    }
  });
});
