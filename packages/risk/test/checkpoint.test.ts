import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RiskConfig, RiskManager } from '../src/index.js';
import { T0 } from './helpers.js';

const config = RiskConfig.from({
  maxDailyLoss: '500',
  maxConsecutiveLosses: 3,
  maxConsecutiveErrors: 4,
  circuitBreakerCooldownMinutes: 30,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-risk-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Step =
  | { kind: 'account'; equity: number }
  | { kind: 'trade'; pnl: number }
  | { kind: 'error' }
  | { kind: 'success' }
  | { kind: 'trip' }
  | { kind: 'reset' }
  | { kind: 'wait'; minutes: number }
  | { kind: 'checkpoint' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.integer({ min: 8000, max: 12000 }).map((equity) => ({ kind: 'account' as const, equity })),
  fc.integer({ min: -400, max: 300 }).map((pnl) => ({ kind: 'trade' as const, pnl })),
  fc.constant({ kind: 'error' as const }),
  fc.constant({ kind: 'success' as const }),
  fc.constant({ kind: 'trip' as const }),
  fc.constant({ kind: 'reset' as const }),
  fc.integer({ min: 1, max: 900 }).map((minutes) => ({ kind: 'wait' as const, minutes })),
  fc.constant({ kind: 'checkpoint' as const }),
);

async function run(risk: RiskManager, clock: ManualClock, s: Step): Promise<void> {
  switch (s.kind) {
    case 'account':
      return risk.updateAccount({ balance: String(s.equity), equity: String(s.equity) });
    case 'trade':
      return risk.recordTradeResult(String(s.pnl), 'BTC-USD');
    case 'error':
      return risk.recordError(new Error('venue timeout'));
    case 'success':
      return risk.recordSuccess();
    case 'trip':
      return risk.tripCircuitBreaker('operator halt');
    case 'reset':
      await risk.resetCircuitBreaker('review');
      return;
    case 'wait':
      clock.advance(s.minutes * 60_000);
      return;
    case 'checkpoint':
      return risk.checkpoint();
  }
}

/** What a restart rebuilds (the account stays unconfirmed until the venue reports it). */
function view(risk: RiskManager): unknown {
  const s = risk.state;
  return {
    tradingState: s.tradingState,
    breaker: [s.circuitBreakerTripped, s.circuitBreakerReason, s.trippedAt, s.cooldownUntil],
    reducing: s.reducingReason,
    day: s.tradingDay,
    dayStart: s.dayStartEquity?.toString() ?? null,
    peak: s.peakEquity?.toString() ?? null,
    daily: s.dailyPnl.toString(),
    losses: s.consecutiveLosses,
    errors: s.consecutiveErrors,
  };
}

describe('RiskManager checkpoints', () => {
  it('a restart from the latest checkpoint plus the tail equals a restart from the whole log', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        await rm(dir, { recursive: true, force: true });
        const clock = new ManualClock(T0);
        const audit = await AuditLogger.open(dir, { clock, durability: 'none' });
        const risk = new RiskManager({
          config,
          auditLogger: audit,
          initialBalance: '10000',
          clock,
          checkpointEvery: { events: 3 },
        });
        for (const s of steps) await run(risk, clock, s);
        await risk.flush();
        await audit.close();
        const warnings: string[] = [];
        if (steps.some((s) => s.kind === 'checkpoint')) {
          expect(await RiskManager.loadCheckpoint(dir)).not.toBeNull();
        }
        const again = await AuditLogger.open(dir, { clock, durability: 'none' });
        const fromCheckpoint = await RiskManager.recover({
          config,
          auditLogger: again,
          clock,
          checkpointEvery: false,
          onWarning: (m) => warnings.push(m),
        });
        const full = await RiskManager.recover({
          config,
          auditLogger: again,
          clock,
          checkpoint: null,
          checkpointEvery: false,
        });
        expect(view(fromCheckpoint)).toEqual(view(full));
        expect(warnings).toEqual([]);
        await again.close();
      }),
      { numRuns: 25 },
    );
  });

  it('ignores a checkpoint that does not verify, with a warning, and uses an older one or the whole log', async () => {
    const clock = new ManualClock(T0);
    const audit = await AuditLogger.open(dir, { clock, durability: 'none' });
    const risk = new RiskManager({ config, auditLogger: audit, initialBalance: '10000', clock });
    await risk.tripCircuitBreaker('operator halt');
    await risk.checkpoint();
    await risk.recordTradeResult('-100', 'BTC-USD');
    await audit.appendCheckpoint('risk', '{"v":1,"day":42}');
    await risk.flush();
    await audit.close();
    const again = await AuditLogger.open(dir, { clock, durability: 'none' });
    const warnings: string[] = [];
    const recovered = await RiskManager.recover({
      config,
      auditLogger: again,
      clock,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([expect.stringMatching(/ignoring the risk checkpoint .*does not parse/)]);
    expect(recovered.state).toMatchObject({ circuitBreakerTripped: true, consecutiveLosses: 1 });
    await again.close();
  });

  it('checkpoint() needs a sink that can write checkpoints', async () => {
    const risk = new RiskManager({ config, auditLogger: { append: () => Promise.reject(new Error('x')) } });
    await expect(risk.checkpoint()).rejects.toThrow(TypeError);
  });
});
