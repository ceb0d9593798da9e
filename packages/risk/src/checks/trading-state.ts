import { type RiskFailure, TradingState } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { errorText, failure } from '../failure.js';
import type { CheckContext } from './context.js';

/** Spec check 7, trading state: after a failed audit write nothing is approved until a restart. */
export function checkAuditAvailable(ctx: CheckContext, out: RiskFailure[]): void {
  if (ctx.auditFailure !== null) {
    out.push(failure(RiskCode.AUDIT_UNAVAILABLE, { error: errorText(ctx.auditFailure) }));
  }
}

/** Spec check 7, circuit breaker: HALTED rejects every new order, reducing ones included. */
export function checkCircuitBreaker(ctx: CheckContext, out: RiskFailure[]): void {
  const b = ctx.breaker;
  if (b !== null) {
    out.push(
      failure(RiskCode.CIRCUIT_BREAKER_TRIPPED, {
        reason: b.reason,
        trippedAt: b.trippedAt,
        cooldownUntil: b.cooldownUntil,
      }),
    );
  }
}

/** Spec check 7, trading state: in REDUCING only an order that strictly reduces an open position passes. */
export function checkTradingState(ctx: CheckContext, out: RiskFailure[]): void {
  if (ctx.tradingState === TradingState.REDUCING && !ctx.reducing) {
    out.push(
      failure(RiskCode.TRADING_STATE_REDUCING, {
        reason: ctx.reducingReason ?? 'reducing',
        position: ctx.positions.signedQuantity(ctx.order.symbol),
        quantity: ctx.order.quantity,
      }),
    );
  }
}
