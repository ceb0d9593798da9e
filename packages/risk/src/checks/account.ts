import type { RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { isPositive } from '../decimal-compare.js';
import { failure } from '../failure.js';
import type { CheckContext } from './context.js';

/**
 * Beyond the spec: no decision without a confirmed account (no `initialBalance`, or a restart before the
 * first `updateAccount`), since every percentage limit and the daily loss depend on it.
 */
export function checkAccountState(ctx: CheckContext, out: RiskFailure[]): void {
  if (ctx.equity === null) {
    out.push(failure(RiskCode.ACCOUNT_STATE_MISSING, { confirmed: String(ctx.accountConfirmed) }));
  }
}

/**
 * Beyond the spec: equity at or below zero leaves no percentage limit to compute. With nothing left, a
 * reduce-only close is the one safe order: it can only shrink the loss.
 */
export function checkAccountEquity(ctx: CheckContext, out: RiskFailure[]): void {
  const equity = ctx.equity;
  if (equity !== null && !isPositive(equity) && !(ctx.order.reduceOnly && ctx.reducing)) {
    out.push(failure(RiskCode.ACCOUNT_EQUITY_NON_POSITIVE, { equity }));
  }
}
