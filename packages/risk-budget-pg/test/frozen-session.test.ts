import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PgRiskBudget } from '../src/index.js';
import { killBots, newAccount, sql, startBot, unitNeed, waitFor } from './helpers.js';

const url = inject('pgUrl');
afterAll(killBots);

interface Session {
  pid: number;
  state: string | null;
  wait_event_type: string | null;
}

const sessionsOf = (botId: string) =>
  sql<Session>(url, `SELECT pid, state, wait_event_type FROM pg_stat_activity WHERE application_name = $1`, [
    `hl-risk ${botId}`,
  ]);

describe('a bot frozen inside its budget transaction', () => {
  it('loses its session to the server, so the account row is free for every other bot, and recovers when it wakes', async () => {
    const account = newAccount();
    // The child creates the account (default caps: a 3 s lease, renewed every second) and holds one order.
    const child = await startBot(url, account, 'frozen', 'hold', 1, 1000);

    // Hold the account row so the child's next renewal queues behind it, in its transaction.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    let frozenPid: number | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM hl_risk.accounts WHERE account = $1 FOR UPDATE', [account]);
      expect(
        await waitFor(async () => {
          const waiting = (await sessionsOf('frozen')).find((s) => s.wait_event_type === 'Lock');
          frozenPid = waiting?.pid;
          return waiting !== undefined;
        }, 3000),
      ).toBe(true);
      // Frozen before its query's own timeout (1 s) can fire; the row passes to it once the locker lets go.
      child.kill('SIGSTOP');
      await locker.query('COMMIT');
    } finally {
      await locker.end();
    }
    const stateOfFrozen = async () => (await sessionsOf('frozen')).find((s) => s.pid === frozenPid)?.state;
    expect(await waitFor(async () => (await stateOfFrozen()) === 'idle in transaction', 2000)).toBe(true);
    const frozenAt = performance.now();

    // The server ends the session after twice the bot's round-trip bound (2 s), the row lock with it.
    expect(await waitFor(async () => (await stateOfFrozen()) === undefined, 6000)).toBe(true);
    expect(performance.now() - frozenAt).toBeGreaterThan(1000);
    const [row] = await sql<{ free: boolean }>(
      url,
      `SELECT true AS free FROM hl_risk.accounts WHERE account = $1 FOR UPDATE NOWAIT`,
      [account],
    );
    expect(row?.free).toBe(true);

    // Another bot of the account renews and trades while the frozen one is still stopped.
    const awake = await PgRiskBudget.open({ url, account, botId: 'awake', timeoutMs: 1000 });
    try {
      expect(awake.state.available).toBe(true);
      expect(awake.tryTake('awake-1', unitNeed(1)).ok).toBe(true);
      await awake.flush();

      // Woken, the frozen bot meets a dead connection, fails closed for that renewal and renews on a new one.
      const renewedAt = async () =>
        (
          await sql<{ renewed_at: Date }>(
            url,
            'SELECT renewed_at FROM hl_risk.leases WHERE account = $1 AND bot_id = $2',
            [account, 'frozen'],
          )
        )[0]?.renewed_at.getTime() ?? 0;
      const before = await renewedAt();
      child.kill('SIGCONT');
      expect(await waitFor(async () => (await renewedAt()) > before, 8000)).toBe(true);
      const alive = await sessionsOf('frozen');
      expect(alive.length).toBeGreaterThan(0);
      expect(alive.every((s) => s.pid !== frozenPid)).toBe(true);
    } finally {
      await awake.close();
    }
  }, 30_000);
});
