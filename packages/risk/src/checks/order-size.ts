import type { Decimal, RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { gt } from '../decimal-compare.js';
import { failure } from '../failure.js';
import type { CheckContext } from './context.js';

/**
 * Spec check 1, order size. The price every size limit values an order at: the larger of the mark and the
 * order's own price or trigger, so a low limit price cannot understate the order.
 */
export function valuationPrice(ctx: CheckContext): Decimal | undefined {
  const order = ctx.order;
  let v = ctx.mark;
  if (v === undefined) return undefined;
  if (order.price !== undefined && gt(order.price, v)) v = order.price;
  if (order.triggerPrice !== undefined && gt(order.triggerPrice, v)) v = order.triggerPrice;
  return v;
}

/**
 * Spec check 1, order size: the order's notional against `maxOrderNotional` and against
 * `maxOrderNotionalPercent` of equity (an opening order with a valuation).
 */
export function checkOrderSize(ctx: CheckContext, out: RiskFailure[]): void {
  const notional = ctx.notional;
  if (notional === undefined) return;
  const cfg = ctx.config;
  if (gt(notional, cfg.maxOrderNotional)) {
    out.push(failure(RiskCode.ORDER_NOTIONAL_EXCEEDED, { notional, limit: cfg.maxOrderNotional }));
  }
  const limits = ctx.limits;
  if (limits !== null && gt(notional, limits.orderNotional)) {
    out.push(
      failure(RiskCode.ORDER_NOTIONAL_PERCENT_EXCEEDED, {
        notional,
        limit: limits.orderNotional,
        percent: cfg.maxOrderNotionalPercent,
        equity: limits.equity,
      }),
    );
  }
}
