import type { RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { failure } from '../failure.js';
import { GLOBAL_WINDOW_MS, SYMBOL_WINDOW_MS } from '../state/rate-windows.js';
import type { CheckContext } from './context.js';

/**
 * Spec check 6, order rate limit: `maxOrdersPerMinute` approvals per symbol in any 60 s sliding window and
 * `maxOrdersPerSecond` over all symbols in any 1 s window. An over-limit order is rejected, never queued
 * (a queued order would be sent late). Reducing orders count and are limited too.
 */
export function checkRateLimits(ctx: CheckContext, out: RiskFailure[]): void {
  const cfg = ctx.config;
  const symbol = ctx.order.symbol;
  const symbolCount = ctx.rates.symbolCount(symbol, ctx.now);
  if (symbolCount >= cfg.maxOrdersPerMinute) {
    out.push(
      failure(RiskCode.SYMBOL_RATE_LIMIT_EXCEEDED, {
        symbol,
        orders: symbolCount,
        limit: cfg.maxOrdersPerMinute,
        windowMs: SYMBOL_WINDOW_MS,
      }),
    );
  }
  const globalCount = ctx.rates.globalCount(ctx.now);
  if (globalCount >= cfg.maxOrdersPerSecond) {
    out.push(
      failure(RiskCode.GLOBAL_RATE_LIMIT_EXCEEDED, {
        orders: globalCount,
        limit: cfg.maxOrdersPerSecond,
        windowMs: GLOBAL_WINDOW_MS,
      }),
    );
  }
}
