import type { OpenOrder } from '@hl-bot/core-types';
import { cancelVenueOrder } from './cancels.js';
import { type EngineCore, safeAppend } from './engine-core.js';
import type { OrderReconciliation } from './engine-options.js';
import { errorCode, errorMessage } from './error-text.js';
import { accept } from './order-settlement.js';
import { remainingOrder } from './remaining-order.js';
import { resolveByStatus } from './resolve-by-status.js';

/**
 * Compares the engine's working orders with the venue's open orders (a snapshot taken after every event
 * before it was applied). A venue order nobody here knows counts in risk at once as a working order, and
 * is cancelled (or, with `adopt`, kept), audited either way. A working order the venue does not list is
 * settled through its order status.
 */
export async function reconcileOrders(
  core: EngineCore,
  venueOpen: readonly OpenOrder[],
  opts: { adopt?: boolean },
): Promise<OrderReconciliation> {
  await core.queue.idle();
  const report: OrderReconciliation = { unknownAtVenue: [], missingAtVenue: [], stillUnknown: 0 };
  const venueIds = new Set<string>();
  for (const o of venueOpen) {
    venueIds.add(o.orderId);
    if (o.clientOrderId !== undefined) venueIds.add(o.clientOrderId);
    const w = core.orders.find(o.clientOrderId ?? o.orderId) ?? core.orders.find(o.orderId);
    if (w !== undefined) {
      if (!w.accepted && !w.sending) await accept(core, w, o.orderId);
      continue;
    }
    const id = o.clientOrderId ?? o.orderId;
    if (core.orders.isDone(id) || core.orders.isDone(o.orderId)) continue;
    // One lookup each (by reservation id or clientOrderId), not a copy of every reservation per venue order.
    if (core.risk.reservation(id) !== undefined || core.risk.reservation(o.orderId) !== undefined) continue;
    report.unknownAtVenue.push(id);
    // Counted first, so no order is approved against a limit this order already uses.
    core.risk.adoptWorkingOrder(remainingOrder(o), id);
    await safeAppend(core, {
      type: 'reconciliation_mismatch',
      symbol: o.symbol,
      local: 'no such order',
      venue: `open order ${id} (venue ${o.orderId}): ${o.side} ${o.quantity.minus(o.filledQuantity).toString()}${o.price === undefined ? '' : ` @ ${o.price.toString()}`}`,
      action: opts.adopt === true ? 'adopted_venue_state' : 'none',
    });
    if (opts.adopt !== true) {
      try {
        // Not open any more (it ended between the snapshot and now): nothing to hold.
        if (!(await cancelVenueOrder(core, o))) core.risk.releaseReservation(id, 'cancelled');
      } catch (error) {
        await safeAppend(core, {
          type: 'error',
          message: `cancelling unknown venue order ${id} failed: ${errorMessage(error)}`,
          code: errorCode(error),
          source: 'engine',
        });
      }
    }
  }
  for (const w of core.orders.all()) {
    if (w.sending) continue;
    const listed =
      venueIds.has(w.clientOrderId) || (w.venueOrderId !== undefined && venueIds.has(w.venueOrderId));
    if (listed) continue;
    if (w.accepted) report.missingAtVenue.push(w.clientOrderId);
    if (!(await resolveByStatus(core, w))) report.stillUnknown += 1;
  }
  await core.queue.idle();
  return report;
}
