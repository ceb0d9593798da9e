import { type ClosedPosition, Decimal, ZERO } from '@hl-bot/core-types';

/** One point of the equity curve, sampled at each bar close. */
export interface EquityPoint {
  time: number;
  equity: Decimal;
  /** Gross notional of open positions at that time. */
  exposure: Decimal;
}

export interface DrawdownStats {
  maxDrawdown: Decimal;
  maxDrawdownPercent: Decimal;
  peakEquity: Decimal;
}

/** Largest peak-to-trough fall of the equity curve, in money and as a fraction of the peak. */
export function maxDrawdown(curve: readonly EquityPoint[]): DrawdownStats {
  let peak: Decimal | undefined;
  let worst = ZERO;
  let worstPercent = ZERO;
  for (const point of curve) {
    if (peak === undefined || point.equity.gt(peak)) peak = point.equity;
    const dd = peak.minus(point.equity);
    if (dd.gt(worst)) worst = dd;
    if (peak.gt(0)) {
      const pct = dd.div(peak);
      if (pct.gt(worstPercent)) worstPercent = pct;
    }
  }
  return { maxDrawdown: worst, maxDrawdownPercent: worstPercent, peakEquity: peak ?? ZERO };
}

/** Drawdown below the running peak at each point (<= 0), for the drawdown chart. */
export function drawdownSeries(curve: readonly EquityPoint[]): { time: number; drawdown: Decimal }[] {
  let peak: Decimal | undefined;
  return curve.map((point) => {
    if (peak === undefined || point.equity.gt(peak)) peak = point.equity;
    return { time: point.time, drawdown: point.equity.minus(peak) };
  });
}

/**
 * Per-bar returns as binary floats. Sharpe and Sortino are dimensionless statistics of a sample, not money:
 * float precision is far beyond their meaning, and 40-digit decimal division per bar would dominate a long run.
 */
function periodReturns(curve: readonly EquityPoint[]): number[] {
  const out: number[] = [];
  let prev: number | undefined;
  for (const point of curve) {
    const cur = Number(point.equity.toString());
    if (prev !== undefined && prev > 0) out.push(cur / prev - 1);
    prev = cur;
  }
  return out;
}

function roundStat(x: number): Decimal {
  return Number.isFinite(x) ? new Decimal(x.toFixed(6)) : ZERO;
}

/**
 * Annualised Sharpe and Sortino ratios of per-bar equity returns (risk-free rate 0), rounded to 6 decimals.
 * Zero when there is no variation to measure, rather than Infinity or NaN.
 */
export function riskAdjustedReturns(
  curve: readonly EquityPoint[],
  periodsPerYear: number,
): { sharpe: Decimal; sortino: Decimal } {
  const returns = periodReturns(curve);
  if (returns.length < 2) return { sharpe: ZERO, sortino: ZERO };
  const n = returns.length;
  let sum = 0;
  for (const r of returns) sum += r;
  const mean = sum / n;
  let sq = 0;
  let down = 0;
  for (const r of returns) {
    sq += (r - mean) ** 2;
    if (r < 0) down += r * r;
  }
  const sd = Math.sqrt(sq / (n - 1));
  const dd = Math.sqrt(down / n);
  const annual = Math.sqrt(periodsPerYear);
  return {
    sharpe: sd === 0 ? ZERO : roundStat((mean / sd) * annual),
    sortino: dd === 0 ? ZERO : roundStat((mean / dd) * annual),
  };
}

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  winRate: Decimal;
  grossPnl: Decimal;
  netPnl: Decimal;
  fees: Decimal;
  funding: Decimal;
  averageNetPnl: Decimal;
  bestTrade: Decimal;
  worstTrade: Decimal;
  profitFactor: Decimal | null;
}

/** Statistics over closed positions (one round trip = one trade). */
export function tradeStats(closed: readonly ClosedPosition[]): TradeStats {
  let wins = 0;
  let losses = 0;
  let gross = ZERO;
  let net = ZERO;
  let fees = ZERO;
  let funding = ZERO;
  let grossProfit = ZERO;
  let grossLoss = ZERO;
  let best: Decimal | undefined;
  let worst: Decimal | undefined;
  for (const trade of closed) {
    const pnl = trade.netRealizedPnl;
    if (pnl.gt(0)) {
      wins++;
      grossProfit = grossProfit.plus(pnl);
    } else {
      losses++;
      grossLoss = grossLoss.plus(pnl.neg());
    }
    gross = gross.plus(trade.realizedPnl);
    net = net.plus(pnl);
    fees = fees.plus(trade.fees);
    funding = funding.plus(trade.funding);
    if (best === undefined || pnl.gt(best)) best = pnl;
    if (worst === undefined || pnl.lt(worst)) worst = pnl;
  }
  const count = closed.length;
  return {
    trades: count,
    wins,
    losses,
    winRate: count === 0 ? ZERO : new Decimal(wins).div(count),
    grossPnl: gross,
    netPnl: net,
    fees,
    funding,
    averageNetPnl: count === 0 ? ZERO : net.div(count),
    bestTrade: best ?? ZERO,
    worstTrade: worst ?? ZERO,
    profitFactor: grossLoss.isZero() ? null : grossProfit.div(grossLoss),
  };
}

/** Largest and time-weighted average gross exposure, and the share of bars with any position open. */
export function exposureStats(curve: readonly EquityPoint[]): {
  maxExposure: Decimal;
  averageExposure: Decimal;
  timeInMarket: Decimal;
} {
  if (curve.length === 0) return { maxExposure: ZERO, averageExposure: ZERO, timeInMarket: ZERO };
  let max = ZERO;
  let sum = ZERO;
  let inMarket = 0;
  for (const p of curve) {
    if (p.exposure.gt(max)) max = p.exposure;
    sum = sum.plus(p.exposure);
    if (p.exposure.gt(0)) inMarket++;
  }
  return {
    maxExposure: max,
    averageExposure: sum.div(curve.length),
    timeInMarket: new Decimal(inMarket).div(curve.length),
  };
}
