import type { Decimal, RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { gt } from '../decimal-compare.js';
import { failure } from '../failure.js';
import { type CheckContext, outside } from './context.js';

/**
 * Spec check 5, price sanity (its precondition): the order's symbol needs a mark no older than
 * `maxMarketPriceAgeMs`. Returns the fresh mark, or undefined after recording why there is none.
 */
export function checkMarketPrice(ctx: CheckContext, out: RiskFailure[]): Decimal | undefined {
  const symbol = ctx.order.symbol;
  const m = ctx.positions.mark(symbol);
  if (m === undefined) {
    out.push(failure(RiskCode.MARKET_PRICE_MISSING, { symbol }));
    return undefined;
  }
  const age = ctx.now - m.timestamp;
  const limitMs = ctx.config.maxMarketPriceAgeMs;
  if (age > limitMs) {
    out.push(failure(RiskCode.MARKET_PRICE_STALE, { symbol, ageMs: age, limitMs }));
    return undefined;
  }
  return m.price;
}

/**
 * Spec check 5, price sanity: a limit price and a trigger price (any order type) within
 * `maxPriceDeviation` of the mark, so a fat-fingered price never reaches the venue. At the limit passes.
 */
export function checkPriceDeviation(ctx: CheckContext, out: RiskFailure[]): void {
  const m = ctx.mark;
  if (m === undefined) return;
  const order = ctx.order;
  const limit = ctx.config.maxPriceDeviation;
  const band = ctx.memo.band(m);
  const price = order.price;
  if (order.orderType !== 'market' && price !== undefined && outside(price.minus(m), band)) {
    out.push(
      failure(RiskCode.PRICE_DEVIATION_EXCEEDED, {
        price,
        mark: m,
        deviation: price.minus(m).abs().div(m).toSignificantDigits(6),
        limit,
      }),
    );
  }
  const trigger = order.triggerPrice;
  if (trigger !== undefined && outside(trigger.minus(m), band)) {
    out.push(
      failure(RiskCode.PRICE_DEVIATION_EXCEEDED, {
        triggerPrice: trigger,
        mark: m,
        deviation: trigger.minus(m).abs().div(m).toSignificantDigits(6),
        limit,
      }),
    );
  }
}

/**
 * Spec check 5 for market orders: a protective price within `maxSlippagePercent` of the mark. A market
 * order without a price gets one: returns the worst acceptable price (mark +/- the slippage) to send.
 */
export function checkSlippage(ctx: CheckContext, out: RiskFailure[]): Decimal | undefined {
  const m = ctx.mark;
  const order = ctx.order;
  if (m === undefined || order.orderType !== 'market') return undefined;
  const limit = ctx.config.maxSlippagePercent;
  if (order.price === undefined) {
    const slip = m.times(limit);
    return order.side === 'buy' ? m.plus(slip) : m.minus(slip);
  }
  if (gt(order.price.minus(m).abs(), m.times(limit))) {
    out.push(
      failure(RiskCode.SLIPPAGE_EXCEEDED, {
        price: order.price,
        mark: m,
        slippage: order.price.minus(m).abs().div(m).toSignificantDigits(6),
        limit,
      }),
    );
  }
  return undefined;
}
