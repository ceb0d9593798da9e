import { type ClosedPosition, type Decimal, ZERO } from '@hl-bot/core-types';
import type { Position } from './position.js';

/** What a checkpoint holds of the closed round trips: their sums (the list itself stays in the log). */
export interface ClosedSums {
  readonly closedRealized: Decimal;
  readonly closedFees: Decimal;
  readonly closedFunding: Decimal;
}

/**
 * Maintained sums over open and closed positions, so totals and mark updates are O(1) in the number of
 * positions. A change to an open position is folded in when a total is read, from the version the sums hold
 * to the current one: a burst of fills (or marks) on a symbol between two reads costs one fold instead of
 * one per change.
 */
export class LedgerTotals {
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

  /** The open positions the sums describe, read at fold time. */
  constructor(private readonly positions: ReadonlyMap<string, Position>) {}

  /** Notes that `symbol`'s open position changed from `prev` (the positions map holds the new version). */
  changed(symbol: string, prev: Position | undefined): void {
    if (!this.#unfolded.has(symbol)) this.#unfolded.set(symbol, prev);
  }

  addClosed(c: ClosedPosition): void {
    this.#closedRealized = this.#closedRealized.plus(c.realizedPnl);
    this.#closedFees = this.#closedFees.plus(c.fees);
    this.#closedFunding = this.#closedFunding.plus(c.funding);
  }

  /** Starts the closed sums from a checkpoint's. */
  restoreClosed(sums: ClosedSums): void {
    this.#closedRealized = sums.closedRealized;
    this.#closedFees = sums.closedFees;
    this.#closedFunding = sums.closedFunding;
  }

  closedSums(): ClosedSums {
    return {
      closedRealized: this.#closedRealized,
      closedFees: this.#closedFees,
      closedFunding: this.#closedFunding,
    };
  }

  exposure(): Decimal {
    this.fold();
    return this.#exposure;
  }

  unrealizedPnl(): Decimal {
    this.fold();
    return this.#unrealized;
  }

  realizedPnl(): Decimal {
    this.fold();
    return this.#closedRealized.plus(this.#openRealized);
  }

  fees(): Decimal {
    this.fold();
    return this.#closedFees.plus(this.#openFees);
  }

  funding(): Decimal {
    this.fold();
    return this.#closedFunding.plus(this.#openFunding);
  }

  /** Brings the sums of open positions up to date with every change since the last fold. */
  fold(): void {
    if (this.#unfolded.size === 0) return;
    for (const [symbol, prev] of this.#unfolded) this.#foldOne(prev, this.positions.get(symbol));
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
