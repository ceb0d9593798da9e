import { types } from 'node:util';
import { type Decimal, type OrderRequest, toDecimal } from '@hl-bot/core-types';
import { isPositive } from './decimal-compare.js';

// The same rules as core-types' OrderRequest schema, restated for the common case only.
const SYMBOL = /^[A-Za-z0-9@:._/-]+$/;
const ORDER_TYPES = new Set(['market', 'limit', 'stop-market', 'stop-limit', 'take-profit']);
const NEEDS_PRICE = new Set(['limit', 'stop-limit']);
const NEEDS_TRIGGER = new Set(['stop-market', 'stop-limit', 'take-profit']);
const TIME_IN_FORCE = new Set(['GTC', 'IOC', 'post-only']);
const KEYS = new Set([
  'symbol',
  'side',
  'orderType',
  'quantity',
  'price',
  'triggerPrice',
  'reduceOnly',
  'timeInForce',
  'clientOrderId',
]);

type MutableOrder = { -readonly [K in keyof OrderRequest]: OrderRequest[K] };

/** A decimal > 0 as the schema's PositiveDecimalSchema gives it, or undefined for anything else. */
function positive(value: unknown): Decimal | undefined {
  const d = toDecimal(value);
  return isPositive(d) ? d : undefined;
}

/**
 * Parses an order on the hot path without zod's per-call allocations, for the common shape only: a plain
 * object (not a proxy) with nothing but known keys, each read exactly once, and values the OrderRequest
 * schema accepts. Returns exactly what `OrderRequest.parse` returns (same keys, order and values), or
 * undefined whenever the input is anything else, valid or not: the caller then runs the schema itself,
 * so every rejection and its message still come from the schema.
 */
export function fastParseOrder(input: unknown): OrderRequest | undefined {
  try {
    if (typeof input !== 'object' || input === null) return undefined;
    if (types.isProxy(input) || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
    for (const key in input) if (!KEYS.has(key)) return undefined;
    const o = input as Record<string, unknown>;

    const symbol = o.symbol;
    if (typeof symbol !== 'string' || symbol.length < 1 || symbol.length > 64 || !SYMBOL.test(symbol))
      return undefined;
    const side = o.side;
    if (side !== 'buy' && side !== 'sell') return undefined;
    const orderType = o.orderType;
    if (typeof orderType !== 'string' || !ORDER_TYPES.has(orderType)) return undefined;
    const quantity = positive(o.quantity);
    if (quantity === undefined) return undefined;

    // An optional key that is present but undefined is kept by the schema: leave that rare case to it.
    const rawPrice = o.price;
    if (rawPrice === undefined && 'price' in o) return undefined;
    const price = rawPrice === undefined ? undefined : positive(rawPrice);
    if (rawPrice !== undefined && price === undefined) return undefined;
    const rawTrigger = o.triggerPrice;
    if (rawTrigger === undefined && 'triggerPrice' in o) return undefined;
    const triggerPrice = rawTrigger === undefined ? undefined : positive(rawTrigger);
    if (rawTrigger !== undefined && triggerPrice === undefined) return undefined;

    const rawReduceOnly = o.reduceOnly;
    if (rawReduceOnly === undefined ? 'reduceOnly' in o : typeof rawReduceOnly !== 'boolean')
      return undefined;
    const rawTif = o.timeInForce;
    if (rawTif === undefined ? 'timeInForce' in o : typeof rawTif !== 'string' || !TIME_IN_FORCE.has(rawTif))
      return undefined;
    const clientOrderId = o.clientOrderId;
    if (clientOrderId === undefined) {
      if ('clientOrderId' in o) return undefined;
    } else if (typeof clientOrderId !== 'string' || clientOrderId.length < 1 || clientOrderId.length > 256) {
      return undefined;
    }

    if (NEEDS_PRICE.has(orderType) && price === undefined) return undefined;
    if (NEEDS_TRIGGER.has(orderType) && triggerPrice === undefined) return undefined;

    // Same key order as the schema's output: shape order, absent optional keys left out.
    const out = { symbol, side, orderType, quantity } as MutableOrder;
    if (price !== undefined) out.price = price;
    if (triggerPrice !== undefined) out.triggerPrice = triggerPrice;
    out.reduceOnly = rawReduceOnly === true;
    out.timeInForce = (rawTif ?? 'GTC') as OrderRequest['timeInForce'];
    if (clientOrderId !== undefined) out.clientOrderId = clientOrderId;
    return out;
  } catch {
    // A throwing getter or a malformed decimal: the schema decides and words the rejection.
    return undefined;
  }
}
