import type { OrderUpdate } from '@hl-bot/core-types';
import { type EngineCore, safeAppend } from './engine-core.js';
import { handleOrderUpdate } from './order-events.js';
import type { WorkingOrder } from './working-orders.js';

/**
 * Asks the venue about an order whose fate is unknown; true when it is settled (or no longer unknown).
 * An order the venue does not know is taken as never placed only after `unknownOrderGraceMs`: until then a
 * lost signed copy could still arrive and execute, so it keeps counting in risk.
 */
export async function resolveByStatus(core: EngineCore, w: WorkingOrder): Promise<boolean> {
  const ask = core.exchange.getOrderStatus;
  if (ask === undefined) return w.accepted;
  let status: OrderUpdate | undefined;
  try {
    status = await ask.call(core.exchange, w.clientOrderId, w.order.symbol);
  } catch {
    return false;
  }
  if (!core.orders.isCurrent(w)) return true;
  if (status !== undefined) {
    const update = status;
    core.queue.enqueue(() => handleOrderUpdate(core, { ...update, clientOrderId: w.clientOrderId }));
    await core.queue.idle();
    return true;
  }
  if (w.accepted || core.orders.filled(w).gt(0)) return false;
  const age = core.clock.now() - w.createdAt;
  if (age < core.unknownGraceMs) return false;
  core.orders.forget(w);
  core.risk.releaseReservation(w.clientOrderId, 'rejected');
  await safeAppend(core, {
    type: 'order_rejected',
    orderId: w.clientOrderId,
    order: w.order,
    reason: `the venue has no such order ${Math.round(age / 1000)} s after it was sent: never placed`,
    code: 'ORDER_NOT_FOUND',
  });
  return true;
}
