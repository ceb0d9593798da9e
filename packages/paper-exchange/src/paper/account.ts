import {
  type AccountState,
  Decimal,
  type Fill,
  type OrderSide,
  type PositionSnapshot,
  ZERO,
} from '@hl-bot/core-types';
import { instrument, type PaperCore, type SimOrder, sideSign } from './core.js';
import { paperFillOf } from './fill-record.js';

/** Leverage in force for a symbol. @throws {ExchangeError} `UNKNOWN_SYMBOL` */
export function leverageOf(core: PaperCore, symbol: string): number {
  const inst = instrument(core, symbol);
  return core.leverage.get(symbol) ?? Math.min(core.settings.defaultLeverage ?? 20, inst.maxLeverage);
}

function unrealized(core: PaperCore): Decimal {
  let total = ZERO;
  for (const [symbol, p] of core.positions) {
    const mark = core.marks.get(symbol) ?? p.entryPrice;
    total = total.plus(p.size.times(mark.minus(p.entryPrice)));
  }
  return total;
}

export function equity(core: PaperCore): Decimal {
  // Flat (most bars of a run): the balance itself, without a decimal addition.
  return core.positions.size === 0 ? core.balance : core.balance.plus(unrealized(core));
}

/** Equity with `symbol` marked at `price` instead of its last close. */
export function equityAt(core: PaperCore, symbol: string, price: Decimal): Decimal {
  let total = core.balance;
  for (const [s, p] of core.positions) {
    const mark = s === symbol ? price : (core.marks.get(s) ?? p.entryPrice);
    total = total.plus(p.size.times(mark.minus(p.entryPrice)));
  }
  return total;
}

export function marginUsed(core: PaperCore): Decimal {
  if (core.positions.size === 0) return ZERO;
  let total = ZERO;
  for (const [symbol, p] of core.positions) {
    const mark = core.marks.get(symbol) ?? p.entryPrice;
    total = total.plus(p.size.abs().times(mark).div(leverageOf(core, symbol)));
  }
  return total;
}

export function accountState(core: PaperCore): AccountState {
  return {
    balance: core.balance,
    equity: equity(core),
    marginUsed: marginUsed(core),
    timestamp: core.clock.now(),
  };
}

/** Open positions, marked to the last close. */
export function positionSnapshots(core: PaperCore): PositionSnapshot[] {
  const result: PositionSnapshot[] = [];
  for (const [symbol, p] of core.positions) {
    if (p.size.isZero()) continue;
    const mark = core.marks.get(symbol) ?? p.entryPrice;
    result.push({
      symbol,
      side: p.size.gt(0) ? 'long' : 'short',
      quantity: p.size.abs(),
      signedQuantity: p.size,
      entryPrice: p.entryPrice,
      markPrice: mark,
      unrealizedPnl: p.size.times(mark.minus(p.entryPrice)),
    });
  }
  return result;
}

/** Books one execution: position, entry, realized pnl, fee; emits the fill. */
export function execute(
  core: PaperCore,
  symbol: string,
  side: OrderSide,
  qty: Decimal,
  price: Decimal,
  liquidity: 'maker' | 'taker',
  time: number,
  o: SimOrder | undefined,
): Fill {
  const pos = core.positions.get(symbol) ?? { size: ZERO, entryPrice: ZERO };
  const signed = qty.times(sideSign(side));
  let closedPnl = ZERO;
  let size = pos.size;
  let entry = pos.entryPrice;
  if (!size.isZero() && size.gt(0) !== signed.gt(0)) {
    const closing = Decimal.min(qty, size.abs());
    closedPnl = price
      .minus(entry)
      .times(closing)
      .times(size.gt(0) ? 1 : -1);
    const after = size.plus(signed);
    if (after.isZero()) entry = ZERO;
    else if (after.gt(0) !== size.gt(0)) entry = price;
    size = after;
  } else {
    const total = size.abs().plus(qty);
    entry = entry.times(size.abs()).plus(price.times(qty)).div(total);
    size = size.plus(signed);
  }
  const fee = qty.times(price).times(liquidity === 'maker' ? core.settings.makerFee : core.settings.takerFee);
  core.balance = core.balance.plus(closedPnl).minus(fee);
  if (size.isZero()) core.positions.delete(symbol);
  else core.positions.set(symbol, { size, entryPrice: entry });
  core.fillSeq++;
  // Parsed once here and marked: the tracker books it without parsing it again.
  const fill = paperFillOf({
    id: `paper-fill-${core.fillSeq}`,
    orderId: o?.orderId ?? `liq-${core.liquidationSeq}`,
    ...(o?.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
    symbol,
    side,
    quantity: qty,
    price,
    fee,
    feeCurrency: 'USDC',
    timestamp: time,
    liquidity,
    closedPnl,
    marketKind: 'perp',
  });
  for (const l of core.listeners.fill) core.listeners.call(l, fill);
  return fill;
}
