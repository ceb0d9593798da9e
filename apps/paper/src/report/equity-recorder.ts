import { compareDecimals, Decimal, ZERO } from '@hl-bot/core-types';
import { Downsampler } from './downsampler.js';
import { decimalToNumber } from './numbers.js';

/** A chart point of the equity curve: equity and the drawdown below the running peak at that time. */
export interface EquityChartPoint {
  time: number;
  equity: number;
  /** <= 0; within a merged point, the deepest drawdown it covers. */
  drawdown: number;
  /** Buy-and-hold benchmark equity at that time (start balance in the run's symbols, equal weights). */
  benchmark?: number;
  /** Lowest and highest equity the point covers, so a merged point keeps the extremes it replaced. */
  low: number;
  high: number;
}

/** The return of one calendar month (UTC) of the equity curve. */
export interface MonthlyReturn {
  /** `YYYY-MM`. */
  month: string;
  /** Equity at the end of the month / at the end of the month before (the start balance first) - 1. */
  return: number;
  endEquity: number;
}

function monthStart(ms: number): { key: string; next: number } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { key: `${y}-${String(m + 1).padStart(2, '0')}`, next: Date.UTC(y, m + 1, 1) };
}

export interface EquityStatistics {
  points: number;
  maxDrawdown: Decimal;
  maxDrawdownPercent: Decimal;
  peakEquity: Decimal;
  sharpe: Decimal;
  sortino: Decimal;
  maxExposure: Decimal;
  averageExposure: Decimal;
  timeInMarket: Decimal;
}

function roundStat(x: number): Decimal {
  return Number.isFinite(x) ? new Decimal(x.toFixed(6)) : ZERO;
}

/**
 * Streams the equity curve (one sample per bar) into the run's statistics, keeping O(1) state plus a
 * bounded chart series.
 *
 * Drawdown and exposure are exact decimals (money); per bar they are screened with numbers, so decimal
 * arithmetic runs only on bars that can set a new peak, drawdown or exposure. Sharpe and Sortino are statistics of per-bar returns and use
 * binary floats (Welford's online mean and variance): float precision is far beyond their meaning, and a
 * 40-digit decimal division per bar would dominate a long run.
 */
export class EquityRecorder {
  private peak: Decimal | undefined;
  private peakValue = 0;
  private worst = ZERO;
  private worstValue = 0;
  private worstPercent = ZERO;
  private worstPercentValue = 0;
  private count = 0;
  private previous: number | undefined;
  private returns = 0;
  private mean = 0;
  private m2 = 0;
  private downside = 0;
  private maxExposure = ZERO;
  private exposureSum = ZERO;
  private inMarket = 0;
  private readonly chart = new Downsampler<EquityChartPoint>(4000, (a, b) => {
    // The sampler owns both points (each a fresh literal from `add`): the older one is updated in place
    // unless its keys differ (a benchmark appears), so a long run does not allocate a point per merge.
    if ((a.benchmark === undefined) === (b.benchmark === undefined)) {
      a.equity = b.equity;
      a.drawdown = Math.min(a.drawdown, b.drawdown);
      if (b.benchmark !== undefined) a.benchmark = b.benchmark;
      a.low = Math.min(a.low, b.low);
      a.high = Math.max(a.high, b.high);
      return a;
    }
    return {
      time: a.time,
      equity: b.equity,
      drawdown: Math.min(a.drawdown, b.drawdown),
      ...(b.benchmark === undefined ? {} : { benchmark: b.benchmark }),
      low: Math.min(a.low, b.low),
      high: Math.max(a.high, b.high),
    };
  });
  private readonly months: MonthlyReturn[] = [];
  private month: { key: string; next: number; base: number } | undefined;
  private lastValue = 0;
  /** The previous bar's equity (its number is `lastValue`). */
  private lastEquity: Decimal | undefined;

  add(time: number, equity: Decimal, exposure: Decimal, benchmark?: number): void {
    this.count += 1;
    // The same equity as the bar before (a flat account, most of a year that stopped trading): the same
    // number, and no new peak or drawdown, since the bar before already saw this very value.
    const repeated =
      this.lastEquity !== undefined &&
      (equity === this.lastEquity || compareDecimals(equity, this.lastEquity) === 0);
    const value = repeated ? this.lastValue : decimalToNumber(equity);
    this.lastEquity = equity;
    if (!repeated) {
      // Numbers first, decimals only where they can change a result: a decimal above the peak has a number
      // at or above the peak's, and a drawdown that can be a new maximum is one whose number is within a
      // rounding margin of it. So the exact figures are the same and most bars do no decimal arithmetic.
      if (this.peak === undefined || (value >= this.peakValue && equity.gt(this.peak))) {
        this.peak = equity;
        this.peakValue = value;
      }
      const ddValue = this.peakValue - value;
      const mayBeWorst = ddValue >= this.worstValue - Math.abs(this.peakValue) * 1e-12;
      const mayBeWorstPercent =
        this.peakValue > 0 && ddValue / this.peakValue >= this.worstPercentValue - 1e-12;
      if ((mayBeWorst || mayBeWorstPercent) && !(ddValue === 0 && equity.eq(this.peak))) {
        const dd = this.peak.minus(equity);
        if (dd.gt(this.worst)) {
          this.worst = dd;
          this.worstValue = dd.toNumber();
        }
        if (this.peak.gt(0) && dd.gt(0)) {
          const pct = dd.div(this.peak);
          if (pct.gt(this.worstPercent)) {
            this.worstPercent = pct;
            this.worstPercentValue = pct.toNumber();
          }
        }
      }
    }
    const chartDrawdown = this.peakValue - value;
    if (this.previous !== undefined && this.previous > 0) {
      const r = value / this.previous - 1;
      this.returns += 1;
      const delta = r - this.mean;
      this.mean += delta / this.returns;
      this.m2 += delta * (r - this.mean);
      if (r < 0) this.downside += r * r;
    }
    this.previous = value;
    if (!exposure.isZero()) {
      if (exposure.gt(this.maxExposure)) this.maxExposure = exposure;
      this.exposureSum = this.exposureSum.plus(exposure);
      if (exposure.gt(0)) this.inMarket += 1;
    }
    // A chart value: the float difference is far below what a chart shows.
    this.chart.push(
      benchmark === undefined
        ? { time, equity: value, drawdown: -chartDrawdown, low: value, high: value }
        : { time, equity: value, drawdown: -chartDrawdown, benchmark, low: value, high: value },
    );
    if (this.month === undefined) {
      this.month = { ...monthStart(time), base: value };
    } else if (time >= this.month.next) {
      this.closeMonth();
      this.month = { ...monthStart(time), base: this.lastValue };
    }
    this.lastValue = value;
  }

  private closeMonth(): void {
    const m = this.month;
    if (m === undefined) return;
    this.months.push({
      month: m.key,
      return: m.base > 0 ? this.lastValue / m.base - 1 : 0,
      endEquity: this.lastValue,
    });
  }

  /**
   * Returns per calendar month (UTC); the last month may be partial. Plain numbers: statistics.
   * @param startBalance the base of the first month (default: the first sample)
   */
  monthlyReturns(startBalance?: number): MonthlyReturn[] {
    const out = [...this.months];
    const m = this.month;
    if (m !== undefined) {
      out.push({
        month: m.key,
        return: m.base > 0 ? this.lastValue / m.base - 1 : 0,
        endEquity: this.lastValue,
      });
    }
    if (startBalance !== undefined && startBalance > 0 && out.length > 0) {
      const first = out[0] as MonthlyReturn;
      out[0] = { ...first, return: first.endEquity / startBalance - 1 };
    }
    return out;
  }

  /** Statistics so far; `periodsPerYear` annualises Sharpe and Sortino (risk-free rate 0). */
  statistics(periodsPerYear: number): EquityStatistics {
    const n = this.returns;
    let sharpe = ZERO;
    let sortino = ZERO;
    if (n >= 2) {
      const sd = Math.sqrt(this.m2 / (n - 1));
      const dd = Math.sqrt(this.downside / n);
      const annual = Math.sqrt(periodsPerYear);
      if (sd > 0) sharpe = roundStat((this.mean / sd) * annual);
      if (dd > 0) sortino = roundStat((this.mean / dd) * annual);
    }
    return {
      points: this.count,
      maxDrawdown: this.worst,
      maxDrawdownPercent: this.worstPercent,
      peakEquity: this.peak ?? ZERO,
      sharpe,
      sortino,
      maxExposure: this.maxExposure,
      averageExposure: this.count === 0 ? ZERO : this.exposureSum.div(this.count),
      timeInMarket: this.count === 0 ? ZERO : new Decimal(this.inMarket).div(this.count),
    };
  }

  /** Copies of the chart points so far (the recorder keeps merging into its own). */
  chartPoints(): EquityChartPoint[] {
    return this.chart.values().map((p) => ({ ...p }));
  }
}
