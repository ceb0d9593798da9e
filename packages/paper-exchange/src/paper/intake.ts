import { ExchangeError, type OrderAck, OrderRequest, validatedOrParse, ZERO } from '@hl-bot/core-types';
import { checkPrice, checkSize } from '../instruments.js';
import { instrument, type PaperCore, type SimOrder } from './core.js';
import { freeMargin, orderMarginRequirement } from './margin.js';
import { takeLiquidity } from './matching.js';
import { ackOf, emitUpdate } from './orders.js';

/**
 * Order intake: parse and check an order against the venue's rules (tick, lot, minimum notional, reduce-only,
 * post-only, margin, duplicate client id), then open it. Taker orders wait for the next bar's open, or
 * take at once at the last close with `fillMarketOrdersAt: 'last-close'`.
 *
 * @throws {ExchangeError} `UNKNOWN_SYMBOL`, `INVALID_PRICE`, `INVALID_SIZE`, `MIN_NOTIONAL`,
 *   `NO_MARKET_PRICE`, `REDUCE_ONLY_VIOLATION`, `POST_ONLY_WOULD_CROSS`, `INSUFFICIENT_MARGIN`,
 *   `DUPLICATE_CLIENT_ORDER_ID`, `ORDER_REJECTED` (malformed request).
 */
export function placeOrder(core: PaperCore, order: OrderRequest, opts: { clientOrderId?: string }): OrderAck {
  let req: OrderRequest;
  try {
    // An order the engine parsed at its boundary is taken as it is; a caller's own is parsed here.
    req = validatedOrParse(OrderRequest, order, 'order');
  } catch (error) {
    throw new ExchangeError('ORDER_REJECTED', (error as Error).message, { cause: error });
  }
  const clientOrderId = opts.clientOrderId ?? req.clientOrderId;
  if (clientOrderId !== undefined && (clientOrderId.length === 0 || clientOrderId.length > 256)) {
    throw new ExchangeError('ORDER_REJECTED', 'clientOrderId must be 1 to 256 characters', {
      details: { clientOrderId: clientOrderId.slice(0, 64) },
    });
  }
  const { symbol } = req;
  const inst = instrument(core, symbol);
  const details = { symbol, side: req.side, orderType: req.orderType, quantity: req.quantity.toString() };
  if (clientOrderId !== undefined) {
    for (const o of core.orders.values()) {
      if (o.clientOrderId === clientOrderId) {
        throw new ExchangeError(
          'DUPLICATE_CLIENT_ORDER_ID',
          `clientOrderId ${clientOrderId} is already open`,
          {
            details: { ...details, clientOrderId },
          },
        );
      }
    }
  }
  checkSize(symbol, inst, req.quantity);
  if (req.price !== undefined) checkPrice(symbol, inst, req.price, 'price');
  if (req.triggerPrice !== undefined) checkPrice(symbol, inst, req.triggerPrice, 'triggerPrice');
  const mark = core.marks.get(symbol);
  const isTrigger =
    req.orderType === 'stop-market' || req.orderType === 'stop-limit' || req.orderType === 'take-profit';
  // Without a last price nothing says whether a limit would cross or a trigger is already past: fail closed.
  if (mark === undefined) {
    throw new ExchangeError('NO_MARKET_PRICE', `no price for ${symbol} yet: feed a bar before ordering`, {
      details,
    });
  }
  const refPrice = (isTrigger ? req.triggerPrice : req.price) ?? mark;
  const position = core.positions.get(symbol)?.size ?? ZERO;
  if (req.reduceOnly) {
    if (position.isZero() || position.gt(0) === (req.side === 'buy')) {
      throw new ExchangeError('REDUCE_ONLY_VIOLATION', 'Reduce only order would increase position.', {
        details: { ...details, position: position.toString() },
      });
    }
  } else {
    const notional = req.quantity.times(refPrice);
    if (notional.lt(inst.minNotional)) {
      throw new ExchangeError('MIN_NOTIONAL', `Order must have minimum value of $${inst.minNotional}.`, {
        details: { ...details, notional: notional.toString(), minNotional: inst.minNotional.toString() },
      });
    }
  }
  const crosses =
    req.orderType === 'limit' &&
    req.price !== undefined &&
    (req.side === 'buy' ? req.price.gte(mark) : req.price.lte(mark));
  if (req.orderType === 'limit' && req.timeInForce === 'post-only' && crosses) {
    throw new ExchangeError(
      'POST_ONLY_WOULD_CROSS',
      `Post only order would have immediately matched, last price ${mark}`,
      {
        details: { ...details, price: req.price?.toString(), lastPrice: mark.toString() },
      },
    );
  }
  if (!req.reduceOnly) {
    const taker = req.orderType !== 'limit' || req.timeInForce !== 'post-only';
    const required = orderMarginRequirement(core, symbol, req.side, req.quantity, refPrice, taker);
    const free = freeMargin(core, undefined);
    if (required.gt(free)) {
      throw new ExchangeError('INSUFFICIENT_MARGIN', 'Insufficient margin to place order.', {
        details: { ...details, required: required.toString(), available: free.toString() },
      });
    }
  }

  const stage: SimOrder['stage'] = isTrigger
    ? 'trigger'
    : req.orderType === 'market' || req.timeInForce === 'IOC' || (crosses && req.timeInForce === 'GTC')
      ? 'pending'
      : 'resting';
  core.orderSeq++;
  const sim: SimOrder = {
    seq: core.orderSeq,
    orderId: `paper-${core.orderSeq}`,
    clientOrderId,
    symbol,
    side: req.side,
    orderType: req.orderType,
    price: req.price,
    triggerPrice: req.triggerPrice,
    quantity: req.quantity,
    reduceOnly: req.reduceOnly,
    timeInForce: req.timeInForce,
    createdAt: core.clock.now(),
    filled: ZERO,
    notional: ZERO,
    stage,
  };
  core.orders.set(sim.orderId, sim);
  emitUpdate(core, sim, 'resting', undefined, sim.createdAt);
  // Placed from a listener while a bar is processed: the bar's close is not the last price yet, so the order
  // waits for the next open like in 'next-open' mode.
  if (stage === 'pending' && core.settings.fillMode === 'last-close' && core.barSeq === undefined) {
    takeLiquidity(core, sim, mark, sim.createdAt);
  }
  core.listeners.flush();
  return ackOf(core, sim);
}
