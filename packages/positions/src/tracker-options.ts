import type { AuditDurability, AuditPosition } from '@hl-bot/audit';
import type { AuditEntry, Clock, DecimalInput } from '@hl-bot/core-types';
import type { TrackerState } from './checkpoint.js';

/** Options of a PositionTracker. */
export interface PositionTrackerOptions {
  /** Time for fills without a timestamp and for marks without a time. Default: the system clock. */
  clock?: Clock;
  /** Symbols that are spot markets (a fill's own `marketKind` says so too). Everything else is perp. */
  spotSymbols?: Iterable<string>;
  /**
   * Largest |venue closedPnl - tracker realized P&L| of a fill that is not reported as `pnl_mismatch`.
   * Default 0: any difference is audited.
   */
  closedPnlTolerance?: DecimalInput;
  /**
   * How many of the latest closed round trips `getClosedPositions()` keeps in memory. Default 10,000; `0`
   * keeps none, `Infinity` every one. Older ones stay in the log (`position_closed`), in
   * `closedPositionCount` and in the totals: a process that runs for months must not grow without bound.
   */
  keepClosedPositions?: number;
  /** Most operations gathered into one audit group commit. Default 4096. */
  maxBatchSize?: number;
  /**
   * Write a checkpoint (see `checkpoint()`) after this many audit events of the tracker, or when this many
   * ms passed since the last one at the next batch, and in either case not before a quarter as many events
   * as processed fill ids (a checkpoint holds them all). Default `{ events: 10_000, ms: 600_000 }`; `false`
   * writes checkpoints only on demand. Only with a sink that can write them (an AuditLogger).
   */
  checkpointEvery?: { events?: number; ms?: number } | false;
}

/** Options of `PositionTracker.recover`. */
export interface RecoverOptions extends PositionTrackerOptions {
  /** Durability of the AuditLogger `recover` opens when given a directory. Default `group`. */
  durability?: AuditDurability;
  /**
   * Start from this checkpoint (from `PositionTracker.loadCheckpoint`). Default: the latest checkpoint in
   * the log that verifies. `null`: replay the whole log.
   */
  checkpoint?: PositionsCheckpoint | null;
  /**
   * The entries to replay (in log order) instead of reading them: for one read of the log shared with other
   * components. Entries the checkpoint covers are skipped.
   */
  entries?: AsyncIterable<AuditEntry> | Iterable<AuditEntry>;
  /** Called for each checkpoint that is ignored (it does not verify). Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** The tracker's state as a checkpoint in the log holds it: what `recover` starts from. */
export interface PositionsCheckpoint {
  /** The last entry it covers. */
  readonly coversSeq: number;
  readonly coversHash: string;
  /** Where the entries after it begin. */
  readonly after: AuditPosition;
  /** @internal */
  readonly state: TrackerState;
}

/** Options of `PositionTracker.loadCheckpoint`. */
export interface LoadCheckpointOptions {
  /** Called for each checkpoint that is ignored. Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** How far back from the end of the log to look. Default 64 MiB. */
  maxBytes?: number;
}
