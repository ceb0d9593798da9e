import {
  type AuditEventInput,
  type Clock,
  type Decimal,
  type DecimalInput,
  describeValue,
  isSymbol,
  toDecimal,
} from '@hl-bot/core-types';
import { InvalidMarkPriceError } from './errors.js';
import { applyMark } from './ledger.js';
import type { Position } from './position.js';
import type { Txn } from './txn.js';

/**
 * Checks a mark's inputs and resolves its time.
 *
 * @throws {InvalidMarkPriceError} code `INVALID_MARK_PRICE` for a bad symbol, price or time
 */
export function parseMark(
  symbol: string,
  price: DecimalInput,
  time: number | undefined,
  clock: Clock,
): { price: Decimal; time: number } {
  if (!isSymbol(symbol)) {
    throw new InvalidMarkPriceError(`invalid symbol ${describeValue(symbol)}`);
  }
  let mark: Decimal;
  try {
    mark = toDecimal(price, 'price');
  } catch (error) {
    throw new InvalidMarkPriceError(`mark price of ${symbol}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!mark.gt(0)) throw new InvalidMarkPriceError(`mark price of ${symbol} must be > 0, got ${mark}`);
  const at = time ?? clock.now();
  if (!Number.isSafeInteger(at) || at < 0) {
    throw new InvalidMarkPriceError(`mark time of ${symbol} must be epoch ms, got ${describeValue(time)}`);
  }
  return { price: mark, time: at };
}

/** The record of a mark that made a new MAE or MFE of `position` (the position after the mark). */
export function excursionEvent(position: Position, price: Decimal, time: number): AuditEventInput {
  return {
    type: 'position_excursion',
    symbol: position.symbol,
    markPrice: price,
    markTime: time,
    maxAdverseExcursion: position.maxAdverseExcursion,
    maxFavorableExcursion: position.maxFavorableExcursion,
  };
}

/**
 * Applies a mark to `txn`'s open position of the symbol (none when flat) and queues its
 * `position_excursion` when it made a new MAE or MFE: a mark that waited behind a change being audited.
 */
export function applyMarkStep(txn: Txn, symbol: string, price: Decimal, time: number): Position | undefined {
  const prev = txn.get(symbol);
  if (prev === undefined) return undefined;
  const { position, extreme } = applyMark(prev, price, time);
  if (extreme) txn.emit(excursionEvent(position, price, time));
  txn.positions.set(symbol, position);
  return position;
}
