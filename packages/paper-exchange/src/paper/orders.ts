import { type OpenOrder, type OrderAck, type OrderStatus, type OrderUpdate, ZERO } from '@hl-bot/core-types';
import type { PaperCore, SimOrder } from './core.js';

/** Removes an open order and reports its final status (a second close of the same order does nothing). */
export function closeOrder(
  core: PaperCore,
  o: SimOrder,
  status: OrderStatus,
  reason: string | undefined,
  time: number,
): void {
  if (!core.orders.delete(o.orderId)) return;
  emitUpdate(core, o, status, reason, time);
}

export function emitUpdate(
  core: PaperCore,
  o: SimOrder,
  status: OrderStatus,
  reason: string | undefined,
  time: number,
): void {
  const update: OrderUpdate = {
    orderId: o.orderId,
    ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
    symbol: o.symbol,
    status,
    filledQuantity: o.filled,
    remainingQuantity:
      status === 'resting' || status === 'partially_filled' ? o.quantity.minus(o.filled) : ZERO,
    ...(reason === undefined ? {} : { reason }),
    timestamp: time,
  };
  for (const l of core.listeners.update) core.listeners.call(l, update);
}

export function ackOf(core: PaperCore, o: SimOrder): OrderAck {
  const open = core.orders.has(o.orderId);
  const status: OrderStatus = open
    ? o.filled.gt(0)
      ? 'partially_filled'
      : 'resting'
    : o.filled.gte(o.quantity)
      ? 'filled'
      : 'cancelled';
  return {
    orderId: o.orderId,
    ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
    status,
    filledQuantity: o.filled,
    ...(o.filled.gt(0) ? { averagePrice: o.notional.div(o.filled) } : {}),
  };
}

export function openOrders(core: PaperCore, symbol: string | undefined): OpenOrder[] {
  const result: OpenOrder[] = [];
  for (const o of core.orders.values()) {
    if (symbol !== undefined && o.symbol !== symbol) continue;
    result.push({
      orderId: o.orderId,
      ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
      symbol: o.symbol,
      side: o.side,
      orderType: o.orderType,
      ...(o.price === undefined ? {} : { price: o.price }),
      ...(o.triggerPrice === undefined ? {} : { triggerPrice: o.triggerPrice }),
      quantity: o.quantity,
      filledQuantity: o.filled,
      reduceOnly: o.reduceOnly,
      timeInForce: o.timeInForce,
      createdAt: o.createdAt,
    });
  }
  return result;
}
