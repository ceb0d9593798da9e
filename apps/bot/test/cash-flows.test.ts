import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '@hl-bot/core-types';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  botStatus,
  eventually,
  GATED_STRATEGY,
  health,
  MASTER,
  spawnBot,
  startSim,
  writeConfig,
} from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-cash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function simLedger(url: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/sim/ledger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`/sim/ledger answered ${res.status}: ${await res.text()}`);
}

const after = (entries: AuditEntry[], seq: number) => entries.filter((e) => e.seq > seq);

describe('deposits and withdrawals reach risk as cash flows, not as P&L (built hl-bot against hl-sim)', () => {
  it('a withdrawal thirty times the daily-loss limit leaves the bot ACTIVE with a daily P&L of zero', async () => {
    await withdrawThirtyTimesTheLimit('pushed', true);
  }, 60_000);

  it('the same when the venue never pushes it: the account refresh reads it over REST before the account', async () => {
    // Without the sync the read shows 30,001 gone and nothing explains it: REDUCING for the day.
    await withdrawThirtyTimesTheLimit('unpushed', false);
  }, 60_000);
});

async function withdrawThirtyTimesTheLimit(name: string, stream: boolean): Promise<void> {
  const sim = await startSim();
  const stateDir = join(work, name);
  // The gated strategy never trades here: every change of equity is the withdrawal.
  const bot = spawnBot(
    writeConfig(stateDir, sim, {
      strategy: GATED_STRATEGY,
      risk: { maxDailyLoss: '1000', maxDailyLossPercent: '0.5', maxDrawdownPercent: '0.5' },
    }),
    stateDir,
  );
  try {
    await eventually(
      async () => {
        if (bot.proc.exitCode !== null) throw new Error(`bot exited: ${bot.output.join('').slice(-2000)}`);
        return (await health(stateDir))?.code === 200;
      },
      'the bot to start',
      20_000,
    );
    await eventually(
      async () => (await auditEntries(stateDir)).some((e) => e.type === 'account_updated'),
      'a first account report',
      10_000,
    );
    await simLedger(sim.url, { user: MASTER, type: 'withdraw', usdc: '30000', stream });
    let ledgerSeq = 0;
    await eventually(
      async () => {
        const l = (await auditEntries(stateDir)).find((e) => e.type === 'ledger_update');
        if (l === undefined) return false;
        expect(l).toMatchObject({ kind: 'withdraw' });
        expect((l as { amount: { toString(): string } }).amount.toString()).toBe('-30001');
        ledgerSeq = l.seq;
        return true;
      },
      stream ? 'the withdrawal in the audit log' : 'the withdrawal read at an account refresh',
      10_000,
    );
    // Two account reports after it (one every 2 s): the venue's equity is 30,001 lower by then.
    await eventually(
      async () =>
        after(await auditEntries(stateDir), ledgerSeq).filter((e) => e.type === 'account_updated').length >=
        2,
      'two account reports after the withdrawal',
      15_000,
    );
    const entries = await auditEntries(stateDir);
    expect(entries.filter((e) => e.type === 'ledger_update')).toHaveLength(1);
    expect(entries.filter((e) => e.type === 'trading_state_changed')).toEqual([]);
    const moved = entries.find(
      (e) => e.type === 'daily_pnl_updated' && (e as { cashFlowId?: string }).cashFlowId !== undefined,
    );
    expect(moved).toBeDefined();
    const status = (await botStatus(stateDir)) as { tradingState?: string; dailyPnl?: string } | undefined;
    expect(status?.tradingState).toBe('ACTIVE');
    expect(Number(status?.dailyPnl)).toBe(0);
  } finally {
    bot.proc.kill('SIGTERM');
    await bot.exited;
    await sim.stop();
  }
}
