import { Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { checkDailyLoss } from '../internals.js';
import { buy, NOW, run, World } from './world.js';

/** A day that started at $10,000 and whose equity now is `equity`, after peaking at `peak`. */
function day(limits: ConstructorParameters<typeof World>[0], equity: string, peak = '10000') {
  const w = new World(limits);
  w.day.start(new Decimal(10000), NOW);
  w.day.observe(new Decimal(peak));
  return w.context(buy('0.001'), { equity: new Decimal(equity) });
}

describe('check 3, daily loss', () => {
  it('passes a loss just under maxDailyLoss and fails one at it (a loss at its limit is a breach)', () => {
    expect(run(checkDailyLoss, day({ maxDailyLoss: '500' }, '9500.01'))).toEqual([]);
    expect(run(checkDailyLoss, day({ maxDailyLoss: '500' }, '9500')).map((f) => f.message)).toEqual([
      'DAILY_LOSS_EXCEEDED: loss=500 limit=500 dayStartEquity=10000',
    ]);
  });

  it('measures maxDailyLossPercent against the day-start equity', () => {
    expect(run(checkDailyLoss, day({ maxDailyLossPercent: '0.05' }, '9501'))).toEqual([]);
    expect(run(checkDailyLoss, day({ maxDailyLossPercent: '0.05' }, '9500')).map((f) => f.message)).toEqual([
      'DAILY_LOSS_PERCENT_EXCEEDED: loss=500 limit=500 percent=0.05 dayStartEquity=10000',
    ]);
  });

  it('measures the drawdown from the day peak even while the day is up', () => {
    const ctx = day({ maxDrawdownPercent: '0.1' }, '10800', '12000');
    expect(run(checkDailyLoss, ctx).map((f) => f.message)).toEqual([
      'DRAWDOWN_EXCEEDED: drawdown=1200 limit=1200 peakEquity=12000 percent=0.1',
    ]);
    expect(run(checkDailyLoss, day({ maxDrawdownPercent: '0.1' }, '10801', '12000'))).toEqual([]);
  });

  it('reports every breached limit in order: absolute, percent, drawdown', () => {
    const ctx = day({ maxDailyLoss: '100', maxDailyLossPercent: '0.01', maxDrawdownPercent: '0.01' }, '9000');
    expect(run(checkDailyLoss, ctx).map((f) => f.code)).toEqual([
      'DAILY_LOSS_EXCEEDED',
      'DAILY_LOSS_PERCENT_EXCEEDED',
      'DRAWDOWN_EXCEEDED',
    ]);
  });

  it('has nothing to measure before the day has a start equity or without an account', () => {
    const w = new World({ maxDailyLoss: '1' });
    expect(run(checkDailyLoss, w.context(buy('0.001'), { equity: new Decimal(1) }))).toEqual([]);
    w.day.start(new Decimal(10000), NOW);
    expect(run(checkDailyLoss, w.context(buy('0.001'), { equity: null }))).toEqual([]);
  });
});
