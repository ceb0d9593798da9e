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

  it('a withdrawal the venue’s account report already holds is not taken from it again', async () => {
    const { risk, clock } = setup({ maxDailyLoss: '5000' });
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    const withdrawnAt = clock.now() + 1000;
    clock.advance(2000);
    // The account poll measured after the withdrawal and arrived before the ledger stream told of it.
    await risk.updateAccount({ balance: '7000', equity: '7000', timestamp: clock.now() });
    expect(risk.state.dailyPnl.toString()).toBe('-3000');
    await risk.recordCashFlow('-3000', withdrawnAt, `${withdrawnAt}:0xabc:withdraw`);
    expect(risk.state.dailyPnl.toString()).toBe('0');
    expect(risk.state.dayStartEquity?.toString()).toBe('7000');
    // A report measured before a flow still moves with it (the first test), and the next report agrees.
    await risk.updateAccount({ balance: '7000', equity: '7000', timestamp: clock.now() });
    expect(risk.state.dailyPnl.toString()).toBe('0');
  });

  it('says which account report would latch REDUCING (the engine syncs the ledger before those)', async () => {
    const { risk } = setup({ maxDailyLoss: '500', maxDrawdownPercent: '0.5', maxDailyLossPercent: '0.5' });
    // The initial balance started the day: 1,000 would be a loss of 9,000.
    expect(risk.wouldLatchReducing('1000')).toBe(true);
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    expect(risk.wouldLatchReducing('10000')).toBe(false);
    expect(risk.wouldLatchReducing('10500')).toBe(false);
    expect(risk.wouldLatchReducing('9600')).toBe(false);
    expect(risk.wouldLatchReducing('9500')).toBe(true);
    expect(() => risk.wouldLatchReducing('NaN')).toThrow();
    // Latched already: nothing more to latch.
    await risk.updateAccount({ balance: '9400', equity: '9400' });
    expect(risk.state.tradingState).toBe('REDUCING');
    expect(risk.wouldLatchReducing('9000')).toBe(false);
    // Asking changes nothing.
    expect(risk.state.dailyPnl.toString()).toBe('-600');
  });

  it('a deposit the report already holds leaves the peak the report set: no false drawdown after it', async () => {
    const { risk, clock } = setup({ maxDailyLoss: '100000', maxDrawdownPercent: '0.2' });
    await risk.updateAccount({ balance: '10000', equity: '10000', timestamp: clock.now() });
    const depositedAt = clock.now() + 1000;
    clock.advance(2000);
    // Read before the venue pushed the 5,000 deposit: a new peak of 15,000, measured holding it.
    await risk.updateAccount({ balance: '15000', equity: '15000', timestamp: clock.now() });
    await risk.recordCashFlow('5000', depositedAt, 'd1');
    expect(risk.state.dayStartEquity?.toString()).toBe('15000');
    expect(risk.state.peakEquity?.toString()).toBe('15000');
    // 1,000 below the peak: 6.7%, not the 25% below a 20,000 peak the flow would have raised it to.
    await risk.updateAccount({ balance: '14000', equity: '14000', timestamp: clock.now() });
    expect(risk.state.tradingState).toBe('ACTIVE');
    // A flow after the peak's measurement still moves it.
    await risk.recordCashFlow('-1000', clock.now() + 1, 'w1');
    expect(risk.state.peakEquity?.toString()).toBe('14000');
  });

  it('never asks for a sync when risk measures its own P&L (the venue’s equity is not read as P&L)', async () => {
    const risk = new RiskManager({
      config: RiskConfig.from({ maxDailyLoss: '500' }),
      auditLogger: { append: async (e) => e as never },
      clock: new ManualClock(T0),
      initialBalance: '10000',
      pnlScope: 'own',
    });
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    expect(risk.wouldLatchReducing('1000')).toBe(false);
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
  it('applies a cash flow the venue sends again after a restart once, by its id (replay and checkpoint)', async () => {
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
    const withdrawal = { amount: '-3000', time: clock.now(), id: `${clock.now()}:0xabc:withdraw` };
    await first.recordCashFlow(withdrawal.amount, withdrawal.time, withdrawal.id);
    // The same change again in this run (a stream re-sending it) changes nothing either.
    await first.recordCashFlow(withdrawal.amount, withdrawal.time, withdrawal.id);
    expect(first.state.dayStartEquity?.toString()).toBe('7000');
    await first.flush();
    await audit.close();

    const applied = [withdrawal];
    let start = 7000;
    for (const from of ['replay', 'checkpoint'] as const) {
      clock.advance(1000);
      audit = await AuditLogger.open(dir, { clock, durability: 'fsync' });
      const risk = await RiskManager.recover({ config, auditLogger: audit, clock });
      // The venue's stream snapshot after the restart carries every change applied so far again.
      for (const flow of applied) await risk.recordCashFlow(flow.amount, flow.time, flow.id);
      expect(risk.state.dayStartEquity?.toString(), from).toBe(String(start));
      await risk.updateAccount({ balance: String(start), equity: String(start) });
      expect(risk.state.dailyPnl.toString(), from).toBe('0');
      // Another withdrawal (another id) still moves the day start.
      const next = { amount: '-1000', time: clock.now(), id: `${clock.now()}:0xdef:withdraw` };
      await risk.recordCashFlow(next.amount, next.time, next.id);
      applied.push(next);
      start -= 1000;
      expect(risk.state.dayStartEquity?.toString(), from).toBe(String(start));
      await risk.updateAccount({ balance: String(start), equity: String(start) });
      expect(risk.state.tradingState, from).toBe('ACTIVE');
      // The second restart starts from a checkpoint holding the ids.
      if (from === 'replay') await risk.checkpoint();
      await risk.flush();
      await audit.close();
    }
  });

  it('a new trading day forgets the ids of the day before', async () => {
    const { risk, clock } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    clock.advance(1000);
    await risk.recordCashFlow('-1000', clock.now(), 'flow-1');
    expect(risk.state.dayStartEquity?.toString()).toBe('9000');
    clock.advance(24 * 60 * 60 * 1000);
    await risk.updateAccount({ balance: '9000', equity: '9000' });
    // The same id on the next day is another day's fact (ids are per trading day).
    await risk.recordCashFlow('-1000', clock.now(), 'flow-1');
    expect(risk.state.dayStartEquity?.toString()).toBe('8000');
  });
});
