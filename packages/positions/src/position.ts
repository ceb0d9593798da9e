import type { Decimal, MarketKind, PositionSide, PositionSnapshot } from '@hl-bot/core-types';
import { abs, cmp } from './decimal-ops.js';
import { markIfValid } from './snapshot.js';

/** The stored fields of a position; everything else is derived from them. */
export interface PositionFields {
  readonly symbol: string;
  readonly marketKind: MarketKind;
  /** Positive when long, negative when short, never zero (a flat symbol has no position). */
  readonly signedQuantity: Decimal;
  /**
   * Signed cost basis of the open quantity (same sign as `signedQuantity`): the sum of quantity x price of
   * the open lots. Kept instead of a rounded average so sums of realized P&L stay exact.
   */
  readonly costBasis: Decimal;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  readonly funding: Decimal;
  readonly maxAdverseExcursion: Decimal;
  readonly maxFavorableExcursion: Decimal;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly fillCount: number;
  readonly peakQuantity: Decimal;
  /** Total quantity and notional of the opening legs, for the round trip's average entry. */
  readonly entryQuantity: Decimal;
  readonly entryNotional: Decimal;
  /** Total quantity and notional of the closing legs, for the round trip's average exit. */
  readonly exitQuantity: Decimal;
  readonly exitNotional: Decimal;
  readonly lastFillPrice: Decimal;
  /** Last mark received while this position was open, if any. */
  readonly markPrice: Decimal | undefined;
  readonly markTime: number | undefined;
  /** True when the mark is newer than the last fill; otherwise the last fill price is the newer price. */
  readonly markFresh: boolean;
}

/** PositionFields without `readonly`, used while the tracker builds the next version of a position. */
export type MutablePositionFields = { -readonly [K in keyof PositionFields]: PositionFields[K] };

/**
 * One open net position (Hyperliquid one-way mode: one per symbol). Immutable: every fill, mark or funding
 * payment produces a new `Position`, so a reference you hold is a consistent snapshot.
 *
 * Valuation price: the mark when it is newer than the last fill, else the last fill price (a fill is the
 * newest observed price). `unrealizedPnl` is pure price P&L at that price, without fees.
 *
 * @example
 * const p = tracker.getPosition('BTC-USD');
 * if (p) console.log(p.side, p.quantity.toString(), p.entryPrice.toString(), p.netRealizedPnl.toString());
 */
export class Position implements PositionFields {
  readonly symbol: string;
  readonly marketKind: MarketKind;
  readonly signedQuantity: Decimal;
  readonly costBasis: Decimal;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  readonly funding: Decimal;
  readonly maxAdverseExcursion: Decimal;
  readonly maxFavorableExcursion: Decimal;
  readonly openedAt: number;
  readonly updatedAt: number;
  readonly fillCount: number;
  readonly peakQuantity: Decimal;
  readonly entryQuantity: Decimal;
  readonly entryNotional: Decimal;
  readonly exitQuantity: Decimal;
  readonly exitNotional: Decimal;
  readonly lastFillPrice: Decimal;
  readonly markPrice: Decimal | undefined;
  readonly markTime: number | undefined;
  readonly markFresh: boolean;
  /** Size of the position, always > 0. */
  readonly quantity: Decimal;
  #entryPrice: Decimal | undefined;
  #unrealizedPnl: Decimal | undefined;
  #exposure: Decimal | undefined;
  #snapshot: PositionSnapshot | undefined;

  /**
   * @internal Positions are created by the tracker.
   * @param quantity `|f.signedQuantity|` when the caller has it already (the ledger computes it anyway)
   */
  constructor(f: PositionFields, quantity?: Decimal) {
    this.symbol = f.symbol;
    this.marketKind = f.marketKind;
    this.signedQuantity = f.signedQuantity;
    this.costBasis = f.costBasis;
    this.realizedPnl = f.realizedPnl;
    this.fees = f.fees;
    this.funding = f.funding;
    this.maxAdverseExcursion = f.maxAdverseExcursion;
    this.maxFavorableExcursion = f.maxFavorableExcursion;
    this.openedAt = f.openedAt;
    this.updatedAt = f.updatedAt;
    this.fillCount = f.fillCount;
    this.peakQuantity = f.peakQuantity;
    this.entryQuantity = f.entryQuantity;
    this.entryNotional = f.entryNotional;
    this.exitQuantity = f.exitQuantity;
    this.exitNotional = f.exitNotional;
    this.lastFillPrice = f.lastFillPrice;
    this.markPrice = f.markPrice;
    this.markTime = f.markTime;
    this.markFresh = f.markFresh;
    this.quantity = quantity ?? abs(f.signedQuantity);
  }

  /** Price P&L of the open quantity at the valuation price (quote currency). Computed once, on first use. */
  get unrealizedPnl(): Decimal {
    if (this.#unrealizedPnl === undefined) this.#value();
    return this.#unrealizedPnl as Decimal;
  }

  /**
   * Notional at risk (quote currency, >= 0): |quantity| x mark when the mark is the newest price; otherwise
   * the larger of the cost basis (|quantity| x entry) and |quantity| x last fill price, so a position with
   * no fresh mark is never valued below a price it is known to have traded at.
   */
  get exposure(): Decimal {
    if (this.#exposure === undefined) this.#value();
    return this.#exposure as Decimal;
  }

  // Lazy because a burst or a replay builds many intermediate versions that nobody values.
  #value(): void {
    if (this.markFresh && this.markPrice !== undefined) {
      this.#unrealizedPnl = this.signedQuantity.times(this.markPrice).minus(this.costBasis);
      this.#exposure = this.quantity.times(this.markPrice);
    } else {
      const value = this.signedQuantity.times(this.lastFillPrice);
      this.#unrealizedPnl = value.minus(this.costBasis);
      const atFill = abs(value);
      const atCost = abs(this.costBasis);
      this.#exposure = cmp(atFill, atCost) >= 0 ? atFill : atCost;
    }
  }

  /** `long` or `short`. */
  get side(): PositionSide {
    return this.signedQuantity.isPositive() ? 'long' : 'short';
  }

  /** Weighted average entry price of the open quantity (cost basis / quantity, 40 significant digits). */
  get entryPrice(): Decimal {
    if (this.#entryPrice === undefined) this.#entryPrice = this.costBasis.div(this.signedQuantity);
    return this.#entryPrice;
  }

  /** The price `unrealizedPnl` is measured at. */
  get valuationPrice(): Decimal {
    return this.markFresh && this.markPrice !== undefined ? this.markPrice : this.lastFillPrice;
  }

  /** realizedPnl - fees + funding. */
  get netRealizedPnl(): Decimal {
    return this.realizedPnl.minus(this.fees).plus(this.funding);
  }

  /**
   * The core-types `PositionSnapshot` that risk checks and audit events take: frozen, built once per
   * position, and marked as validated (consumers that parse snapshots take it as parsed) unless a value is
   * out of the schema's range, when it is left for them to refuse.
   *
   * @example
   * const snapshots = tracker.getAllPositions().map((p) => p.toPosition());
   */
  toPosition(): PositionSnapshot {
    if (this.#snapshot === undefined) this.#snapshot = this.#buildSnapshot();
    return this.#snapshot;
  }

  #buildSnapshot(): PositionSnapshot {
    const snapshot: PositionSnapshot = {
      symbol: this.symbol,
      side: this.side,
      quantity: this.quantity,
      entryPrice: this.entryPrice,
      signedQuantity: this.signedQuantity,
      unrealizedPnl: this.unrealizedPnl,
      realizedPnl: this.realizedPnl,
      fees: this.fees,
      funding: this.funding,
      netRealizedPnl: this.netRealizedPnl,
      maxAdverseExcursion: this.maxAdverseExcursion,
      maxFavorableExcursion: this.maxFavorableExcursion,
      openedAt: this.openedAt,
      updatedAt: this.updatedAt,
      fillCount: this.fillCount,
      peakQuantity: this.peakQuantity,
    };
    if (this.markPrice !== undefined) snapshot.markPrice = this.markPrice;
    return markIfValid(Object.freeze(snapshot));
  }

  /**
   * @internal The next version of this position, for the ledger to change before anyone can see it: a new
   * Position with every stored field of this one (its derived values are computed afresh, on first use)
   * and `quantity` = |signed quantity| of the version it is made into. Saves the copy of the fields that
   * `new Position(fields())` would make on every fill and mark.
   */
  next(quantity: Decimal): Position {
    return new Position(this, quantity);
  }

  /** A fresh, mutable copy of the stored fields, for building the next version. */
  fields(): MutablePositionFields {
    return {
      symbol: this.symbol,
      marketKind: this.marketKind,
      signedQuantity: this.signedQuantity,
      costBasis: this.costBasis,
      realizedPnl: this.realizedPnl,
      fees: this.fees,
      funding: this.funding,
      maxAdverseExcursion: this.maxAdverseExcursion,
      maxFavorableExcursion: this.maxFavorableExcursion,
      openedAt: this.openedAt,
      updatedAt: this.updatedAt,
      fillCount: this.fillCount,
      peakQuantity: this.peakQuantity,
      entryQuantity: this.entryQuantity,
      entryNotional: this.entryNotional,
      exitQuantity: this.exitQuantity,
      exitNotional: this.exitNotional,
      lastFillPrice: this.lastFillPrice,
      markPrice: this.markPrice,
      markTime: this.markTime,
      markFresh: this.markFresh,
    };
  }
}
