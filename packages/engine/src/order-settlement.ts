import { type Decimal, ZERO } from '@hl-bot/core-types';
import { type EngineCore, safeAppend } from './engine-core.js';
import type { WorkingOrder } from './working-orders.js';

/** The order statuses that say the venue has the order. */
export type AcceptedStatus = 'resting' | 'filled' | 'partially_filled';

export function ackStatus(status: string): AcceptedStatus | undefined {
  return status === 'resting' || status === 'filled' || status === 'partially_filled' ? status : undefined;
}

/** Writes `order_accepted` once: the first sign that the venue has the order (ack, update, fill, status). */
export async function accept(
  core: EngineCore,
  w: WorkingOrder,
  venueOrderId: string,
  status?: AcceptedStatus,
): Promise<void> {
  w.venueOrderId ??= venueOrderId;
  if (w.accepted) return;
  w.accepted = true;
  await safeAppend(core, {
    type: 'order_accepted',
    orderId: w.clientOrderId,
    venueOrderId,
    symbol: w.order.symbol,
    ...(status === undefined ? {} : { status }),
  });
}

/**
 * The order no longer rests: frees its unfilled part now and keeps what filled at the venue but has not
 * arrived as fills yet until those fills come (or the hold lapses, see RiskManager.orderFinished).
 */
export function finish(core: EngineCore, w: WorkingOrder, venueFilled: Decimal): void {
  const filled = core.orders.filled(w);
  core.orders.forget(w);
  const awaiting = venueFilled.gt(filled) ? venueFilled.minus(filled) : ZERO;
  core.risk.orderFinished(w.clientOrderId, awaiting);
}

/** One `order_cancelled` per cancelled order, however many reports of the cancel arrive. */
export async function recordCancel(
  core: EngineCore,
  ids: readonly string[],
  symbol: string,
  reason?: string,
): Promise<void> {
  if (!core.orders.claimCancel(ids)) return;
  const [orderId] = ids;
  if (orderId === undefined) return;
  await safeAppend(core, {
    type: 'order_cancelled',
    orderId,
    symbol,
    ...(reason === undefined ? {} : { reason }),
  });
}

/** Frees what risk holds for an order that is not this engine's (by the first id risk knows it under). */
export function releaseForeign(core: EngineCore, ids: readonly string[]): void {
  for (const id of ids) if (core.risk.releaseReservation(id, 'cancelled')) break;
}
