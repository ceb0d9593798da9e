// Over 400 lines on purpose: this is the public facade, one documented method per operation of the API
// (its JSDoc, with @throws and examples, is the API reference), about half of it comments. The bodies check
// input and delegate: commit-queue.ts batches operations and appends their events before they become
// visible, fill-step.ts / funding-step.ts / marks.ts apply one operation to a transaction (ledger.ts holds
// the P&L math), totals.ts keeps the sums, checkpoint-writer.ts writes checkpoints and recovery.ts replays
// the log.
import type { AuditLogger } from '@hl-bot/audit';
import {
  type AuditEntry,
  type AuditSink,
  type Clock,
  type ClosedPosition,
  type Decimal,
  type DecimalInput,
  type PositionReader,
  systemClock,
  toDecimal,
} from '@hl-bot/core-types';
import type { TrackerState } from './checkpoint.js';
import { CheckpointWriter, canCheckpoint, loadPositionsCheckpoint } from './checkpoint-writer.js';
import { CommitQueue, type Op } from './commit-queue.js';
import { type PositionAuditError, PositionRecoveryError } from './errors.js';
import { applyFillStep, type FillContext, type FillOutcome } from './fill-step.js';
import { applyFundingStep, parseFunding } from './funding-step.js';
import { CompactIdSet, type IdKey } from './id-set.js';
import { applyMark } from './ledger.js';
import { applyMarkStep, excursionEvent, parseMark } from './marks.js';
import { nullAuditSink } from './null-audit-sink.js';
import type { Position } from './position.js';
import { REPLAYED_TYPES, recoverTracker, replayEntries } from './recovery.js';
import { LedgerTotals } from './totals.js';
import type {
  LoadCheckpointOptions,
  PositionsCheckpoint,
  PositionTrackerOptions,
  RecoverOptions,
} from './tracker-options.js';
import { type Ledger, Txn } from './txn.js';

export type {
  FillOutcome,
  LoadCheckpointOptions,
  PositionsCheckpoint,
  PositionTrackerOptions,
  RecoverOptions,
};

/** Settles an operation nobody awaits (marks): its failure halts the tracker, which later calls report. */
const ignore = (): void => {};

/** Hears a position open, change size or entry, take funding or go flat (`onPositionChange`). */
export type PositionChangeListener = (symbol: string, position: Position | undefined) => void;

/** True when `next` is another position than `prev`, not the same one revalued at a mark. */
function positionMoved(prev: Position | undefined, next: Position | undefined): boolean {
  // A mark copies every other field by reference (`fields()`), so identity tells a mark from a change.
  if (prev === next) return false;
  return (
    prev === undefined ||
    next === undefined ||
    prev.signedQuantity !== next.signedQuantity ||
    prev.costBasis !== next.costBasis ||
    prev.funding !== next.funding
  );
}

/**
 * The position ledger, built from fills only (never by polling the exchange). One net position per symbol.
 *
 * Every fill and funding is audited before it becomes visible (a mark shows at once and its new MAE/MFE is
 * recorded behind it, see `updateMarketPrice`): operations queue, are applied in call order to a
 * scratch copy, their events are appended (concurrent calls share one group commit), and only when every
 * append resolved does the new state replace the old. A failed append leaves the state unchanged, rejects
 * the operation and halts the tracker (the log may hold part of the operation; rebuild with `recover`).
 *
 * Idempotent by fill id, across restarts too: processed ids are rebuilt from the audit log. All ids are
 * kept in a Set (about 110 MB of heap per million 12-character ids), trading memory for never re-booking a fill.
 *
 * @example
 * const audit = await AuditLogger.open('./logs/audit');
 * const tracker = new PositionTracker(audit);
 * await tracker.updateFromFill({ id: 'f1', orderId: 'o1', symbol: 'BTC-USD', side: 'buy',
 *   quantity: '0.1', price: '50000', fee: '5' });
 * tracker.updateMarketPrice('BTC-USD', '52000'); // visible at once
 * tracker.getPosition('BTC-USD')?.unrealizedPnl.toString(); // '200'
 */
export class PositionTracker implements PositionReader {
  /** The audit event types `recover` replays (for a caller that reads the log once for several components). */
  static readonly REPLAYED_TYPES: readonly AuditEntry['type'][] = REPLAYED_TYPES;
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #fill: FillContext;
  readonly #ledger: Ledger = {
    positions: new Map(),
    fillIds: new CompactIdSet(),
    fundingIds: new Set(),
    closed: [],
    closedBefore: 0,
    lastFillTime: undefined,
  };
  readonly #totals = new LedgerTotals(this.#ledger.positions);
  readonly #queue: CommitQueue;
  readonly #checkpoints: CheckpointWriter;
  /** The logger `recover(dir)` opened, which `close()` closes. */
  #ownedLogger: AuditLogger | undefined;
  readonly #listeners = new Set<PositionChangeListener>();
  readonly #keepClosed: number;
  readonly #trimSlack: number;

  /**
   * @param audit where every change is recorded first (an `AuditLogger`, or any `AuditSink`)
   * @throws {RangeError} for a `maxBatchSize` that is not a positive integer, or a `keepClosedPositions` that
   * is neither a non-negative integer nor `Infinity`
   * @throws {InvalidDecimalError} for a malformed `closedPnlTolerance`
   */
  constructor(audit: AuditSink, options: PositionTrackerOptions = {}) {
    this.#sink = audit;
    this.#clock = options.clock ?? systemClock;
    this.#fill = {
      spotSymbols: new Set(options.spotSymbols ?? []),
      tolerance: toDecimal(options.closedPnlTolerance ?? 0, 'closedPnlTolerance').abs(),
      clock: this.#clock,
    };
    const keep = options.keepClosedPositions ?? 10_000;
    if (!(Number.isSafeInteger(keep) && keep >= 0) && keep !== Number.POSITIVE_INFINITY) {
      throw new RangeError(`keepClosedPositions must be a non-negative integer or Infinity, got ${keep}`);
    }
    this.#keepClosed = keep;
    // Trimmed in slices, so a close costs O(1) amortized however many are kept.
    this.#trimSlack = Math.max(1, Math.min(1024, Math.ceil(keep / 8)));
    const maxBatch = options.maxBatchSize ?? 4096;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatch}`);
    }
    // A sink that keeps nothing gets no events: building them (a position snapshot per fill) was a sixth
    // of the CPU per fill, for nothing.
    const record = audit !== nullAuditSink;
    this.#checkpoints = new CheckpointWriter(
      options.checkpointEvery,
      this.#clock,
      this.#ledger,
      this.#totals,
      audit,
    );
    this.#queue = new CommitQueue(audit, maxBatch, {
      begin: () => new Txn(this.#ledger, record),
      apply: (txn, op) => this.#apply(txn, op),
      commit: (txn) => this.#commit(txn),
      afterBatch: (events, idle) => this.#checkpoints.afterBatch(audit, events, idle),
    });
  }

  /**
   * Applies one fill and resolves to the symbol's position afterwards (undefined when the fill left it flat).
   * A fill id seen before changes nothing: it is audited as `fill_duplicate` and the current position is
   * returned. When the fill carries the venue's `closedPnl` and it differs from the tracker's own gross
   * realized P&L for the fill, a `pnl_mismatch` is audited; the tracker's number stays.
   *
   * @throws {InvalidFillError} code `INVALID_FILL`: no position changed (the rejection is audited as `error`)
   * @throws {PositionAuditError} code `POSITION_AUDIT_FAILED`: nothing changed; the tracker halted
   * @throws {PositionTrackerHaltedError} code `POSITION_TRACKER_HALTED` after an earlier audit failure
   * @example
   * const position = await tracker.updateFromFill({ id: 'f2', orderId: 'o2', symbol: 'BTC-USD',
   *   side: 'sell', quantity: '0.05', price: '51000', fee: '2.55', closedPnl: '50' });
   */
  updateFromFill(fill: unknown): Promise<Position | undefined> {
    return new Promise((resolve, reject) =>
      this.#queue.enqueue({
        kind: 'fill',
        raw: fill,
        outcome: false,
        resolve: resolve as (r: unknown) => void,
        reject,
      }),
    );
  }

  /**
   * `updateFromFill`, resolving to what the fill did: the position after it and before it, the round trip
   * it closed (if any) and whether it was a duplicate, so a caller needs no further reads to act on it.
   *
   * @throws as `updateFromFill`
   * @example
   * const { closed, duplicate } = await tracker.applyFill({ id: 'f3', orderId: 'o3', symbol: 'BTC-USD',
   *   side: 'sell', quantity: '0.15', price: '52000' });
   * if (!duplicate && closed !== undefined) console.log('round trip', closed.netRealizedPnl.toString());
   */
  applyFill(fill: unknown): Promise<FillOutcome> {
    return new Promise((resolve, reject) =>
      this.#queue.enqueue({
        kind: 'fill',
        raw: fill,
        outcome: true,
        resolve: resolve as (r: unknown) => void,
        reject,
      }),
    );
  }

  /**
   * Values the symbol's open position at a new mark price and extends its MAE/MFE, visible at once: the
   * returned position and `getPosition` show it as soon as this returns (no `await`), like
   * `RiskManager.updateMarketPrice`. O(1) in the number of positions. A mark for a flat symbol is ignored
   * (marks are kept per open position only).
   *
   * A mark that makes a new MAE or MFE is recorded (`position_excursion`) in the audit log behind it, before
   * anything that follows; `await tracker.flush()` waits until that record is durable. A failed record halts
   * the tracker (later calls throw `PositionTrackerHaltedError`). While an earlier fill or funding of the
   * same symbol is still being audited, the mark is applied after it, in call order, and shows with it; the
   * position returned is then the one visible now.
   *
   * @param time when the mark was observed; default `clock.now()`
   * @throws {InvalidMarkPriceError} code `INVALID_MARK_PRICE` for a bad symbol, price or time
   * @throws {PositionTrackerHaltedError} after an earlier audit failure
   * @example
   * tracker.updateMarketPrice('BTC-USD', '49500').unrealizedPnl;
   */
  updateMarketPrice(symbol: string, price: DecimalInput, time?: number): Position | undefined {
    const mark = parseMark(symbol, price, time, this.#clock);
    const queue = this.#queue;
    if (queue.halted !== undefined) throw queue.haltedError();
    if (queue.isBusy(symbol)) {
      // A change to this symbol is still being audited: apply the mark after it, in call order.
      queue.enqueue({ kind: 'mark', symbol, ...mark, resolve: ignore, reject: ignore });
      return this.#ledger.positions.get(symbol);
    }
    const prev = this.#ledger.positions.get(symbol);
    if (prev === undefined) return undefined;
    const { position, extreme } = applyMark(prev, mark.price, mark.time);
    this.#replace(symbol, prev, position);
    if (extreme) {
      const event = excursionEvent(position, mark.price, mark.time);
      queue.enqueue({ kind: 'excursion', event, resolve: ignore, reject: ignore });
    }
    return position;
  }

  /**
   * Resolves when every change made so far (marks included) is durable in the audit log; rejects with the
   * audit failure that halted the tracker, if one did.
   */
  async flush(): Promise<void> {
    await this.idle();
    if (this.#queue.halted !== undefined) throw this.#queue.haltedError();
  }

  /**
   * Adds a funding payment to the symbol's open position (`amount` > 0 received, < 0 paid). It counts in
   * `funding` and `netRealizedPnl`. With a `fundingId`, a payment already applied changes nothing.
   *
   * @throws {InvalidFundingError} code `INVALID_FUNDING`, synchronously, for a bad symbol, amount, time or id
   * @throws {PositionNotOpenError} code `POSITION_NOT_OPEN` when the symbol is flat (audited as `error`)
   * @throws {PositionAuditError} / {PositionTrackerHaltedError} as for fills
   * @example
   * await tracker.applyFunding('BTC-USD', '-1.25', Date.parse('2026-01-01T01:00:00Z'), 'BTC-USD:1767229200000');
   */
  applyFunding(symbol: string, amount: DecimalInput, time: number, fundingId?: string): Promise<Position> {
    const funding = parseFunding(symbol, amount, time, fundingId);
    return new Promise((resolve, reject) =>
      this.#queue.enqueue({
        kind: 'funding',
        funding,
        resolve: resolve as (p: unknown) => void,
        reject,
      }),
    );
  }

  /**
   * Rebuilds a tracker from an audit log: the same open and closed positions, processed fill and funding
   * ids, MAE/MFE and totals as the tracker that wrote it. Replays the recorded inputs (`order_filled`,
   * `funding_applied`, `position_excursion`) in log order through the live code path without auditing them
   * again, then audits one `position_updated` (cause `recovery`) per open position. The new tracker appends
   * to the same log.
   *
   * Not restored: market data. A recovered position's mark is the last mark that was audited (one that made
   * a new MAE or MFE), so feed fresh marks before trusting `unrealizedPnl` or `getTotalExposure()`.
   *
   * @param source an open `AuditLogger` (flushed first, then used as the sink) or a log directory (opened
   *   with `AuditLogger.open(dir, { clock, durability })`)
   * @throws {PositionRecoveryError} code `POSITION_RECOVERY_FAILED` when an entry does not apply
   * @throws {AuditCorruptError} code `AUDIT_CORRUPT` when the log fails its hash chain or schema checks
   * @throws {AuditLockError} code `AUDIT_LOCKED` when another process writes the directory
   * @example
   * const tracker = await PositionTracker.recover('./logs/audit');
   * tracker.getAllPositions().forEach((p) => console.log(p.symbol, p.signedQuantity.toString()));
   */
  static recover(source: AuditLogger | string, options: RecoverOptions = {}): Promise<PositionTracker> {
    return recoverTracker(source, options, (logger, owned) => {
      const tracker = new PositionTracker(logger, options);
      if (owned) tracker.#ownedLogger = logger;
      return {
        tracker,
        restore: (state) => tracker.#restore(state),
        replay: (entries) => tracker.replay(entries),
        openPositions: () => tracker.getAllPositions(),
      };
    });
  }

  /**
   * The latest positions checkpoint in the log at `dir` that verifies, or null when there is none (replay
   * everything). A checkpoint that does not verify (parts missing, its state unreadable) is never used:
   * `onWarning` hears why and an older one is tried.
   */
  static loadCheckpoint(
    dir: string,
    options: LoadCheckpointOptions = {},
  ): Promise<PositionsCheckpoint | null> {
    return loadPositionsCheckpoint(dir, options);
  }

  /**
   * Writes a checkpoint of the ledger (open positions with every stored field, closed round-trip count and
   * totals, processed fill ids in compact exact form, funding ids) into the audit log, covering every entry
   * appended before it; `recover` then replays only the entries after it. Waits for queued operations to
   * settle first; resolves once the checkpoint is durable.
   *
   * @throws {TypeError} when the audit sink cannot write checkpoints (it is not an AuditLogger)
   * @throws {PositionTrackerHaltedError} after an audit failure
   * @example
   * await tracker.checkpoint();
   */
  async checkpoint(): Promise<void> {
    const sink = this.#sink;
    if (!canCheckpoint(sink))
      throw new TypeError('this audit sink cannot write checkpoints (use an AuditLogger)');
    if (typeof sink.open === 'function') await sink.open();
    const queue = this.#queue;
    const writer = this.#checkpoints;
    for (let round = 0; queue.draining || writer.inFlight !== undefined; round += 1) {
      if (round > 1_000_000) throw new Error('the tracker never became idle');
      if (writer.inFlight !== undefined) await writer.inFlight;
      else await this.idle();
    }
    if (queue.halted !== undefined) throw queue.haltedError();
    await writer.write(sink);
  }

  /** Time of the last fill applied (now or before a restart), in log order; undefined before any fill. */
  get lastFillTime(): number | undefined {
    return this.#ledger.lastFillTime;
  }

  /** Number of closed round trips, including those before a restored checkpoint. */
  get closedPositionCount(): number {
    return this.#ledger.closedBefore + this.#ledger.closed.length;
  }

  /** The open position of a symbol, or undefined when flat. */
  getPosition(symbol: string): Position | undefined {
    return this.#ledger.positions.get(symbol);
  }

  /** All open positions (a new array; order: when each current position was opened, oldest first). */
  getAllPositions(): Position[] {
    return [...this.#ledger.positions.values()];
  }

  /**
   * Calls `listener(symbol, position)` whenever a fill or funding payment opens, changes or closes a position
   * (`position` undefined when flat), synchronously as the change becomes visible, once per symbol per
   * committed batch; a mark alone revalues a position and is not such a change. This is how a reader that
   * keeps an index of positions (the risk manager, `RiskManager.followPositions`) stays equal to the tracker
   * without a copy handed to it. A listener must not throw (an exception is ignored, so the tracker's state
   * stays whole: the listener fails closed on its own side). Returns the unsubscribe function.
   * @example
   * const off = tracker.onPositionChange((symbol, p) => console.log(symbol, p?.signedQuantity.toString() ?? 'flat'));
   */
  onPositionChange(listener: PositionChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * The latest closed round trips, oldest first (a copy): at most `keepClosedPositions` (default 10,000), and
   * only those closed since the checkpoint a recovery started from. `closedPositionCount` counts them all.
   */
  getClosedPositions(): ClosedPosition[] {
    const closed = this.#ledger.closed;
    return closed.slice(Math.max(0, closed.length - this.#keepClosed));
  }

  /**
   * Sum of the open positions' `exposure` (quote currency): |quantity| x mark when the mark is newer than
   * the last fill; else max(|quantity| x entry, |quantity| x last fill price), so a symbol without a fresh
   * mark is never valued below a price it is known to trade at. Amortized O(1): changes are folded in when read.
   */
  getTotalExposure(): Decimal {
    return this.#totals.exposure();
  }

  /** Sum of the open positions' unrealized P&L. Amortized O(1). */
  getTotalUnrealizedPnl(): Decimal {
    return this.#totals.unrealizedPnl();
  }

  /** Gross realized P&L of closed round trips plus the realized part of open positions. O(1). */
  getTotalRealizedPnl(): Decimal {
    return this.#totals.realizedPnl();
  }

  /** Fees of closed and open positions (rebates negative). O(1). */
  getTotalFees(): Decimal {
    return this.#totals.fees();
  }

  /** Funding of closed and open positions (received positive). O(1). */
  getTotalFunding(): Decimal {
    return this.#totals.funding();
  }

  /** Total realized P&L - fees + funding, closed and open. O(1). */
  getTotalNetRealizedPnl(): Decimal {
    return this.getTotalRealizedPnl().minus(this.getTotalFees()).plus(this.getTotalFunding());
  }

  /** True when a fill with this id has been applied (now or before a restart). */
  hasProcessedFill(fillId: string): boolean {
    return this.#ledger.fillIds.has(fillId);
  }

  /** Number of distinct fills applied. */
  get processedFillCount(): number {
    return this.#ledger.fillIds.size;
  }

  /** The audit failure that halted the tracker, if any. */
  get haltedBy(): PositionAuditError | undefined {
    return this.#queue.halted;
  }

  /**
   * Waits for queued operations to settle, then closes the AuditLogger that `recover(dir)` opened (a sink
   * passed in by the caller stays open: its owner closes it).
   *
   * @throws {AuditWriteError} when the owned logger could not make pending entries durable
   */
  async close(): Promise<void> {
    await this.idle();
    const logger = this.#ownedLogger;
    this.#ownedLogger = undefined;
    await logger?.close();
  }

  /** Resolves when every operation queued so far has settled. */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /**
   * Replays audit entries (the tracker's own `order_filled`, `funding_applied` and `position_excursion`)
   * through the same code path as live updates, without auditing them again. Used by `recover`.
   *
   * @throws {PositionRecoveryError} code `POSITION_RECOVERY_FAILED` when an entry does not apply
   * @example
   * const copy = new PositionTracker(nullAuditSink);
   * await copy.replay(readAuditLog('./logs/audit', { types: ['order_filled', 'funding_applied', 'position_excursion'] }));
   */
  async replay(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): Promise<void> {
    if (!this.#queue.empty) throw new PositionRecoveryError('replay needs an idle tracker');
    await replayEntries(
      entries,
      () => new Txn(this.#ledger, false),
      (txn) => this.#commit(txn),
      this.#fill,
    );
  }

  #apply(txn: Txn, op: Op): unknown {
    switch (op.kind) {
      case 'fill': {
        return applyFillStep(txn, op.raw, this.#fill, op.outcome);
      }
      case 'mark':
        return applyMarkStep(txn, op.symbol, op.price, op.time);
      case 'funding':
        return applyFundingStep(txn, op.funding);
      case 'excursion':
        txn.emit(op.event);
        return undefined;
    }
  }

  #commit(txn: Txn): void {
    const ledger = this.#ledger;
    this.#moved = undefined;
    txn.positions.forEach(this.#commitPosition);
    if (txn.fillIds !== undefined) txn.fillIds.forEach(this.#commitFill);
    if (txn.lastFillTime !== undefined) ledger.lastFillTime = txn.lastFillTime;
    if (txn.fundingIds !== undefined) {
      for (const id of txn.fundingIds) {
        ledger.fundingIds.add(id);
        this.#checkpoints.noteFunding(id);
      }
    }
    if (txn.closed !== undefined) {
      for (const c of txn.closed) {
        ledger.closed.push(c);
        this.#totals.addClosed(c);
      }
      const excess = ledger.closed.length - this.#keepClosed;
      if (excess >= this.#trimSlack) {
        ledger.closed.splice(0, excess);
        ledger.closedBefore += excess;
      }
    }
    // Set by #commitPosition (TypeScript does not see the callback's write).
    const moved = this.#moved as string[] | undefined;
    if (moved !== undefined) {
      this.#moved = undefined;
      for (const symbol of moved) this.#notify(symbol);
    }
  }

  /** Symbols whose position moved in the commit running (for the listeners), if any did. */
  #moved: string[] | undefined;

  // One function each for every commit (SmallMap.forEach), so a commit of one fill builds no arrays.
  readonly #commitPosition = (next: Position | null, symbol: string): void => {
    const prev = this.#ledger.positions.get(symbol);
    const now = next ?? undefined;
    this.#replace(symbol, prev, now);
    if (this.#listeners.size > 0 && positionMoved(prev, now)) {
      if (this.#moved === undefined) this.#moved = [symbol];
      else this.#moved.push(symbol);
    }
  };

  readonly #commitFill = (key: IdKey): void => {
    this.#ledger.fillIds.addKey(key);
    this.#checkpoints.noteFill(key);
  };

  #notify(symbol: string): void {
    const position = this.#ledger.positions.get(symbol);
    for (const listener of this.#listeners) {
      try {
        listener(symbol, position);
      } catch {
        // The listener's failure is its own (see onPositionChange): the committed state stands.
      }
    }
  }

  #replace(symbol: string, prev: Position | undefined, next: Position | undefined): void {
    if (prev === next) return;
    if (next === undefined) this.#ledger.positions.delete(symbol);
    else this.#ledger.positions.set(symbol, next);
    this.#totals.changed(symbol, prev);
  }

  #restore(state: TrackerState): void {
    const l = this.#ledger;
    for (const p of state.positions) this.#replace(p.symbol, undefined, p);
    l.fillIds = state.fillIds;
    for (const id of state.fundingIds) l.fundingIds.add(id);
    this.#checkpoints.restart();
    l.closedBefore = state.closedCount;
    l.lastFillTime = state.lastFillTime;
    this.#totals.restoreClosed(state);
  }
}
