import type { RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { gt } from '../decimal-compare.js';
import { failure } from '../failure.js';
import type { CheckContext } from './context.js';

/**
 * Spec check 4, exposure (its precondition): with any position unmarked or marked longer ago than
 * `maxMarketPriceAgeMs`, exposure and unrealized loss are unknown, so an opening order is rejected.
 */
export function checkPositionPrices(ctx: CheckContext, out: RiskFailure[]): void {
  const positions = ctx.positions;
  const limitMs = ctx.config.maxMarketPriceAgeMs;
  const unmarked = positions.unmarkedCount;
  const oldest = positions.oldestMarkTimestamp();
  const oldestAge = oldest === undefined ? 0 : ctx.now - oldest;
  if (unmarked > 0 || oldestAge > limitMs) {
    out.push(
      failure(RiskCode.POSITION_PRICE_UNAVAILABLE, {
        unmarkedPositions: unmarked,
        oldestMarkAgeMs: oldestAge,
        limitMs,
      }),
    );
  }
}

/**
 * Spec check 4, exposure: positions at mark plus working opening orders plus this order, against
 * `maxTotalExposure`, `maxExposurePercent` of equity and `maxLeverage` x equity.
 */
export function checkExposure(ctx: CheckContext, out: RiskFailure[]): void {
  const notional = ctx.notional;
  if (notional === undefined) return;
  const cfg = ctx.config;
  const after = ctx.memo.heldExposure(ctx.positions, ctx.holds).plus(notional);
  if (gt(after, cfg.maxTotalExposure)) {
    out.push(failure(RiskCode.EXPOSURE_EXCEEDED, { exposure: after, limit: cfg.maxTotalExposure }));
  }
  const limits = ctx.limits;
  if (limits === null) return;
  const equity = limits.equity;
  if (gt(after, limits.exposure)) {
    out.push(
      failure(RiskCode.EXPOSURE_PERCENT_EXCEEDED, {
        exposure: after,
        limit: limits.exposure,
        percent: cfg.maxExposurePercent,
        equity,
      }),
    );
  }
  if (gt(after, limits.leverage)) {
    out.push(
      failure(RiskCode.LEVERAGE_EXCEEDED, {
        leverage: after.div(equity).toSignificantDigits(6),
        limit: cfg.maxLeverage,
        exposure: after,
        equity,
      }),
    );
  }
}
