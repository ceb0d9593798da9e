import type { Fill, FundingPayment, MarketPrice, OrderUpdate } from '@hl-bot/core-types';
import { type EngineCore, safeAppend } from './engine-core.js';
import { checkHalt, checkReducing } from './halt.js';
import { accept, ackStatus, finish, recordCancel, releaseForeign } from './order-settlement.js';

/**
 * A fill: into the tracker (which audits it, or the duplicate, and whose change risk's index follows), then
 * the closed round trip, the order it belongs to, and the strategy.
 */
export async function handleFill(core: EngineCore, fill: Fill): Promise<void> {
  const { risk } = core;
  // The tracker audits the fill (or the duplicate) before it changes anything, and says what it did.
  const { previous, closed, duplicate } = await core.tracker.applyFill(fill);
  if (duplicate) {
    core.stats.duplicateFills += 1;
    return;
  }
  // The tracker audits both (liquidation_fill, position_mismatch); trading stops on either. A
  // liquidation is the venue closing positions for us; a wrong starting position means our books are off.
  const held = previous?.signedQuantity;
  if (fill.liquidation !== undefined) {
    await risk.tripCircuitBreaker(`liquidation fill ${fill.id} on ${fill.symbol}`);
  } else if (
    fill.startPosition !== undefined &&
    fill.marketKind !== 'spot' &&
    !fill.startPosition.eq(held ?? 0)
  ) {
    await risk.tripCircuitBreaker(
      `venue position before fill ${fill.id} was ${fill.startPosition.toFixed()} ${fill.symbol}, tracker had ${(held ?? 0).toString()}`,
    );
  }
  core.stats.fills += 1;
  core.accountDirty = true;
  // Risk already indexed the position: it follows the tracker's change (followPositions), so there is no
  // copy to push here.
  if (closed !== undefined) {
    core.stats.closedPositions += 1;
    await risk.recordTradeResult(closed.netRealizedPnl, closed.symbol);
    core.observer.onPositionClosed?.(closed);
  }

  // The exchange reports the client order id the order was placed with; an order adopted from the venue
  // without one is held under its venue id.
  const clientId = fill.clientOrderId;
  if (clientId === undefined || !risk.orderFilled(clientId, fill.quantity)) {
    risk.orderFilled(fill.orderId, fill.quantity);
  }
  const w = clientId === undefined ? undefined : core.orders.get(clientId);
  if (w !== undefined) {
    w.venueOrderId ??= fill.orderId;
    // A fill proves the order is live; while it is being sent its acknowledgement says so instead.
    if (!w.sending) await accept(core, w, fill.orderId);
    // Risk released the fill from the order's hold above: what it still holds is what is left to fill.
    if (core.orders.filled(w).gte(w.order.quantity)) core.orders.forget(w);
  }
  core.observer.onFill?.(fill);
  await checkHalt(core);
  if (core.strategy?.onFill !== undefined) await core.strategy.onFill(fill, core.context);
}

/** An order update settles the working order it names, or frees what risk holds for someone else's. */
export async function handleOrderUpdate(core: EngineCore, update: OrderUpdate): Promise<void> {
  const clientId = update.clientOrderId;
  const w = clientId === undefined ? undefined : core.orders.get(clientId);
  const done = update.status === 'filled' || update.status === 'cancelled' || update.status === 'rejected';
  if (w !== undefined) {
    w.venueOrderId ??= update.orderId;
    if (update.status === 'rejected' && !w.accepted && core.orders.filled(w).isZero()) {
      core.orders.forget(w);
      core.risk.releaseReservation(w.clientOrderId, 'rejected');
      await safeAppend(core, {
        type: 'order_rejected',
        orderId: w.clientOrderId,
        order: w.order,
        reason: update.reason ?? 'rejected by the venue',
        code: 'ORDER_REJECTED',
      });
      return;
    }
    if (!w.sending || done) await accept(core, w, update.orderId, ackStatus(update.status));
    if (!done) return;
    finish(core, w, update.filledQuantity);
    if (update.status !== 'filled') {
      await recordCancel(core, [w.clientOrderId, update.orderId], update.symbol, update.reason);
    }
    return;
  }
  if (!done) return;
  // Not an order of this engine (an earlier run's, adopted, or someone else's): free what risk holds
  // for it, and record the cancel once.
  if (update.status !== 'filled') {
    const ids = clientId === undefined ? [update.orderId] : [clientId, update.orderId];
    releaseForeign(core, ids);
    await recordCancel(core, ids, update.symbol, update.reason);
  }
}

export async function handlePrice(core: EngineCore, price: MarketPrice): Promise<void> {
  // Risk owns the mark (the newest by timestamp, none from the future) and strategies read it there. The
  // tracker revalues its position (unrealized P&L, MAE/MFE) only at a mark risk took, so it never holds a
  // price risk refused. Visible at once; a new MAE/MFE is recorded behind it (an audit failure halts the
  // tracker, which the next fill or mark reports). A mark can move risk to REDUCING but never trips the
  // breaker (losses, errors and operators do), so there is no halt to act on here.
  if (core.risk.updateMarketPrice(price.symbol, price.price, price.timestamp)) {
    core.tracker.updateMarketPrice(price.symbol, price.price, price.timestamp);
  }
  await checkReducing(core, core.risk.tradingState);
}

export async function handleFunding(core: EngineCore, payment: FundingPayment): Promise<void> {
  await core.tracker.applyFunding(
    payment.symbol,
    payment.amount,
    payment.time,
    `${payment.symbol}:${payment.time}`,
  );
  core.accountDirty = true;
}
