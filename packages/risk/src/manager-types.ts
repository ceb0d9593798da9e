import type { AuditPosition } from '@hl-bot/audit';
import type {
  AuditEntry,
  AuditSink,
  Clock,
  Decimal,
  DecimalInput,
  RiskBudget,
  RiskFailure,
  TradingState,
} from '@hl-bot/core-types';
import type { RiskCode } from './codes.js';
import type { RiskConfig } from './config.js';
import type { Reservation } from './reservations.js';
import type { RiskFoldState } from './risk-fold.js';

// The option, result and state types of RiskManager's public methods (exported from src/index.ts).

/**
 * Where state changes and rejections are written; `@hl-bot/audit`'s AuditLogger in production. `audit` is
 * the name every hl-bot package gives this option; `auditLogger` is the older name, still accepted.
 */
export type RiskAuditOption =
  | { audit: AuditSink; auditLogger?: undefined }
  | {
      /** @deprecated use `audit`, the name the engine and the other packages use */
      auditLogger: AuditSink;
      audit?: undefined;
    };

/** The audit sink an options object names (`audit`, or the older `auditLogger`). */
export function auditSinkOf(options: RiskAuditOption): AuditSink {
  const sink = options.audit ?? options.auditLogger;
  if (sink === undefined || typeof sink.append !== 'function') {
    throw new TypeError('the risk manager needs an audit sink: pass { audit }');
  }
  return sink;
}

/** See `RiskManagerSettings.pnlScope`. */
export type PnlScope = 'account' | 'own';

/** Options of `new RiskManager(...)`. */
export type RiskManagerOptions = RiskAuditOption & RiskManagerSettings;

/** Everything of RiskManagerOptions but the audit sink. */
export interface RiskManagerSettings {
  /** Limits; `RiskConfig.defaults()` when omitted. */
  config?: RiskConfig;
  /**
   * Starting balance and equity. Without it every order is rejected with `ACCOUNT_STATE_MISSING` until
   * `updateAccount` is called.
   */
  initialBalance?: DecimalInput;
  /** Time source; the system clock when omitted. */
  clock?: Clock;
  /**
   * The account's risk budget shared with other bots (`PgRiskBudget` of `@hl-bot/risk-budget-pg`). Default:
   * an in-process `LocalRiskBudget` without caps, so only this config's limits apply.
   */
  budget?: RiskBudget;
  /**
   * Whose P&L the daily loss, drawdown and percentage limits measure, and what is reported to the budget:
   * `account` (default) the venue account's equity as `updateAccount` reports it; `own` only this
   * manager's, for several bots on one venue account. With `own` the venue's equity counts once (the first
   * report, or the day's start and P&L recovered from the log); after that the equity moves only with this
   * manager's positions and trade results, and later reports update the balance, never the equity, so
   * another bot's loss on the account is never this one's (and a shared budget that adds the bots' P&L
   * counts each loss once).
   */
  pnlScope?: PnlScope;
  /**
   * Write a checkpoint (see `checkpoint()`) after this many of the manager's own audit events, or when
   * this many ms passed since the last one at the next event. Default `{ events: 10_000, ms: 600_000 }`;
   * `false` writes checkpoints only on demand. Needs an audit sink that can write checkpoints (an
   * AuditLogger); other sinks never get one.
   */
  checkpointEvery?: { events?: number; ms?: number } | false;
}

/** The risk manager's state as a checkpoint in the log holds it: what `recover` starts from. */
export interface RiskCheckpoint {
  /** The last entry it covers. */
  readonly coversSeq: number;
  readonly coversHash: string;
  /** Where the entries after it begin. */
  readonly after: AuditPosition;
  /** @internal the folded state */
  readonly fold: RiskFoldState;
}

/** Options of `RiskManager.loadCheckpoint`. */
export interface LoadCheckpointOptions {
  /** Called for each checkpoint that is ignored (it does not verify). Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** How far back from the end of the log to look for one. Default 64 MiB. */
  maxBytes?: number;
}

/** Options of `RiskManager.recover(...)`. */
export type RiskRecoverOptions = RiskAuditOption & RiskRecoverSettings;

/** Everything of RiskRecoverOptions but the audit sink. */
export interface RiskRecoverSettings {
  config?: RiskConfig;
  clock?: Clock;
  /** See RiskManagerOptions. */
  budget?: RiskBudget;
  /** See RiskManagerOptions. */
  pnlScope?: PnlScope;
  /**
   * Audit entries in log order. Default: `readAuditLog(audit.dir)` from `@hl-bot/audit` when the
   * audit sink has a `dir` (an AuditLogger does); required otherwise.
   */
  entries?: AsyncIterable<AuditEntry> | Iterable<AuditEntry>;
  /**
   * Start from this checkpoint (from `RiskManager.loadCheckpoint`); entries it covers are skipped. Default:
   * the latest checkpoint in the log that verifies, when `entries` is not given and the audit logger has a
   * `dir`. `null`: replay everything.
   */
  checkpoint?: RiskCheckpoint | null;
  /** See RiskManagerOptions. */
  checkpointEvery?: { events?: number; ms?: number } | false;
  /** Called for each checkpoint that is ignored. Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** The outcome of `checkOrder`. */
export interface RiskCheckResult {
  readonly approved: boolean;
  /** `approved`, or every failure message joined with `; `. */
  readonly reason: string;
  /** The first failure's code; null when approved. */
  readonly code: RiskCode | null;
  /** Every failed check, not only the first. Empty when approved. */
  readonly failures: readonly RiskFailure[];
  /** What the approved order holds until its outcome is reported (see `releaseReservation`). */
  readonly reservation?: Reservation;
  /**
   * For an approved market order without a price: the worst acceptable price (mark +/- maxSlippagePercent).
   * Send the order with it as its protective limit.
   */
  readonly worstPrice?: Decimal;
}

/** What `submitOrder` needs from the venue's answer (an `OrderAck` fits). */
export interface SubmitAck {
  readonly status?: string;
  readonly filledQuantity?: DecimalInput;
}

/** The check's result and, when the order was approved and sent, the venue's answer. */
export type RiskSubmitResult<A> = RiskCheckResult & { readonly ack?: A };

/** Read-only view of the manager's state. */
export interface RiskState {
  readonly tradingState: TradingState;
  readonly circuitBreakerTripped: boolean;
  readonly circuitBreakerReason: string | null;
  readonly trippedAt: number | null;
  readonly cooldownUntil: number | null;
  /** Why trading is REDUCING, when it is latched for the day. */
  readonly reducingReason: string | null;
  readonly tradingDay: string;
  /** Estimated equity minus day-start equity (realized + unrealized). */
  readonly dailyPnl: Decimal;
  readonly dayStartEquity: Decimal | null;
  readonly peakEquity: Decimal | null;
  readonly balance: Decimal | null;
  /** Last reported equity moved by unrealized P&L changes and trade results since that report. */
  readonly equity: Decimal | null;
  /** False after a restart until `updateAccount` reports a fresh account. */
  readonly accountConfirmed: boolean;
  readonly consecutiveLosses: number;
  readonly consecutiveErrors: number;
  readonly openPositions: number;
  /** Reserved and working orders. */
  readonly openOrders: number;
  /** Positions at mark plus working opening orders. */
  readonly exposure: Decimal;
  /** Set when a durable audit write failed; nothing is approved until restart and recovery. */
  readonly auditFailure: string | null;
}
