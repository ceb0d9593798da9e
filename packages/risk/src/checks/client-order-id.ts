import type { RiskFailure } from '@hl-bot/core-types';
import { RiskCode } from '../codes.js';
import { failure } from '../failure.js';
import type { CheckContext } from './context.js';

/** Beyond the spec: a clientOrderId already reserved or working would make two orders one. */
export function checkClientOrderId(ctx: CheckContext, out: RiskFailure[]): void {
  const id = ctx.order.clientOrderId;
  if (id !== undefined && ctx.holds.hasClientOrderId(id)) {
    out.push(failure(RiskCode.DUPLICATE_CLIENT_ORDER_ID, { clientOrderId: id }));
  }
}
