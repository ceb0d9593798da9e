import { type Decimal, type OrderSide, type RiskFailure, ZERO } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { isPositive, lt, lte } from '../decimal-compare.js';
import { failure } from '../failure.js';
import type { CheckContext, HoldsView, PositionsView } from './context.js';

/**
 * True when an order strictly reduces the open position: the opposite side, and with every working order on
 * its side it is at most the position (never a flip; flat means false).
 */
export function isReducingOrder(
  positions: PositionsView,
  holds: HoldsView,
  symbol: string,
  side: OrderSide,
  quantity: Decimal,
): boolean {
  const pos = positions.signedQuantity(symbol);
  if (pos.isZero()) return false;
  if (side === 'sell' ? !isPositive(pos) : !lt(pos, ZERO)) return false;
  return lte(holds.pendingQty(symbol, side).plus(quantity), pos.abs());
}

/**
 * Beyond the spec: a reduce-only order must reduce (not flat, not the position's side, no flip). Returns
 * whether the order reduces, which exempts it from the opening limits.
 */
export function checkReduceOnly(ctx: CheckContext, out: RiskFailure[]): boolean {
  const order = ctx.order;
  const reducing = isReducingOrder(ctx.positions, ctx.holds, order.symbol, order.side, order.quantity);
  if (order.reduceOnly && !reducing) {
    out.push(
      failure(RiskCode.REDUCE_ONLY_INVALID, {
        position: ctx.positions.signedQuantity(order.symbol),
        pendingSameSide: ctx.holds.pendingQty(order.symbol, order.side),
        quantity: order.quantity,
      }),
    );
  }
  return reducing;
}
