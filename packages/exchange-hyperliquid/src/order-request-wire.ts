import { Decimal, ExchangeError, type OrderRequest } from '@hl-bot/core-types';
import { type OrderWire, orderWire, type Tif } from './actions.js';
import { dexOfCoin } from './dex.js';
import { formatPrice, formatSize } from './format.js';
import type { InfoReads } from './info.js';
import type { PerpAsset } from './symbols.js';

export interface OrderWireRules {
  reads: InfoReads;
  /** Protection band of market orders around the reference price, in [0, 1). */
  slippage: Decimal;
  /** Round unrepresentable limit prices and sizes to the safe side instead of rejecting them. */
  round: boolean;
}

/**
 * The venue's wire form of one of the project's orders. Hyperliquid has no market order: market orders and
 * market triggers go out as limits bounded by the mid (or the trigger) ± the slippage band, rounded toward
 * the side that still fills.
 * @throws {UnrepresentableNumberError} for a price or size the venue cannot take (unless `round`);
 *   {ExchangeError} `INVALID_PRICE` for a missing price, `NO_MARKET_PRICE` for a market order without a mid.
 */
export async function toOrderWire(
  order: OrderRequest,
  asset: PerpAsset,
  cloid: string,
  rules: OrderWireRules,
): Promise<OrderWire> {
  const side = order.side;
  const price = (value: Decimal, round: boolean) =>
    formatPrice(value, asset.szDecimals, round ? { roundFor: side } : {});
  const size = formatSize(order.quantity, asset.szDecimals, { round: rules.round });
  const base = { asset: asset.asset, isBuy: side === 'buy', size, reduceOnly: order.reduceOnly, cloid };
  switch (order.orderType) {
    case 'market': {
      const p = await protectionPrice(asset.coin, undefined, side, rules);
      return orderWire({ ...base, price: price(p, true), orderType: { limit: { tif: 'Ioc' } } });
    }
    case 'limit':
      return orderWire({
        ...base,
        price: price(required(order.price, 'price'), rules.round),
        orderType: { limit: { tif: tifOf(order) } },
      });
    case 'stop-market':
    case 'stop-limit':
    case 'take-profit': {
      const trigger = required(order.triggerPrice, 'triggerPrice');
      const isMarket =
        order.orderType === 'stop-market' || (order.orderType === 'take-profit' && order.price === undefined);
      const limit = isMarket
        ? await protectionPrice(asset.coin, trigger, side, rules)
        : required(order.price, 'price');
      return orderWire({
        ...base,
        price: price(limit, isMarket || rules.round),
        orderType: {
          trigger: {
            isMarket,
            triggerPx: price(trigger, rules.round),
            tpsl: order.orderType === 'take-profit' ? 'tp' : 'sl',
          },
        },
      });
    }
  }
}

async function protectionPrice(
  coin: string,
  reference: Decimal | undefined,
  side: 'buy' | 'sell',
  rules: OrderWireRules,
): Promise<Decimal> {
  let ref = reference;
  if (ref === undefined) {
    const mids = await rules.reads.allMids(dexOfCoin(coin));
    ref = mids[coin];
    if (ref === undefined || ref.lte(0)) {
      throw new ExchangeError('NO_MARKET_PRICE', `no mid price for ${coin}; cannot bound a market order`, {
        details: { coin },
      });
    }
  }
  return side === 'buy'
    ? ref.times(new Decimal(1).plus(rules.slippage))
    : ref.times(new Decimal(1).minus(rules.slippage));
}

function tifOf(order: OrderRequest): Tif {
  if (order.timeInForce === 'IOC') return 'Ioc';
  if (order.timeInForce === 'post-only') return 'Alo';
  return 'Gtc';
}

function required(value: Decimal | undefined, field: string): Decimal {
  if (value === undefined) {
    throw new ExchangeError('INVALID_PRICE', `order needs a ${field}`, { details: { field } });
  }
  return value;
}
