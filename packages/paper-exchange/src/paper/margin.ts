import { Decimal, ExchangeError, type OrderSide, ZERO } from '@hl-bot/core-types';
import type { Candle } from '../candle.js';
import { roundAdverse } from '../instruments.js';
import { equity, equityAt, execute, leverageOf, marginUsed } from './account.js';
import { instrument, type PaperCore } from './core.js';
import type { LiquidationEvent } from './listeners.js';
import { closeOrder } from './orders.js';

/** Maintenance margin rate: half the initial margin rate at max leverage. */
function maintenanceRate(maxLeverage: number): Decimal {
  return new Decimal(1).div(2 * maxLeverage);
}

function maintenanceRateOf(core: PaperCore, symbol: string): Decimal {
  let rate = core.maintenanceRates.get(symbol);
  if (rate === undefined) {
    rate = maintenanceRate(instrument(core, symbol).maxLeverage);
    core.maintenanceRates.set(symbol, rate);
  }
  return rate;
}

/** Maintenance requirement of all positions, with `symbol` marked at `price` when both are given. */
export function maintenanceMargin(core: PaperCore, symbol?: string, price?: Decimal): Decimal {
  let total = ZERO;
  for (const [s, p] of core.positions) {
    const mark = s === symbol && price !== undefined ? price : (core.marks.get(s) ?? p.entryPrice);
    total = total.plus(p.size.abs().times(mark).times(maintenanceRateOf(core, s)));
  }
  return total;
}

/**
 * Initial margin an order needs: only the part that would grow the position (an opposite order first
 * closes), at `price` over the leverage, plus the taker fee when it may take liquidity.
 */
export function orderMarginRequirement(
  core: PaperCore,
  symbol: string,
  side: OrderSide,
  qty: Decimal,
  price: Decimal,
  includeTakerFee: boolean,
): Decimal {
  const position = core.positions.get(symbol)?.size ?? ZERO;
  const closable = !position.isZero() && position.gt(0) !== (side === 'buy') ? position.abs() : ZERO;
  const growing = Decimal.max(ZERO, qty.minus(closable));
  const margin = growing.times(price).div(leverageOf(core, symbol));
  return includeTakerFee ? margin.plus(qty.times(price).times(core.settings.takerFee)) : margin;
}

/** Equity minus position margin minus margin reserved by open orders (except `excludeOrderId`). */
export function freeMargin(core: PaperCore, excludeOrderId: string | undefined): Decimal {
  let reserved = ZERO;
  for (const o of core.orders.values()) {
    if (o.reduceOnly || o.orderId === excludeOrderId) continue;
    const ref = o.price ?? o.triggerPrice ?? core.marks.get(o.symbol);
    if (ref === undefined) continue;
    reserved = reserved.plus(
      orderMarginRequirement(core, o.symbol, o.side, o.quantity.minus(o.filled), ref, false),
    );
  }
  return equity(core).minus(marginUsed(core)).minus(reserved);
}

/** Liquidates the symbol's position when the bar's adverse extreme takes equity below maintenance. */
export function checkLiquidation(core: PaperCore, symbol: string, bar: Candle, time: number): void {
  const pos = core.positions.get(symbol);
  if (pos === undefined) return;
  const inst = instrument(core, symbol);
  const mmr = maintenanceRateOf(core, symbol);
  let otherUnrealized = ZERO;
  let otherMaintenance = ZERO;
  for (const [s, p] of core.positions) {
    if (s === symbol) continue;
    const mark = core.marks.get(s) ?? p.entryPrice;
    otherUnrealized = otherUnrealized.plus(p.size.times(mark.minus(p.entryPrice)));
    otherMaintenance = otherMaintenance.plus(p.size.abs().times(mark).times(maintenanceRateOf(core, s)));
  }
  // equity(p) = balance + U_other + q (p - entry) and maintenance(p) = M_other + |q| p mmr are linear in p,
  // so equity < maintenance somewhere in the bar iff it is so at the adverse extreme; only then solve for
  // the price where they are equal.
  const q = pos.size;
  const isLong = q.gt(0);
  const extreme = isLong ? bar.low : bar.high;
  const equityAtExtreme = core.balance.plus(otherUnrealized).plus(q.times(extreme.minus(pos.entryPrice)));
  const maintenanceAtExtreme = otherMaintenance.plus(q.abs().times(extreme).times(mmr));
  if (!equityAtExtreme.lt(maintenanceAtExtreme)) return;
  const liqPrice = otherMaintenance
    .minus(core.balance)
    .minus(otherUnrealized)
    .plus(q.times(pos.entryPrice))
    .div(q.minus(q.abs().times(mmr)));
  const rawPrice = isLong ? Decimal.min(bar.open, liqPrice) : Decimal.max(bar.open, liqPrice);
  const closeSide: OrderSide = isLong ? 'sell' : 'buy';
  const price = roundAdverse(inst, rawPrice, closeSide);
  liquidate(core, symbol, closeSide, q.abs(), price, time);
}

/** After marking: if the whole account is below maintenance (fees, funding), close everything at marks. */
export function checkAccountLiquidation(core: PaperCore, time: number): void {
  if (core.positions.size === 0) return;
  if (!equity(core).lt(maintenanceMargin(core))) return;
  for (const [symbol, p] of [...core.positions]) {
    const mark = core.marks.get(symbol) ?? p.entryPrice;
    liquidate(core, symbol, p.size.gt(0) ? 'sell' : 'buy', p.size.abs(), mark, time);
  }
}

function liquidate(
  core: PaperCore,
  symbol: string,
  side: OrderSide,
  qty: Decimal,
  price: Decimal,
  time: number,
): void {
  const equityNow = equityAt(core, symbol, price);
  const maintenance = maintenanceMargin(core, symbol, price);
  core.liquidationSeq++;
  for (const o of [...core.orders.values()]) closeOrder(core, o, 'cancelled', 'liquidation', time);
  const fill = execute(core, symbol, side, qty, price, 'taker', time, undefined);
  const event: LiquidationEvent = { fill, equity: equityNow, maintenanceMargin: maintenance };
  for (const l of core.listeners.liquidation) core.listeners.call(l, event);
}

/**
 * Sets the cross leverage of a symbol (1..maxLeverage), refused when the open position and orders would
 * need more margin than the account has at the new leverage.
 * @throws {ExchangeError} `INVALID_LEVERAGE`, `UNKNOWN_SYMBOL`, `INSUFFICIENT_MARGIN`.
 */
export function setLeverage(core: PaperCore, symbol: string, leverage: number): void {
  const inst = instrument(core, symbol);
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > inst.maxLeverage) {
    throw new ExchangeError(
      'INVALID_LEVERAGE',
      `leverage of ${symbol} must be an integer in 1..${inst.maxLeverage}`,
      {
        details: { symbol, leverage, maxLeverage: inst.maxLeverage },
      },
    );
  }
  const previous = core.leverage.get(symbol);
  core.leverage.set(symbol, leverage);
  const free = freeMargin(core, undefined);
  if (free.isNegative()) {
    if (previous === undefined) core.leverage.delete(symbol);
    else core.leverage.set(symbol, previous);
    throw new ExchangeError(
      'INSUFFICIENT_MARGIN',
      `leverage ${leverage} for ${symbol} needs more margin than is free`,
      {
        details: { symbol, leverage, shortfall: free.neg().toString() },
      },
    );
  }
}
