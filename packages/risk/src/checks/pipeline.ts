import type { RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { errorText, failure } from '../failure.js';
import { checkAccountEquity, checkAccountState } from './account.js';
import { checkClientOrderId } from './client-order-id.js';
import type { CheckContext } from './context.js';
import { checkDailyLoss } from './daily-loss.js';
import { checkExposure, checkPositionPrices } from './exposure.js';
import { checkOrderSize, valuationPrice } from './order-size.js';
import { checkOpenOrders, checkPositionCount, checkPositionSize } from './position-limit.js';
import {
  checkMarketPrice,
  checkPriceDeviation,
  checkReferencePrices,
  checkSlippage,
} from './price-sanity.js';
import { checkRateLimits } from './rate-limit.js';
import { checkReduceOnly } from './reduce-only.js';
import { checkAuditAvailable, checkCircuitBreaker, checkTradingState } from './trading-state.js';

function checkFailed(out: RiskFailure[], check: string, error: unknown): void {
  out.push(failure(RiskCode.CHECK_FAILED, { check, error: errorText(error) }));
}

/**
 * Runs every check against one context and returns all failures, in this fixed order (the order callers
 * see in `result.failures`, and `result.code` is the first): audit, breaker, account, the order's own
 * mark, clientOrderId, reduce-only, equity, trading state; with a fresh mark, price deviation, slippage and
 * valuation; the venue's reference prices (mark and oracle); the rate limits; then, for an order that does not reduce a position, the opening limits
 * (other positions' marks, position count, open orders, daily loss and, with a valuation, order size,
 * position size and exposure).
 *
 * Each check runs in its own try/catch: one that throws is `CHECK_FAILED` naming it, and the others still
 * report. The pipeline writes what a check derives (mark, reducing, worst price, valuation) into the
 * context for the checks after it. Plain blocks rather than a table of callbacks keep a check free of
 * per-call closures. Synchronous: nothing can change between the checks and the caller's reservation.
 */
export function runChecks(ctx: CheckContext): RiskFailure[] {
  const out: RiskFailure[] = [];
  try {
    checkAuditAvailable(ctx, out);
  } catch (error) {
    checkFailed(out, 'audit', error);
  }
  try {
    checkCircuitBreaker(ctx, out);
  } catch (error) {
    checkFailed(out, 'circuitBreaker', error);
  }
  try {
    checkAccountState(ctx, out);
  } catch (error) {
    checkFailed(out, 'account', error);
  }
  try {
    ctx.mark = checkMarketPrice(ctx, out);
  } catch (error) {
    checkFailed(out, 'marketPrice', error);
  }
  try {
    checkClientOrderId(ctx, out);
  } catch (error) {
    checkFailed(out, 'clientOrderId', error);
  }
  try {
    ctx.reducing = checkReduceOnly(ctx, out);
  } catch (error) {
    checkFailed(out, 'reduceOnly', error);
  }
  try {
    checkAccountEquity(ctx, out);
  } catch (error) {
    checkFailed(out, 'account', error);
  }
  try {
    checkTradingState(ctx, out);
  } catch (error) {
    checkFailed(out, 'tradingState', error);
  }

  // Price-dependent checks need a fresh mark; without one the order already failed above.
  if (ctx.mark !== undefined) {
    try {
      checkPriceDeviation(ctx, out);
    } catch (error) {
      checkFailed(out, 'priceDeviation', error);
    }
    try {
      ctx.worstPrice = checkSlippage(ctx, out);
    } catch (error) {
      checkFailed(out, 'slippage', error);
    }
    try {
      const v = valuationPrice(ctx);
      ctx.valuation = v;
      ctx.notional = v === undefined ? undefined : ctx.order.quantity.times(v);
    } catch (error) {
      checkFailed(out, 'valuation', error);
    }
  }

  // The venue's mark and oracle: a missing or stale one fails even without a mid (both are reported).
  try {
    checkReferencePrices(ctx, out);
  } catch (error) {
    checkFailed(out, 'referencePrices', error);
  }

  try {
    checkRateLimits(ctx, out);
  } catch (error) {
    checkFailed(out, 'rateLimit', error);
  }

  // Risk-reducing orders are exempt from the opening limits.
  if (ctx.reducing) return out;
  try {
    checkPositionPrices(ctx, out);
  } catch (error) {
    checkFailed(out, 'positionPrices', error);
  }
  try {
    checkPositionCount(ctx, out);
  } catch (error) {
    checkFailed(out, 'positionCount', error);
  }
  try {
    checkOpenOrders(ctx, out);
  } catch (error) {
    checkFailed(out, 'openOrders', error);
  }
  try {
    checkDailyLoss(ctx, out);
  } catch (error) {
    checkFailed(out, 'dailyLoss', error);
  }
  if (ctx.valuation === undefined || ctx.notional === undefined) return out;
  try {
    checkOrderSize(ctx, out);
  } catch (error) {
    checkFailed(out, 'orderSize', error);
  }
  try {
    checkPositionSize(ctx, out);
  } catch (error) {
    checkFailed(out, 'positionSize', error);
  }
  try {
    checkExposure(ctx, out);
  } catch (error) {
    checkFailed(out, 'exposure', error);
  }
  return out;
}
