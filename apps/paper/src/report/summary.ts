import type { ClosedPosition, Decimal, PositionSnapshot, TradingState } from '@hl-bot/core-types';
import type { EngineStats } from '@hl-bot/engine';
import type { EquityStatistics } from './equity-recorder.js';
import { tradeStats } from './statistics.js';

const YEAR_MS = 365 * 24 * 3_600_000;

/** What `buildSummary` needs from a finished run. */
export interface SummaryInput {
  strategy: string;
  source: string;
  symbols: readonly string[];
  seed: number;
  bars: number;
  intervalMs: number;
  startTime: number;
  endTime: number;
  startBalance: Decimal;
  finalEquity: Decimal;
  /** Statistics of the equity curve, sampled once per bar time. */
  equity: EquityRecorderLike;
  closed: readonly ClosedPosition[];
  openPositions: readonly PositionSnapshot[];
  stats: EngineStats;
  breakerTrips: ReadonlyArray<{ time: number; reason: string; cancelledOrders: number }>;
  finalTradingState: TradingState;
  riskConfig: Record<string, string | number>;
}

/** What the summary needs from an EquityRecorder. */
export interface EquityRecorderLike {
  statistics(periodsPerYear: number): EquityStatistics;
}

const money = (d: Decimal) => d.toFixed(2);
const ratio = (d: Decimal) => d.toFixed(6);
const iso = (ms: number) => new Date(ms).toISOString();

/** The content of summary.json: only run inputs and results, never wall-clock times or paths. */
export function buildSummary(input: SummaryInput) {
  const trades = tradeStats(input.closed);
  const periodsPerYear = input.intervalMs > 0 ? YEAR_MS / input.intervalMs : 0;
  const curve = input.equity.statistics(periodsPerYear);
  const rejectionsByCode = Object.fromEntries(
    Object.entries(input.stats.rejectionsByCode).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    run: {
      strategy: input.strategy,
      source: input.source,
      symbols: [...input.symbols],
      seed: input.seed,
      bars: input.bars,
      intervalMs: input.intervalMs,
      startTime: iso(input.startTime),
      endTime: iso(input.endTime),
    },
    result: {
      startBalance: money(input.startBalance),
      finalEquity: money(input.finalEquity),
      totalReturn: ratio(input.finalEquity.div(input.startBalance).minus(1)),
      openPositionsAtEnd: input.openPositions.length,
    },
    trades: {
      count: trades.trades,
      wins: trades.wins,
      losses: trades.losses,
      winRate: ratio(trades.winRate),
      grossPnl: money(trades.grossPnl),
      netPnl: money(trades.netPnl),
      fees: money(trades.fees),
      funding: money(trades.funding),
      averageNetPnl: money(trades.averageNetPnl),
      bestTrade: money(trades.bestTrade),
      worstTrade: money(trades.worstTrade),
      profitFactor: trades.profitFactor === null ? null : ratio(trades.profitFactor),
    },
    performance: {
      maxDrawdown: money(curve.maxDrawdown),
      maxDrawdownPercent: ratio(curve.maxDrawdownPercent),
      peakEquity: money(curve.peakEquity),
      sharpe: ratio(curve.sharpe),
      sortino: ratio(curve.sortino),
    },
    exposure: {
      max: money(curve.maxExposure),
      average: money(curve.averageExposure),
      timeInMarket: ratio(curve.timeInMarket),
    },
    orders: {
      submitted: input.stats.submitted,
      failedAtExchange: input.stats.failed,
      fills: input.stats.fills,
      duplicateFillsIgnored: input.stats.duplicateFills,
    },
    risk: {
      rejections: input.stats.rejected,
      rejectionsByCode,
      breakerTrips: input.breakerTrips.map((t) => ({
        time: iso(t.time),
        reason: t.reason,
        cancelledOrders: t.cancelledOrders,
      })),
      finalTradingState: input.finalTradingState,
      config: input.riskConfig,
    },
  };
}

export type PaperSummary = ReturnType<typeof buildSummary>;

/** The summary as label/value rows, for the terminal table and the report. */
export function summaryRows(s: PaperSummary): Array<[string, string]> {
  const codes = Object.entries(s.risk.rejectionsByCode)
    .map(([code, n]) => `${code} x${n}`)
    .join(', ');
  return [
    ['strategy', s.run.strategy],
    ['data', `${s.run.source} ${s.run.symbols.join(', ')}, ${s.run.bars} bars`],
    ['period', `${s.run.startTime} → ${s.run.endTime}`],
    ['start balance', s.result.startBalance],
    ['final equity', `${s.result.finalEquity} (${(Number(s.result.totalReturn) * 100).toFixed(2)}%)`],
    [
      'trades',
      `${s.trades.count} (${s.trades.wins} won, win rate ${(Number(s.trades.winRate) * 100).toFixed(1)}%)`,
    ],
    ['gross / net P&L', `${s.trades.grossPnl} / ${s.trades.netPnl}`],
    ['fees / funding', `${s.trades.fees} / ${s.trades.funding}`],
    [
      'max drawdown',
      `${s.performance.maxDrawdown} (${(Number(s.performance.maxDrawdownPercent) * 100).toFixed(2)}%)`,
    ],
    [
      'Sharpe / Sortino',
      `${Number(s.performance.sharpe).toFixed(2)} / ${Number(s.performance.sortino).toFixed(2)}`,
    ],
    ['max / avg exposure', `${s.exposure.max} / ${s.exposure.average}`],
    ['orders sent / fills', `${s.orders.submitted} / ${s.orders.fills}`],
    ['risk rejections', `${s.risk.rejections}${codes === '' ? '' : ` (${codes})`}`],
    ['breaker trips', String(s.risk.breakerTrips.length)],
    ['final trading state', s.risk.finalTradingState],
  ];
}
