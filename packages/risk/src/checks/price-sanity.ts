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

const REFERENCE_KINDS = ['venueMark', 'oracle'] as const;

/**
 * Spec check 5 against the venue's own reference prices: every price the order carries (limit, trigger, a
 * market order's protective price) within `maxPriceDeviation` of the venue's mark and of its oracle price,
 * besides the mid. An order outside the band around any of them is refused, so our band is never looser
 * than the venue's (it refuses prices more than 95 % from its reference; `maxPriceDeviation` is at most
 * 0.95). A reference older than `maxMarketPriceAgeMs` fails closed like a stale mid; a missing one fails
 * only for a symbol whose references the venue is expected to stream. Runs after the slippage check, whose
 * protective price it also checks.
 */
export function checkReferencePrices(ctx: CheckContext, out: RiskFailure[]): void {
  const order = ctx.order;
  const symbol = order.symbol;
  const refs = ctx.references.get(symbol);
  const expected = ctx.references.expects(symbol);
  if (refs === undefined && !expected) return;
  const limit = ctx.config.maxPriceDeviation;
  const limitMs = ctx.config.maxMarketPriceAgeMs;
  const price = order.orderType === 'market' ? (order.price ?? ctx.worstPrice) : order.price;
  const trigger = order.triggerPrice;
  for (const reference of REFERENCE_KINDS) {
    const point = refs?.[reference];
    if (point === undefined) {
      if (expected) out.push(failure(RiskCode.REFERENCE_PRICE_MISSING, { symbol, reference }));
      continue;
    }
    const age = ctx.now - point.timestamp;
    if (age > limitMs) {
      out.push(failure(RiskCode.REFERENCE_PRICE_STALE, { symbol, reference, ageMs: age, limitMs }));
      continue;
    }
    const ref = point.price;
    const b = ref.times(limit);
    const band = { mark: ref, band: b, negBand: b.neg() };
    for (const [field, p] of [
      ['price', price],
      ['triggerPrice', trigger],
    ] as const) {
      if (p === undefined || !outside(p.minus(ref), band)) continue;
      out.push(
        failure(RiskCode.PRICE_DEVIATION_EXCEEDED, {
          [field]: p,
          [reference]: ref,
          deviation: p.minus(ref).abs().div(ref).toSignificantDigits(6),
          limit,
        }),
      );
    }
  }
}
