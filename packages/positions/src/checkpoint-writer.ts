import { type CheckpointLink, readLatestCheckpoint } from '@hl-bot/audit';
import { type AuditSink, type Clock, HlBotError } from '@hl-bot/core-types';
import { loadTrackerState, serializeTrackerState, type TrackerState } from './checkpoint.js';
import { CompactIdSet, type IdKey } from './id-set.js';
import type { LedgerTotals } from './totals.js';
import type { LoadCheckpointOptions, PositionsCheckpoint } from './tracker-options.js';
import type { Ledger } from './txn.js';

const CHECKPOINT_COMPONENT = 'positions';

/** A sink that can write checkpoints (an AuditLogger). */
export interface CheckpointSink extends AuditSink {
  appendCheckpoint(component: string, data: string): Promise<unknown>;
  open?: () => Promise<void>;
}

export function canCheckpoint(sink: AuditSink): sink is CheckpointSink {
  return typeof (sink as { appendCheckpoint?: unknown }).appendCheckpoint === 'function';
}

function defaultWarning(message: string): void {
  process.emitWarning(message, { code: 'HL_CHECKPOINT_IGNORED' });
}

/**
 * The latest positions checkpoint in the log at `dir` that verifies, with every id of the checkpoints it
 * links to, or null. A checkpoint that does not verify is never used: `onWarning` hears why.
 */
export function loadPositionsCheckpoint(
  dir: string,
  options: LoadCheckpointOptions,
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
 * Writes the tracker's checkpoints, when due and on demand, and keeps the id chain they form (see
 * `IdChain`): checkpoint n holds the ids since checkpoint n - lowbit(n), which it links to.
 */
export class CheckpointWriter {
  readonly #events: number;
  readonly #ms: number;
  /** False for a sink that cannot write checkpoints: no ids are kept for one. */
  readonly #tracking: boolean;
  #eventsSince = 0;
  #lastAt: number;
  /** Number of the next checkpoint in the id chain; 0: it holds every id. */
  #n = 0;
  /** The checkpoint numbered 0, which holds every id up to it. */
  #base: CheckpointLink | undefined;
  /**
   * The written checkpoints of the id chain that a later one still merges, oldest first: one per set bit
   * of `#n - 1`, each with the ids it holds (together, every id since the base).
   */
  #levels: Array<{ bit: number; fill: CompactIdSet; funding: Set<string>; at: CheckpointLink }> = [];
  /** Ids processed since the last checkpoint. */
  #recentFill = new CompactIdSet();
  #recentFunding = new Set<string>();
  /** The checkpoint being written: the next one links to it, so it waits. */
  #inFlight: Promise<void> | undefined;

  constructor(
    every: { events?: number; ms?: number } | false | undefined,
    private readonly clock: Clock,
    private readonly ledger: Ledger,
    private readonly totals: LedgerTotals,
    sink: AuditSink,
  ) {
    this.#tracking = canCheckpoint(sink);
    const e = every ?? {};
    this.#events = e === false ? Number.POSITIVE_INFINITY : (e.events ?? 10_000);
    this.#ms = e === false ? Number.POSITIVE_INFINITY : (e.ms ?? 600_000);
    this.#lastAt = clock.now();
  }

  /** The checkpoint being written, settled (never rejects), if any. */
  get inFlight(): Promise<void> | undefined {
    return this.#inFlight;
  }

  /** Ids committed to the ledger since the last checkpoint. */
  noteFill(key: IdKey): void {
    if (this.#tracking) this.#recentFill.addKey(key);
  }

  noteFunding(id: string): void {
    if (this.#tracking) this.#recentFunding.add(id);
  }

  /** After a restored checkpoint: the chain starts again, and the next checkpoint holds every id. */
  restart(): void {
    this.#n = 0;
    this.#levels = [];
  }

  /**
   * After a committed batch of `events`: writes a checkpoint when one is due. Only with nothing queued
   * (`idle`): a queued excursion's mark is already in the ledger but not yet in the log, and a checkpoint
   * must hold exactly what the entries before it say.
   */
  afterBatch(sink: AuditSink, events: number, idle: boolean): Promise<void> | undefined {
    this.#eventsSince += events;
    if (
      events > 0 &&
      idle &&
      this.#inFlight === undefined &&
      (this.#eventsSince >= this.#events || this.clock.now() - this.#lastAt >= this.#ms) &&
      canCheckpoint(sink)
    ) {
      return this.write(sink).catch((error: unknown) => {
        // A logger still opening cannot say what it covers: the next batch tries again.
        if (!(HlBotError.is(error) && error.code === 'AUDIT_NOT_OPEN')) throw error;
      });
    }
    return undefined;
  }

  /**
   * Builds and appends the checkpoint in one synchronous run: the ledger holds exactly what it covers.
   * Its ids are those since the checkpoint it links to, or all of them for number 0.
   */
  write(sink: CheckpointSink): Promise<void> {
    this.#eventsSince = 0;
    this.#lastAt = this.clock.now();
    this.totals.fold();
    const l = this.ledger;
    const n = this.#n;
    let bit = 0;
    while (n > 0 && Math.floor(n / 2 ** bit) % 2 === 0) bit += 1;
    // Checkpoint n merges the ids of the lower `bit` levels (n - 1 has them all set) with the recent ones.
    const merged = n === 0 ? [] : this.#levels.slice(this.#levels.length - bit);
    const kept = n === 0 ? [] : this.#levels.slice(0, this.#levels.length - bit);
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
    const prev = n === 0 ? null : ((kept.at(-1)?.at ?? this.#base) as CheckpointLink);
    const state: TrackerState = {
      positions: [...l.positions.values()],
      fillIds: fill,
      fundingIds: funding,
      ids: { n, fillTotal: l.fillIds.size, fundingTotal: l.fundingIds.size, prev },
      closedCount: l.closedBefore + l.closed.length,
      ...this.totals.closedSums(),
      lastFillTime: l.lastFillTime,
    };
    const data = serializeTrackerState(state);
    this.#recentFill = new CompactIdSet();
    this.#recentFunding = new Set();
    const written = sink.appendCheckpoint(CHECKPOINT_COMPONENT, data).then(
      (result) => {
        this.#inFlight = undefined;
        const at = (result as { at?: CheckpointLink } | undefined)?.at;
        if (at === undefined) {
          // A sink that does not say where it wrote: the next checkpoint holds every id again.
          this.#n = 0;
          this.#levels = [];
          return;
        }
        if (n === 0) {
          this.#base = at;
          this.#levels = [];
        } else {
          this.#levels = [...kept, { bit, fill, funding, at }];
        }
        this.#n = n + 1;
      },
      (error: unknown) => {
        this.#inFlight = undefined;
        // Not written: its recent ids go back to those the next checkpoint holds.
        this.#recentFill = CompactIdSet.union([recentFill, this.#recentFill]);
        for (const id of recentFunding) this.#recentFunding.add(id);
        throw error;
      },
    );
    this.#inFlight = written.catch(() => undefined);
    return written;
  }
}
