import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RiskCode, RiskConfig, RiskManager } from '../src/index.js';
import { codes, limitBuy, T0 } from './helpers.js';

const config = RiskConfig.from({
  maxDailyLoss: '500',
  maxConsecutiveLosses: 3,
  circuitBreakerCooldownMinutes: 30,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-risk-recover-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function firstRun(clock: ManualClock, run: (risk: RiskManager) => Promise<void>): Promise<void> {
  const audit = await AuditLogger.open(dir, { clock, durability: 'fsync' });
  const risk = new RiskManager({ config, auditLogger: audit, initialBalance: '10000', clock });
  await run(risk);
  await risk.flush();
  await audit.close();
}

async function restart(clock: ManualClock): Promise<{ risk: RiskManager; audit: AuditLogger }> {
  const audit = await AuditLogger.open(dir, { clock, durability: 'fsync' });
  const risk = await RiskManager.recover({ config, auditLogger: audit, clock });
  return { risk, audit };
}

describe('restart from the audit log (real AuditLogger, real files, fsync)', () => {
  it('keeps a tripped breaker tripped with its remaining cooldown', async () => {
    const clock = new ManualClock(T0);
    await firstRun(clock, (risk) => risk.tripCircuitBreaker('operator halt'));
    clock.advance(10 * 60_000);
    const { risk, audit } = await restart(clock);
    expect(risk.state).toMatchObject({
      tradingState: 'HALTED',
      circuitBreakerTripped: true,
      circuitBreakerReason: 'operator halt',
      trippedAt: T0,
      cooldownUntil: T0 + 30 * 60_000,
    });
    expect(await risk.resetCircuitBreaker()).toBe(false);
    clock.advance(20 * 60_000);
    expect(await risk.resetCircuitBreaker('after review')).toBe(true);
    expect(risk.state.tradingState).toBe('ACTIVE');
    await audit.close();
  });

  it('keeps the day-start equity and the daily loss, so a restart does not reset the limit', async () => {
    const clock = new ManualClock(T0);
    await firstRun(clock, (risk) => risk.updateAccount({ balance: '9600', equity: '9600' }));
    clock.advance(60_000);
    const { risk, audit } = await restart(clock);
    expect(risk.state.dayStartEquity?.toString()).toBe('10000');
    expect(risk.state.dailyPnl.toString()).toBe('-400');
    await risk.updateAccount({ balance: '9500', equity: '9500' });
    expect(risk.state.dailyPnl.toString()).toBe('-500');
    expect(risk.state.tradingState).toBe('REDUCING');
    await audit.close();
  });

  it('keeps REDUCING for the rest of the day after a restart', async () => {
    const clock = new ManualClock(T0);
    await firstRun(clock, async (risk) => {
      await risk.updateAccount({ balance: '9000', equity: '9000' });
      await risk.updateAccount({ balance: '10200', equity: '10200' });
    });
    const { risk, audit } = await restart(clock);
    expect(risk.state.tradingState).toBe('REDUCING');
    expect(risk.state.reducingReason).toBe('daily loss 1000 >= limit 500');
    await audit.close();
  });

  it('rebuilds the loss and error streaks so the next loss still trips the breaker', async () => {
    const clock = new ManualClock(T0);
    await firstRun(clock, async (risk) => {
      await risk.recordTradeResult('-10');
      await risk.recordTradeResult('-10');
      await risk.recordError(new Error('503'));
    });
    const { risk, audit } = await restart(clock);
    expect(risk.state).toMatchObject({ consecutiveLosses: 2, consecutiveErrors: 1 });
    await risk.recordTradeResult('-10');
    expect(risk.state.tradingState).toBe('HALTED');
    await audit.close();
  });

  it('rejects every order after a restart until the account is reported again', async () => {
    const clock = new ManualClock(T0);
    await firstRun(clock, async () => {});
    const { risk, audit } = await restart(clock);
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(codes(await risk.checkOrder(limitBuy('0.001', '50000')))).toEqual([
      RiskCode.ACCOUNT_STATE_MISSING,
    ]);
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    expect((await risk.checkOrder(limitBuy('0.001', '50000'))).approved).toBe(true);
    await audit.close();
  });

  it('starts a fresh day after a restart on a later day, with the breaker still tripped', async () => {
    const clock = new ManualClock(T0);
    await firstRun(clock, async (risk) => {
      await risk.updateAccount({ balance: '9000', equity: '9000' });
      await risk.tripCircuitBreaker('manual');
    });
    clock.set('2026-03-03T08:00:00Z');
    const { risk, audit } = await restart(clock);
    expect(risk.state).toMatchObject({
      tradingDay: '2026-03-03',
      dayStartEquity: null,
      tradingState: 'HALTED',
    });
    await risk.updateAccount({ balance: '9000', equity: '9000' });
    expect(risk.state.dayStartEquity?.toString()).toBe('9000');
    expect(await risk.resetCircuitBreaker()).toBe(true);
    expect(risk.state.tradingState).toBe('ACTIVE');
    await audit.close();
  });

  it('audits every rejection to the real log as risk_rejected', async () => {
    const clock = new ManualClock(T0);
    await firstRun(clock, async (risk) => {
      await risk.checkOrder(limitBuy('1', '100', 'NOPRICE-USD'));
    });
    const rejected = [];
    for await (const e of readAuditLog(dir, { types: ['risk_rejected'] })) rejected.push(e);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ code: RiskCode.MARKET_PRICE_MISSING });
  });

  it('refuses to start from a log that cannot be read', async () => {
    const clock = new ManualClock(T0);
    const broken = {
      async *[Symbol.asyncIterator]() {
        yield* [];
        throw new Error('corrupt line 7');
      },
    };
    const audit = await AuditLogger.open(dir, { clock, durability: 'fsync' });
    await expect(RiskManager.recover({ config, auditLogger: audit, clock, entries: broken })).rejects.toThrow(
      'corrupt line 7',
    );
    await audit.close();
  });
});
