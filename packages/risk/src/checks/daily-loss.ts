import type { RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { equals, gte, isPositive } from '../decimal-compare.js';
import { failure } from '../failure.js';
import type { CheckContext } from './context.js';

/**
 * Spec check 3, daily loss: today's loss (estimated equity below day-start equity) against `maxDailyLoss`
 * and `maxDailyLossPercent` of day-start equity, and the fall from today's peak against
 * `maxDrawdownPercent`. A loss at its limit is a breach. Nothing to measure before an account and a day
 * start are known (the account check rejects that case).
 */
export function checkDailyLoss(ctx: CheckContext, out: RiskFailure[]): void {
  const equity = ctx.equity;
  const day = ctx.day;
  const start = day.startEquity;
  if (equity === null || start === null) return;
  // No loss and no fall from the peak: no limit can be reached.
  if (gte(equity, start) && equals(equity, day.peak ?? equity)) return;
  const cfg = ctx.config;
  const loss = start.minus(equity);
  if (gte(loss, cfg.maxDailyLoss)) {
    out.push(failure(RiskCode.DAILY_LOSS_EXCEEDED, { loss, limit: cfg.maxDailyLoss, dayStartEquity: start }));
  }
  const pctLimit = day.lossPercentLimit;
  if (pctLimit !== null && gte(loss, pctLimit)) {
    out.push(
      failure(RiskCode.DAILY_LOSS_PERCENT_EXCEEDED, {
        loss,
        limit: pctLimit,
        percent: cfg.maxDailyLossPercent,
        dayStartEquity: start,
      }),
    );
  }
  const peak = day.peak;
  if (peak !== null && isPositive(peak)) {
    const drawdown = peak.minus(equity);
    const limit = day.drawdownLimit(peak);
    if (gte(drawdown, limit)) {
      out.push(
        failure(RiskCode.DRAWDOWN_EXCEEDED, {
          drawdown,
          limit,
          peakEquity: peak,
          percent: cfg.maxDrawdownPercent,
        }),
      );
    }
  }
}
