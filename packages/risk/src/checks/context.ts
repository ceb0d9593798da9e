import type { Decimal, OrderRequest, TradingState } from '@hl-bot/core-types';
import type { RiskConfig } from '../config.js';
import { gt, lt } from '../decimal-compare.js';
import type { PositionBook } from '../position-book.js';
import type { ReferencePriceBook } from '../reference-prices.js';
import type { ReservationLedger } from '../reservations.js';
import type { BreakerTrip } from '../state/circuit-breaker.js';
import type { EquityLimits } from '../state/equity.js';
import type { RateWindows } from '../state/rate-windows.js';
import type { TradingDay } from '../state/trading-day.js';

/** What the checks read of the positions and their marks (the manager's PositionBook). */
export type PositionsView = Pick<
  PositionBook,
  'count' | 'exposure' | 'unmarkedCount' | 'mark' | 'has' | 'signedQuantity' | 'oldestMarkTimestamp'
>;

/** What the checks read of the reserved and working orders (the manager's ReservationLedger). */
export type HoldsView = Pick<
  ReservationLedger,
  'count' | 'openingNotional' | 'pendingNewSymbolCount' | 'hasPendingNew' | 'hasClientOrderId' | 'pendingQty'
>;

/** What price sanity reads of the venue's mark and oracle prices (the manager's ReferencePriceBook). */
export type ReferencesView = Pick<ReferencePriceBook, 'get' | 'expects'>;

/** What the daily-loss check reads of the trading day. */
export type DayView = Pick<TradingDay, 'startEquity' | 'peak' | 'lossPercentLimit' | 'drawdownLimit'>;

/** What the rate-limit check reads of the rate windows. */
export type RatesView = Pick<RateWindows, 'symbolCount' | 'globalCount'>;

/** The price-deviation band around a mark, and its negation. */
export interface Band {
  readonly mark: Decimal;
  readonly band: Decimal;
  readonly negBand: Decimal;
}

/** |diff| > band, with no intermediate Decimal: diff > band or diff < -band. */
export function outside(diff: Decimal, b: Band): boolean {
  return gt(diff, b.band) || lt(diff, b.negBand);
}

/**
 * Values that only change with marks, positions or holds, kept between checks by identity so a check does
 * not allocate them again (Decimals are immutable: the same inputs by identity give the same result).
 */
export class CheckMemo {
  private bandMemo: Band | null = null;
  private exposureMemo: { book: Decimal; held: Decimal; value: Decimal } | null = null;

  constructor(private readonly config: RiskConfig) {}

  /** The `maxPriceDeviation` band around a mark. */
  band(mark: Decimal): Band {
    const memo = this.bandMemo;
    if (memo !== null && memo.mark === mark) return memo;
    const band = mark.times(this.config.maxPriceDeviation);
    const next: Band = { mark, band, negBand: band.neg() };
    this.bandMemo = next;
    return next;
  }

  /** Positions at mark plus the notional of opening holds. */
  heldExposure(positions: PositionsView, holds: HoldsView): Decimal {
    const book = positions.exposure;
    const held = holds.openingNotional;
    const memo = this.exposureMemo;
    if (memo !== null && memo.book === book && memo.held === held) return memo.value;
    const value = book.plus(held);
    this.exposureMemo = { book, held, value };
    return value;
  }
}

/**
 * Everything a check reads, taken at the start of one `checkOrder`. The checks are pure functions of it:
 * each appends its failures to the list it is given and changes nothing else. The last group of fields is
 * what earlier checks derived (the pipeline sets them in order); a hand-built context sets them directly.
 */
export interface CheckContext {
  readonly order: OrderRequest;
  readonly now: number;
  readonly config: RiskConfig;
  readonly positions: PositionsView;
  readonly holds: HoldsView;
  /** The venue's mark and oracle prices, the references price sanity checks besides the mid. */
  readonly references: ReferencesView;
  /** Symbols that hold both a position and a new-position hold (they must not count twice). */
  readonly overlap: number;
  readonly rates: RatesView;
  readonly day: DayView;
  readonly memo: CheckMemo;
  /** The first failed audit write; null while the log is healthy. */
  readonly auditFailure: unknown;
  readonly breaker: BreakerTrip | null;
  readonly tradingState: TradingState;
  readonly reducingReason: string | null;
  readonly accountConfirmed: boolean;
  /** The estimated equity; null when no account is confirmed. */
  readonly equity: Decimal | null;
  /** Percentage limits of the equity in money; null unless the equity is positive. */
  readonly limits: EquityLimits | null;

  /** The order's fresh mark (price sanity). */
  mark: Decimal | undefined;
  /** The order strictly reduces an open position (reduce-only). */
  reducing: boolean;
  /** A market order's protective price (slippage). */
  worstPrice: Decimal | undefined;
  /** The price every size limit values the order at, and the order's notional at it (order size). */
  valuation: Decimal | undefined;
  notional: Decimal | undefined;
}
