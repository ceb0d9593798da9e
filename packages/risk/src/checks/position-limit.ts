import type { RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { gt } from '../decimal-compare.js';
import { failure } from '../failure.js';
import type { CheckContext } from './context.js';

/**
 * Spec check 2, position limit: a new symbol (no position, no opening hold) must fit under `maxPositions`,
 * counting the symbols that only hold a reservation so far.
 */
export function checkPositionCount(ctx: CheckContext, out: RiskFailure[]): void {
  const symbol = ctx.order.symbol;
  if (ctx.positions.has(symbol) || ctx.holds.hasPendingNew(symbol)) return;
  const open = ctx.positions.count;
  const reserved = ctx.holds.pendingNewSymbolCount - ctx.overlap;
  const limit = ctx.config.maxPositions;
  if (open + reserved + 1 > limit) {
    out.push(failure(RiskCode.MAX_POSITIONS_EXCEEDED, { positions: open, reserved, limit }));
  }
}

/** Spec check 2 (the open-order slots of the config's order limits): reserved plus working orders. */
export function checkOpenOrders(ctx: CheckContext, out: RiskFailure[]): void {
  const count = ctx.holds.count;
  const limit = ctx.config.maxOpenOrders;
  if (count + 1 > limit) out.push(failure(RiskCode.MAX_OPEN_ORDERS_EXCEEDED, { openOrders: count, limit }));
}

/**
 * Spec check 2 (the config's position sizing): the position the order leads to, counting working orders on
 * the same side, valued at the order's valuation price, against `maxPositionSizeUsd` and
 * `maxPositionSizePercent` of equity.
 */
export function checkPositionSize(ctx: CheckContext, out: RiskFailure[]): void {
  const { order, valuation, notional } = ctx;
  if (valuation === undefined || notional === undefined) return;
  const cfg = ctx.config;
  const pos = ctx.positions.signedQuantity(order.symbol);
  const pending = ctx.holds.pendingQty(order.symbol, order.side);
  const ahead = pending.isZero() ? order.quantity : pending.plus(order.quantity);
  const projectedQty = pos.isZero()
    ? ahead
    : order.side === 'buy'
      ? pos.plus(ahead).abs()
      : pos.minus(ahead).abs();
  // A new position with nothing pending is the order itself: its size is the notional already computed.
  const size = projectedQty === order.quantity ? notional : projectedQty.times(valuation);
  if (gt(size, cfg.maxPositionSizeUsd)) {
    out.push(
      failure(RiskCode.POSITION_SIZE_EXCEEDED, {
        size,
        limit: cfg.maxPositionSizeUsd,
        quantity: projectedQty,
      }),
    );
  }
  const limits = ctx.limits;
  if (limits !== null && gt(size, limits.positionSize)) {
    out.push(
      failure(RiskCode.POSITION_SIZE_PERCENT_EXCEEDED, {
        size,
        limit: limits.positionSize,
        percent: cfg.maxPositionSizePercent,
        equity: limits.equity,
      }),
    );
  }
}
