import type { AuditEventInput, ClosedPosition } from '@hl-bot/core-types';
import { CompactIdSet, type IdKey } from './id-set.js';
import type { Position } from './position.js';
import { SmallMap } from './small-map.js';

/** The events of a transaction that records none: frozen, so a push would throw rather than go unseen. */
const NO_EVENTS: Array<AuditEventInput | FillUpdate | undefined> = Object.freeze([]) as never;

/** The committed (visible, durable) state. */
export interface Ledger {
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
export class Txn {
  readonly positions = new SmallMap<string, Position | null>();
  // Created on first use: most batches are one fill (a caller awaiting each), and these were a good part
  // of the garbage per fill.
  /** Fill ids this txn books, each cut once (the lookup's key is what the commit adds). */
  fillIds: SmallMap<string, IdKey> | undefined;
  fundingIds: Set<string> | undefined;
  closed: ClosedPosition[] | undefined;
  lastFillTime: number | undefined;
  /**
   * Events to append, in order; a superseded fill update leaves a hole (undefined). One shared empty array
   * when nothing is recorded (nothing is ever pushed to it).
   */
  readonly events: Array<AuditEventInput | FillUpdate | undefined>;
  /** Index in `events` of each symbol's latest fill update, which a later fill of the symbol supersedes. */
  #fillUpdates: Map<string, number> | undefined;

  /**
   * @param record false while replaying (the entries are in the log already) or when the sink keeps
   *   nothing: no event, and no snapshot for one, is built.
   */
  constructor(
    private readonly base: Ledger,
    readonly record: boolean,
  ) {
    this.events = record ? [] : NO_EVENTS;
  }

  get(symbol: string): Position | undefined {
    const p = this.positions.get(symbol);
    if (p === undefined) return this.base.positions.get(symbol);
    return p ?? undefined;
  }

  /** The key to book fill `id` with (`addFill`), or undefined when it was booked already (here or before). */
  newFill(id: string): IdKey | undefined {
    if (this.fillIds?.has(id) === true) return undefined;
    const key = CompactIdSet.key(id);
    return this.base.fillIds.hasKey(key) ? undefined : key;
  }

  hasFunding(id: string): boolean {
    return this.fundingIds?.has(id) === true || this.base.fundingIds.has(id);
  }

  addFill(key: IdKey): void {
    if (this.fillIds === undefined) this.fillIds = new SmallMap();
    this.fillIds.set(key.id, key);
  }

  addFunding(id: string): void {
    if (this.fundingIds === undefined) this.fundingIds = new Set();
    this.fundingIds.add(id);
  }

  addClosed(c: ClosedPosition): void {
    if (this.closed === undefined) this.closed = [c];
    else this.closed.push(c);
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
    if (this.#fillUpdates === undefined) this.#fillUpdates = new Map();
    const updates = this.#fillUpdates;
    const earlier = updates.get(symbol);
    if (earlier !== undefined) this.events[earlier] = undefined;
    updates.set(symbol, this.events.length);
    this.events.push(new FillUpdate(symbol, fillId, position));
  }
}

/** A `position_updated` (cause `fill`) whose snapshot is built only if it is still current at append time. */
export class FillUpdate {
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
