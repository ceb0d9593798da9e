import { z } from 'zod';
import { ZERO } from '../decimal.js';
import {
  LiquiditySchema,
  MarketKindSchema,
  OrderSideSchema,
  OrderTypeSchema,
  PositionSideSchema,
  TimeInForceSchema,
} from '../enums.js';
import { SYMBOL_MAX_LENGTH, SYMBOL_PATTERN } from '../symbol.js';
import {
  DecimalSchema,
  NonNegativeDecimalSchema,
  PositiveDecimalSchema,
  TimestampSchema,
  VenueTimestampSchema,
} from './decimal-schemas.js';

/** Trading symbol in the project's form, e.g. `BTC-USD` (perp) or `PURR-USDC` (spot). */
export const SymbolSchema = z
  .string()
  .min(1, 'symbol must not be empty')
  .max(SYMBOL_MAX_LENGTH)
  .regex(SYMBOL_PATTERN, 'symbol has characters outside [A-Za-z0-9@:._/-]');

const IdSchema = z.string().min(1, 'must not be empty').max(256);

const ORDER_TYPES_WITH_PRICE = new Set(['limit', 'stop-limit']);
const ORDER_TYPES_WITH_TRIGGER = new Set(['stop-market', 'stop-limit', 'take-profit']);

/**
 * An order a strategy wants to send. Quantity and prices must be positive; limit and stop-limit orders
 * need a price, stop and take-profit orders a trigger price.
 */
export const OrderRequest = z
  .object({
    symbol: SymbolSchema,
    side: OrderSideSchema,
    orderType: OrderTypeSchema,
    quantity: PositiveDecimalSchema,
    price: PositiveDecimalSchema.optional(),
    triggerPrice: PositiveDecimalSchema.optional(),
    reduceOnly: z.boolean().default(false),
    timeInForce: TimeInForceSchema.default('GTC'),
    clientOrderId: IdSchema.optional(),
  })
  .strict()
  .superRefine((order, ctx) => {
    if (ORDER_TYPES_WITH_PRICE.has(order.orderType) && order.price === undefined) {
      ctx.addIssue({ code: 'custom', path: ['price'], message: `a ${order.orderType} order needs a price` });
    }
    if (ORDER_TYPES_WITH_TRIGGER.has(order.orderType) && order.triggerPrice === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['triggerPrice'],
        message: `a ${order.orderType} order needs a triggerPrice`,
      });
    }
  });
export type OrderRequest = z.output<typeof OrderRequest>;
export type OrderRequestInput = z.input<typeof OrderRequest>;

/** The liquidation a fill belongs to, as the venue reports it. */
export const FillLiquidation = z
  .object({
    liquidatedUser: z.string().min(1).max(64).optional(),
    markPx: DecimalSchema,
    method: z.string().min(1).max(32),
  })
  .strict();
export type FillLiquidation = z.output<typeof FillLiquidation>;

/**
 * One execution reported by a venue. `fee` may be negative (a maker rebate). `feeCurrency` defaults to the
 * quote currency; on spot a fee in the base asset reduces the quantity received. `closedPnl` is the
 * venue's own gross realized P&L for this fill, when it reports one.
 */
export const Fill = z
  .object({
    id: IdSchema,
    orderId: IdSchema,
    symbol: SymbolSchema,
    side: OrderSideSchema,
    quantity: PositiveDecimalSchema,
    price: PositiveDecimalSchema,
    fee: DecimalSchema.default(() => ZERO),
    feeCurrency: z.string().min(1).max(32).optional(),
    timestamp: VenueTimestampSchema.optional(),
    liquidity: LiquiditySchema.optional(),
    closedPnl: DecimalSchema.optional(),
    marketKind: MarketKindSchema.optional(),
    clientOrderId: IdSchema.optional(),
    /** The venue's direction label (`Open Long`, `Close Short`, `Long > Short`, `Liquidated Long`, ...). */
    dir: z.string().min(1).max(64).optional(),
    /** The venue's signed position in the symbol just before this fill: checked against the tracker. */
    startPosition: DecimalSchema.optional(),
    /** The part of `fee` paid to a builder (already included in `fee`). */
    builderFee: DecimalSchema.optional(),
    /** The TWAP order this fill is a slice of. */
    twapId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    /** Present when the fill is a liquidation: a risk event, never an ordinary trade. */
    liquidation: FillLiquidation.optional(),
  })
  .strict();
export type Fill = z.output<typeof Fill>;
export type FillInput = z.input<typeof Fill>;

/** A position as risk checks and reports see it. */
export const PositionSnapshot = z
  .object({
    symbol: SymbolSchema,
    side: PositionSideSchema,
    quantity: PositiveDecimalSchema,
    entryPrice: PositiveDecimalSchema,
    signedQuantity: DecimalSchema.optional(),
    markPrice: PositiveDecimalSchema.optional(),
    unrealizedPnl: DecimalSchema.optional(),
    realizedPnl: DecimalSchema.optional(),
    fees: DecimalSchema.optional(),
    funding: DecimalSchema.optional(),
    netRealizedPnl: DecimalSchema.optional(),
    maxAdverseExcursion: DecimalSchema.optional(),
    maxFavorableExcursion: DecimalSchema.optional(),
    openedAt: TimestampSchema.optional(),
    updatedAt: TimestampSchema.optional(),
    fillCount: z.number().int().nonnegative().optional(),
    peakQuantity: PositiveDecimalSchema.optional(),
  })
  .strict();
export type PositionSnapshot = z.output<typeof PositionSnapshot>;
export type PositionSnapshotInput = z.input<typeof PositionSnapshot>;

/** A position that went back to flat: one round trip, the unit of trade statistics. */
export const ClosedPosition = z
  .object({
    symbol: SymbolSchema,
    side: PositionSideSchema,
    quantity: PositiveDecimalSchema,
    peakQuantity: PositiveDecimalSchema,
    entryPrice: PositiveDecimalSchema,
    exitPrice: PositiveDecimalSchema,
    realizedPnl: DecimalSchema,
    fees: DecimalSchema,
    funding: DecimalSchema,
    netRealizedPnl: DecimalSchema,
    maxAdverseExcursion: DecimalSchema,
    maxFavorableExcursion: DecimalSchema,
    openedAt: TimestampSchema,
    closedAt: TimestampSchema,
    durationMs: z.number().int().nonnegative(),
    fillCount: z.number().int().positive(),
  })
  .strict();
export type ClosedPosition = z.output<typeof ClosedPosition>;
export type ClosedPositionInput = z.input<typeof ClosedPosition>;

/** Account balances as reported by a venue or the paper exchange. */
export const AccountState = z
  .object({
    balance: DecimalSchema,
    equity: DecimalSchema,
    marginUsed: NonNegativeDecimalSchema.default(() => ZERO),
    timestamp: TimestampSchema,
  })
  .strict();
export type AccountState = z.output<typeof AccountState>;
export type AccountStateInput = z.input<typeof AccountState>;

/** The latest traded or mark price of a symbol. */
export const MarketPrice = z
  .object({
    symbol: SymbolSchema,
    price: PositiveDecimalSchema,
    timestamp: TimestampSchema,
  })
  .strict();
export type MarketPrice = z.output<typeof MarketPrice>;
export type MarketPriceInput = z.input<typeof MarketPrice>;
