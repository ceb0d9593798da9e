import { type Decimal, type DecimalInput, ExchangeError, toDecimal } from '@hl-bot/core-types';
import type { PaperCore } from './core.js';
import { freeMargin } from './margin.js';

/**
 * Money in (positive) or out (negative) of the account that is not trading: a deposit, a withdrawal, a
 * transfer. A withdrawal may take only the free margin (equity minus the margin positions and resting
 * orders need), as the venue's withdrawable amount. Returns the balance after it.
 */
export function transferFunds(core: PaperCore, amount: DecimalInput): Decimal {
  const a = toDecimal(amount, 'amount');
  if (a.isZero()) throw new ExchangeError('ORDER_REJECTED', 'a transfer of zero moves nothing');
  if (a.isNegative() && a.neg().gt(freeMargin(core, undefined))) {
    throw new ExchangeError(
      'INSUFFICIENT_MARGIN',
      `withdrawal of ${a.neg().toString()} exceeds the free margin ${freeMargin(core, undefined).toString()}`,
      { details: { amount: a.toString() } },
    );
  }
  core.balance = core.balance.plus(a);
  return core.balance;
}
