import { readAuditLog } from '@hl-bot/audit';
import { type Decimal, ZERO } from '@hl-bot/core-types';

const MAX_BACKFILL_MS = 3 * 24 * 60 * 60 * 1000;

/** What the audit log says about the orders an earlier run sent. */
export interface OrderHistory {
  /** Where the fill backfill must start so that no fill of any logged order can be missed. */
  fillsSince: number | undefined;
  /** Client order ids of orders whose fate the log does not know yet (sent, not rejected/cancelled/filled). */
  unresolved: string[];
}

/**
 * Scans the log once. The backfill starts at the earliest of: the last logged fill, and the submission of
 * the earliest order still unresolved (a crash after sending but before its fill was logged must not lose
 * that fill). With no fill logged at all it starts at the log's first entry.
 */
export async function readOrderHistory(auditDir: string): Promise<OrderHistory> {
  let first: number | undefined;
  let lastFill: number | undefined;
  const open = new Map<string, { at: number; quantity: Decimal; filled: Decimal; rests: boolean }>();
  for await (const e of readAuditLog(auditDir, {
    types: [
      'session_started',
      'order_submitted',
      'order_accepted',
      'order_rejected',
      'order_cancelled',
      'order_filled',
    ],
  })) {
    const at = e.timestamp ?? 0;
    first ??= at;
    if (e.type === 'order_submitted') {
      open.set(e.orderId, { at, quantity: e.order.quantity, filled: ZERO, rests: true });
    } else if (e.type === 'order_accepted') {
      const o = open.get(e.orderId);
      if (o !== undefined) o.rests = e.status === 'resting' || e.status === 'partially_filled';
    } else if (e.type === 'order_rejected' || e.type === 'order_cancelled') {
      if (e.orderId !== undefined) open.delete(e.orderId);
    } else if (e.type === 'order_filled') {
      lastFill = e.fill.timestamp ?? at;
      const id = e.fill.clientOrderId;
      const o = id === undefined ? undefined : open.get(id);
      if (o !== undefined && id !== undefined) {
        o.filled = o.filled.plus(e.fill.quantity);
        // Filled, or done at once (an IOC) with its fills now logged.
        if (o.filled.gte(o.quantity) || !o.rests) open.delete(id);
      }
    }
  }
  // An order the log never saw settle (cancelled by the venue while the bot was down) must not pin the
  // backfill forever: past the venue's fill history horizon the reconciliation settles it instead.
  const horizon = (lastFill ?? first ?? 0) - MAX_BACKFILL_MS;
  let earliestOpen: number | undefined;
  for (const o of open.values()) {
    if (o.at < horizon) continue;
    if (earliestOpen === undefined || o.at < earliestOpen) earliestOpen = o.at;
  }
  const base = lastFill ?? first;
  const fillsSince =
    base === undefined ? earliestOpen : earliestOpen === undefined ? base : Math.min(base, earliestOpen);
  return { fillsSince, unresolved: [...open.keys()] };
}
