import { type Clock, ExchangeError, OrderAck, OrderRequest, parseOrThrow, ZERO } from '@hl-bot/core-types';
import type { OrderWire } from './actions.js';
import type { AssetCatalog } from './assets.js';
import type { ClientOrderIds } from './client-order-ids.js';
import { randomCloid } from './cloid.js';
import {
  HyperliquidActionError,
  HyperliquidClientError,
  HyperliquidHttpError,
  OrderStateUnknownError,
  UnrepresentableNumberError,
} from './errors.js';
import type { OrderResult } from './exchange-actions.js';
import { mapOrderStatus } from './fills.js';
import type { InfoReads } from './info.js';
import type { OrderStatusResponse } from './info-schemas.js';
import { type OrderWireRules, toOrderWire } from './order-request-wire.js';
import type { Reporter } from './reporter.js';
import { type SafeSubmitDeps, submitSafely } from './safe-submit.js';
import { venueError } from './venue-errors.js';

export interface OrderPlacementDeps extends SafeSubmitDeps {
  assets: AssetCatalog;
  ids: ClientOrderIds;
  reads: InfoReads;
  reporter: Reporter;
  clock: Clock;
  rules: OrderWireRules;
}

/**
 * Places one order (the Exchange port's `placeOrder`): the order is turned into its wire form, sent through
 * the no-blind-resend protocol (safe-submit.ts), and the venue's answer becomes the port's ack. Only a
 * definite "not placed" is an ExchangeError; anything that may be live is another error.
 */
export async function placeOrder(
  input: OrderRequest,
  opts: { clientOrderId?: string; notAfter?: number },
  d: OrderPlacementDeps,
): Promise<OrderAck> {
  const order = parseOrThrow(OrderRequest, input, 'order');
  const notAfter = opts.notAfter === undefined ? undefined : Math.floor(opts.notAfter);
  if (notAfter !== undefined && !(Number.isSafeInteger(notAfter) && notAfter > 0)) {
    throw new ExchangeError('ORDER_REJECTED', `notAfter must be a time in ms, not ${String(opts.notAfter)}`);
  }
  const clientOrderId = opts.clientOrderId ?? order.clientOrderId;
  const cloid = clientOrderId === undefined ? randomCloid() : d.ids.remember(clientOrderId);
  const ackId = clientOrderId ?? cloid;
  const asset = await d.assets.asset(order.symbol);
  let wire: OrderWire;
  try {
    wire = await toOrderWire(order, asset, cloid, d.rules);
  } catch (error) {
    throw error instanceof UnrepresentableNumberError
      ? new ExchangeError(
          error.code === 'HL_INVALID_SIZE' ? 'INVALID_SIZE' : 'INVALID_PRICE',
          error.message,
          {
            details: error.details,
            cause: error,
          },
        )
      : error;
  }
  // Order lifecycle facts (submitted, accepted, rejected, cancelled) belong to the caller that routes the
  // order (the engine); this client audits only what it alone sees: failed attempts and transport errors.
  const startedAt = d.clock.now();
  let ack: OrderAck;
  try {
    const outcome = await submitSafely(wire, cloid, d, notAfter);
    ack =
      outcome.kind === 'status'
        ? await ackFromStatus(outcome.response, order, ackId, cloid, startedAt, d.reads)
        : ackFromResult(outcome, order, ackId, cloid);
  } catch (error) {
    if (error instanceof ExchangeError) throw error;
    await d.reporter.recordError(error, `placing ${order.symbol} ${order.side} order ${ackId}`);
    // A refusal of the whole action, a 4xx or a request never sent is a definite "not placed": reported as
    // an ExchangeError, the only error the Exchange port defines as such. Anything else may be live.
    const definite =
      error instanceof HyperliquidActionError ||
      error instanceof HyperliquidClientError ||
      (error instanceof HyperliquidHttpError && !error.transient);
    if (!definite) throw error;
    throw new ExchangeError('ORDER_REJECTED', (error as Error).message, {
      cause: error,
      details: { cloid, venueCode: (error as HyperliquidActionError).code },
    });
  }
  if (/^\d+$/.test(ack.orderId)) d.ids.link(ack.orderId, ackId);
  return ack;
}

function ackFromResult(result: OrderResult, order: OrderRequest, ackId: string, cloid: string): OrderAck {
  switch (result.kind) {
    case 'error':
      throw result.error;
    case 'resting':
      return OrderAck.parse({
        orderId: String(result.oid),
        clientOrderId: ackId,
        status: 'resting',
        filledQuantity: ZERO,
      });
    case 'filled': {
      const complete = result.totalSz.gte(order.quantity);
      const ioc = order.orderType === 'market' || order.timeInForce === 'IOC';
      return OrderAck.parse({
        orderId: String(result.oid),
        clientOrderId: ackId,
        status: complete ? 'filled' : ioc ? 'cancelled' : 'partially_filled',
        filledQuantity: result.totalSz,
        averagePrice: result.avgPx,
      });
    }
    default:
      // Children of a TP/SL group carry no oid until they trigger; the cloid identifies them.
      return OrderAck.parse({
        orderId: cloid,
        clientOrderId: ackId,
        status: 'resting',
        filledQuantity: ZERO,
      });
  }
}

/** The ack of an order the venue knew after a failed submission: filled quantities come from its fills. */
async function ackFromStatus(
  status: OrderStatusResponse & { status: 'order' },
  order: OrderRequest,
  ackId: string,
  cloid: string,
  since: number,
  reads: InfoReads,
): Promise<OrderAck> {
  const o = status.order.order;
  const filled = o.origSz.gt(o.sz)
    ? o.origSz.minus(o.sz)
    : status.order.status === 'filled'
      ? o.origSz
      : ZERO;
  const mapped = mapOrderStatus(status.order.status, filled);
  if (mapped === 'rejected' || mapped === undefined) {
    throw venueError(status.order.status, { cloid, oid: o.oid });
  }
  if (filled.isZero()) {
    return OrderAck.parse({
      orderId: String(o.oid),
      clientOrderId: ackId,
      status: mapped,
      filledQuantity: ZERO,
    });
  }
  const fills = (await reads.userFillsByTime({ startTime: since - 60_000 })).filter((f) => f.oid === o.oid);
  const qty = fills.reduce((acc, f) => acc.plus(f.sz), ZERO);
  if (qty.isZero()) {
    throw new OrderStateUnknownError(
      `order ${cloid} (oid ${o.oid}) is ${status.order.status} with ${filled.toFixed()} filled, but its fills are not visible yet`,
      { details: { cloid, oid: o.oid, symbol: order.symbol } },
    );
  }
  const avg = fills.reduce((acc, f) => acc.plus(f.sz.times(f.px)), ZERO).div(qty);
  return OrderAck.parse({
    orderId: String(o.oid),
    clientOrderId: ackId,
    status: mapped,
    filledQuantity: qty,
    averagePrice: avg,
  });
}
