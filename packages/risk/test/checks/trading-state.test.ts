import { TradingState } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { checkAuditAvailable, checkCircuitBreaker, checkTradingState } from '../internals.js';
import { buy, NOW, run, sell, World } from './world.js';

describe('check 7, circuit breaker', () => {
  it('rejects every order while tripped, with the reason and the cooldown', () => {
    const breaker = { reason: 'consecutive losses: 3 >= 3', trippedAt: NOW, cooldownUntil: NOW + 1_800_000 };
    const ctx = new World().context(sell('0.001'), { breaker, reducing: true });
    expect(run(checkCircuitBreaker, ctx).map((f) => f.message)).toEqual([
      `CIRCUIT_BREAKER_TRIPPED: reason=consecutive losses: 3 >= 3 trippedAt=${NOW} cooldownUntil=${NOW + 1_800_000}`,
    ]);
  });

  it('passes when not tripped', () => {
    expect(run(checkCircuitBreaker, new World().context(buy('1')))).toEqual([]);
  });
});

describe('check 7, trading state', () => {
  it('in REDUCING rejects an order that does not strictly reduce, naming the reason', () => {
    const w = new World();
    const ctx = w.context(buy('0.001'), {
      tradingState: TradingState.REDUCING,
      reducingReason: 'daily loss 501 >= limit 500',
    });
    expect(run(checkTradingState, ctx).map((f) => f.message)).toEqual([
      'TRADING_STATE_REDUCING: reason=daily loss 501 >= limit 500 position=0 quantity=0.001',
    ]);
  });

  it('in REDUCING passes an order that reduces', () => {
    const ctx = new World().context(sell('0.001'), { tradingState: TradingState.REDUCING, reducing: true });
    expect(run(checkTradingState, ctx)).toEqual([]);
  });

  it('in ACTIVE passes every order', () => {
    expect(run(checkTradingState, new World().context(buy('1')))).toEqual([]);
  });
});

describe('check 7, trading state: the audit log must be writable', () => {
  it('rejects everything after a failed audit write, with the error', () => {
    const ctx = new World().context(buy('1'), { auditFailure: new Error('disk full') });
    expect(run(checkAuditAvailable, ctx).map((f) => f.message)).toEqual([
      'AUDIT_UNAVAILABLE: error=Error: disk full',
    ]);
    expect(run(checkAuditAvailable, new World().context(buy('1')))).toEqual([]);
  });
});
