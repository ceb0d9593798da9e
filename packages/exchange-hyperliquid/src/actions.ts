import { parseOrThrow } from '@hl-bot/core-types';
import { z } from 'zod';

/**
 * Wire schemas of `/exchange` actions. Parsing through a schema yields the keys in Hyperliquid's canonical
 * order (the order the venue re-serialises to verify a signature), so a server can hash the parsed
 * action and a client can build actions that way. Decimal fields are canonical strings.
 */

/** A canonical decimal string: no exponent, no leading `+`, no trailing zeros, no trailing dot. */
export const WireDecimalSchema = z
  .string()
  .regex(
    /^(0|[1-9]\d*)(\.\d*[1-9])?$/,
    'must be a canonical decimal string (no trailing zeros, no exponent)',
  );
/** A lowercase 20-byte hex address. */
export const WireAddressSchema = z.string().regex(/^0x[0-9a-f]{40}$/, 'must be a lowercase 0x address');
/** A client order id: `0x` and 32 lowercase hex digits (16 bytes). */
export const CloidSchema = z.string().regex(/^0x[0-9a-f]{32}$/, 'must be 0x and 32 lowercase hex digits');
const AssetSchema = z.number().int().nonnegative().max(1_000_000);
const OidSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const TifSchema = z.enum(['Gtc', 'Ioc', 'Alo']);
export type Tif = z.output<typeof TifSchema>;

export const LimitOrderTypeWire = z.object({ limit: z.object({ tif: TifSchema }).strict() }).strict();
export const TriggerOrderTypeWire = z
  .object({
    trigger: z
      .object({ isMarket: z.boolean(), triggerPx: WireDecimalSchema, tpsl: z.enum(['tp', 'sl']) })
      .strict(),
  })
  .strict();
export const OrderTypeWire = z.union([LimitOrderTypeWire, TriggerOrderTypeWire]);
export type OrderTypeWire = z.output<typeof OrderTypeWire>;

/** One order on the wire: keys `a, b, p, s, r, t, c?` in this order. */
export const OrderWireSchema = z
  .object({
    a: AssetSchema,
    b: z.boolean(),
    p: WireDecimalSchema,
    s: WireDecimalSchema,
    r: z.boolean(),
    t: OrderTypeWire,
    c: CloidSchema.optional(),
  })
  .strict();
export type OrderWire = z.output<typeof OrderWireSchema>;

export const GroupingSchema = z.enum(['na', 'normalTpsl', 'positionTpsl']);
export type Grouping = z.output<typeof GroupingSchema>;

export const OrderActionSchema = z
  .object({
    type: z.literal('order'),
    orders: z.array(OrderWireSchema).min(1),
    grouping: GroupingSchema,
    builder: z
      .object({ b: WireAddressSchema, f: z.number().int().nonnegative().max(1000) })
      .strict()
      .optional(),
  })
  .strict();
export type OrderAction = z.output<typeof OrderActionSchema>;

export const CancelActionSchema = z
  .object({
    type: z.literal('cancel'),
    cancels: z.array(z.object({ a: AssetSchema, o: OidSchema }).strict()).min(1),
  })
  .strict();
export type CancelAction = z.output<typeof CancelActionSchema>;

export const CancelByCloidActionSchema = z
  .object({
    type: z.literal('cancelByCloid'),
    cancels: z.array(z.object({ asset: AssetSchema, cloid: CloidSchema }).strict()).min(1),
  })
  .strict();
export type CancelByCloidAction = z.output<typeof CancelByCloidActionSchema>;

export const ModifyActionSchema = z
  .object({ type: z.literal('modify'), oid: z.union([OidSchema, CloidSchema]), order: OrderWireSchema })
  .strict();
export type ModifyAction = z.output<typeof ModifyActionSchema>;

export const BatchModifyActionSchema = z
  .object({
    type: z.literal('batchModify'),
    modifies: z
      .array(z.object({ oid: z.union([OidSchema, CloidSchema]), order: OrderWireSchema }).strict())
      .min(1),
  })
  .strict();
export type BatchModifyAction = z.output<typeof BatchModifyActionSchema>;

export const UpdateLeverageActionSchema = z
  .object({
    type: z.literal('updateLeverage'),
    asset: AssetSchema,
    isCross: z.boolean(),
    leverage: z.number().int().min(1).max(1000),
  })
  .strict();
export type UpdateLeverageAction = z.output<typeof UpdateLeverageActionSchema>;

export const ScheduleCancelActionSchema = z
  .object({ type: z.literal('scheduleCancel'), time: z.number().int().nonnegative().optional() })
  .strict();
export type ScheduleCancelAction = z.output<typeof ScheduleCancelActionSchema>;

export const NoopActionSchema = z.object({ type: z.literal('noop') }).strict();
export type NoopAction = z.output<typeof NoopActionSchema>;

/** Every L1 action this package builds, discriminated by `type`. */
export const L1ActionSchema = z.discriminatedUnion('type', [
  OrderActionSchema,
  CancelActionSchema,
  CancelByCloidActionSchema,
  ModifyActionSchema,
  BatchModifyActionSchema,
  UpdateLeverageActionSchema,
  ScheduleCancelActionSchema,
  NoopActionSchema,
]);
export type L1Action = z.output<typeof L1ActionSchema>;

export const SignatureSchema = z
  .object({
    r: z.string().regex(/^0x[0-9a-fA-F]{1,64}$/),
    s: z.string().regex(/^0x[0-9a-fA-F]{1,64}$/),
    v: z.union([z.literal(27), z.literal(28)]),
  })
  .strict();

/** The body of `POST /exchange` for an L1 action. */
export const ExchangeRequestSchema = z
  .object({
    action: L1ActionSchema,
    nonce: z.number().int().nonnegative(),
    signature: SignatureSchema,
    vaultAddress: WireAddressSchema.nullable().optional(),
    expiresAfter: z.number().int().nonnegative().nullable().optional(),
  })
  .strict();
export type ExchangeRequest = z.output<typeof ExchangeRequestSchema>;

// ---- responses --------------------------------------------------------------------------------------

const WireNumberString = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string');

export const OrderResponseStatusSchema = z.union([
  z.object({ resting: z.object({ oid: OidSchema, cloid: CloidSchema.optional() }) }),
  z.object({
    filled: z.object({
      totalSz: WireNumberString,
      avgPx: WireNumberString,
      oid: OidSchema,
      cloid: CloidSchema.optional(),
    }),
  }),
  z.object({ error: z.string() }),
  z.literal('waitingForFill'),
  z.literal('waitingForTrigger'),
]);
export type OrderResponseStatus = z.output<typeof OrderResponseStatusSchema>;

export const CancelResponseStatusSchema = z.union([z.literal('success'), z.object({ error: z.string() })]);
export type CancelResponseStatus = z.output<typeof CancelResponseStatusSchema>;

/** Every shape `POST /exchange` answers with (HTTP 200). */
export const ExchangeResponseSchema = z.union([
  z.object({
    status: z.literal('ok'),
    response: z.object({
      type: z.literal('order'),
      data: z.object({ statuses: z.array(OrderResponseStatusSchema) }),
    }),
  }),
  z.object({
    status: z.literal('ok'),
    response: z.object({
      type: z.literal('cancel'),
      data: z.object({ statuses: z.array(CancelResponseStatusSchema) }),
    }),
  }),
  z.object({ status: z.literal('ok'), response: z.object({ type: z.literal('default') }) }),
  z.object({ status: z.literal('err'), response: z.string() }),
]);
export type ExchangeResponse = z.output<typeof ExchangeResponseSchema>;

// ---- builders -----------------------------------------------------------------------------------------

function parseWire<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  return parseOrThrow(schema, value, 'Hyperliquid action');
}

/** Input of `orderWire`: every decimal already formatted for the wire (see formatPrice/formatSize). */
export interface OrderWireInput {
  asset: number;
  isBuy: boolean;
  price: string;
  size: string;
  reduceOnly: boolean;
  orderType:
    | { limit: { tif: Tif } }
    | { trigger: { isMarket: boolean; triggerPx: string; tpsl: 'tp' | 'sl' } };
  cloid?: string | undefined;
}

/**
 * One order in canonical key order, validated.
 * @throws {ValidationError} when a field is malformed (non-canonical decimal, bad cloid).
 */
export function orderWire(input: OrderWireInput): OrderWire {
  return parseWire(OrderWireSchema, {
    a: input.asset,
    b: input.isBuy,
    p: input.price,
    s: input.size,
    r: input.reduceOnly,
    t: input.orderType,
    c: input.cloid,
  });
}

/** @throws {ValidationError} for an empty or malformed batch. */
export function buildOrderAction(
  orders: readonly OrderWire[],
  grouping: Grouping = 'na',
  builder?: { b: string; f: number },
): OrderAction {
  return parseWire(OrderActionSchema, {
    type: 'order',
    orders,
    grouping,
    builder: builder === undefined ? undefined : { b: builder.b.toLowerCase(), f: builder.f },
  });
}

/** @throws {ValidationError} for an empty or malformed batch. */
export function buildCancelAction(cancels: readonly { asset: number; oid: number }[]): CancelAction {
  return parseWire(CancelActionSchema, {
    type: 'cancel',
    cancels: cancels.map((c) => ({ a: c.asset, o: c.oid })),
  });
}

/** @throws {ValidationError} for an empty or malformed batch. */
export function buildCancelByCloidAction(
  cancels: readonly { asset: number; cloid: string }[],
): CancelByCloidAction {
  return parseWire(CancelByCloidActionSchema, {
    type: 'cancelByCloid',
    cancels: cancels.map((c) => ({ asset: c.asset, cloid: c.cloid })),
  });
}

/** @throws {ValidationError} for a malformed order or id. */
export function buildModifyAction(oid: number | string, order: OrderWire): ModifyAction {
  return parseWire(ModifyActionSchema, { type: 'modify', oid, order });
}

/** @throws {ValidationError} for an empty or malformed batch. */
export function buildBatchModifyAction(
  modifies: readonly { oid: number | string; order: OrderWire }[],
): BatchModifyAction {
  return parseWire(BatchModifyActionSchema, {
    type: 'batchModify',
    modifies: modifies.map((m) => ({ oid: m.oid, order: m.order })),
  });
}

/** @throws {ValidationError} for a leverage outside 1..1000 or a bad asset. */
export function buildUpdateLeverageAction(
  asset: number,
  isCross: boolean,
  leverage: number,
): UpdateLeverageAction {
  return parseWire(UpdateLeverageActionSchema, { type: 'updateLeverage', asset, isCross, leverage });
}

/** `time` undefined clears the dead man's switch. @throws {ValidationError} for a bad time. */
export function buildScheduleCancelAction(time?: number): ScheduleCancelAction {
  return parseWire(
    ScheduleCancelActionSchema,
    time === undefined ? { type: 'scheduleCancel' } : { type: 'scheduleCancel', time },
  );
}

export function buildNoopAction(): NoopAction {
  return { type: 'noop' };
}

/**
 * Re-orders a received action's keys canonically (what Hyperliquid does before checking a signature).
 * A server recovers the signer from the result, never from the raw JSON's key order.
 * @throws {ValidationError} for an action this package does not know or a malformed one.
 */
export function canonicalizeL1Action(action: unknown): L1Action {
  return parseWire(L1ActionSchema, action);
}
