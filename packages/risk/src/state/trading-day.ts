import type { Decimal } from '@hl-bot/core-types';
import type { RiskConfig } from '../config.js';
import { equals, gt, gte, isPositive } from '../decimal-compare.js';

const DAY_MS = 86_400_000;

/**
 * The trading-day key (`YYYY-MM-DD`) of a moment. The day starts at 00:00 in a fixed UTC offset
 * (`tradingDayUtcOffsetMinutes`, 0 = UTC midnight); a fixed offset never shifts with daylight saving time.
 */
export function tradingDayOf(timestampMs: number, utcOffsetMinutes: number): string {
  return new Date(timestampMs + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/**
 * The trading day and what is measured against it: the day-start equity, the day's peak and the REDUCING
 * latch (set when the day's loss or drawdown limit is reached, cleared only by the next day).
 */
export class TradingDay {
  /** The current day key. */
  day: string;
  /** Equity when the day started (moved by cash flows); null until an account is known. */
  startEquity: Decimal | null = null;
  peak: Decimal | null = null;
  /** `maxDailyLossPercent` of the start equity, in money. */
  lossPercentLimit: Decimal | null = null;
  /** Why the day is latched REDUCING; null when it is not. */
  reducingReason: string | null = null;
  /** When the start equity was measured: cash flows before it are already inside it. */
  startedAt = 0;
  /**
   * The venue measurement the peak's equity came from (ms): it holds every cash flow up to then. Null when
   * not known (the day's start, a restart): a flow then moves the peak.
   */
  private peakHolds: number | null = null;
  private startMs = 0;
  private endMs = 0;
  private drawdownMemo: { peak: Decimal; limit: Decimal } | null = null;

  constructor(
    private readonly config: RiskConfig,
    now: number,
  ) {
    this.day = tradingDayOf(now, config.tradingDayUtcOffsetMinutes);
    this.setBounds(this.day);
  }

  /**
   * Moves to the day of `now` when the clock crossed the boundary: the start equity, the peak and the
   * latch are cleared. Returns the new day key, or null when the day did not change. Days only move
   * forward: a clock stepped back (an NTP correction) must not reopen yesterday and erase today's loss.
   */
  roll(now: number): string | null {
    if (now >= this.startMs && now < this.endMs) return null;
    const day = tradingDayOf(now, this.config.tradingDayUtcOffsetMinutes);
    if (day < this.day) return null;
    this.setBounds(day);
    if (day === this.day) return null;
    this.day = day;
    this.reducingReason = null;
    this.startEquity = null;
    this.peak = null;
    this.lossPercentLimit = null;
    return day;
  }

  /** A recovered log's later day (written by a clock that is now behind) is kept. */
  advanceTo(day: string): void {
    if (day <= this.day) return;
    this.day = day;
    this.setBounds(day);
  }

  /** The day's start equity, measured at `now`. */
  start(equity: Decimal, now: number): void {
    this.startedAt = now;
    this.startEquity = equity;
    this.peak = equity;
    this.peakHolds = null;
    this.lossPercentLimit = equity.times(this.config.maxDailyLossPercent);
  }

  /** The start equity and peak a restart read from the log. */
  restore(startEquity: Decimal, peak: Decimal | null): void {
    this.startEquity = startEquity;
    this.lossPercentLimit = startEquity.times(this.config.maxDailyLossPercent);
    this.peak = peak ?? startEquity;
    this.peakHolds = null;
  }

  /**
   * Money moved in or out at `time`: the start equity and the peak move by it, so it is never P&L. A peak
   * measured at or after `time` already holds it (a deposit read before the venue's push of it) and stays:
   * moved again, it would stand the deposit above any equity the day can reach, a drawdown that is not.
   */
  shift(amount: Decimal, time?: number): void {
    const start = this.startEquity;
    if (start === null) return;
    this.startEquity = start.plus(amount);
    const held = time !== undefined && this.peakHolds !== null && time <= this.peakHolds;
    if (!held) this.peak = (this.peak ?? start).plus(amount);
    this.lossPercentLimit = this.startEquity.times(this.config.maxDailyLossPercent);
    this.drawdownMemo = null;
  }

  /** Drawdown limit in money for a peak (memoized: the peak rarely changes between checks). */
  drawdownLimit(peak: Decimal): Decimal {
    const memo = this.drawdownMemo;
    if (memo !== null && memo.peak === peak) return memo.limit;
    const limit = peak.times(this.config.maxDrawdownPercent);
    this.drawdownMemo = { peak, limit };
    return limit;
  }

  /**
   * Raises the peak to `equity` and, unless already latched, latches REDUCING when the day's loss or the
   * drawdown from the peak reaches its limit. Returns the reason when it latched now, else null.
   */
  observe(equity: Decimal, measuredAt: number | null = null): string | null {
    const start = this.startEquity;
    if (start === null) return null;
    if (this.peak === null || gt(equity, this.peak)) {
      this.peak = equity;
      this.peakHolds = measuredAt;
    }
    if (this.reducingReason !== null) return null;
    const reason = this.breach(equity, start, this.peak);
    if (reason !== null) this.reducingReason = reason;
    return reason;
  }

  /** Whether observing `equity` would latch REDUCING (`observe`, without its effects). */
  wouldLatch(equity: Decimal): boolean {
    const start = this.startEquity;
    if (start === null || this.reducingReason !== null) return false;
    const peak = this.peak === null || gt(equity, this.peak) ? equity : this.peak;
    return this.breach(equity, start, peak) !== null;
  }

  /** Why `equity` reaches the day's loss or drawdown limit, or null. */
  private breach(equity: Decimal, start: Decimal, peak: Decimal): string | null {
    const cfg = this.config;
    // Fast path: no loss and no fall from the peak means no limit can be reached.
    if (gte(equity, start) && equals(equity, peak)) return null;
    const loss = start.minus(equity);
    if (gte(loss, cfg.maxDailyLoss)) {
      return `daily loss ${loss.toString()} >= limit ${cfg.maxDailyLoss.toString()}`;
    }
    if (this.lossPercentLimit !== null && gte(loss, this.lossPercentLimit)) {
      return `daily loss ${loss.toString()} >= ${cfg.maxDailyLossPercent.toString()} of day-start equity ${start.toString()}`;
    }
    const drawdown = peak.minus(equity);
    if (isPositive(peak) && gte(drawdown, this.drawdownLimit(peak))) {
      return `drawdown ${drawdown.toString()} >= ${cfg.maxDrawdownPercent.toString()} of peak equity ${peak.toString()}`;
    }
    return null;
  }

  private setBounds(day: string): void {
    this.startMs = Date.parse(`${day}T00:00:00.000Z`) - this.config.tradingDayUtcOffsetMinutes * 60_000;
    this.endMs = this.startMs + DAY_MS;
  }
}
