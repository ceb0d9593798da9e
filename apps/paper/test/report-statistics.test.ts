import { Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { Downsampler } from '../src/report/downsampler.js';
import { EquityRecorder } from '../src/report/equity-recorder.js';

const d = (v: string | number) => new Decimal(v);

describe('EquityRecorder', () => {
  it('measures the deepest peak-to-trough fall exactly, in money and as a fraction of the peak', () => {
    const r = new EquityRecorder();
    for (const [t, e] of [
      [1, '10000'],
      [2, '10500'],
      [3, '9975'], // 525 below the 10500 peak = 5%
      [4, '11000'],
      [5, '10780'], // 220 below 11000 = 2%
    ] as const) {
      r.add(t, d(e), d(0));
    }
    const s = r.statistics(365);
    expect(s.maxDrawdown.toString()).toBe('525');
    expect(s.maxDrawdownPercent.toString()).toBe('0.05');
    expect(s.peakEquity.toString()).toBe('11000');
  });

  it('gives the exact peak and drawdowns of curves that repeat values (a flat account), as a decimal walk does', () => {
    // Runs of one equity (separate Decimal objects of one value) next to new peaks and troughs: a repeated
    // value skips the arithmetic, and must still leave every exact figure as the full walk computes it.
    const levels = ['10000', '10500', '9975', '9974.999999999999999999', '11000', '0.01', '-5', '0'];
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let curve = 0; curve < 500; curve += 1) {
      const r = new EquityRecorder();
      let peak: Decimal | undefined;
      let worst = d(0);
      let worstPercent = d(0);
      const runs = 1 + random(40);
      let t = 0;
      for (let run = 0; run < runs; run += 1) {
        const value = levels[random(levels.length)] as string;
        for (let i = 0, times = 1 + random(5); i < times; i += 1) {
          const equity = d(value);
          t += 1;
          r.add(t, equity, d(0));
          if (peak === undefined || equity.gt(peak)) peak = equity;
          const dd = peak.minus(equity);
          if (dd.gt(worst)) worst = dd;
          if (peak.gt(0) && dd.gt(0) && dd.div(peak).gt(worstPercent)) worstPercent = dd.div(peak);
        }
      }
      const s = r.statistics(365);
      expect(s.peakEquity.toString()).toBe(peak?.toString());
      expect(s.maxDrawdown.toString()).toBe(worst.toString());
      expect(s.maxDrawdownPercent.toString()).toBe(worstPercent.toString());
    }
  });

  it('computes annualised Sharpe and Sortino from per-sample returns', () => {
    const r = new EquityRecorder();
    // returns: +10%, -10%, +10%
    for (const [t, e] of [
      [1, '100'],
      [2, '110'],
      [3, '99'],
      [4, '108.9'],
    ] as const) {
      r.add(t, d(e), d(0));
    }
    const s = r.statistics(4);
    const returns = [0.1, -0.1, 0.1];
    const mean = returns.reduce((a, x) => a + x, 0) / 3;
    const sd = Math.sqrt(returns.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
    const down = Math.sqrt(0.01 / 3);
    expect(Number(s.sharpe.toString())).toBeCloseTo((mean / sd) * 2, 5);
    expect(Number(s.sortino.toString())).toBeCloseTo((mean / down) * 2, 5);
  });

  it('gives zero ratios, not Infinity or NaN, for a flat curve', () => {
    const r = new EquityRecorder();
    for (let t = 0; t < 10; t++) r.add(t, d('1000'), d(0));
    const s = r.statistics(525_600);
    expect(s.sharpe.toString()).toBe('0');
    expect(s.sortino.toString()).toBe('0');
    expect(s.maxDrawdown.toString()).toBe('0');
  });

  it('averages exposure over samples and counts the share of samples with a position', () => {
    const r = new EquityRecorder();
    r.add(1, d(100), d(0));
    r.add(2, d(100), d('300'));
    r.add(3, d(100), d('600'));
    r.add(4, d(100), d(0));
    const s = r.statistics(1);
    expect(s.maxExposure.toString()).toBe('600');
    expect(s.averageExposure.toString()).toBe('225');
    expect(s.timeInMarket.toString()).toBe('0.5');
  });

  it('keeps a bounded chart series whose points carry the deepest drawdown they cover', () => {
    const r = new EquityRecorder();
    for (let t = 0; t < 100_000; t++) r.add(t, d(t === 50_000 ? 1 : 1000 + (t % 7)), d(0));
    const points = r.chartPoints();
    expect(points.length).toBeLessThanOrEqual(8001);
    expect(Math.min(...points.map((p) => p.drawdown))).toBe(-1005);
    expect(points[0]?.time).toBe(0);
  });
});

describe('Downsampler', () => {
  it('merges neighbours pairwise once it holds more than twice its maximum, keeping true highs and lows', () => {
    const s = new Downsampler<{ t: number; hi: number; lo: number }>(4, (a, b) => ({
      t: a.t,
      hi: Math.max(a.hi, b.hi),
      lo: Math.min(a.lo, b.lo),
    }));
    for (let i = 0; i < 100; i++) s.push({ t: i, hi: i === 37 ? 999 : i, lo: i === 64 ? -5 : i });
    const v = s.values();
    expect(v.length).toBeLessThanOrEqual(9);
    expect(Math.max(...v.map((p) => p.hi))).toBe(999);
    expect(Math.min(...v.map((p) => p.lo))).toBe(-5);
    expect(v[0]?.t).toBe(0);
  });
});
