import { type ClosedPosition, Decimal, ZERO } from '@hl-bot/core-types';

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
