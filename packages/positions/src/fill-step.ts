import { type Clock, type ClosedPosition, type Decimal, ZERO } from '@hl-bot/core-types';
import { abs, cmp } from './decimal-ops.js';
import { normalizeFill } from './fill-input.js';
import { applyFill } from './ledger.js';
import type { Position } from './position.js';
import type { Txn } from './txn.js';

/** What one fill did (`PositionTracker.applyFill`). */
export interface FillOutcome {
  /** The symbol's open position after the fill; undefined when it is flat. */
  readonly position: Position | undefined;
  /**
   * The symbol's open position just before the fill (in call order, so concurrent fills see each other);
   * for a duplicate, the current one, like `position`.
   */
  readonly previous: Position | undefined;
  /**
   * The round trip this fill completed: a close to flat, or the closing leg of a flip (`position` is then
   * the new, opposite one). Undefined for an open, an add or a partial close.
   */
  readonly closed: ClosedPosition | undefined;
  /** True when the fill id was applied before (now or before a restart): nothing changed. */
  readonly duplicate: boolean;
}

/** The tracker's settings a fill is applied with. */
export interface FillContext {
  readonly spotSymbols: ReadonlySet<string>;
  readonly tolerance: Decimal;
  readonly clock: Clock;
}

/**
 * The symbol an unparsed fill names, read without trusting it: a hostile fill (a throwing getter, a revoked
 * proxy) names none here and is refused with a typed error when it is parsed.
 */
export function rawFillSymbol(raw: unknown): string | undefined {
  try {
    const symbol = (raw as { symbol?: unknown } | null)?.symbol;
    return typeof symbol === 'string' ? symbol : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Applies one raw fill to `txn`: validates it, books it unless its id was seen, and queues its audit events
 * (`order_filled`, then `position_mismatch`, `liquidation_fill`, `pnl_mismatch`, `position_closed` when
 * they apply, and the symbol's `position_updated`; a seen id only `fill_duplicate`).
 *
 * @throws {InvalidFillError} with `txn` untouched
 */
export function applyFillStep(txn: Txn, raw: unknown, ctx: FillContext): FillOutcome;
/** With `outcome` false: only the position after the fill (no FillOutcome is built for a caller that drops it). */
export function applyFillStep(
  txn: Txn,
  raw: unknown,
  ctx: FillContext,
  outcome: boolean,
): FillOutcome | Position | undefined;
export function applyFillStep(
  txn: Txn,
  raw: unknown,
  ctx: FillContext,
  outcome = true,
): FillOutcome | Position | undefined {
  const symbol = rawFillSymbol(raw);
  const open = symbol === undefined ? undefined : txn.get(symbol);
  const nf = normalizeFill(raw, ctx.spotSymbols, open?.marketKind, ctx.clock);
  const { fill } = nf;
  const idKey = txn.newFill(fill.id);
  if (idKey === undefined) {
    txn.emit({ type: 'fill_duplicate', fillId: fill.id, symbol: fill.symbol });
    return outcome ? { position: open, previous: open, closed: undefined, duplicate: true } : open;
  }
  const effect = applyFill(open, nf);
  if (txn.record) {
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
      const gap = abs(venuePnl.minus(effect.realizedPnl));
      if (cmp(gap, ctx.tolerance) > 0) {
        txn.emit({
          type: 'pnl_mismatch',
          fillId: fill.id,
          symbol: fill.symbol,
          venueClosedPnl: venuePnl,
          trackerRealizedPnl: effect.realizedPnl,
        });
      }
    }
    if (effect.closed !== undefined) {
      txn.emit({ type: 'position_closed', fillId: fill.id, position: effect.closed });
    }
    txn.emitFillUpdate(fill.symbol, fill.id, effect.position);
  }
  if (effect.closed !== undefined) txn.addClosed(effect.closed);
  txn.positions.set(fill.symbol, effect.position ?? null);
  txn.addFill(idKey);
  txn.lastFillTime = fill.timestamp;
  return outcome
    ? { position: effect.position, previous: open, closed: effect.closed, duplicate: false }
    : effect.position;
}
