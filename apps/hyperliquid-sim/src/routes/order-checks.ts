import { fitsSizeDecimals, isOnPriceGrid, toDecimal } from '@hl-bot/core-types';
import type { OrderWire } from '@hl-bot/exchange-hyperliquid/wire';
import type { SimAccount, WireOrderStatus } from '../account.js';
import type { SimCoin } from '../market.js';
import type { SimState } from '../sim-state.js';

/** The venue's checks of one order before it reaches the book: asset, size, tick, order value, cloid. */
export function validateOrder(
  state: SimState,
  wire: OrderWire,
  account: SimAccount,
  modifying?: string,
): WireOrderStatus | undefined {
  const coin = state.coinByAsset(wire.a);
  if (coin === undefined) return { error: `Order has invalid asset. asset=${wire.a}` };
  const suffix = ` asset=${wire.a}`;
  const size = toDecimal(wire.s);
  if (size.lte(0) || !fitsSizeDecimals(size, coin.szDecimals)) return { error: 'Order has invalid size.' };
  if (!isOnPriceGrid(toDecimal(wire.p), coin.szDecimals)) {
    return { error: `Price must be divisible by tick size.${suffix}` };
  }
  if ('trigger' in wire.t && !isOnPriceGrid(toDecimal(wire.t.trigger.triggerPx), coin.szDecimals)) {
    return { error: `Invalid TP/SL price.${suffix}` };
  }
  const ioc = 'limit' in wire.t && wire.t.limit.tif === 'Ioc';
  const max = maxOrderValue(coin, ioc);
  if (size.times(toDecimal(wire.p)).gt(max)) {
    return { error: `Order value exceeds the maximum order value of $${max}.${suffix}` };
  }
  if (wire.c !== undefined && wire.c !== modifying && account.hasCloid(wire.c)) {
    return { error: `Duplicate cloid ${wire.c}.${suffix}` };
  }
  return undefined;
}

/**
 * The venue's pre-validation of a whole order action: a limit price more than 95% away from the
 * reference price refuses the payload with one error (docs: error-responses). The reference is the
 * oracle price (`setAssetCtx`), which follows the last price unless set.
 */
export function prevalidate(state: SimState, orders: readonly OrderWire[]): string | undefined {
  for (const wire of orders) {
    const coin = state.coinByAsset(wire.a);
    const mid = coin === undefined ? undefined : state.mids.get(coin.coin);
    if (coin === undefined || mid === undefined) continue;
    const ref = toDecimal(state.assetCtxOverrides.get(coin.coin)?.oraclePx ?? mid);
    const px = toDecimal(wire.p);
    if (px.gt(ref.times(1.95)) || px.lt(ref.times(0.05))) {
      return 'Order price cannot be more than 95% away from the reference price';
    }
  }
  return undefined;
}

/** Largest order value the venue's contract specifications allow (market; limit orders 10x). */
function maxOrderValue(coin: SimCoin, ioc: boolean): number {
  const m = coin.maxLeverage;
  const market = m >= 25 ? 30_000_000 : m >= 20 ? 5_000_000 : m >= 10 ? 2_000_000 : 500_000;
  return ioc ? market : market * 10;
}
