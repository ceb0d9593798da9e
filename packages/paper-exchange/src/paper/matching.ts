import { Decimal, type OrderSide, ZERO } from '@hl-bot/core-types';
import type { Candle } from '../candle.js';
import { roundAdverse } from '../instruments.js';
import { execute } from './account.js';
import { instrument, type PaperCore, type SimOrder } from './core.js';
import { freeMargin, orderMarginRequirement } from './margin.js';
import { closeOrder, emitUpdate } from './orders.js';

/** `reference` moved against the trader by the configured slippage (fixed, or a seeded uniform draw). */
function slipped(core: PaperCore, reference: Decimal, side: OrderSide): Decimal {
  const { slippageRange, slippageFixed, prng } = core.settings;
  let slip: Decimal;
  if (slippageRange !== undefined) {
    const u = new Decimal(prng.nextUint32()).div(4294967296);
    slip = slippageRange.min.plus(slippageRange.max.minus(slippageRange.min).times(u));
  } else {
    slip = slippageFixed ?? ZERO;
  }
  return reference.times(side === 'buy' ? slip.plus(1) : new Decimal(1).minus(slip));
}

/**
 * A taker order at `reference` plus slippage, rounded against the trader; a limit whose slipped price is
 * beyond its limit does not take. An immediate order's remainder is cancelled, a GTC limit's rests.
 */
export function takeLiquidity(core: PaperCore, o: SimOrder, reference: Decimal, time: number): void {
  const inst = instrument(core, o.symbol);
  const exec = roundAdverse(inst, slipped(core, reference, o.side), o.side);
  const limit = o.price;
  const withinLimit = limit === undefined || (o.side === 'buy' ? exec.lte(limit) : exec.gte(limit));
  if (withinLimit) fill(core, o, exec, 'taker', time);
  if (!core.orders.has(o.orderId)) return;
  if (o.orderType === 'market' || o.timeInForce === 'IOC' || limit === undefined) {
    const reason = withinLimit
      ? 'unfilled remainder of an immediate order'
      : 'could not match within its limit';
    closeOrder(core, o, 'cancelled', reason, time);
  } else {
    o.stage = 'resting';
  }
}

/** Fires a stop or take-profit whose trigger the bar reached (at the trigger, or the open after a gap). */
export function checkTrigger(core: PaperCore, o: SimOrder, bar: Candle, time: number): void {
  const trigger = o.triggerPrice;
  if (trigger === undefined) return;
  // Stops fire when price moves against the order's side, take-profits when it moves in its favour.
  const firesUp = o.orderType === 'take-profit' ? o.side === 'sell' : o.side === 'buy';
  const fired = firesUp ? bar.high.gte(trigger) : bar.low.lte(trigger);
  if (!fired) return;
  const reference = firesUp ? Decimal.max(bar.open, trigger) : Decimal.min(bar.open, trigger);
  emitUpdate(core, o, 'resting', 'triggered', time);
  core.triggeredThisBar.add(o.orderId);
  if (o.timeInForce === 'post-only' && o.price !== undefined) {
    // A triggered post-only limit may only add liquidity: it rests, or is cancelled if it would cross.
    const crosses = o.side === 'buy' ? o.price.gte(reference) : o.price.lte(reference);
    if (crosses) closeOrder(core, o, 'cancelled', 'post-only order would have crossed when triggered', time);
    else o.stage = 'resting';
    return;
  }
  // A triggered order takes liquidity at once; a limit that cannot take within its price rests (GTC).
  o.stage = 'pending';
  takeLiquidity(core, o, reference, time);
}

/** Fills as much of `o` as volume, reduce-only and margin allow, at `price`. */
export function fill(
  core: PaperCore,
  o: SimOrder,
  price: Decimal,
  liquidity: 'maker' | 'taker',
  time: number,
): void {
  let qty = o.quantity.minus(o.filled);
  if (core.barBudget !== undefined) qty = Decimal.min(qty, core.barBudget);
  if (qty.lte(0)) return;
  const position = core.positions.get(o.symbol)?.size ?? ZERO;
  if (o.reduceOnly) {
    const opposite = !position.isZero() && position.gt(0) !== (o.side === 'buy');
    if (!opposite) {
      closeOrder(core, o, 'cancelled', 'reduce-only order would increase position', time);
      return;
    }
    qty = Decimal.min(qty, position.abs());
  } else {
    const rate = liquidity === 'maker' ? core.settings.makerFee : core.settings.takerFee;
    const required = orderMarginRequirement(core, o.symbol, o.side, qty, price, false).plus(
      Decimal.max(ZERO, qty.times(price).times(rate)),
    );
    const free = freeMargin(core, o.orderId);
    if (required.gt(free)) {
      closeOrder(core, o, 'cancelled', 'insufficient margin at execution', time);
      return;
    }
  }
  execute(core, o.symbol, o.side, qty, price, liquidity, time, o);
  if (core.barBudget !== undefined) core.barBudget = core.barBudget.minus(qty);
  o.filled = o.filled.plus(qty);
  o.notional = o.notional.plus(qty.times(price));
  if (o.filled.gte(o.quantity)) {
    closeOrder(core, o, 'filled', undefined, time);
  } else if (o.reduceOnly && qty.gte(position.abs())) {
    closeOrder(core, o, 'cancelled', 'reduce-only remainder would flip the position', time);
  } else {
    emitUpdate(core, o, 'partially_filled', undefined, time);
  }
}
