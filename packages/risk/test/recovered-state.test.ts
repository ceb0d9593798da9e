import type { AuditEntry } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { recoveredState, replayRiskLog } from './internals.js';

const DAY1 = Date.parse('2026-03-02T09:00:00Z');
const DAY2 = Date.parse('2026-03-03T09:00:00Z');

/** Risk events as the log holds them (seq in order); fields as the manager writes them. */
function log(...events: Record<string, unknown>[]): AuditEntry[] {
  return events.map((e, i) => ({ timestamp: DAY1, ...e, seq: i + 1 }) as unknown as AuditEntry);
}

const day1 = log(
  { type: 'trading_day_started', day: '2026-03-02', dayStartEquity: '10000' },
  { type: 'daily_pnl_updated', day: '2026-03-02', dailyPnl: '-600', equity: '9400', peakEquity: '10200' },
  { type: 'trading_state_changed', from: 'ACTIVE', to: 'REDUCING', reason: 'daily loss 600 >= limit 500' },
  { type: 'trade_result_recorded', netPnl: '-10', consecutiveLosses: 1 },
  { type: 'risk_outcome_recorded', outcome: 'error', consecutiveErrors: 2 },
);

describe('recovery: a pure replay of the log into the state a restart takes over', () => {
  it('on the same day, takes over the start equity, peak, daily P&L, the REDUCING latch and the streaks', async () => {
    const r = recoveredState(await replayRiskLog(day1, null, 0), '2026-03-02');
    expect({
      day: r.tradingDay,
      start: r.day?.startEquity.toString(),
      peak: r.day?.peak?.toString(),
      pnl: r.day?.dailyPnl?.toString(),
      reducing: r.reducingReason,
      state: r.tradingState,
      losses: r.consecutiveLosses,
      errors: r.consecutiveErrors,
    }).toEqual({
      day: '2026-03-02',
      start: '10000',
      peak: '10200',
      pnl: '-600',
      reducing: 'daily loss 600 >= limit 500',
      state: 'REDUCING',
      losses: 1,
      errors: 2,
    });
  });

  it('on a later day, keeps the streaks but not the day numbers or the latch', async () => {
    const r = recoveredState(await replayRiskLog(day1, null, 0), '2026-03-03');
    expect([r.tradingDay, r.day, r.reducingReason, r.consecutiveLosses]).toEqual([
      '2026-03-03',
      null,
      null,
      1,
    ]);
  });

  it('keeps the log day when the clock is now behind it (stepped back across midnight)', async () => {
    const entries = log({
      type: 'trading_day_started',
      day: '2026-03-03',
      dayStartEquity: '5000',
      timestamp: DAY2,
    });
    const r = recoveredState(await replayRiskLog(entries, null, 0), '2026-03-02');
    expect([r.tradingDay, r.day?.startEquity.toString()]).toEqual(['2026-03-03', '5000']);
  });

  it('keeps a tripped breaker on any day, and a reset clears it with both streaks', async () => {
    const tripped = log(
      { type: 'trade_result_recorded', netPnl: '-1', consecutiveLosses: 3 },
      {
        type: 'circuit_breaker_tripped',
        reason: 'consecutive losses: 3 >= 3',
        trippedAt: DAY1,
        cooldownUntil: DAY1 + 1,
      },
    );
    const r = recoveredState(await replayRiskLog(tripped, null, 0), '2026-03-09');
    expect(r.breaker).toEqual({
      reason: 'consecutive losses: 3 >= 3',
      trippedAt: DAY1,
      cooldownUntil: DAY1 + 1,
    });
    const reset = [...tripped, ...log({ type: 'circuit_breaker_reset' }).map((e) => ({ ...e, seq: 3 }))];
    const after = recoveredState(await replayRiskLog(reset, null, 0), '2026-03-09');
    expect([after.breaker, after.consecutiveLosses, after.consecutiveErrors]).toEqual([null, 0, 0]);
  });

  it('starts from a checkpoint and skips the entries it covers', async () => {
    const head = await replayRiskLog(day1.slice(0, 3), null, 0);
    const checkpoint = {
      coversSeq: 3,
      coversHash: '',
      after: { file: 'audit-2026-03-02.jsonl', offset: 0, seq: 3, hash: '' },
      fold: head,
    };
    const r = recoveredState(await replayRiskLog(day1, checkpoint, 0), '2026-03-02');
    const full = recoveredState(await replayRiskLog(day1, null, 0), '2026-03-02');
    expect(r).toEqual(full);
    // The checkpoint's own state is copied, never changed by the replay.
    expect(head.consecutiveErrors).toBe(0);
  });

  it('reads an async log the same way (as readAuditLog yields it)', async () => {
    async function* stream() {
      yield* day1;
    }
    expect(await replayRiskLog(stream(), null, 0)).toEqual(await replayRiskLog(day1, null, 0));
  });
});
