import { type Decimal, toDecimal, VENUE_TIME_WINDOW } from '@hl-bot/core-types';
import { z } from 'zod';
import { CloidSchema } from './actions.js';

/**
 * Zod schemas of `POST /info` responses. Input types are the wire JSON (decimals as strings), output
 * types carry Decimals. Objects pass unknown keys through: the venue adds fields over time, and a new
 * field must not stop a trading bot; a missing or malformed known field does.
 */

/** A decimal the venue sends as a JSON string. */
export const HlDecimal = z.string().transform((value, ctx): Decimal => {
  try {
    return toDecimal(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'not a decimal' });
    return z.NEVER;
  }
});
/** A decimal some endpoints send as a string and others as a number (candles). */
const HlLooseDecimal = z.union([z.string(), z.number()]).transform((value, ctx): Decimal => {
  try {
    return toDecimal(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'not a decimal' });
    return z.NEVER;
  }
});
const Int = z.number().int();
const Time = z.number().int().nonnegative();
const Oid = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);

export const PerpAssetInfoSchema = z
  .object({
    name: z.string().min(1),
    szDecimals: z.number().int().min(0).max(8),
    maxLeverage: z.number().int().positive(),
    marginTableId: z.number().int().optional(),
    onlyIsolated: z.boolean().optional(),
    isDelisted: z.boolean().optional(),
    /** `strictIsolated` (a HIP-3 dex's assets) or `noCross`: no cross margin on the asset. */
    marginMode: z.string().max(40).optional(),
  })
  .passthrough();
export type PerpAssetInfo = z.output<typeof PerpAssetInfoSchema>;

export const MetaResponseSchema = z
  .object({ universe: z.array(PerpAssetInfoSchema), marginTables: z.array(z.unknown()).optional() })
  .passthrough();
export type MetaResponse = z.output<typeof MetaResponseSchema>;

export const AllMidsResponseSchema = z.record(z.string(), HlDecimal);
export type AllMidsResponse = z.output<typeof AllMidsResponseSchema>;

const MarginSummarySchema = z
  .object({
    accountValue: HlDecimal,
    totalNtlPos: HlDecimal,
    totalRawUsd: HlDecimal,
    totalMarginUsed: HlDecimal,
  })
  .passthrough();

export const AssetPositionSchema = z
  .object({
    type: z.string(),
    position: z
      .object({
        coin: z.string(),
        szi: HlDecimal,
        leverage: z.union([
          z.object({ type: z.literal('cross'), value: z.number() }).passthrough(),
          z.object({ type: z.literal('isolated'), value: z.number(), rawUsd: HlDecimal }).passthrough(),
        ]),
        entryPx: HlDecimal,
        positionValue: HlDecimal,
        unrealizedPnl: HlDecimal,
        returnOnEquity: HlDecimal,
        liquidationPx: HlDecimal.nullable(),
        marginUsed: HlDecimal,
        maxLeverage: z.number(),
        cumFunding: z
          .object({ allTime: HlDecimal, sinceOpen: HlDecimal, sinceChange: HlDecimal })
          .passthrough(),
      })
      .passthrough(),
  })
  .passthrough();
export type AssetPosition = z.output<typeof AssetPositionSchema>;

export const ClearinghouseStateResponseSchema = z
  .object({
    marginSummary: MarginSummarySchema,
    crossMarginSummary: MarginSummarySchema,
    crossMaintenanceMarginUsed: HlDecimal,
    withdrawable: HlDecimal,
    assetPositions: z.array(AssetPositionSchema),
    time: Time,
  })
  .passthrough();
export type ClearinghouseStateResponse = z.output<typeof ClearinghouseStateResponseSchema>;

export const SideSchema = z.enum(['B', 'A']);

export const OpenOrderWireSchema = z
  .object({
    coin: z.string(),
    side: SideSchema,
    limitPx: HlDecimal,
    sz: HlDecimal,
    oid: Oid,
    timestamp: Time,
    origSz: HlDecimal,
    cloid: CloidSchema.nullable().optional(),
    reduceOnly: z.boolean().optional(),
  })
  .passthrough();
export type OpenOrderWire = z.output<typeof OpenOrderWireSchema>;
/**
 * `openOrders` elements. Unlike every other order shape, the venue leaves out `origSz` here (the docs'
 * current example and the SDK's recordings alike), so it is optional.
 */
export const BasicOpenOrderSchema = OpenOrderWireSchema.extend({
  origSz: HlDecimal.optional(),
}).passthrough();
export type BasicOpenOrder = z.output<typeof BasicOpenOrderSchema>;
export const OpenOrdersResponseSchema = z.array(BasicOpenOrderSchema);

export const FrontendOpenOrderSchema = OpenOrderWireSchema.extend({
  orderType: z.string(),
  tif: z.string().nullable().optional(),
  isTrigger: z.boolean(),
  triggerPx: HlDecimal,
  triggerCondition: z.string(),
  isPositionTpsl: z.boolean(),
  reduceOnly: z.boolean(),
  children: z.array(z.unknown()).optional(),
}).passthrough();
export type FrontendOpenOrder = z.output<typeof FrontendOpenOrderSchema>;
export const FrontendOpenOrdersResponseSchema = z.array(FrontendOpenOrderSchema);

/** The liquidation a fill belongs to (`markPx` is a number in the docs' types, a string in some answers). */
export const FillLiquidationWireSchema = z
  .object({
    liquidatedUser: z.string().optional(),
    markPx: HlLooseDecimal,
    method: z.string().min(1),
  })
  .passthrough();

/**
 * A fill time a venue can send (core-types VENUE_TIME_WINDOW). Checked here, before the fill reaches the
 * deduper: a far-future time would otherwise become the backfill cursor and the pruning horizon.
 */
const FillTime = Time.refine(
  (ms) => ms <= Date.now() + VENUE_TIME_WINDOW.maxAheadMs,
  'fill time is more than a day ahead of this machine',
);

export const UserFillSchema = z
  .object({
    coin: z.string(),
    px: HlDecimal,
    sz: HlDecimal,
    side: SideSchema,
    time: FillTime,
    startPosition: HlDecimal,
    dir: z.string(),
    closedPnl: HlDecimal,
    hash: z.string(),
    oid: Oid,
    crossed: z.boolean(),
    fee: HlDecimal,
    tid: Oid,
    feeToken: z.string(),
    builderFee: HlDecimal.optional(),
    cloid: CloidSchema.nullable().optional(),
    liquidation: FillLiquidationWireSchema.nullable().optional(),
    twapId: Oid.nullable().optional(),
  })
  .passthrough();
export type UserFill = z.output<typeof UserFillSchema>;
export const UserFillsResponseSchema = z.array(UserFillSchema);

export const L2LevelSchema = z.object({ px: HlDecimal, sz: HlDecimal, n: Int.nonnegative() }).passthrough();
export const L2BookResponseSchema = z
  .object({ coin: z.string(), time: Time, levels: z.tuple([z.array(L2LevelSchema), z.array(L2LevelSchema)]) })
  .passthrough();
export type L2BookResponse = z.output<typeof L2BookResponseSchema>;

export const CandleSchema = z
  .object({
    t: Time,
    T: Time,
    s: z.string(),
    i: z.string(),
    o: HlLooseDecimal,
    c: HlLooseDecimal,
    h: HlLooseDecimal,
    l: HlLooseDecimal,
    v: HlLooseDecimal,
    n: Int.nonnegative(),
  })
  .passthrough();
export type Candle = z.output<typeof CandleSchema>;
export const CandleSnapshotResponseSchema = z.array(CandleSchema);

/** Status strings of `orderStatus`; unknown future strings are kept as plain strings. */
export const ORDER_STATUS_STRINGS = [
  'open',
  'filled',
  'canceled',
  'triggered',
  'rejected',
  'marginCanceled',
  'scheduledCancel',
  'reduceOnlyCanceled',
  'selfTradeCanceled',
  'siblingFilledCanceled',
  'liquidatedCanceled',
  'tickRejected',
  'minTradeNtlRejected',
  'perpMarginRejected',
  'badAloPxRejected',
  'iocCancelRejected',
] as const;

export const OrderStatusResponseSchema = z.union([
  z
    .object({
      status: z.literal('order'),
      order: z
        .object({
          order: OpenOrderWireSchema,
          status: z.string().min(1),
          statusTimestamp: Time,
        })
        .passthrough(),
    })
    .passthrough(),
  z.object({ status: z.literal('unknownOid') }).passthrough(),
]);
export type OrderStatusResponse = z.output<typeof OrderStatusResponseSchema>;

export const UserRateLimitResponseSchema = z
  .object({
    cumVlm: HlDecimal,
    nRequestsUsed: Int.nonnegative(),
    nRequestsCap: Int.nonnegative(),
    nRequestsSurplus: Int.nonnegative().optional(),
  })
  .passthrough();
export type UserRateLimitResponse = z.output<typeof UserRateLimitResponseSchema>;

// ---- WebSocket messages ----------------------------------------------------------------------------

export const WsAllMidsSchema = z.object({ mids: AllMidsResponseSchema }).passthrough();
export const WsUserFillsSchema = z
  .object({ user: Address.optional(), isSnapshot: z.boolean().optional(), fills: UserFillsResponseSchema })
  .passthrough();
export type WsUserFills = z.output<typeof WsUserFillsSchema>;
/** A userFills message with its fills unread, so each fill is parsed (and refused) on its own. */
export const WsUserFillsEnvelopeSchema = z
  .object({ user: Address.optional(), isSnapshot: z.boolean().optional(), fills: z.array(z.unknown()) })
  .passthrough();
export const WsOrderUpdatesSchema = z.array(
  z.object({ order: OpenOrderWireSchema, status: z.string().min(1), statusTimestamp: Time }).passthrough(),
);
export type WsOrderUpdate = z.output<typeof WsOrderUpdatesSchema>[number];

/** One hourly funding payment; `usdc` is the signed change of the account (negative: the account paid). */
export const WsFundingSchema = z
  .object({ time: Time, coin: z.string(), usdc: HlDecimal, szi: HlDecimal, fundingRate: HlDecimal })
  .passthrough();
/** A userFundings message with its payments unread, so each is parsed (and refused) on its own. */
export const WsUserFundingsSchema = z
  .object({
    user: Address.optional(),
    isSnapshot: z.boolean().optional(),
    fundings: z.array(z.unknown()),
  })
  .passthrough();

/**
 * One perp's context, as `metaAndAssetCtxs` (one per `universe` entry, same order) and the `activeAssetCtx`
 * stream report it: the venue's mark and oracle prices among them. Decimals arrive as strings in every
 * recorded payload; the docs' type definitions say numbers, so both are read. A HIP-3 asset without a book
 * has `midPx`, `premium` and `impactPxs` null.
 */
export const PerpAssetCtxSchema = z
  .object({
    markPx: HlLooseDecimal,
    oraclePx: HlLooseDecimal,
    midPx: HlLooseDecimal.nullable().optional(),
    funding: HlLooseDecimal,
    openInterest: HlLooseDecimal,
    prevDayPx: HlLooseDecimal,
    dayNtlVlm: HlLooseDecimal,
    premium: HlLooseDecimal.nullable().optional(),
    impactPxs: z.array(HlLooseDecimal).nullable().optional(),
    dayBaseVlm: HlLooseDecimal.optional(),
  })
  .passthrough();
export type PerpAssetCtx = z.output<typeof PerpAssetCtxSchema>;

/** `[meta, ctxs]`: the contexts line up with `meta.universe` by index, so a length mismatch is refused. */
export const MetaAndAssetCtxsResponseSchema = z
  .tuple([MetaResponseSchema, z.array(PerpAssetCtxSchema)])
  .refine(([meta, ctxs]) => meta.universe.length === ctxs.length, {
    message: 'metaAndAssetCtxs: one asset context per universe entry expected',
  });
export type MetaAndAssetCtxsResponse = z.output<typeof MetaAndAssetCtxsResponseSchema>;

/** The `activeAssetCtx` stream's message of a perp (a spot coin's arrives as `activeSpotAssetCtx`). */
export const WsActiveAssetCtxSchema = z
  .object({ coin: z.string().min(1), ctx: PerpAssetCtxSchema })
  .passthrough();
