import type { ClosedPosition, Decimal, PositionSnapshot, TradingState } from '@hl-bot/core-types';
import type { EngineStats } from '@hl-bot/engine';
import type { EquityStatistics, MonthlyReturn } from './equity-recorder.js';
import { tradeStats } from './statistics.js';
import { formatDuration, round, traderStats } from './trader-stats.js';

const YEAR_MS = 365 * 24 * 3_600_000;

/** What `buildSummary` needs from a finished run. */
export interface SummaryInput {
  strategy: string;
  source: string;
  symbols: readonly string[];
  seed: number;
  /** Bars each symbol was run on (`--bars` is per symbol). */
  barsPerSymbol: Readonly<Record<string, number>>;
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
  /** Orders the venue refused after risk approved them, by code. */
  venueRefusalsByCode: Readonly<Record<string, number>>;
  monthlyReturns: readonly MonthlyReturn[];
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
  const trader = traderStats(input.closed);
  // Symbols are BASE-QUOTE; every value of the run is in the quote currency.
  const quote = input.symbols[0]?.split('-')[1] ?? 'USD';
  const venueByCode = Object.fromEntries(
    Object.entries(input.venueRefusalsByCode).sort(([a], [b]) => a.localeCompare(b)),
  );
  const rejectionsByCode = Object.fromEntries(
    Object.entries(input.stats.rejectionsByCode).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    run: {
      strategy: input.strategy,
      source: input.source,
      symbols: [...input.symbols],
      seed: input.seed,
      barsPerSymbol: { ...input.barsPerSymbol },
      totalBars: Object.values(input.barsPerSymbol).reduce((a, n) => a + n, 0),
      intervalMs: input.intervalMs,
      startTime: iso(input.startTime),
      endTime: iso(input.endTime),
    },
    result: {
      startBalance: money(input.startBalance),
      finalEquity: money(input.finalEquity),
      totalReturn: ratio(input.finalEquity.div(input.startBalance).minus(1)),
      openPositionsAtEnd: input.openPositions.length,
      openPositions: input.openPositions.map((p) => ({
        symbol: p.symbol,
        side: p.side,
        quantity: p.quantity.toString(),
        entryPrice: p.entryPrice.toString(),
        markPrice: p.markPrice === undefined ? null : p.markPrice.toString(),
        unrealizedPnl: p.unrealizedPnl === undefined ? null : money(p.unrealizedPnl),
      })),
      currency: quote,
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
      expectancy: round(trader.expectancy),
      averageWin: round(trader.averageWin),
      averageLoss: round(trader.averageLoss),
      averageDurationMs: Math.round(trader.averageDurationMs),
      longestDurationMs: trader.longestDurationMs,
      maxConsecutiveLosses: trader.maxConsecutiveLosses,
      maxConsecutiveWins: trader.maxConsecutiveWins,
      long: { ...trader.long, netPnl: round(trader.long.netPnl) },
      short: { ...trader.short, netPnl: round(trader.short.netPnl) },
      bySymbol: trader.bySymbol.map((x) => ({
        ...x,
        netPnl: round(x.netPnl),
        fees: round(x.fees),
        bestTrade: round(x.bestTrade),
        worstTrade: round(x.worstTrade),
      })),
      files: { csv: 'trades.csv', json: 'trades.json' },
    },
    monthlyReturns: input.monthlyReturns.map((m) => ({
      month: m.month,
      return: round(m.return, 6),
      endEquity: round(m.endEquity),
    })),
    performance: {
      maxDrawdown: money(curve.maxDrawdown),
      maxDrawdownPercent: ratio(curve.maxDrawdownPercent),
      peakEquity: money(curve.peakEquity),
      sharpe: ratio(curve.sharpe),
      sortino: ratio(curve.sortino),
      annualisation:
        periodsPerYear > 0
          ? `per-bar returns: mean / standard deviation (Sortino: downside deviation) x sqrt(${round(periodsPerYear, 0)} bars per year), risk-free rate 0`
          : 'not annualised: the bar interval is unknown',
    },
    exposure: {
      max: money(curve.maxExposure),
      average: money(curve.averageExposure),
      timeInMarket: ratio(curve.timeInMarket),
      unit: `${quote} notional (|quantity| x mark, all open positions)`,
    },
    orders: {
      submitted: input.stats.submitted,
      failedAtExchange: input.stats.failed,
      fills: input.stats.fills,
      duplicateFillsIgnored: input.stats.duplicateFills,
      venueRefusals: Object.values(venueByCode).reduce((a, n) => a + n, 0),
      venueRefusalsByCode: venueByCode,
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

/** "2000 bars per symbol (4000 in total)", or each symbol's count when they differ. */
function barsText(perSymbol: Readonly<Record<string, number>>, total: number): string {
  const counts = Object.entries(perSymbol);
  const first = counts[0]?.[1] ?? 0;
  if (counts.length === 1) return `${first} bars`;
  if (counts.every(([, n]) => n === first)) return `${first} bars per symbol (${total} in total)`;
  return `${counts.map(([sym, n]) => `${sym} ${n}`).join(', ')} bars (${total} in total)`;
}

/** The summary as label/value rows, for the terminal table and the report. */
export function summaryRows(s: PaperSummary): Array<[string, string]> {
  const codes = Object.entries(s.risk.rejectionsByCode)
    .map(([code, n]) => `${code} x${n}`)
    .join(', ');
  const venue = Object.entries(s.orders.venueRefusalsByCode)
    .map(([code, n]) => `${code} x${n}`)
    .join(', ');
  const pf =
    s.trades.profitFactor === null ? 'n/a (no losing trade)' : Number(s.trades.profitFactor).toFixed(2);
  const cur = s.result.currency;
  return [
    ['strategy', s.run.strategy],
    [
      'data',
      `${s.run.source} ${s.run.symbols.join(', ')}: ${barsText(s.run.barsPerSymbol, s.run.totalBars)}`,
    ],
    ['period', `${s.run.startTime} → ${s.run.endTime}`],
    ['start balance', s.result.startBalance],
    ['final equity', `${s.result.finalEquity} (${(Number(s.result.totalReturn) * 100).toFixed(2)}%)`],
    [
      'trades',
      `${s.trades.count} (${s.trades.wins} won, win rate ${(Number(s.trades.winRate) * 100).toFixed(1)}%)`,
    ],
    ['gross / net P&L', `${s.trades.grossPnl} / ${s.trades.netPnl} ${cur}`],
    ['profit factor / expectancy', `${pf} / ${s.trades.expectancy.toFixed(2)} ${cur} per trade`],
    [
      'avg / longest trade',
      `${formatDuration(s.trades.averageDurationMs)} / ${formatDuration(s.trades.longestDurationMs)}`,
    ],
    ['max consecutive losses', String(s.trades.maxConsecutiveLosses)],
    [
      'long / short',
      `${s.trades.long.trades} trades ${s.trades.long.netPnl.toFixed(2)} / ${s.trades.short.trades} trades ${s.trades.short.netPnl.toFixed(2)} ${cur}`,
    ],
    ['fees / funding', `${s.trades.fees} / ${s.trades.funding}`],
    [
      'max drawdown',
      `${s.performance.maxDrawdown} (${(Number(s.performance.maxDrawdownPercent) * 100).toFixed(2)}%)`,
    ],
    [
      'Sharpe / Sortino (annualised)',
      `${Number(s.performance.sharpe).toFixed(2)} / ${Number(s.performance.sortino).toFixed(2)}`,
    ],
    ['max / avg exposure', `${s.exposure.max} / ${s.exposure.average} ${cur}`],
    ['orders sent / fills', `${s.orders.submitted} / ${s.orders.fills}`],
    ['venue refusals', `${s.orders.venueRefusals}${venue === '' ? '' : ` (${venue})`}`],
    ['risk rejections', `${s.risk.rejections}${codes === '' ? '' : ` (${codes})`}`],
    ['breaker trips', String(s.risk.breakerTrips.length)],
    ['final trading state', s.risk.finalTradingState],
  ];
}
