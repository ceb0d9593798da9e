import { type ClosedPosition, Decimal, ZERO } from '@hl-bot/core-types';
import { closedPositionOf } from './closed-position.js';
import { abs, cmp } from './decimal-ops.js';
import { InvalidFillError } from './errors.js';
import type { NormalizedFill } from './fill-input.js';
import { type MutablePositionFields, Position, type PositionFields } from './position.js';

/**
 * Decimal places kept for money produced by a division (the cost removed by a partial close, the closing
 * share of a flip's fee). Far below any venue's precision; what one leg rounds, the next leg gets exactly,
 * because the remainder is computed by subtraction.
 */
export const MONEY_DECIMALS = 18;

function roundMoney(value: Decimal): Decimal {
  return value.toDecimalPlaces(MONEY_DECIMALS, Decimal.ROUND_HALF_EVEN);
}

/** What one fill did to a symbol. */
export interface FillEffect {
  /** The open position after the fill, or undefined when the symbol is flat. */
  readonly position: Position | undefined;
  /** The round trip the fill completed (a close or the closing leg of a flip). */
  readonly closed: ClosedPosition | undefined;
  /** Gross price P&L this fill realized (comparable with the venue's `closedPnl`). */
  readonly realizedPnl: Decimal;
}

/**
 * A new position of `delta` (|delta| = `quantity`) at the fill's price.
 *
 * Its entry totals are the position itself, the same Decimal instances: `entryQuantity` is `quantity`
 * and `entryNotional` is |cost basis| (|delta| x price and delta x price round alike: banker's rounding
 * is symmetric). While nothing of it is closed, an add keeps them so (see `applyFill`), and that
 * identity is how the ledger knows it may skip their two sums.
 */
function open(nf: NormalizedFill, delta: Decimal, quantity: Decimal, fees: Decimal): Position {
  const { fill } = nf;
  const costBasis = delta.times(fill.price);
  return new Position(
    {
      symbol: fill.symbol,
      marketKind: fill.marketKind,
      signedQuantity: delta,
      costBasis,
      realizedPnl: ZERO,
      fees,
      funding: ZERO,
      maxAdverseExcursion: ZERO,
      maxFavorableExcursion: ZERO,
      openedAt: fill.timestamp,
      updatedAt: fill.timestamp,
      fillCount: 1,
      peakQuantity: quantity,
      entryQuantity: quantity,
      entryNotional: abs(costBasis),
      exitQuantity: ZERO,
      exitNotional: ZERO,
      lastFillPrice: fill.price,
      markPrice: undefined,
      markTime: undefined,
      markFresh: false,
    },
    quantity,
  );
}

/** Unrealized P&L of `p` if the price were `price`: signed quantity x price - signed cost. */
export function pnlAt(p: PositionFields, price: Decimal): Decimal {
  return p.signedQuantity.times(price).minus(p.costBasis);
}

/**
 * Applies one validated fill to the symbol's open position (or to flat).
 *
 * Before the fill changes anything, MAE/MFE see the fill price on the quantity held up to that fill.
 * Same side: the cost basis grows by quantity x price (average entry). Opposite side: the closed quantity
 * realizes its share of the cost basis at the fill price; closing all of it removes the whole cost basis
 * (so a round trip realizes exactly exit notional - entry notional); more than all of it flips, with the
 * fee split pro rata by quantity between the closing and the opening leg.
 *
 * @throws {InvalidFillError} for a spot sell of more than is held (spot cannot go short)
 */
export function applyFill(prev: Position | undefined, nf: NormalizedFill): FillEffect {
  const { fill, delta, feeValue } = nf;
  if (fill.marketKind === 'spot' && delta.isNegative()) {
    const held = prev?.signedQuantity ?? ZERO;
    if (held.plus(delta).isNegative()) {
      // A spot balance cannot go short: the tracker is missing a buy (or a balance held before it started).
      throw new InvalidFillError(
        `fill ${fill.id}: spot sell of ${delta.neg().toString()} ${fill.symbol} exceeds the ${held.toString()} held`,
        {
          details: {
            fillId: fill.id,
            symbol: fill.symbol,
            held: held.toString(),
            sold: delta.neg().toString(),
          },
        },
      );
    }
  }
  if (prev === undefined)
    return { position: open(nf, delta, nf.size, feeValue), closed: undefined, realizedPnl: ZERO };

  const price = fill.price;
  const atFill = pnlAt(prev, price);
  const mae = cmp(atFill, prev.maxAdverseExcursion) < 0 ? atFill : prev.maxAdverseExcursion;
  const mfe = cmp(atFill, prev.maxFavorableExcursion) > 0 ? atFill : prev.maxFavorableExcursion;
  const time = fill.timestamp;

  if (delta.isPositive() === prev.signedQuantity.isPositive()) {
    const signedQuantity = prev.signedQuantity.plus(delta);
    const quantity = abs(signedQuantity);
    const addedCost = delta.times(price);
    const costBasis = prev.costBasis.plus(addedCost);
    const position = prev.next(quantity);
    // The new version, written before anyone can see it.
    const w: MutablePositionFields = position;
    w.signedQuantity = signedQuantity;
    w.costBasis = costBasis;
    if (!feeValue.isZero()) w.fees = prev.fees.plus(feeValue);
    w.maxAdverseExcursion = mae;
    w.maxFavorableExcursion = mfe;
    w.updatedAt = time;
    w.fillCount = prev.fillCount + 1;
    if (cmp(quantity, prev.peakQuantity) > 0) w.peakQuantity = quantity;
    if (prev.entryQuantity === prev.quantity) {
      // Nothing closed since the open (see `open`): the entry totals are the position itself, and the sums
      // below would give the same values (same-sign sums of the same terms, rounded alike).
      w.entryQuantity = quantity;
      w.entryNotional = abs(costBasis);
    } else {
      w.entryQuantity = prev.entryQuantity.plus(nf.size);
      w.entryNotional = prev.entryNotional.plus(abs(addedCost));
    }
    w.lastFillPrice = price;
    w.markFresh = false;
    return { position, closed: undefined, realizedPnl: ZERO };
  }

  const held = prev.quantity;
  const traded = nf.size;
  const direction = prev.signedQuantity.isPositive() ? 1 : -1;
  if (cmp(traded, held) < 0) {
    const costRemoved = roundMoney(prev.costBasis.times(traded).div(held));
    const proceeds = price.times(traded);
    const realized = (direction > 0 ? proceeds : proceeds.neg()).minus(costRemoved);
    const signedQuantity = prev.signedQuantity.plus(delta);
    const position = prev.next(abs(signedQuantity));
    // The new version, written before anyone can see it.
    const w: MutablePositionFields = position;
    w.signedQuantity = signedQuantity;
    w.costBasis = prev.costBasis.minus(costRemoved);
    w.realizedPnl = prev.realizedPnl.plus(realized);
    if (!feeValue.isZero()) w.fees = prev.fees.plus(feeValue);
    w.maxAdverseExcursion = mae;
    w.maxFavorableExcursion = mfe;
    w.updatedAt = time;
    w.fillCount = prev.fillCount + 1;
    w.exitQuantity = prev.exitQuantity.plus(traded);
    w.exitNotional = prev.exitNotional.plus(proceeds);
    w.lastFillPrice = price;
    w.markFresh = false;
    return { position, closed: undefined, realizedPnl: realized };
  }

  // Closes everything held; a remainder opens the other side.
  const flips = cmp(traded, held) > 0;
  const closeFee = flips ? roundMoney(feeValue.times(held).div(traded)) : feeValue;
  const closeNotional = price.times(held);
  const realized = (direction > 0 ? closeNotional : closeNotional.neg()).minus(prev.costBasis);
  const realizedTotal = prev.realizedPnl.plus(realized);
  const feesTotal = prev.fees.plus(closeFee);
  const exitQuantity = prev.exitQuantity.plus(held);
  const exitNotional = prev.exitNotional.plus(closeNotional);
  const closed: ClosedPosition = closedPositionOf({
    symbol: prev.symbol,
    side: prev.side,
    quantity: prev.entryQuantity,
    peakQuantity: prev.peakQuantity,
    entryPrice: prev.entryNotional.div(prev.entryQuantity),
    exitPrice: exitNotional.div(exitQuantity),
    realizedPnl: realizedTotal,
    fees: feesTotal,
    funding: prev.funding,
    netRealizedPnl: realizedTotal.minus(feesTotal).plus(prev.funding),
    maxAdverseExcursion: mae,
    maxFavorableExcursion: mfe,
    openedAt: prev.openedAt,
    closedAt: time,
    durationMs: Math.max(0, time - prev.openedAt),
    fillCount: prev.fillCount + 1,
  });
  const rest = flips ? prev.signedQuantity.plus(delta) : undefined;
  const position = rest === undefined ? undefined : open(nf, rest, abs(rest), feeValue.minus(closeFee));
  return { position, closed, realizedPnl: realized };
}

/** Result of a mark price on an open position. */
export interface MarkOutcome {
  readonly position: Position;
  /** True when the mark made a new MAE or MFE (the change must be audited). */
  readonly extreme: boolean;
}

/** Values the position at a new mark and extends MAE/MFE. */
export function applyMark(prev: Position, price: Decimal, time: number): MarkOutcome {
  const u = pnlAt(prev, price);
  const worse = cmp(u, prev.maxAdverseExcursion) < 0;
  const better = cmp(u, prev.maxFavorableExcursion) > 0;
  const extreme = worse || better;
  const position = prev.next(prev.quantity);
  // The new version, written before anyone can see it.
  const w: MutablePositionFields = position;
  if (worse) w.maxAdverseExcursion = u;
  if (better) w.maxFavorableExcursion = u;
  w.markPrice = price;
  w.markTime = time;
  w.markFresh = true;
  if (extreme) w.updatedAt = Math.max(prev.updatedAt, time);
  return { position, extreme };
}

/** Adds a funding payment (positive = received) to the open position. */
export function applyFunding(prev: Position, amount: Decimal, time: number): Position {
  const position = prev.next(prev.quantity);
  // The new version, written before anyone can see it.
  const w: MutablePositionFields = position;
  w.funding = prev.funding.plus(amount);
  w.updatedAt = Math.max(prev.updatedAt, time);
  return position;
}
