import {
  type AuditDurability,
  AuditLogger,
  type AuditPosition,
  type CheckpointLink,
  readAuditLog,
  readLatestCheckpoint,
} from '@hl-bot/audit';
import {
  type AuditEntry,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  type ClosedPosition,
  type Decimal,
  type DecimalInput,
  describeValue,
  HlBotError,
  SymbolSchema,
  systemClock,
  toDecimal,
  ZERO,
} from '@hl-bot/core-types';
import { loadTrackerState, serializeTrackerState, type TrackerState } from './checkpoint.js';
import { abs, cmp } from './decimal-ops.js';
import {
  InvalidFundingError,
  InvalidMarkPriceError,
  PositionAuditError,
  PositionNotOpenError,
  PositionRecoveryError,
  PositionTrackerHaltedError,
} from './errors.js';
import { normalizeFill } from './fill-input.js';
import { CompactIdSet } from './id-set.js';
import { applyFill, applyFunding, applyMark } from './ledger.js';
import type { Position } from './position.js';

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

const CHECKPOINT_COMPONENT = 'positions';

function defaultWarning(message: string): void {
  process.emitWarning(message, { code: 'HL_CHECKPOINT_IGNORED' });
}

/** A sink that can write checkpoints (an AuditLogger). */
interface CheckpointSink extends AuditSink {
  appendCheckpoint(component: string, data: string): Promise<unknown>;
  open?: () => Promise<void>;
}

function canCheckpoint(sink: AuditSink): sink is CheckpointSink {
  return typeof (sink as { appendCheckpoint?: unknown }).appendCheckpoint === 'function';
}

/** The audit events recovery replays: the tracker's recorded inputs. */
const REPLAYED_TYPES = ['order_filled', 'funding_applied', 'position_excursion'] as const;

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

const SOURCE = '@hl-bot/positions';

interface Settle {
  resolve(value: Position | undefined): void;
  reject(error: unknown): void;
  /** Set when queued: the symbol counted busy for this operation. */
  busy?: string | undefined;
}

type Op =
  | ({ kind: 'fill'; raw: unknown } & Settle)
  /** Only records a mark's new MAE/MFE: the mark itself is already visible. */
  | ({ kind: 'excursion'; event: AuditEventInput } & Settle)
  | ({ kind: 'mark'; symbol: string; price: Decimal; time: number } & Settle)
  | ({
      kind: 'funding';
      symbol: string;
      amount: Decimal;
      time: number;
      fundingId: string | undefined;
    } & Settle);

/** The committed (visible, durable) state. */
interface Ledger {
  readonly positions: Map<string, Position>;
  fillIds: CompactIdSet;
  readonly fundingIds: Set<string>;
  readonly closed: ClosedPosition[];
  /** Closed round trips that a restored checkpoint counted (their list stays in the log). */
  closedBefore: number;
  lastFillTime: number | undefined;
}

/**
 * Changes computed on top of the committed ledger, made visible all at once after their audit events are
 * durable. Everything an operation computes goes into local variables first; it writes to the Txn only
 * when it can no longer throw, so a failed operation leaves no trace.
 */
class Txn {
  readonly positions = new Map<string, Position | null>();
  readonly fillIds = new Set<string>();
  readonly fundingIds = new Set<string>();
  readonly closed: ClosedPosition[] = [];
  lastFillTime: number | undefined;
  /** Events to append, in order; a superseded fill update leaves a hole (undefined). */
  readonly events: Array<AuditEventInput | FillUpdate | undefined> = [];
  /** Index in `events` of each symbol's latest fill update, which a later fill of the symbol supersedes. */
  readonly #fillUpdates = new Map<string, number>();

  constructor(
    private readonly base: Ledger,
    readonly record: boolean,
  ) {}

  get(symbol: string): Position | undefined {
    const p = this.positions.get(symbol);
    if (p === undefined) return this.base.positions.get(symbol);
    return p ?? undefined;
  }

  hasFill(id: string): boolean {
    return (this.fillIds.size > 0 && this.fillIds.has(id)) || this.base.fillIds.has(id);
  }

  hasFunding(id: string): boolean {
    return this.fundingIds.has(id) || this.base.fundingIds.has(id);
  }

  emit(event: AuditEventInput): void {
    if (this.record) this.events.push(event);
  }

  /**
   * Records the symbol's position after a fill (`position_updated`, cause `fill`). Within one batch only the
   * last fill of a symbol keeps its update: the earlier ones would be superseded before anything becomes
   * visible, and recovery never reads them (it replays `order_filled`, which every fill keeps). The snapshot
   * is built when the batch is appended, so superseded versions are never snapshotted.
   */
  emitFillUpdate(symbol: string, fillId: string, position: Position | undefined): void {
    if (!this.record) return;
    const earlier = this.#fillUpdates.get(symbol);
    if (earlier !== undefined) this.events[earlier] = undefined;
    this.#fillUpdates.set(symbol, this.events.length);
    this.events.push(new FillUpdate(symbol, fillId, position));
  }
}

/** A `position_updated` (cause `fill`) whose snapshot is built only if it is still current at append time. */
class FillUpdate {
  constructor(
    readonly symbol: string,
    readonly fillId: string,
    readonly position: Position | undefined,
  ) {}

  toEvent(): AuditEventInput {
    const { symbol, fillId, position } = this;
    return position === undefined
      ? { type: 'position_updated', symbol, cause: 'fill', fillId }
      : { type: 'position_updated', symbol, cause: 'fill', fillId, position: position.toPosition() };
  }
}

function describeError(error: unknown): { message: string; code: string | undefined } {
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: message.length > 3900 ? `${message.slice(0, 3900)}…` : message,
    code: HlBotError.is(error) ? error.code : undefined,
  };
}

/**
 * The symbol an unparsed fill names, read without trusting it: a hostile fill (a throwing getter, a revoked
 * proxy) names none here and is refused with a typed error when it is parsed.
 */
function rawFillSymbol(raw: unknown): string | undefined {
  try {
    const symbol = (raw as { symbol?: unknown } | null)?.symbol;
    return typeof symbol === 'string' ? symbol : undefined;
  } catch {
    return undefined;
  }
}

/** The symbol whose visible position an operation will change; marks wait behind it. */
function busyKey(op: Op): string | undefined {
  switch (op.kind) {
    case 'fill':
      return rawFillSymbol(op.raw) ?? '';
    case 'excursion':
      return undefined;
    default:
      return op.symbol;
  }
}

/** Settles an operation nobody awaits (marks): its failure halts the tracker, which later calls report. */
const ignore = (): void => {};

/** The entries of `source` after seq `covered`. */
async function* after(
  source: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
  covered: number,
): AsyncGenerator<AuditEntry> {
  for await (const entry of source) if (entry.seq > covered) yield entry;
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
export class PositionTracker {
  /** The audit event types `recover` replays (for a caller that reads the log once for several components). */
  static readonly REPLAYED_TYPES: readonly AuditEntry['type'][] = REPLAYED_TYPES;
  readonly #sink: AuditSink;
  readonly #clock: Clock;
  readonly #spotSymbols: ReadonlySet<string>;
  readonly #tolerance: Decimal;
  readonly #maxBatch: number;
  readonly #ledger: Ledger = {
    positions: new Map(),
    fillIds: new CompactIdSet(),
    fundingIds: new Set(),
    closed: [],
    closedBefore: 0,
    lastFillTime: undefined,
  };
  readonly #checkpointEvents: number;
  readonly #checkpointMs: number;
  #eventsSinceCheckpoint = 0;
  #lastCheckpointAt: number;
  /** Number of the next checkpoint in the id chain (see `IdChain`); 0: it holds every id. */
  #ckN = 0;
  /** The checkpoint numbered 0, which holds every id up to it. */
  #ckBase: CheckpointLink | undefined;
  /**
   * The written checkpoints of the id chain that a later one still merges, oldest first: one per set bit
   * of `#ckN - 1`, each with the ids it holds (together, every id since the base).
   */
  #ckLevels: Array<{ bit: number; fill: CompactIdSet; funding: Set<string>; at: CheckpointLink }> = [];
  /** Ids processed since the last checkpoint. */
  #recentFill = new CompactIdSet();
  #recentFunding = new Set<string>();
  /** The checkpoint being written: the next one links to it, so it waits. */
  #ckInFlight: Promise<void> | undefined;
  #queue: Op[] = [];
  /** Symbols with a fill, funding or mark queued or in flight -> how many. */
  readonly #busy = new Map<string, number>();
  #draining = false;
  #halted: PositionAuditError | undefined;
  #idleWaiters: Array<() => void> = [];
  /** The logger `recover(dir)` opened, which `close()` closes. */
  #ownedLogger: AuditLogger | undefined;
  // Maintained sums, so totals and mark updates are O(1) in the number of positions. A change is folded into
  // them when a total is read, from the version the sums hold to the current one: a burst of fills (or
  // marks) on a symbol between two reads costs one fold instead of one per change.
  /** Symbols changed since the last fold -> the version of their position the sums hold. */
  readonly #unfolded = new Map<string, Position | undefined>();
  #exposure: Decimal = ZERO;
  #unrealized: Decimal = ZERO;
  #openRealized: Decimal = ZERO;
  #openFees: Decimal = ZERO;
  #openFunding: Decimal = ZERO;
  #closedRealized: Decimal = ZERO;
  #closedFees: Decimal = ZERO;
  #closedFunding: Decimal = ZERO;

  /**
   * @param audit where every change is recorded first (an `AuditLogger`, or any `AuditSink`)
   * @throws {RangeError} for a `maxBatchSize` that is not a positive integer
   * @throws {InvalidDecimalError} for a malformed `closedPnlTolerance`
   */
  constructor(audit: AuditSink, options: PositionTrackerOptions = {}) {
    this.#sink = audit;
    this.#clock = options.clock ?? systemClock;
    this.#spotSymbols = new Set(options.spotSymbols ?? []);
    this.#tolerance = toDecimal(options.closedPnlTolerance ?? 0, 'closedPnlTolerance').abs();
    const maxBatch = options.maxBatchSize ?? 4096;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatch}`);
    }
    this.#maxBatch = maxBatch;
    const every = options.checkpointEvery ?? {};
    this.#checkpointEvents = every === false ? Number.POSITIVE_INFINITY : (every.events ?? 10_000);
    this.#checkpointMs = every === false ? Number.POSITIVE_INFINITY : (every.ms ?? 600_000);
    this.#lastCheckpointAt = this.#clock.now();
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
    return new Promise((resolve, reject) => this.#enqueue({ kind: 'fill', raw: fill, resolve, reject }));
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
    if (typeof symbol !== 'string' || !SymbolSchema.safeParse(symbol).success) {
      throw new InvalidMarkPriceError(`invalid symbol ${describeValue(symbol)}`);
    }
    let mark: Decimal;
    try {
      mark = toDecimal(price, 'price');
    } catch (error) {
      throw new InvalidMarkPriceError(`mark price of ${symbol}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!mark.gt(0)) throw new InvalidMarkPriceError(`mark price of ${symbol} must be > 0, got ${mark}`);
    const at = time ?? this.#clock.now();
    if (!Number.isSafeInteger(at) || at < 0) {
      throw new InvalidMarkPriceError(`mark time of ${symbol} must be epoch ms, got ${describeValue(time)}`);
    }
    if (this.#halted !== undefined) throw this.#haltedError();
    if (this.#busy.has(symbol)) {
      // A change to this symbol is still being audited: apply the mark after it, in call order.
      this.#enqueue({ kind: 'mark', symbol, price: mark, time: at, resolve: ignore, reject: ignore });
      return this.#ledger.positions.get(symbol);
    }
    const prev = this.#ledger.positions.get(symbol);
    if (prev === undefined) return undefined;
    const { position, extreme } = applyMark(prev, mark, at);
    this.#replace(symbol, prev, position);
    if (extreme) {
      const event: AuditEventInput = {
        type: 'position_excursion',
        symbol,
        markPrice: mark,
        markTime: at,
        maxAdverseExcursion: position.maxAdverseExcursion,
        maxFavorableExcursion: position.maxFavorableExcursion,
      };
      this.#enqueue({ kind: 'excursion', event, resolve: ignore, reject: ignore });
    }
    return position;
  }

  /**
   * Resolves when every change made so far (marks included) is durable in the audit log; rejects with the
   * audit failure that halted the tracker, if one did.
   */
  async flush(): Promise<void> {
    await this.idle();
    if (this.#halted !== undefined) throw this.#haltedError();
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
    if (typeof symbol !== 'string' || !SymbolSchema.safeParse(symbol).success) {
      throw new InvalidFundingError(`invalid symbol ${describeValue(symbol)}`);
    }
    let value: Decimal;
    try {
      value = toDecimal(amount, 'amount');
    } catch (error) {
      throw new InvalidFundingError(`funding of ${symbol}: ${(error as Error).message}`, { cause: error });
    }
    if (!Number.isSafeInteger(time) || time < 0) {
      throw new InvalidFundingError(`funding time of ${symbol} must be epoch ms, got ${describeValue(time)}`);
    }
    if (
      fundingId !== undefined &&
      (typeof fundingId !== 'string' || fundingId.length < 1 || fundingId.length > 256)
    ) {
      throw new InvalidFundingError(`fundingId must be a string of 1 to 256 characters`);
    }
    return new Promise((resolve, reject) =>
      this.#enqueue({
        kind: 'funding',
        symbol,
        amount: value,
        time,
        fundingId,
        resolve: resolve as (p: Position | undefined) => void,
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
  static async recover(source: AuditLogger | string, options: RecoverOptions = {}): Promise<PositionTracker> {
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
      const tracker = new PositionTracker(logger, options);
      if (ownLogger) tracker.#ownedLogger = logger;
      let checkpoint = options.checkpoint;
      if (checkpoint === undefined && options.entries === undefined) {
        checkpoint = await PositionTracker.loadCheckpoint(
          logger.dir,
          options.onWarning === undefined ? {} : { onWarning: options.onWarning },
        );
      }
      if (checkpoint !== undefined && checkpoint !== null) tracker.#restore(checkpoint.state);
      const covered = checkpoint?.after.seq ?? 0;
      const entries =
        options.entries ??
        readAuditLog(logger.dir, {
          types: REPLAYED_TYPES,
          ...(checkpoint === undefined || checkpoint === null ? {} : { from: checkpoint.after }),
        });
      await tracker.replay(covered === 0 ? entries : after(entries, covered));
      const open = tracker.getAllPositions();
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
            {
              cause: error,
            },
          );
        }
      }
      return tracker;
    } catch (error) {
      if (ownLogger) await logger.close().catch(() => undefined);
      throw error;
    }
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
    return readLatestCheckpoint(
      dir,
      CHECKPOINT_COMPONENT,
      (data) => loadTrackerState(dir, CHECKPOINT_COMPONENT, data),
      options.onWarning ?? defaultWarning,
      options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes },
    );
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
    for (let round = 0; this.#draining || this.#ckInFlight !== undefined; round += 1) {
      if (round > 1_000_000) throw new Error('the tracker never became idle');
      if (this.#ckInFlight !== undefined) await this.#ckInFlight.catch(() => undefined);
      else await this.idle();
    }
    if (this.#halted !== undefined) throw this.#haltedError();
    await this.#writeCheckpoint(sink);
  }

  /**
   * Builds and appends the checkpoint in one synchronous run: the ledger holds exactly what it covers.
   * Its ids are those since the checkpoint it links to (see `IdChain`), or all of them for number 0.
   */
  #writeCheckpoint(sink: CheckpointSink): Promise<void> {
    this.#eventsSinceCheckpoint = 0;
    this.#lastCheckpointAt = this.#clock.now();
    this.#fold();
    const l = this.#ledger;
    const n = this.#ckN;
    let bit = 0;
    while (n > 0 && Math.floor(n / 2 ** bit) % 2 === 0) bit += 1;
    // Checkpoint n merges the ids of the lower `bit` levels (n - 1 has them all set) with the recent ones.
    const merged = n === 0 ? [] : this.#ckLevels.slice(this.#ckLevels.length - bit);
    const kept = n === 0 ? [] : this.#ckLevels.slice(0, this.#ckLevels.length - bit);
    const recentFill = this.#recentFill;
    const recentFunding = this.#recentFunding;
    let fill: CompactIdSet;
    let funding: Set<string>;
    if (n === 0) {
      fill = l.fillIds;
      funding = l.fundingIds;
    } else {
      fill =
        merged.length === 0 ? recentFill : CompactIdSet.union([...merged.map((m) => m.fill), recentFill]);
      funding = new Set(recentFunding);
      for (const m of merged) for (const id of m.funding) funding.add(id);
    }
    const prev = n === 0 ? null : ((kept.at(-1)?.at ?? this.#ckBase) as CheckpointLink);
    const data = serializeTrackerState({
      positions: [...l.positions.values()],
      fillIds: fill,
      fundingIds: funding,
      ids: { n, fillTotal: l.fillIds.size, fundingTotal: l.fundingIds.size, prev },
      closedCount: l.closedBefore + l.closed.length,
      closedRealized: this.#closedRealized,
      closedFees: this.#closedFees,
      closedFunding: this.#closedFunding,
      lastFillTime: l.lastFillTime,
    });
    this.#recentFill = new CompactIdSet();
    this.#recentFunding = new Set();
    const written = sink.appendCheckpoint(CHECKPOINT_COMPONENT, data).then(
      (result) => {
        this.#ckInFlight = undefined;
        const at = (result as { at?: CheckpointLink } | undefined)?.at;
        if (at === undefined) {
          // A sink that does not say where it wrote: the next checkpoint holds every id again.
          this.#ckN = 0;
          this.#ckLevels = [];
          return;
        }
        if (n === 0) {
          this.#ckBase = at;
          this.#ckLevels = [];
        } else {
          this.#ckLevels = [...kept, { bit, fill, funding, at }];
        }
        this.#ckN = n + 1;
      },
      (error: unknown) => {
        this.#ckInFlight = undefined;
        // Not written: its recent ids go back to those the next checkpoint holds.
        this.#recentFill = CompactIdSet.union([recentFill, this.#recentFill]);
        for (const id of recentFunding) this.#recentFunding.add(id);
        throw error;
      },
    );
    this.#ckInFlight = written.catch(() => undefined);
    return written;
  }

  #restore(state: TrackerState): void {
    const l = this.#ledger;
    for (const p of state.positions) this.#replace(p.symbol, undefined, p);
    l.fillIds = state.fillIds;
    for (const id of state.fundingIds) l.fundingIds.add(id);
    // The chain starts again: the first checkpoint after a restart holds every id.
    this.#ckN = 0;
    this.#ckLevels = [];
    l.closedBefore = state.closedCount;
    l.lastFillTime = state.lastFillTime;
    this.#closedRealized = state.closedRealized;
    this.#closedFees = state.closedFees;
    this.#closedFunding = state.closedFunding;
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

  /** Every closed round trip, oldest first (a copy). */
  getClosedPositions(): ClosedPosition[] {
    return this.#ledger.closed.slice();
  }

  /**
   * Sum of the open positions' `exposure` (quote currency): |quantity| x mark when the mark is newer than
   * the last fill; else max(|quantity| x entry, |quantity| x last fill price), so a symbol without a fresh
   * mark is never valued below a price it is known to trade at. Amortized O(1): changes are folded in when read.
   */
  getTotalExposure(): Decimal {
    this.#fold();
    return this.#exposure;
  }

  /** Sum of the open positions' unrealized P&L. Amortized O(1). */
  getTotalUnrealizedPnl(): Decimal {
    this.#fold();
    return this.#unrealized;
  }

  /** Gross realized P&L of closed round trips plus the realized part of open positions. O(1). */
  getTotalRealizedPnl(): Decimal {
    this.#fold();
    return this.#closedRealized.plus(this.#openRealized);
  }

  /** Fees of closed and open positions (rebates negative). O(1). */
  getTotalFees(): Decimal {
    this.#fold();
    return this.#closedFees.plus(this.#openFees);
  }

  /** Funding of closed and open positions (received positive). O(1). */
  getTotalFunding(): Decimal {
    this.#fold();
    return this.#closedFunding.plus(this.#openFunding);
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
    return this.#halted;
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
    if (!this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
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
    if (this.#draining || this.#queue.length > 0) {
      throw new PositionRecoveryError('replay needs an idle tracker');
    }
    let txn = new Txn(this.#ledger, false);
    let pending = 0;
    for await (const entry of entries) {
      try {
        this.#replayOne(txn, entry);
      } catch (error) {
        if (error instanceof PositionRecoveryError) throw error;
        throw new PositionRecoveryError(
          `audit entry seq ${entry.seq} (${entry.type}) does not apply: ${(error as Error).message}`,
          { cause: error, details: { seq: entry.seq, type: entry.type } },
        );
      }
      pending += 1;
      if (pending >= 8192) {
        this.#commit(txn);
        txn = new Txn(this.#ledger, false);
        pending = 0;
      }
    }
    this.#commit(txn);
  }

  #replayOne(txn: Txn, entry: AuditEntry): void {
    switch (entry.type) {
      case 'order_filled':
        this.#applyFillOp(txn, entry.fill);
        return;
      case 'funding_applied':
        this.#applyFundingOp(txn, entry.symbol, entry.amount, entry.fundingTime, entry.fundingId);
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

  #haltedError(): PositionTrackerHaltedError {
    return new PositionTrackerHaltedError(
      `position tracker halted after an audit failure (${this.#halted?.message ?? ''}); rebuild it with PositionTracker.recover`,
      { cause: this.#halted },
    );
  }

  #enqueue(op: Op): void {
    if (this.#halted !== undefined) {
      op.reject(this.#haltedError());
      return;
    }
    const key = busyKey(op);
    op.busy = key;
    if (key !== undefined) this.#busy.set(key, (this.#busy.get(key) ?? 0) + 1);
    this.#queue.push(op);
    if (!this.#draining) {
      this.#draining = true;
      // Start on a microtask so a burst of synchronous calls shares one batch and one group commit.
      queueMicrotask(() => {
        void this.#drain();
      });
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const ops =
          this.#queue.length <= this.#maxBatch
            ? this.#queue.splice(0)
            : this.#queue.splice(0, this.#maxBatch);
        const txn = new Txn(this.#ledger, true);
        // values[i] is op i's result; errors holds the failed ones (rare), so a success allocates nothing.
        const values: Array<Position | undefined> = new Array(ops.length);
        let errors: Map<number, unknown> | undefined;
        for (let i = 0; i < ops.length; i += 1) {
          const op = ops[i] as Op;
          try {
            values[i] = this.#applyOp(txn, op);
          } catch (error) {
            const { message, code } = describeError(error);
            txn.emit({
              type: 'error',
              message,
              source: SOURCE,
              ...(code === undefined ? {} : { code }),
            });
            errors ??= new Map();
            errors.set(i, error);
          }
        }
        const events = txn.events;
        if (events.length > 0) {
          try {
            const sink = this.#sink;
            const appended: Array<Promise<unknown>> = [];
            for (const event of events) {
              if (event === undefined) continue;
              appended.push(sink.append(event instanceof FillUpdate ? event.toEvent() : event));
            }
            await Promise.all(appended);
          } catch (error) {
            this.#halt(error, ops);
            return;
          }
        }
        this.#commit(txn);
        for (let i = 0; i < ops.length; i += 1) {
          const op = ops[i] as Op;
          this.#settled(op);
          if (errors?.has(i)) op.reject(errors.get(i));
          else op.resolve(values[i]);
        }
        this.#eventsSinceCheckpoint += events.length;
        const sink = this.#sink;
        // Only with nothing queued: a queued excursion's mark is already in the ledger but not yet in the
        // log, and a checkpoint must hold exactly what the entries before it say.
        const since = this.#eventsSinceCheckpoint;
        if (
          events.length > 0 &&
          this.#queue.length === 0 &&
          this.#ckInFlight === undefined &&
          (since >= this.#checkpointEvents ||
            this.#clock.now() - this.#lastCheckpointAt >= this.#checkpointMs) &&
          canCheckpoint(sink)
        ) {
          try {
            await this.#writeCheckpoint(sink);
          } catch (error) {
            // A logger still opening cannot say what it covers: the next batch tries again.
            if (!(HlBotError.is(error) && error.code === 'AUDIT_NOT_OPEN')) {
              this.#halt(error, []);
              return;
            }
          }
        }
      }
    } finally {
      if (this.#queue.length === 0 || this.#halted !== undefined) {
        this.#draining = false;
        for (const w of this.#idleWaiters.splice(0)) w();
      }
    }
  }

  #settled(op: Op): void {
    const key = op.busy;
    if (key === undefined) return;
    const n = (this.#busy.get(key) ?? 1) - 1;
    if (n <= 0) this.#busy.delete(key);
    else this.#busy.set(key, n);
  }

  #halt(cause: unknown, ops: Op[]): void {
    const { message } = describeError(cause);
    this.#halted = new PositionAuditError(`audit append failed, nothing applied: ${message}`, { cause });
    for (const op of ops) {
      this.#settled(op);
      op.reject(this.#halted);
    }
    for (const op of this.#queue.splice(0)) {
      this.#settled(op);
      op.reject(this.#haltedError());
    }
  }

  #applyOp(txn: Txn, op: Op): Position | undefined {
    switch (op.kind) {
      case 'fill':
        return this.#applyFillOp(txn, op.raw);
      case 'mark': {
        const prev = txn.get(op.symbol);
        if (prev === undefined) return undefined;
        const { position, extreme } = applyMark(prev, op.price, op.time);
        if (extreme) {
          txn.emit({
            type: 'position_excursion',
            symbol: op.symbol,
            markPrice: op.price,
            markTime: op.time,
            maxAdverseExcursion: position.maxAdverseExcursion,
            maxFavorableExcursion: position.maxFavorableExcursion,
          });
        }
        txn.positions.set(op.symbol, position);
        return position;
      }
      case 'funding':
        return this.#applyFundingOp(txn, op.symbol, op.amount, op.time, op.fundingId);
      case 'excursion':
        txn.emit(op.event);
        return undefined;
    }
  }

  #applyFillOp(txn: Txn, raw: unknown): Position | undefined {
    const symbol = rawFillSymbol(raw);
    const open = symbol === undefined ? undefined : txn.get(symbol);
    const nf = normalizeFill(raw, this.#spotSymbols, open?.marketKind, this.#clock);
    const { fill } = nf;
    if (txn.hasFill(fill.id)) {
      txn.emit({ type: 'fill_duplicate', fillId: fill.id, symbol: fill.symbol });
      return open;
    }
    const outcome = applyFill(open, nf);
    txn.emit({ type: 'order_filled', fill });
    // The venue's own position before the fill: a disagreement means the books diverged (a missed fill,
    // a position opened elsewhere); the engine stops trading on it.
    const venueStart = fill.startPosition;
    if (venueStart !== undefined && fill.marketKind !== 'spot') {
      const held = open?.signedQuantity ?? ZERO;
      if (cmp(venueStart, held) !== 0) {
        txn.emit({
          type: 'position_mismatch',
          fillId: fill.id,
          symbol: fill.symbol,
          venueStartPosition: venueStart,
          trackerPosition: held,
        });
      }
    }
    if (fill.liquidation !== undefined) {
      txn.emit({
        type: 'liquidation_fill',
        fillId: fill.id,
        symbol: fill.symbol,
        method: fill.liquidation.method,
        markPrice: fill.liquidation.markPx,
      });
    }
    const venuePnl = fill.closedPnl;
    if (venuePnl !== undefined) {
      const gap = abs(venuePnl.minus(outcome.realizedPnl));
      if (cmp(gap, this.#tolerance) > 0) {
        txn.emit({
          type: 'pnl_mismatch',
          fillId: fill.id,
          symbol: fill.symbol,
          venueClosedPnl: venuePnl,
          trackerRealizedPnl: outcome.realizedPnl,
        });
      }
    }
    if (outcome.closed !== undefined) {
      txn.emit({ type: 'position_closed', fillId: fill.id, position: outcome.closed });
      txn.closed.push(outcome.closed);
    }
    txn.emitFillUpdate(fill.symbol, fill.id, outcome.position);
    txn.positions.set(fill.symbol, outcome.position ?? null);
    txn.fillIds.add(fill.id);
    txn.lastFillTime = fill.timestamp;
    return outcome.position;
  }

  #applyFundingOp(
    txn: Txn,
    symbol: string,
    amount: Decimal,
    time: number,
    fundingId: string | undefined,
  ): Position {
    const prev = txn.get(symbol);
    if (prev === undefined) {
      throw new PositionNotOpenError(
        `funding of ${amount.toString()} for ${symbol}, which has no open position`,
        {
          details: { symbol, amount: amount.toString(), fundingTime: time },
        },
      );
    }
    if (fundingId !== undefined && txn.hasFunding(fundingId)) return prev;
    const position = applyFunding(prev, amount, time);
    txn.emit({
      type: 'funding_applied',
      symbol,
      amount,
      fundingTime: time,
      ...(fundingId === undefined ? {} : { fundingId }),
    });
    if (txn.record) {
      txn.emit({ type: 'position_updated', symbol, cause: 'funding', position: position.toPosition() });
    }
    txn.positions.set(symbol, position);
    if (fundingId !== undefined) txn.fundingIds.add(fundingId);
    return position;
  }

  #commit(txn: Txn): void {
    const ledger = this.#ledger;
    for (const [symbol, next] of txn.positions) {
      this.#replace(symbol, ledger.positions.get(symbol), next ?? undefined);
    }
    for (const id of txn.fillIds) {
      ledger.fillIds.add(id);
      this.#recentFill.add(id);
    }
    if (txn.lastFillTime !== undefined) ledger.lastFillTime = txn.lastFillTime;
    for (const id of txn.fundingIds) {
      ledger.fundingIds.add(id);
      this.#recentFunding.add(id);
    }
    for (const c of txn.closed) {
      ledger.closed.push(c);
      this.#closedRealized = this.#closedRealized.plus(c.realizedPnl);
      this.#closedFees = this.#closedFees.plus(c.fees);
      this.#closedFunding = this.#closedFunding.plus(c.funding);
    }
  }

  #replace(symbol: string, prev: Position | undefined, next: Position | undefined): void {
    if (prev === next) return;
    if (next === undefined) {
      this.#ledger.positions.delete(symbol);
    } else {
      this.#ledger.positions.set(symbol, next);
    }
    if (!this.#unfolded.has(symbol)) this.#unfolded.set(symbol, prev);
  }

  /** Brings the maintained sums of open positions up to date with every change since the last fold. */
  #fold(): void {
    if (this.#unfolded.size === 0) return;
    for (const [symbol, prev] of this.#unfolded) {
      this.#foldOne(prev, this.#ledger.positions.get(symbol));
    }
    this.#unfolded.clear();
  }

  #foldOne(prev: Position | undefined, next: Position | undefined): void {
    if (prev === next) return;
    // Unchanged fields share their Decimal with the previous version, so most sums need no arithmetic.
    const e0 = prev?.exposure ?? ZERO;
    const e1 = next?.exposure ?? ZERO;
    if (e0 !== e1) this.#exposure = this.#exposure.minus(e0).plus(e1);
    const u0 = prev?.unrealizedPnl ?? ZERO;
    const u1 = next?.unrealizedPnl ?? ZERO;
    if (u0 !== u1) this.#unrealized = this.#unrealized.minus(u0).plus(u1);
    const r0 = prev?.realizedPnl ?? ZERO;
    const r1 = next?.realizedPnl ?? ZERO;
    if (r0 !== r1) this.#openRealized = this.#openRealized.minus(r0).plus(r1);
    const f0 = prev?.fees ?? ZERO;
    const f1 = next?.fees ?? ZERO;
    if (f0 !== f1) this.#openFees = this.#openFees.minus(f0).plus(f1);
    const g0 = prev?.funding ?? ZERO;
    const g1 = next?.funding ?? ZERO;
    if (g0 !== g1) this.#openFunding = this.#openFunding.minus(g0).plus(g1);
  }
}
