import { readAuditLog, readLatestCheckpoint } from '@hl-bot/audit';
import type { AuditEntry, Decimal, TradingState } from '@hl-bot/core-types';
import { CHECKPOINT_COMPONENT } from './audit-trail.js';
import {
  auditSinkOf,
  type LoadCheckpointOptions,
  type RiskCheckpoint,
  type RiskRecoverOptions,
} from './manager-types.js';
import {
  copyFold,
  emptyFold,
  foldRiskEvent,
  parseFold,
  RECOVERY_TYPES,
  type RiskFoldState,
} from './risk-fold.js';
import type { BreakerTrip } from './state/circuit-breaker.js';

type Entries = AsyncIterable<AuditEntry> | Iterable<AuditEntry>;

/** What a restarted manager takes over from the log; the facade applies it to its state. */
export interface RecoveredRiskState {
  /** The folded log, which the audit trail keeps folding from. */
  readonly fold: RiskFoldState;
  /** The later of today and the log's day: a log written by a clock that is now behind keeps its day. */
  readonly tradingDay: string;
  /** That day's start equity, peak and daily P&L, when the log started that day; null otherwise. */
  readonly day: {
    readonly startEquity: Decimal;
    readonly peak: Decimal | null;
    readonly dailyPnl: Decimal | null;
  } | null;
  /** The REDUCING latch, when the log latched it on that day. */
  readonly reducingReason: string | null;
  /** The last trading state the log recorded (the facade derives the current one from it). */
  readonly tradingState: TradingState;
  /** A tripped breaker stays tripped on any day. */
  readonly breaker: BreakerTrip | null;
  readonly consecutiveLosses: number;
  readonly consecutiveErrors: number;
}

function defaultWarning(message: string): void {
  process.emitWarning(message, { code: 'HL_CHECKPOINT_IGNORED' });
}

/**
 * The latest risk checkpoint in the log at `dir` that verifies, or null when there is none. One that does
 * not verify is never used: `onWarning` hears why and an older one is tried.
 */
export async function loadRiskCheckpoint(
  dir: string,
  options: LoadCheckpointOptions = {},
): Promise<RiskCheckpoint | null> {
  const latest = await readLatestCheckpoint(
    dir,
    CHECKPOINT_COMPONENT,
    parseFold,
    options.onWarning ?? defaultWarning,
    options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes },
  );
  return latest === null
    ? null
    : { coversSeq: latest.coversSeq, coversHash: latest.coversHash, after: latest.after, fold: latest.state };
}

/**
 * Where `recover` starts: the checkpoint (the latest that verifies, unless the caller chose one or gave
 * the entries) and the entries to fold after it.
 * @throws {TypeError} when neither `entries` nor an audit logger with a `dir` says where the log is
 */
export async function recoverySource(
  options: RiskRecoverOptions,
): Promise<{ checkpoint: RiskCheckpoint | null; entries: Entries }> {
  const dir = (auditSinkOf(options) as { dir?: unknown }).dir;
  let checkpoint = options.checkpoint;
  if (checkpoint === undefined && options.entries === undefined && typeof dir === 'string') {
    checkpoint = await loadRiskCheckpoint(
      dir,
      options.onWarning === undefined ? {} : { onWarning: options.onWarning },
    );
  }
  if (options.entries !== undefined) return { checkpoint: checkpoint ?? null, entries: options.entries };
  if (checkpoint !== undefined && checkpoint !== null) {
    return {
      checkpoint,
      entries: readAuditLog(dir as string, { types: RECOVERY_TYPES, from: checkpoint.after }),
    };
  }
  if (typeof dir !== 'string') {
    throw new TypeError('RiskManager.recover needs `entries` when the audit logger has no `dir`');
  }
  return { checkpoint: null, entries: readAuditLog(dir, { types: RECOVERY_TYPES }) };
}

/**
 * Folds the risk events of `entries` (those after the checkpoint) onto the checkpoint's state, or onto an
 * empty one. Pure: it reads the entries and changes nothing else.
 * @throws whatever reading `entries` throws (a corrupt log must stop the start, not be skipped)
 */
export async function replayRiskLog(
  entries: Entries,
  checkpoint: RiskCheckpoint | null,
  tradingDayUtcOffsetMinutes: number,
): Promise<RiskFoldState> {
  const fold = checkpoint === null ? emptyFold() : copyFold(checkpoint.fold);
  const covered = checkpoint?.after.seq ?? 0;
  for await (const entry of entries) {
    if (entry.seq <= covered) continue;
    foldRiskEvent(fold, entry as unknown as Parameters<typeof foldRiskEvent>[1], tradingDayUtcOffsetMinutes);
  }
  return fold;
}

/**
 * What a manager whose clock is on `today` takes over from a folded log: the day's numbers only when the
 * log is on that day (a restart on a later day starts a new day at the first account report), the latch
 * only when set that day, the breaker and the streaks always.
 */
export function recoveredState(fold: RiskFoldState, today: string): RecoveredRiskState {
  const tradingDay = fold.day !== null && fold.day > today ? fold.day : today;
  const sameDay = fold.day === tradingDay && fold.dayStart !== null;
  return {
    fold,
    tradingDay,
    day:
      sameDay && fold.dayStart !== null
        ? { startEquity: fold.dayStart, peak: fold.peak, dailyPnl: fold.dailyPnl }
        : null,
    reducingReason: fold.reducing !== null && fold.reducing.day === tradingDay ? fold.reducing.reason : null,
    tradingState: fold.lastLoggedState,
    breaker: fold.breaker === null ? null : { ...fold.breaker },
    consecutiveLosses: fold.consecutiveLosses,
    consecutiveErrors: fold.consecutiveErrors,
  };
}
