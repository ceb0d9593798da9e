import type { OpenOrder } from '@hl-bot/core-types';
import { type EngineCore, safeAppend } from './engine-core.js';
import { finish, recordCancel, releaseForeign } from './order-settlement.js';

/** Cancels one order (by client or venue order id); cancels always pass, whatever the risk state. */
export async function cancelOrder(core: EngineCore, symbol: string, orderId: string): Promise<boolean> {
  const w = core.orders.find(orderId);
  const target = w === undefined ? orderId : (w.venueOrderId ?? w.clientOrderId);
  const cancelled = await core.exchange.cancelOrder(symbol, target);
  if (cancelled) {
    if (w !== undefined && core.orders.isCurrent(w)) finish(core, w, core.orders.filled(w));
    else if (!core.risk.releaseReservation(orderId, 'cancelled'))
      core.risk.releaseReservation(target, 'cancelled');
    const ids =
      w === undefined
        ? [orderId]
        : [w.clientOrderId, ...(w.venueOrderId === undefined ? [] : [w.venueOrderId])];
    await recordCancel(core, ids, symbol, 'requested');
  }
  return cancelled;
}

/**
 * Cancels every open order (of one symbol when given). Each order is settled by the exchange's order
 * update for it (the port reports every confirmed cancel), so a count is all this returns.
 */
export async function cancelAllOrders(
  core: EngineCore,
  symbol?: string,
  reason = 'requested',
): Promise<number> {
  const count = await core.exchange.cancelAllOrders({
    ...(symbol === undefined ? {} : { symbol }),
    reason,
  });
  if (count > 0) {
    await safeAppend(core, {
      type: 'orders_cancelled',
      count,
      reason,
      ...(symbol === undefined ? {} : { symbol }),
    });
  }
  return count;
}

/** Cancels a venue order by its venue id and frees what risk holds for it. */
export async function cancelVenueOrder(core: EngineCore, o: OpenOrder): Promise<boolean> {
  const w = core.orders.find(o.clientOrderId ?? o.orderId) ?? core.orders.find(o.orderId);
  if (w !== undefined) return cancelOrder(core, o.symbol, w.clientOrderId);
  const cancelled = await core.exchange.cancelOrder(o.symbol, o.orderId);
  if (!cancelled) return false;
  const ids = o.clientOrderId === undefined ? [o.orderId] : [o.clientOrderId, o.orderId];
  releaseForeign(core, ids);
  await recordCancel(core, ids, o.symbol, 'requested');
  return true;
}

/**
 * Cancels every resting order that could add to a position (not reduce-only): what REDUCING means for
 * orders already on the venue. Resolves with how many the venue confirmed.
 */
export async function cancelOpeningOrders(core: EngineCore, reason: string): Promise<number> {
  let cancelled = 0;
  for (const o of await core.exchange.getOpenOrders()) {
    if (o.reduceOnly) continue;
    if (await cancelVenueOrder(core, o)) cancelled += 1;
  }
  if (cancelled > 0) await safeAppend(core, { type: 'orders_cancelled', count: cancelled, reason });
  return cancelled;
}
