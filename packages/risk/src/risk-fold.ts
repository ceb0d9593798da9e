import {
  type AuditEventType,
  type Decimal,
  DecimalSchema,
  type TradingState,
  TradingStateSchema,
  toDecimal,
} from '@hl-bot/core-types';
import { z } from 'zod';
import { tradingDayOf } from './state/trading-day.js';

/** The audit event types the fold reads: what `RiskManager.recover` replays. */
export const RECOVERY_TYPES: readonly AuditEventType[] = [
  'trading_day_started',
  'daily_pnl_updated',
  'trade_result_recorded',
  'risk_outcome_recorded',
  'circuit_breaker_tripped',
  'circuit_breaker_reset',
  'trading_state_changed',
];

/**
 * What the risk manager's own audit events say, folded in log order: exactly what a restart rebuilds.
 * The manager folds each event it appends, so its checkpoint is the state a full replay would reach at
 * that point, and a restart from the checkpoint plus the tail equals a restart from the whole log.
 */
export interface RiskFoldState {
  day: string | null;
  dayStart: Decimal | null;
  peak: Decimal | null;
  dailyPnl: Decimal | null;
  reducing: { day: string; reason: string } | null;
  lastLoggedState: TradingState;
  consecutiveLosses: number;
  consecutiveErrors: number;
  breaker: { reason: string; trippedAt: number; cooldownUntil: number } | null;
  /** Ids of the cash flows applied to `day` (`daily_pnl_updated.cashFlowId`), oldest first. */
  cashFlowIds: string[];
}

/** Cash-flow ids remembered per day; a day with more deposits and withdrawals forgets the oldest ids. */
export const MAX_CASH_FLOW_IDS = 10_000;

export function emptyFold(): RiskFoldState {
  return {
    day: null,
    dayStart: null,
    peak: null,
    dailyPnl: null,
    reducing: null,
    lastLoggedState: 'ACTIVE' as TradingState,
    consecutiveLosses: 0,
    consecutiveErrors: 0,
    breaker: null,
    cashFlowIds: [],
  };
}

/** A copy that shares nothing mutable (Decimals are immutable). */
export function copyFold(s: RiskFoldState): RiskFoldState {
  return {
    ...s,
    reducing: s.reducing === null ? null : { ...s.reducing },
    breaker: s.breaker === null ? null : { ...s.breaker },
    cashFlowIds: [...s.cashFlowIds],
  };
}

/** The fields of a risk event the fold reads; Decimal fields may still be inputs (strings, numbers). */
type FoldEvent = { type: string; timestamp?: unknown } & Record<string, unknown>;

/** Folds one event (an audit entry, or an event the manager is appending) into `s`. */
export function foldRiskEvent(s: RiskFoldState, e: FoldEvent, offsetMinutes: number): void {
  switch (e.type) {
    case 'trading_day_started':
      s.day = e.day as string;
      s.dayStart = toDecimal(e.dayStartEquity);
      s.peak = s.dayStart;
      s.dailyPnl = toDecimal(0);
      s.cashFlowIds = [];
      break;
    case 'daily_pnl_updated':
      if (e.day === s.day) {
        s.dailyPnl = toDecimal(e.dailyPnl);
        if (e.peakEquity !== undefined) s.peak = toDecimal(e.peakEquity);
        // A cash flow moved the day's start (RiskManager.recordCashFlow).
        if (e.dayStartEquity !== undefined) s.dayStart = toDecimal(e.dayStartEquity);
        if (typeof e.cashFlowId === 'string' && !s.cashFlowIds.includes(e.cashFlowId)) {
          s.cashFlowIds.push(e.cashFlowId);
          if (s.cashFlowIds.length > MAX_CASH_FLOW_IDS) s.cashFlowIds.shift();
        }
      }
      break;
    case 'trade_result_recorded':
      s.consecutiveLosses = e.consecutiveLosses as number;
      break;
    case 'risk_outcome_recorded':
      s.consecutiveErrors = e.consecutiveErrors as number;
      break;
    case 'circuit_breaker_tripped':
      s.breaker = {
        reason: e.reason as string,
        trippedAt: e.trippedAt as number,
        cooldownUntil: e.cooldownUntil as number,
      };
      break;
    case 'circuit_breaker_reset':
      s.breaker = null;
      s.consecutiveLosses = 0;
      s.consecutiveErrors = 0;
      break;
    case 'trading_state_changed':
      s.lastLoggedState = e.to as TradingState;
      if (e.to === 'REDUCING') {
        s.reducing = { day: tradingDayOf(e.timestamp as number, offsetMinutes), reason: e.reason as string };
      } else if (e.to === 'ACTIVE') s.reducing = null;
      break;
    default:
      break;
  }
}

const Nullable = <S extends z.ZodType>(schema: S) => schema.nullable();

const FoldSchema = z
  .object({
    v: z.literal(1),
    day: Nullable(z.string()),
    dayStart: Nullable(DecimalSchema),
    peak: Nullable(DecimalSchema),
    dailyPnl: Nullable(DecimalSchema),
    reducing: Nullable(z.object({ day: z.string(), reason: z.string() }).strict()),
    lastLoggedState: TradingStateSchema,
    consecutiveLosses: z.number().int().nonnegative(),
    consecutiveErrors: z.number().int().nonnegative(),
    breaker: Nullable(
      z
        .object({
          reason: z.string(),
          trippedAt: z.number().int().nonnegative(),
          cooldownUntil: z.number().int().nonnegative(),
        })
        .strict(),
    ),
    // Absent in checkpoints written before cash flows carried ids.
    cashFlowIds: z.array(z.string()).max(MAX_CASH_FLOW_IDS).optional(),
  })
  .strict();

export function serializeFold(s: RiskFoldState): string {
  return JSON.stringify({ v: 1, ...s });
}

/** @throws {Error} when `text` is not a serialised fold */
export function parseFold(text: string): RiskFoldState {
  const parsed = FoldSchema.parse(JSON.parse(text));
  const { v: _v, ...state } = parsed;
  return { ...state, cashFlowIds: state.cashFlowIds ?? [] } as RiskFoldState;
}
