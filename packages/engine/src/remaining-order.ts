import type { OpenOrder, OrderRequestInput } from '@hl-bot/core-types';

/**
 * What of a venue's open order can still fill, as an order for risk to count: the same order with the
 * unfilled quantity. Used wherever an order the engine did not send is adopted (reconciliation, start-up).
 * @example
 * risk.adoptWorkingOrder(remainingOrder(open), open.clientOrderId ?? open.orderId);
 */
export function remainingOrder(o: OpenOrder): OrderRequestInput {
  return {
    symbol: o.symbol,
    side: o.side,
    orderType: o.orderType,
    quantity: o.quantity.minus(o.filledQuantity),
    ...(o.price === undefined ? {} : { price: o.price }),
    ...(o.triggerPrice === undefined ? {} : { triggerPrice: o.triggerPrice }),
    reduceOnly: o.reduceOnly,
    timeInForce: o.timeInForce,
    ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
  };
}
