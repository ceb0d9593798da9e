import type { ClosedPosition } from '@hl-bot/core-types';

/**
 * What traders compare strategies by (as in freqtrade's and QuantConnect's reports), over closed round
 * trips. These are statistics, not money that is booked anywhere, so they use plain numbers; the money
 * totals of the run stay exact decimals in `tradeStats`.
 */
export interface SideStats {
  trades: number;
  wins: number;
  netPnl: number;
}

export interface SymbolStats extends SideStats {
  symbol: string;
  fees: number;
  bestTrade: number;
  worstTrade: number;
}

export interface TraderStats {
  /** Gross profit of winners / gross loss of losers; null without a losing trade. */
  profitFactor: number | null;
  /** Average net P&L per trade (= win rate x average win - loss rate x average loss). */
  expectancy: number;
  averageWin: number;
  averageLoss: number;
  averageDurationMs: number;
  longestDurationMs: number;
  maxConsecutiveLosses: number;
  maxConsecutiveWins: number;
  long: SideStats;
  short: SideStats;
  bySymbol: SymbolStats[];
}

export function traderStats(closed: readonly ClosedPosition[]): TraderStats {
  let grossWin = 0;
  let grossLoss = 0;
  let wins = 0;
  let losses = 0;
  let durationSum = 0;
  let longest = 0;
  let lossStreak = 0;
  let winStreak = 0;
  let maxLossStreak = 0;
  let maxWinStreak = 0;
  let net = 0;
  const long: SideStats = { trades: 0, wins: 0, netPnl: 0 };
  const short: SideStats = { trades: 0, wins: 0, netPnl: 0 };
  const bySymbol = new Map<string, SymbolStats>();
  for (const t of closed) {
    const pnl = t.netRealizedPnl.toNumber();
    const won = pnl > 0;
    net += pnl;
    if (won) {
      wins += 1;
      grossWin += pnl;
      winStreak += 1;
      lossStreak = 0;
    } else {
      losses += 1;
      grossLoss -= pnl;
      lossStreak += 1;
      winStreak = 0;
    }
    maxLossStreak = Math.max(maxLossStreak, lossStreak);
    maxWinStreak = Math.max(maxWinStreak, winStreak);
    durationSum += t.durationMs;
    longest = Math.max(longest, t.durationMs);
    const side = t.side === 'long' ? long : short;
    side.trades += 1;
    side.netPnl += pnl;
    if (won) side.wins += 1;
    let s = bySymbol.get(t.symbol);
    if (s === undefined) {
      s = { symbol: t.symbol, trades: 0, wins: 0, netPnl: 0, fees: 0, bestTrade: pnl, worstTrade: pnl };
      bySymbol.set(t.symbol, s);
    }
    s.trades += 1;
    s.netPnl += pnl;
    s.fees += t.fees.toNumber();
    if (won) s.wins += 1;
    s.bestTrade = Math.max(s.bestTrade, pnl);
    s.worstTrade = Math.min(s.worstTrade, pnl);
  }
  const n = closed.length;
  return {
    profitFactor: grossLoss > 0 ? grossWin / grossLoss : null,
    expectancy: n === 0 ? 0 : net / n,
    averageWin: wins === 0 ? 0 : grossWin / wins,
    averageLoss: losses === 0 ? 0 : -grossLoss / losses,
    averageDurationMs: n === 0 ? 0 : durationSum / n,
    longestDurationMs: longest,
    maxConsecutiveLosses: maxLossStreak,
    maxConsecutiveWins: maxWinStreak,
    long,
    short,
    bySymbol: [...bySymbol.values()].sort((a, b) => a.symbol.localeCompare(b.symbol)),
  };
}

/** `1d 3h 5m`, `42m`, `15s`: a duration a person reads at a glance. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

/** Rounds a statistic for display: 2 decimals, or 6 significant digits for small values. */
export function round(x: number, decimals = 2): number {
  if (!Number.isFinite(x)) return 0;
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** Ids as 13-digit epoch milliseconds in a message become ISO times; long decimals become 6 digits. */
export function readableReason(text: string): string {
  return text
    .replace(/\b1\d{12}\b/g, (ms) => new Date(Number(ms)).toISOString().replace('.000Z', 'Z'))
    .replace(/-?\d+\.\d{7,}/g, (num) => String(Number(Number(num).toPrecision(6))));
}

/** One CSV field, quoted when needed. */
function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const TRADE_COLUMNS = [
  'n',
  'symbol',
  'side',
  'openedAt',
  'closedAt',
  'durationMs',
  'peakQuantity',
  'entryPrice',
  'exitPrice',
  'grossPnl',
  'fees',
  'funding',
  'netPnl',
  'mae',
  'mfe',
  'fills',
] as const;

/** Every round trip as a row of exact values (decimals as written by the ledger, times ISO). */
export function tradeRecords(
  closed: readonly ClosedPosition[],
): Array<Record<(typeof TRADE_COLUMNS)[number], string | number>> {
  return closed.map((t, i) => ({
    n: i + 1,
    symbol: t.symbol,
    side: t.side,
    openedAt: new Date(t.openedAt).toISOString(),
    closedAt: new Date(t.closedAt).toISOString(),
    durationMs: t.durationMs,
    peakQuantity: t.peakQuantity.toString(),
    entryPrice: t.entryPrice.toString(),
    exitPrice: t.exitPrice.toString(),
    grossPnl: t.realizedPnl.toString(),
    fees: t.fees.toString(),
    funding: t.funding.toString(),
    netPnl: t.netRealizedPnl.toString(),
    mae: t.maxAdverseExcursion.toString(),
    mfe: t.maxFavorableExcursion.toString(),
    fills: t.fillCount,
  }));
}

export function tradesCsv(closed: readonly ClosedPosition[]): string {
  const lines = [TRADE_COLUMNS.join(',')];
  for (const r of tradeRecords(closed))
    lines.push(TRADE_COLUMNS.map((c) => csvField(String(r[c]))).join(','));
  return `${lines.join('\n')}\n`;
}
