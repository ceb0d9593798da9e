import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RiskConfig, RiskManager } from '../src/index.js';
import { limitBuy, setup, T0 } from './helpers.js';

describe('deposits and withdrawals are not trading P&L', () => {
  it('a withdrawal is never a daily loss or a drawdown', async () => {
    const { risk, clock } = setup({ maxDailyLoss: '500', maxDrawdownPercent: '0.1' });
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    clock.advance(1000);
    await risk.recordCashFlow('-3000', clock.now());
    await risk.updateAccount({ balance: '7000', equity: '7000' });
    expect(risk.state.tradingState).toBe('ACTIVE');
    expect(risk.state.dailyPnl.toString()).toBe('0');
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('a deposit never hides a loss', async () => {
    const { risk, clock } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    clock.advance(1000);
    await risk.recordCashFlow('5000', clock.now());
    // Lost 600 while 5000 came in: equity 14400, a loss of 600.
    await risk.updateAccount({ balance: '14400', equity: '14400' });
    expect(risk.state.dailyPnl.toString()).toBe('-600');
    expect(risk.state.tradingState).toBe('REDUCING');
  });

  it('a flow from before the day’s start equity was measured is already inside it', async () => {
    const { risk } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    await risk.recordCashFlow('-3000', T0 - 60_000);
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    expect(risk.state.dailyPnl.toString()).toBe('0');
  });
});

describe('cash flows survive a restart (real audit log)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hl-risk-cash-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the day start moved by a withdrawal across a restart', async () => {
    const config = RiskConfig.from({
      maxDailyLoss: '500',
      maxDailyLossPercent: '1',
      maxDrawdownPercent: '1',
    });
    const clock = new ManualClock(T0);
    let audit = await AuditLogger.open(dir, { clock, durability: 'fsync' });
    const first = new RiskManager({ config, auditLogger: audit, initialBalance: '10000', clock });
    await first.updateAccount({ balance: '10000', equity: '10000' });
    clock.advance(1000);
    await first.recordCashFlow('-3000', clock.now());
    await first.flush();
    await audit.close();
    clock.advance(1000);
    audit = await AuditLogger.open(dir, { clock, durability: 'fsync' });
    const risk = await RiskManager.recover({ config, auditLogger: audit, clock });
    expect(risk.state.dayStartEquity?.toString()).toBe('7000');
    await risk.updateAccount({ balance: '7000', equity: '7000' });
    expect(risk.state.dailyPnl.toString()).toBe('0');
    expect(risk.state.tradingState).toBe('ACTIVE');
    await audit.close();
  });
});
