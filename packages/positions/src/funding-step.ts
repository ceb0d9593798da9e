import { type Decimal, type DecimalInput, describeValue, isSymbol, toDecimal } from '@hl-bot/core-types';
import { InvalidFundingError, PositionNotOpenError } from './errors.js';
import { applyFunding } from './ledger.js';
import type { Position } from './position.js';
import type { Txn } from './txn.js';

/** A funding payment whose inputs were checked. */
export interface FundingInput {
  readonly symbol: string;
  readonly amount: Decimal;
  readonly time: number;
  readonly fundingId: string | undefined;
}

/**
 * Checks a funding payment's inputs, synchronously (before anything is queued).
 *
 * @throws {InvalidFundingError} code `INVALID_FUNDING` for a bad symbol, amount, time or id
 */
export function parseFunding(
  symbol: string,
  amount: DecimalInput,
  time: number,
  fundingId: string | undefined,
): FundingInput {
  if (!isSymbol(symbol)) {
    throw new InvalidFundingError(`invalid symbol ${describeValue(symbol)}`);
  }
  let value: Decimal;
  try {
    value = toDecimal(amount, 'amount');
  } catch (error) {
    throw new InvalidFundingError(`funding of ${symbol}: ${(error as Error).message}`, { cause: error });
  }
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new InvalidFundingError(`funding time of ${symbol} must be epoch ms, got ${describeValue(time)}`);
  }
  if (
    fundingId !== undefined &&
    (typeof fundingId !== 'string' || fundingId.length < 1 || fundingId.length > 256)
  ) {
    throw new InvalidFundingError(`fundingId must be a string of 1 to 256 characters`);
  }
  return { symbol, amount: value, time, fundingId };
}

/**
 * Adds a funding payment to `txn`'s open position of the symbol and queues `funding_applied` and
 * `position_updated` (cause `funding`); a `fundingId` seen before changes nothing.
 *
 * @throws {PositionNotOpenError} when the symbol is flat, with `txn` untouched
 */
export function applyFundingStep(txn: Txn, f: FundingInput): Position {
  const { symbol, amount, time, fundingId } = f;
  const prev = txn.get(symbol);
  if (prev === undefined) {
    throw new PositionNotOpenError(
      `funding of ${amount.toString()} for ${symbol}, which has no open position`,
      {
        details: { symbol, amount: amount.toString(), fundingTime: time },
      },
    );
  }
  if (fundingId !== undefined && txn.hasFunding(fundingId)) return prev;
  const position = applyFunding(prev, amount, time);
  txn.emit({
    type: 'funding_applied',
    symbol,
    amount,
    fundingTime: time,
    ...(fundingId === undefined ? {} : { fundingId }),
  });
  if (txn.record) {
    txn.emit({ type: 'position_updated', symbol, cause: 'funding', position: position.toPosition() });
  }
  txn.positions.set(symbol, position);
  if (fundingId !== undefined) txn.addFunding(fundingId);
  return position;
}
