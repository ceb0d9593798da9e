import {
  Decimal,
  type HeldPosition,
  type MarkQuote,
  PositionSnapshot,
  type PositionSnapshotInput,
  parseOrThrow,
  ZERO,
} from '@hl-bot/core-types';
import { MinHeap } from './min-heap.js';

/** The latest mark of a symbol. */
export type Mark = MarkQuote;

/**
 * A position as the book indexes it: a snapshot handed in (a manager without a tracker), or the tracker's
 * own immutable position, read by reference (a manager that follows one).
 */
type Indexed = PositionSnapshot | HeldPosition;

function isHeld(p: Indexed): p is HeldPosition {
  return typeof (p as HeldPosition).toPosition === 'function';
}

interface Held {
  readonly position: Indexed;
  /** Generation of the last `replaceAll` that listed it. */
  gen: number;
  /** Positive long, negative short. */
  readonly signedQty: Decimal;
  readonly absQty: Decimal;
  readonly entryPrice: Decimal;
}

/**
 * A snapshot already parsed by the schema, or a tracker's position: Decimal fields and a valid side (cheap
 * structural check).
 */
export function isParsed(value: Indexed | PositionSnapshotInput): value is Indexed {
  const v = value as PositionSnapshot;
  return (
    v.quantity instanceof Decimal &&
    v.entryPrice instanceof Decimal &&
    v.quantity.gt(0) &&
    v.entryPrice.gt(0) &&
    (v.side === 'long' || v.side === 'short') &&
    typeof v.symbol === 'string'
  );
}

function signedOf(p: Indexed): Decimal {
  return p.side === 'long' ? p.quantity : p.quantity.neg();
}

/**
 * Positions and marks with running totals, so a risk check costs the same with 1 or 10,000 positions.
 *
 * Totals only include positions that have a mark; `unmarkedCount` and `oldestMarkTimestamp` let the caller
 * fail closed when any position cannot be valued.
 */
export class PositionBook {
  private readonly positions = new Map<string, Held>();
  private readonly marks = new Map<string, Mark>();
  private readonly markAges = new MinHeap<string>();
  private unmarked = 0;
  private exposureTotal: Decimal = ZERO;
  private unrealizedTotal: Decimal = ZERO;
  private generation = 0;

  constructor(private readonly onHeldChange: (symbol: string, held: boolean) => void = () => {}) {}

  get count(): number {
    return this.positions.size;
  }

  /** Sum of |quantity| x mark over marked positions. */
  get exposure(): Decimal {
    return this.exposureTotal;
  }

  /** Sum of (mark - entry) x signed quantity over marked positions. */
  get unrealizedPnl(): Decimal {
    return this.unrealizedTotal;
  }

  /** Positions with no mark at all. */
  get unmarkedCount(): number {
    return this.unmarked;
  }

  mark(symbol: string): Mark | undefined {
    return this.marks.get(symbol);
  }

  signedQuantity(symbol: string): Decimal {
    return this.positions.get(symbol)?.signedQty ?? ZERO;
  }

  has(symbol: string): boolean {
    return this.positions.has(symbol);
  }

  snapshots(): PositionSnapshot[] {
    return [...this.positions.values()].map((h) =>
      isHeld(h.position) ? h.position.toPosition() : h.position,
    );
  }

  symbols(): string[] {
    return [...this.positions.keys()];
  }

  /**
   * Records a mark. A mark older than the one held is ignored (returns false): out-of-order updates must
   * not make a fresh price look stale or an old price look fresh.
   */
  setMark(symbol: string, price: Decimal, timestamp: number): boolean {
    const old = this.marks.get(symbol);
    if (old !== undefined && old.timestamp > timestamp) return false;
    this.marks.set(symbol, { price, timestamp });
    const held = this.positions.get(symbol);
    if (held !== undefined) {
      if (old === undefined) {
        this.unmarked--;
        this.addContribution(held, price);
      } else if (!old.price.eq(price)) {
        const diff = price.minus(old.price);
        this.exposureTotal = this.exposureTotal.plus(held.absQty.times(diff));
        this.unrealizedTotal = this.unrealizedTotal.plus(held.signedQty.times(diff));
      }
      this.pushAge(symbol, timestamp);
    }
    return true;
  }

  /**
   * Timestamp of the oldest mark among open positions (undefined with no marked position). Stale heap
   * entries are dropped lazily here.
   */
  oldestMarkTimestamp(): number | undefined {
    for (;;) {
      const top = this.markAges.peek();
      if (top === undefined) return undefined;
      const mark = this.marks.get(top.value);
      if (this.positions.has(top.value) && mark !== undefined && mark.timestamp === top.key) return top.key;
      this.markAges.pop();
    }
  }

  /** Adds or replaces a validated position. */
  upsert(snapshot: Indexed): void {
    const old = this.positions.get(snapshot.symbol);
    if (old !== undefined) {
      if (old.position === snapshot) return;
      this.removeContribution(snapshot.symbol, old);
    }
    const signedQty = signedOf(snapshot);
    const held: Held = {
      position: snapshot,
      gen: 0,
      signedQty,
      absQty: snapshot.quantity,
      entryPrice: snapshot.entryPrice,
    };
    this.positions.set(snapshot.symbol, held);
    const mark = this.marks.get(snapshot.symbol);
    if (mark === undefined) this.unmarked++;
    else {
      this.addContribution(held, mark.price);
      this.pushAge(snapshot.symbol, mark.timestamp);
    }
    if (old === undefined) this.onHeldChange(snapshot.symbol, true);
  }

  /** Parses untrusted input, then upserts. @throws {ValidationError} for a malformed snapshot */
  upsertInput(input: unknown): PositionSnapshot {
    const snapshot = parseOrThrow(PositionSnapshot, input, 'position snapshot');
    this.upsert(snapshot);
    return snapshot;
  }

  remove(symbol: string): boolean {
    const old = this.positions.get(symbol);
    if (old === undefined) return false;
    this.removeContribution(symbol, old);
    this.positions.delete(symbol);
    this.onHeldChange(symbol, false);
    return true;
  }

  /**
   * Makes the book equal to `snapshots`. Unchanged snapshot objects (same reference) cost one map lookup,
   * so a caller that keeps immutable snapshots pays O(n) cheap comparisons, not O(n) decimal arithmetic.
   * Unparsed input is parsed with the PositionSnapshot schema first.
   * @throws {ValidationError} for a malformed snapshot; {Error} for a duplicate symbol
   */
  replaceAll(snapshots: readonly (PositionSnapshot | PositionSnapshotInput)[]): void {
    // Every entry is parsed and checked before the book changes: one bad entry leaves it as it was.
    const parsed: Indexed[] = [];
    const symbols = new Set<string>();
    for (const input of snapshots) {
      const s = isParsed(input) ? input : parseOrThrow(PositionSnapshot, input, 'position snapshot');
      if (symbols.has(s.symbol)) throw new Error(`duplicate position for symbol ${s.symbol}`);
      symbols.add(s.symbol);
      parsed.push(s);
    }
    const gen = ++this.generation;
    for (const s of parsed) {
      const current = this.positions.get(s.symbol);
      if (current !== undefined && current.position === s) {
        current.gen = gen;
        continue;
      }
      this.upsert(s);
      const held = this.positions.get(s.symbol);
      if (held !== undefined) held.gen = gen;
    }
    if (this.positions.size !== parsed.length) {
      for (const [symbol, held] of [...this.positions]) {
        if (held.gen !== gen) this.remove(symbol);
      }
    }
  }

  private addContribution(held: Held, price: Decimal): void {
    this.exposureTotal = this.exposureTotal.plus(held.absQty.times(price));
    this.unrealizedTotal = this.unrealizedTotal.plus(price.minus(held.entryPrice).times(held.signedQty));
  }

  private removeContribution(symbol: string, held: Held): void {
    const mark = this.marks.get(symbol);
    if (mark === undefined) {
      this.unmarked--;
      return;
    }
    this.exposureTotal = this.exposureTotal.minus(held.absQty.times(mark.price));
    this.unrealizedTotal = this.unrealizedTotal.minus(
      mark.price.minus(held.entryPrice).times(held.signedQty),
    );
  }

  private pushAge(symbol: string, timestamp: number): void {
    this.markAges.push(timestamp, symbol);
    // Marks of busy symbols pile up between checks; rebuild once the heap is mostly stale entries.
    if (this.markAges.size > 4 * this.positions.size + 1024) {
      this.markAges.clear();
      for (const held of this.positions.keys()) {
        const m = this.marks.get(held);
        if (m !== undefined) this.markAges.push(m.timestamp, held);
      }
    }
  }
}
