import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import type { AuditEntry } from '@hl-bot/core-types';
import type { TrackerState } from './checkpoint.js';
import { loadPositionsCheckpoint } from './checkpoint-writer.js';
import { describeError, PositionAuditError, PositionRecoveryError } from './errors.js';
import { applyFillStep, type FillContext } from './fill-step.js';
import { applyFundingStep } from './funding-step.js';
import { applyMark } from './ledger.js';
import type { Position } from './position.js';
import type { RecoverOptions } from './tracker-options.js';
import type { Txn } from './txn.js';

/** The audit events recovery replays: the tracker's recorded inputs. */
export const REPLAYED_TYPES = ['order_filled', 'funding_applied', 'position_excursion'] as const;

/** Entries replayed per commit: bounds the scratch state of a long replay. */
const REPLAY_BATCH = 8192;

/**
 * Replays one audit entry into `txn` through the live code path (nothing is audited again). An excursion
 * must reproduce the MAE/MFE it recorded; entries of other types are skipped.
 *
 * @throws {PositionRecoveryError} when an excursion does not apply as recorded
 * @throws {Error} the live path's error when a fill or funding does not apply
 */
function replayEntry(txn: Txn, entry: AuditEntry, ctx: FillContext): void {
  switch (entry.type) {
    case 'order_filled':
      applyFillStep(txn, entry.fill, ctx);
      return;
    case 'funding_applied':
      applyFundingStep(txn, {
        symbol: entry.symbol,
        amount: entry.amount,
        time: entry.fundingTime,
        fundingId: entry.fundingId,
      });
      return;
    case 'position_excursion': {
      const prev = txn.get(entry.symbol);
      if (prev === undefined) {
        throw new PositionRecoveryError(`seq ${entry.seq}: excursion for ${entry.symbol}, which is flat`);
      }
      const { position, extreme } = applyMark(prev, entry.markPrice, entry.markTime);
      if (
        !extreme ||
        !position.maxAdverseExcursion.eq(entry.maxAdverseExcursion) ||
        !position.maxFavorableExcursion.eq(entry.maxFavorableExcursion)
      ) {
        throw new PositionRecoveryError(
          `seq ${entry.seq}: replayed MAE/MFE of ${entry.symbol} (${position.maxAdverseExcursion}/${position.maxFavorableExcursion}) differ from the audited ${entry.maxAdverseExcursion}/${entry.maxFavorableExcursion}`,
          { details: { seq: entry.seq, symbol: entry.symbol } },
        );
      }
      txn.positions.set(entry.symbol, position);
      return;
    }
    default:
      return;
  }
}

/**
 * Replays `entries` in order, committing every `REPLAY_BATCH` entries.
 *
 * @throws {PositionRecoveryError} code `POSITION_RECOVERY_FAILED` naming the entry that does not apply
 */
export async function replayEntries(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
  begin: () => Txn,
  commit: (txn: Txn) => void,
  ctx: FillContext,
): Promise<void> {
  let txn = begin();
  let pending = 0;
  for await (const entry of entries) {
    try {
      replayEntry(txn, entry, ctx);
    } catch (error) {
      if (error instanceof PositionRecoveryError) throw error;
      throw new PositionRecoveryError(
        `audit entry seq ${entry.seq} (${entry.type}) does not apply: ${(error as Error).message}`,
        { cause: error, details: { seq: entry.seq, type: entry.type } },
      );
    }
    pending += 1;
    if (pending >= REPLAY_BATCH) {
      commit(txn);
      txn = begin();
      pending = 0;
    }
  }
  commit(txn);
}

/** The entries of `source` after seq `covered`. */
async function* after(
  source: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
  covered: number,
): AsyncGenerator<AuditEntry> {
  for await (const entry of source) if (entry.seq > covered) yield entry;
}

/** What `recoverTracker` needs of the tracker it builds. */
export interface Recovering<T> {
  readonly tracker: T;
  /** Starts the tracker's ledger from a checkpoint's state. */
  restore(state: TrackerState): void;
  replay(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): Promise<void>;
  openPositions(): Position[];
}

/**
 * `PositionTracker.recover`: opens the log (or flushes the given logger), starts a tracker from the latest
 * checkpoint that verifies (or the one given, or none), replays the entries after it and audits one
 * `position_updated` (cause `recovery`) per open position. A logger it opened is closed again on failure.
 */
export async function recoverTracker<T>(
  source: AuditLogger | string,
  options: RecoverOptions,
  create: (logger: AuditLogger, owned: boolean) => Recovering<T>,
): Promise<T> {
  const ownLogger = typeof source === 'string';
  const logger =
    typeof source === 'string'
      ? await AuditLogger.open(source, {
          ...(options.clock === undefined ? {} : { clock: options.clock }),
          ...(options.durability === undefined ? {} : { durability: options.durability }),
        })
      : source;
  try {
    if (!ownLogger) await logger.flush();
    const r = create(logger, ownLogger);
    let checkpoint = options.checkpoint;
    if (checkpoint === undefined && options.entries === undefined) {
      checkpoint = await loadPositionsCheckpoint(
        logger.dir,
        options.onWarning === undefined ? {} : { onWarning: options.onWarning },
      );
    }
    if (checkpoint !== undefined && checkpoint !== null) r.restore(checkpoint.state);
    const covered = checkpoint?.after.seq ?? 0;
    const entries =
      options.entries ??
      readAuditLog(logger.dir, {
        types: REPLAYED_TYPES,
        ...(checkpoint === undefined || checkpoint === null ? {} : { from: checkpoint.after }),
      });
    await r.replay(covered === 0 ? entries : after(entries, covered));
    const open = r.openPositions();
    if (open.length > 0) {
      try {
        await Promise.all(
          open.map((p) =>
            logger.append({
              type: 'position_updated',
              symbol: p.symbol,
              cause: 'recovery',
              position: p.toPosition(),
            }),
          ),
        );
      } catch (error) {
        throw new PositionAuditError(
          `recovered, but could not audit the recovered positions: ${describeError(error).message}`,
          { cause: error },
        );
      }
    }
    return r.tracker;
  } catch (error) {
    if (ownLogger) await logger.close().catch(() => undefined);
    throw error;
  }
}
