import { z } from 'zod';
import { type Decimal, ZERO } from './decimal.js';
import { OrderSideSchema, OrderTypeSchema, TimeInForceSchema } from './enums.js';
import { HlBotError, type HlBotErrorOptions } from './errors.js';
import {
  DecimalSchema,
  NonNegativeDecimalSchema,
  PositiveDecimalSchema,
  TimestampSchema,
  VenueTimestampSchema,
} from './schemas/decimal-schemas.js';
import {
  type AccountState,
  type Fill,
  type MarketPrice,
  type OrderRequest,
  SymbolSchema,
} from './schemas/domain.js';

const OrderIdSchema = z.string().min(1, 'must not be empty').max(256);

/**
 * Life-cycle status of an order as a venue reports it.
 *
 * `resting`: accepted and open (on the book, waiting for a trigger, or waiting for the next price);
 * `partially_filled`: open with some quantity filled; `filled`: done; `cancelled`: closed with the rest
 * unfilled (IOC remainder, user cancel, reduce-only or margin cancel, liquidation); `rejected`: refused.
 */
export const OrderStatusSchema = z.enum(['resting', 'filled', 'partially_filled', 'cancelled', 'rejected']);
export type OrderStatus = z.output<typeof OrderStatusSchema>;

/**
 * What `Exchange.placeOrder` resolves with. `filledQuantity` is what filled before the acknowledgement;
 * later fills arrive through `onFill`. An ack with status `rejected` is never a success: implementations
 * should throw an ExchangeError instead, and callers must treat both the same way.
 */
export const OrderAck = z
  .object({
    orderId: OrderIdSchema,
    clientOrderId: OrderIdSchema.optional(),
    status: OrderStatusSchema,
    filledQuantity: NonNegativeDecimalSchema,
    averagePrice: PositiveDecimalSchema.optional(),
    reason: z.string().min(1).max(2000).optional(),
  })
  .strict()
  .superRefine((ack, ctx) => {
    if (ack.filledQuantity.gt(0) && ack.averagePrice === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['averagePrice'],
        message: 'a filled quantity needs an averagePrice',
      });
    }
    if (ack.status === 'filled' && ack.filledQuantity.lte(0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['filledQuantity'],
        message: 'a filled order needs filledQuantity > 0',
      });
    }
  });
export type OrderAck = z.output<typeof OrderAck>;
export type OrderAckInput = z.input<typeof OrderAck>;

/** An order that is still open at the venue. `filledQuantity` < `quantity` always. */
export const OpenOrder = z
  .object({
    orderId: OrderIdSchema,
    clientOrderId: OrderIdSchema.optional(),
    symbol: SymbolSchema,
    side: OrderSideSchema,
    orderType: OrderTypeSchema,
    price: PositiveDecimalSchema.optional(),
    triggerPrice: PositiveDecimalSchema.optional(),
    quantity: PositiveDecimalSchema,
    filledQuantity: NonNegativeDecimalSchema.default(() => ZERO),
    reduceOnly: z.boolean(),
    timeInForce: TimeInForceSchema,
    createdAt: TimestampSchema,
  })
  .strict()
  .superRefine((order, ctx) => {
    if (order.filledQuantity.gte(order.quantity)) {
      ctx.addIssue({
        code: 'custom',
        path: ['filledQuantity'],
        message: 'an open order must have filledQuantity < quantity',
      });
    }
  });
export type OpenOrder = z.output<typeof OpenOrder>;
export type OpenOrderInput = z.input<typeof OpenOrder>;

/** A change of an order's status, pushed by the venue. Quantities are cumulative for the order. */
export const OrderUpdate = z
  .object({
    orderId: OrderIdSchema,
    clientOrderId: OrderIdSchema.optional(),
    symbol: SymbolSchema,
    status: OrderStatusSchema,
    filledQuantity: NonNegativeDecimalSchema,
    remainingQuantity: NonNegativeDecimalSchema,
    reason: z.string().min(1).max(2000).optional(),
    timestamp: VenueTimestampSchema,
  })
  .strict();
export type OrderUpdate = z.output<typeof OrderUpdate>;
export type OrderUpdateInput = z.input<typeof OrderUpdate>;

/**
 * One funding payment for one symbol, signed from the account's point of view: negative when the account
 * paid (a long while the rate is positive), positive when it received. `time` is the funding time (the hour
 * boundary), which with the symbol makes a payment unique.
 */
export const FundingPayment = z
  .object({
    symbol: SymbolSchema,
    amount: DecimalSchema,
    time: VenueTimestampSchema,
    rate: DecimalSchema.optional(),
    positionSize: DecimalSchema.optional(),
    price: PositiveDecimalSchema.optional(),
  })
  .strict();
export type FundingPayment = z.output<typeof FundingPayment>;
export type FundingPaymentInput = z.input<typeof FundingPayment>;

/** Stable codes of ExchangeError. Callers branch on these, never on messages. */
export const EXCHANGE_ERROR_CODES = [
  'ORDER_REJECTED',
  'INSUFFICIENT_MARGIN',
  'UNKNOWN_SYMBOL',
  'UNKNOWN_ORDER',
  'NO_MARKET_PRICE',
  'REDUCE_ONLY_VIOLATION',
  'POST_ONLY_WOULD_CROSS',
  'INVALID_PRICE',
  'INVALID_SIZE',
  'MIN_NOTIONAL',
  'INVALID_LEVERAGE',
  'DUPLICATE_CLIENT_ORDER_ID',
  /** The limit price is too far from the venue's reference (oracle/mark) price. */
  'PRICE_TOO_FAR_FROM_REFERENCE',
  /** The order's notional is above what the venue accepts in one order. */
  'ORDER_VALUE_TOO_LARGE',
  /** An IOC or market order found nothing to match against. */
  'NO_LIQUIDITY',
  /** The position would pass the size the margin tier allows at the current leverage. */
  'POSITION_SIZE_LIMIT',
  /** Not enough spot balance of the token the order spends. */
  'INSUFFICIENT_SPOT_BALANCE',
] as const;
export type ExchangeErrorCode = (typeof EXCHANGE_ERROR_CODES)[number];

/**
 * The same codes as a catalog object, `ExchangeErrorCode.NO_LIQUIDITY`, the shape every package's code catalog
 * has (`EngineErrorCode`, `PositionErrorCode`, `RiskCode`, `BudgetRefusalCode`).
 */
export const ExchangeErrorCode = Object.freeze(
  Object.fromEntries(EXCHANGE_ERROR_CODES.map((code) => [code, code])) as {
    readonly [K in ExchangeErrorCode]: K;
  },
);

/**
 * A venue refused a request. `code` is one of EXCHANGE_ERROR_CODES; `details` holds the numbers behind it.
 *
 * @example
 * try { await exchange.placeOrder(order); }
 * catch (e) { if (e instanceof ExchangeError && e.code === 'INSUFFICIENT_MARGIN') shrink(); else throw e; }
 */
export class ExchangeError extends HlBotError {
  declare readonly code: ExchangeErrorCode;

  constructor(code: ExchangeErrorCode, message: string, options: HlBotErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ExchangeError';
  }
}

/**
 * The port between a trading engine and a venue. The paper exchange and a real Hyperliquid client both
 * implement it; a TradingEngine holds one. All money, prices and sizes are Decimal.
 *
 * Contract:
 * - `placeOrder` resolves with an OrderAck when the venue accepted the order and rejects with an
 *   ExchangeError only when the order is definitely not live (refused, or never placed); any other error
 *   means the order may be live, and whoever placed it must keep counting it until its fate is known.
 * - Fills, order updates and open orders carry the `clientOrderId` the order was placed with, exactly as
 *   given (the adapter maps the venue's ids back), so callers key orders by their own ids. Fills, including those of an order that filled at once, are
 *   delivered through `onFill` (exactly once per fill id); `onOrderUpdate` reports every status change.
 * - Listeners are called synchronously in registration order; a throwing listener does not stop the others.
 * - Every `on*` method returns its unsubscribe function.
 *
 * @example
 * const stop = exchange.onFill((fill) => tracker.updateFromFill(fill));
 * const ack = await exchange.placeOrder(OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy',
 *   orderType: 'limit', price: '60000', quantity: '0.01' }));
 */
export interface Exchange {
  /** Venue name for logs and audit (`"paper"`, `"hyperliquid"`). */
  readonly name: string;
  /**
   * `notAfter` (ms since the epoch, `Date.now()`'s clock): the venue must not accept the order after it (a
   * venue with signed expiry, as Hyperliquid's `expiresAfter`, is told so; others may ignore it). A trading
   * engine sets it to when the shared risk budget stops counting the order on this bot's lease alone. An
   * order whose `notAfter` passed before it could be sent is refused unsent (ExchangeError).
   * @throws {ExchangeError} when the venue refuses the order.
   */
  placeOrder(order: OrderRequest, opts?: { clientOrderId?: string; notAfter?: number }): Promise<OrderAck>;
  /** Resolves true when the order was open and is now cancelled, false when it was not open. */
  cancelOrder(symbol: string, orderId: string): Promise<boolean>;
  /** Cancels every open order (of one symbol when given); resolves with how many were cancelled. */
  cancelAllOrders(opts?: { symbol?: string; reason?: string }): Promise<number>;
  getOpenOrders(symbol?: string): Promise<OpenOrder[]>;
  /**
   * The venue's view of one order by the client order id it was placed with: its latest status, or
   * undefined when the venue has no such order. Settles orders whose outcome was lost (a timeout, a
   * dropped connection). @throws when the venue cannot be asked (the order's fate stays unknown)
   */
  getOrderStatus?(clientOrderId: string, symbol: string): Promise<OrderUpdate | undefined>;
  getAccountState(): Promise<AccountState>;
  /** @throws {ExchangeError} `UNKNOWN_SYMBOL` or `NO_MARKET_PRICE`. */
  getMarketPrice(symbol: string): Promise<MarketPrice>;
  onFill(listener: (fill: Fill) => void): () => void;
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void;
  onPrice(listener: (price: MarketPrice) => void): () => void;
  /**
   * The venue's own reference prices of a symbol (its mark and oracle price), when it streams them; feed
   * each to risk's `updateReferencePrices`, so no order is priced far from what the venue itself measures
   * against (it refuses orders too far from its reference price).
   */
  onReferencePrice?(
    listener: (ref: { symbol: string; markPrice: Decimal; oraclePrice: Decimal; timestamp: number }) => void,
  ): () => void;
  /** Funding payments, when the venue pushes them; feed each to the position tracker's applyFunding. */
  onFunding?(listener: (payment: FundingPayment) => void): () => void;
  /**
   * Something the venue sent that the adapter could not apply (a fill it cannot read): its view may now be
   * incomplete, so a trading engine trips the circuit breaker (fail closed) while the adapter fetches the
   * data again. Ordinary reconnects are not faults.
   */
  onFault?(listener: (error: Error) => void): () => void;
  /**
   * Money moved in or out of the account (deposits +, withdrawals and transfers out −), when the venue
   * reports it; feed each to risk's `recordCashFlow`, so it never counts as trading P&L. `id`, when given,
   * is the change's stable identity (the same when the venue sends it again after a restart), so risk
   * applies it once.
   */
  onLedgerUpdate?(
    listener: (change: {
      amount: Decimal;
      time: number;
      kind: string;
      nonCash: boolean;
      id?: string;
    }) => void,
  ): () => void;
  /**
   * Fetches the ledger changes the venue holds now and resolves once each new one was handed to the
   * `onLedgerUpdate` listeners. A trading engine calls it after an account read that would latch REDUCING:
   * every deposit and withdrawal the read holds then reaches risk before the read does, however late the
   * venue's push (a withdrawal the read already shows would otherwise look like a loss of its amount).
   */
  syncLedger?(): Promise<void>;
}
