import { z } from 'zod';
import { OrderSideSchema, TradingStateSchema } from '../enums.js';
import { DecimalSchema, NonNegativeDecimalSchema, TimestampSchema } from './decimal-schemas.js';
import {
  AccountState,
  ClosedPosition,
  Fill,
  OrderRequest,
  PositionSnapshot,
  SymbolSchema,
} from './domain.js';

/**
 * Every audit event type, one schema each, shared by every writer and reader.
 *
 * An event is `{ type, timestamp?, ...fields }`. The audit logger adds `seq`, the ISO timestamp and the hash
 * chain. Decimals are written as strings and parsed back into Decimals, so a line reads back exactly as
 * it was written. Adding a type is a minor change; changing a field of an existing type is breaking.
 */

const base = { timestamp: TimestampSchema.optional() };
const Id = z.string().min(1).max(256);
const Reason = z.string().min(1).max(2000);

/** One failed risk check: a stable code, a human message and the numbers behind it. */
export const RiskFailure = z
  .object({
    code: z.string().min(1),
    message: z.string(),
    details: z.record(z.string(), z.string()).default({}),
  })
  .strict();
export type RiskFailure = z.output<typeof RiskFailure>;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ...base, ...shape }).strict();

export const OrderSubmittedEvent = event('order_submitted', {
  orderId: Id,
  order: OrderRequest,
  venue: z.string().optional(),
});
export const OrderAcceptedEvent = event('order_accepted', {
  orderId: Id,
  venueOrderId: Id.optional(),
  symbol: SymbolSchema,
  status: z.enum(['resting', 'filled', 'partially_filled']).optional(),
});
export const OrderFilledEvent = event('order_filled', { fill: Fill });
export const OrderCancelledEvent = event('order_cancelled', {
  orderId: Id,
  symbol: SymbolSchema.optional(),
  reason: Reason.optional(),
});
export const OrdersCancelledEvent = event('orders_cancelled', {
  count: z.number().int().nonnegative(),
  reason: Reason,
  symbol: SymbolSchema.optional(),
});
export const OrderRejectedEvent = event('order_rejected', {
  orderId: Id.optional(),
  order: OrderRequest,
  reason: Reason,
  code: z.string().optional(),
});
export const PositionUpdatedEvent = event('position_updated', {
  symbol: SymbolSchema,
  cause: z.enum(['fill', 'funding', 'recovery']),
  fillId: Id.optional(),
  /** Absent when the update left the symbol flat. */
  position: PositionSnapshot.optional(),
});
export const PositionClosedEvent = event('position_closed', {
  fillId: Id.optional(),
  position: ClosedPosition,
});
export const FillDuplicateEvent = event('fill_duplicate', { fillId: Id, symbol: SymbolSchema });
export const PnlMismatchEvent = event('pnl_mismatch', {
  fillId: Id,
  symbol: SymbolSchema,
  venueClosedPnl: DecimalSchema,
  trackerRealizedPnl: DecimalSchema,
});
/** The venue's position before a fill differs from the tracker's: the books disagree, trading must stop. */
export const PositionMismatchEvent = event('position_mismatch', {
  fillId: Id,
  symbol: SymbolSchema,
  venueStartPosition: DecimalSchema,
  trackerPosition: DecimalSchema,
});
/** A fill that is part of a liquidation of this account: a risk event. */
export const LiquidationFillEvent = event('liquidation_fill', {
  fillId: Id,
  symbol: SymbolSchema,
  method: z.string().min(1).max(32),
  markPrice: DecimalSchema.optional(),
});
/**
 * A fill of a spot pair (Hyperliquid coins `@107`, `PURR/USDC`): not a perp position, but booked so nothing
 * the venue reports is dropped. `pair` is the base/quote name from the venue's spot metadata when known;
 * `startPosition` is the base balance before the fill, as the venue reports it.
 */
export const SpotFillEvent = event('spot_fill', {
  fillId: Id,
  coin: z.string().min(1).max(64),
  pair: z.string().min(1).max(64).optional(),
  side: OrderSideSchema,
  quantity: NonNegativeDecimalSchema,
  price: NonNegativeDecimalSchema,
  fee: DecimalSchema,
  feeToken: z.string().max(64),
  startPosition: DecimalSchema.optional(),
  time: TimestampSchema,
});
/**
 * A fill on the bot's venue account that is not the bot's (several bots on one account): another bot's
 * order (`owner` names it), or an order no bot claims on a symbol this bot does not trade. It is not booked
 * as a position here (the bot whose order it is books it; one nobody owns shows at reconciliation), and it
 * is audited once per fill, so no fill of the account goes unseen.
 */
export const ForeignFillEvent = event('foreign_fill', {
  fillId: Id,
  symbol: SymbolSchema,
  side: OrderSideSchema,
  quantity: NonNegativeDecimalSchema,
  price: NonNegativeDecimalSchema,
  venueOrderId: Id.optional(),
  /** The order's cloid as the venue reported it; absent for an order placed without one. */
  cloid: z
    .string()
    .regex(/^0x[0-9a-f]{32}$/)
    .optional(),
  owner: Id.optional(),
  time: TimestampSchema,
});
/** The venue's account abstraction mode, audited at start and whenever it changes. */
export const AccountModeEvent = event('account_mode', {
  /** The venue's word (`disabled`, `unifiedAccount`, ...). */
  venueMode: z.string().min(1).max(100),
  /** How it is measured: `standard`, `unified`, `portfolioMargin`. */
  kind: z.string().min(1).max(32),
  previous: z.string().min(1).max(100).optional(),
});
/**
 * A non-funding change of the account's balance (deposit, withdrawal, transfer, liquidation, vault, ...).
 * `amount` is the signed USDC change of this account; risk keeps it apart from trading P&L.
 */
export const LedgerUpdateEvent = event('ledger_update', {
  ledgerId: Id,
  kind: z.string().min(1).max(64),
  amount: DecimalSchema,
  time: TimestampSchema,
  hash: z.string().max(100).optional(),
  /** True when the amount is not cash moving in or out (a liquidation's account value, a spot transfer). */
  nonCash: z.boolean().optional(),
});
export const FundingAppliedEvent = event('funding_applied', {
  symbol: SymbolSchema,
  amount: DecimalSchema,
  fundingTime: TimestampSchema,
  fundingId: Id.optional(),
});
export const RiskRejectedEvent = event('risk_rejected', {
  order: OrderRequest,
  code: z.string().min(1),
  reason: Reason,
  failures: z.array(RiskFailure).min(1),
});
/** A `checkOrder` input that is not a valid OrderRequest, so it cannot be logged as `risk_rejected`. */
export const RiskOrderInvalidEvent = event('risk_order_invalid', {
  /** The raw input as JSON, truncated. */
  input: z.string().max(4000),
  code: z.string().min(1),
  reason: Reason,
  failures: z.array(RiskFailure).min(1),
});
export const RiskApprovedEvent = event('risk_approved', {
  reservationId: Id,
  order: OrderRequest,
});
export const TradingStateChangedEvent = event('trading_state_changed', {
  from: TradingStateSchema,
  to: TradingStateSchema,
  reason: Reason,
});
export const CircuitBreakerTrippedEvent = event('circuit_breaker_tripped', {
  reason: Reason,
  trippedAt: TimestampSchema,
  cooldownUntil: TimestampSchema,
});
export const CircuitBreakerResetEvent = event('circuit_breaker_reset', { reason: Reason.optional() });
export const AccountUpdatedEvent = event('account_updated', {
  account: AccountState,
});
export const TradingDayStartedEvent = event('trading_day_started', {
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  dayStartEquity: DecimalSchema,
});
export const TradeResultRecordedEvent = event('trade_result_recorded', {
  netPnl: DecimalSchema,
  symbol: SymbolSchema.optional(),
  consecutiveLosses: z.number().int().nonnegative(),
});
export const RiskOutcomeRecordedEvent = event('risk_outcome_recorded', {
  outcome: z.enum(['success', 'error']),
  consecutiveErrors: z.number().int().nonnegative(),
  message: z.string().max(2000).optional(),
});
export const DailyPnlUpdatedEvent = event('daily_pnl_updated', {
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  dailyPnl: DecimalSchema,
  equity: DecimalSchema.optional(),
  peakEquity: DecimalSchema.optional(),
  /** Present when a deposit or withdrawal moved the day's start equity (not trading P&L). */
  dayStartEquity: DecimalSchema.optional(),
  /**
   * The stable id of that deposit or withdrawal (a venue ledger id): a restart rebuilds the day's applied
   * ids from these, so a cash flow the venue sends again is not applied twice.
   */
  cashFlowId: z.string().min(1).max(256).optional(),
});
export const MarkPriceEvent = event('mark_price', {
  symbol: SymbolSchema,
  price: DecimalSchema,
});
/**
 * Written by the position tracker when a mark price makes a new maximum adverse or favorable excursion of an
 * open position, so recovery restores MAE/MFE exactly without logging every mark.
 */
export const PositionExcursionEvent = event('position_excursion', {
  symbol: SymbolSchema,
  markPrice: DecimalSchema,
  markTime: TimestampSchema,
  maxAdverseExcursion: DecimalSchema,
  maxFavorableExcursion: DecimalSchema,
});
export const ReconciliationMismatchEvent = event('reconciliation_mismatch', {
  symbol: SymbolSchema.optional(),
  local: z.string(),
  venue: z.string(),
  action: z.enum(['breaker_tripped', 'adopted_venue_state', 'none']),
});
export const ErrorEvent = event('error', {
  message: z.string().max(4000),
  code: z.string().optional(),
  source: z.string().optional(),
});
export const AuditRecoveredEvent = event('audit_recovered', {
  file: z.string(),
  quarantineFile: z.string(),
  bytes: z.number().int().nonnegative(),
  reason: Reason,
});
export const SessionStartedEvent = event('session_started', {
  app: z.string(),
  version: z.string().optional(),
  mode: z.string().optional(),
});
export const SessionStoppedEvent = event('session_stopped', {
  app: z.string(),
  reason: Reason.optional(),
});
export const NoteEvent = event('note', {
  message: z.string().max(4000),
  side: OrderSideSchema.optional(),
  amount: NonNegativeDecimalSchema.optional(),
});

/** Longest `data` of one checkpoint part: escaped for JSON it still fits a log line (1 MiB). */
export const CHECKPOINT_PART_CHARS = 300_000;

/**
 * One part of a component's checkpoint (the position tracker's, the risk manager's): its state as of
 * entry `coversSeq` (whose hash is `coversHash`), so a restart replays only the entries after it. A
 * checkpoint is `parts` consecutive entries; `data` joined in part order is the component's own text form.
 */
export const CheckpointEvent = event('checkpoint', {
  component: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
  part: z.number().int().nonnegative(),
  parts: z.number().int().positive(),
  coversSeq: z.number().int().nonnegative(),
  coversHash: z.string().regex(/^[0-9a-f]{64}$/),
  data: z.string().max(CHECKPOINT_PART_CHARS),
});

/** The discriminated union of every audit event. */
export const AuditEvent = z.discriminatedUnion('type', [
  OrderSubmittedEvent,
  OrderAcceptedEvent,
  OrderFilledEvent,
  OrderCancelledEvent,
  OrderRejectedEvent,
  OrdersCancelledEvent,
  PositionUpdatedEvent,
  PositionClosedEvent,
  FillDuplicateEvent,
  PnlMismatchEvent,
  FundingAppliedEvent,
  PositionMismatchEvent,
  LiquidationFillEvent,
  SpotFillEvent,
  ForeignFillEvent,
  AccountModeEvent,
  LedgerUpdateEvent,
  RiskRejectedEvent,
  RiskApprovedEvent,
  RiskOrderInvalidEvent,
  TradingStateChangedEvent,
  CircuitBreakerTrippedEvent,
  CircuitBreakerResetEvent,
  AccountUpdatedEvent,
  TradingDayStartedEvent,
  TradeResultRecordedEvent,
  RiskOutcomeRecordedEvent,
  DailyPnlUpdatedEvent,
  MarkPriceEvent,
  PositionExcursionEvent,
  ReconciliationMismatchEvent,
  ErrorEvent,
  AuditRecoveredEvent,
  SessionStartedEvent,
  SessionStoppedEvent,
  NoteEvent,
  CheckpointEvent,
]);
/** A parsed audit event (decimals as Decimal, timestamps as epoch ms). */
export type AuditEvent = z.output<typeof AuditEvent>;
/** What a writer passes to `append`: numbers, strings or Decimals for money; a Date, ISO string or ms for time. */
export type AuditEventInput = z.input<typeof AuditEvent>;
/** The name of an audit event type. */
export type AuditEventType = AuditEvent['type'];
/** The parsed event of one type. */
export type AuditEventOf<T extends AuditEventType> = Extract<AuditEvent, { type: T }>;

/** All event type names, for CLIs and filters. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = AuditEvent.options.map(
  (o) => o.shape.type.value,
) as AuditEventType[];

/** The fields the audit logger adds to every line. */
export const AuditEnvelope = z.object({
  seq: z.number().int().positive(),
  timestamp: z.string(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A line of the audit log: the event plus `seq`, `timestamp` (epoch ms once parsed) and the hash chain. */
export type AuditEntry = AuditEvent & { seq: number; timestamp: number; prevHash: string; hash: string };
