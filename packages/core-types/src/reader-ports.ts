import type { Decimal } from './decimal.js';
import type { PositionSide } from './enums.js';
import type { PositionSnapshot } from './schemas/domain.js';

/** A symbol's latest mark as its owner keeps it: the newest by timestamp, never one from the future. */
export interface MarkQuote {
  readonly price: Decimal;
  /** When the mark was observed (epoch ms). */
  readonly timestamp: number;
}

/**
 * Reads marks from the one component that owns them (the risk manager in an engine), so nothing else keeps
 * a copy that could drift from the one the risk checks use.
 */
export interface MarkReader {
  getMark(symbol: string): MarkQuote | undefined;
}

/** What a position index needs of an open position: held by its owner, immutable, read by reference. */
export interface HeldPosition {
  readonly symbol: string;
  readonly side: PositionSide;
  /** Size, always > 0. */
  readonly quantity: Decimal;
  readonly entryPrice: Decimal;
  /** The full snapshot, built when asked for (reports), never on the hot path. */
  toPosition(): PositionSnapshot;
}

/**
 * Reads positions from their one owner (the position tracker), and hears when one opens, changes size or
 * entry, is charged funding or goes flat (a mark alone is not a change of the position). A reader that
 * keeps an index (risk's running totals) follows these changes instead of being handed copies to keep in
 * step.
 */
export interface PositionReader {
  getPosition(symbol: string): HeldPosition | undefined;
  getAllPositions(): readonly HeldPosition[];
  /**
   * Calls `listener` synchronously, inside the owner's change, with the symbol and its position afterwards
   * (undefined when flat). Returns the unsubscribe function.
   */
  onPositionChange(listener: (symbol: string, position: HeldPosition | undefined) => void): () => void;
}
