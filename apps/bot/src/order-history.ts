import { type AuditLogger, readAuditLog, readLatestCheckpoint } from '@hl-bot/audit';
import { type AuditEntry, type AuditEventType, toDecimal } from '@hl-bot/core-types';
import { z } from 'zod';

const MAX_BACKFILL_MS = 3 * 24 * 60 * 60 * 1000;

/** The checkpoint component the bot keeps its order history under. */
export const ORDER_HISTORY_COMPONENT = 'order-history';

/** What the audit log says about the orders an earlier run sent. */
export interface OrderHistory {
  /** Where the fill backfill must start so that no fill of any logged order can be missed. */
  fillsSince: number | undefined;
  /** Client order ids of orders whose fate the log does not know yet (sent, not rejected/cancelled/filled). */
  unresolved: string[];
  /**
   * Fills of other bots (`foreign_fill`) already audited that the backfill from `fillsSince` delivers
   * again: audited once, not once per restart.
   */
  foreignFillIds: ReadonlySet<string>;
  /** Order entries read after the checkpoint the read started from (all of them without one). */
  entriesRead: number;
  /** Seq the checkpoint the read started from covers, or undefined for a read from the log's start. */
  fromCheckpoint: number | undefined;
  /**
   * Writes the history as an `order-history` checkpoint, so the next start reads only what follows it.
   * Writes nothing (resolves false) when the log has moved past what was read: the checkpoint would claim
   * entries the history does not include.
   */
  checkpoint(): Promise<boolean>;
}

/** A sent order whose fate is not known yet. Quantities as strings: the checkpoint's text form. */
const OpenOrderSchema = z.object({
  at: z.number().int(),
  quantity: z.string(),
  filled: z.string(),
  rests: z.boolean(),
});
const FoldSchema = z.object({
  first: z.number().int().optional(),
  lastFill: z.number().int().optional(),
  open: z.array(z.tuple([z.string().min(1), OpenOrderSchema])),
  foreign: z.array(z.tuple([z.string().min(1), z.number().int()])).optional(),
});
type Fold = {
  first?: number;
  lastFill?: number;
  open: Map<string, z.infer<typeof OpenOrderSchema>>;
  /** Audited foreign fills: id → venue time. */
  foreign: Map<string, number>;
};

const TYPES = new Set<AuditEventType>([
  'session_started',
  'order_submitted',
  'order_accepted',
  'order_rejected',
  'order_cancelled',
  'order_filled',
  'foreign_fill',
]);

function apply(fold: Fold, e: AuditEntry): void {
  if (!TYPES.has(e.type)) return;
  if (e.type === 'foreign_fill') {
    // Not this bot's order: it moves neither the backfill nor the open orders.
    fold.foreign.set(e.fillId, e.time);
    return;
  }
  const at = e.timestamp ?? 0;
  fold.first ??= at;
  if (e.type === 'order_submitted') {
    fold.open.set(e.orderId, { at, quantity: e.order.quantity.toString(), filled: '0', rests: true });
  } else if (e.type === 'order_accepted') {
    const o = fold.open.get(e.orderId);
    if (o !== undefined) o.rests = e.status === 'resting' || e.status === 'partially_filled';
  } else if (e.type === 'order_rejected' || e.type === 'order_cancelled') {
    if (e.orderId !== undefined) fold.open.delete(e.orderId);
  } else if (e.type === 'order_filled') {
    fold.lastFill = e.fill.timestamp ?? at;
    const id = e.fill.clientOrderId;
    const o = id === undefined ? undefined : fold.open.get(id);
    if (o !== undefined && id !== undefined) {
      const filled = toDecimal(o.filled).plus(e.fill.quantity);
      o.filled = filled.toString();
      // Filled, or done at once (an IOC) with its fills now logged.
      if (filled.gte(toDecimal(o.quantity)) || !o.rests) fold.open.delete(id);
    }
  }
}

/**
 * An order the log never saw settle (cancelled by the venue while the bot was down) must not pin the
 * backfill forever: past the venue's fill history horizon the reconciliation settles it instead. Such an
 * order stays in the checkpoint (its id still maps a late fill back), it just no longer moves the backfill.
 */
function horizon(fold: Fold): number {
  return (fold.lastFill ?? fold.first ?? 0) - MAX_BACKFILL_MS;
}

/**
 * The backfill starts at the earliest of: the last logged fill, and the submission of the earliest order
 * still unresolved (a crash after sending but before its fill was logged must not lose that fill). With no
 * fill logged at all it starts at the log's first entry.
 *
 * Reads from the newest `order-history` checkpoint that verifies (see `OrderHistory.checkpoint`) and then
 * the entries after it; with none, or when it does not parse, from the log's start. The fold is the same
 * either way: the checkpoint is the fold of every entry it covers.
 */
export async function readOrderHistory(
  audit: AuditLogger,
  options: { onWarning?: (message: string) => void } = {},
): Promise<OrderHistory> {
  const auditDir = audit.dir;
  // What the log held when the read began: a checkpoint is written only if nothing was appended since.
  const seqAtRead = audit.lastSeq;
  const latest = await readLatestCheckpoint(
    auditDir,
    ORDER_HISTORY_COMPONENT,
    (data) => FoldSchema.parse(JSON.parse(data)),
    options.onWarning ?? (() => undefined),
  );
  const fold: Fold = {
    ...(latest?.state.first === undefined ? {} : { first: latest.state.first }),
    ...(latest?.state.lastFill === undefined ? {} : { lastFill: latest.state.lastFill }),
    open: new Map(latest?.state.open ?? []),
    foreign: new Map(latest?.state.foreign ?? []),
  };
  let entriesRead = 0;
  const filter = { types: [...TYPES], ...(latest === null ? {} : { from: latest.after }) };
  for await (const e of readAuditLog(auditDir, filter)) {
    entriesRead += 1;
    apply(fold, e);
  }
  const cut = horizon(fold);
  let earliestOpen: number | undefined;
  for (const o of fold.open.values()) {
    if (o.at < cut) continue;
    if (earliestOpen === undefined || o.at < earliestOpen) earliestOpen = o.at;
  }
  const base = fold.lastFill ?? fold.first;
  const fillsSince =
    base === undefined ? earliestOpen : earliestOpen === undefined ? base : Math.min(base, earliestOpen);
  // Only those the backfill can deliver again are worth keeping.
  for (const [id, time] of fold.foreign)
    if (fillsSince !== undefined && time < fillsSince) fold.foreign.delete(id);
  return {
    fillsSince,
    foreignFillIds: new Set(fold.foreign.keys()),
    unresolved: [...fold.open.keys()],
    entriesRead,
    fromCheckpoint: latest?.coversSeq,
    async checkpoint(): Promise<boolean> {
      if (audit.lastSeq !== seqAtRead) return false;
      const data = JSON.stringify({
        ...(fold.first === undefined ? {} : { first: fold.first }),
        ...(fold.lastFill === undefined ? {} : { lastFill: fold.lastFill }),
        open: [...fold.open],
        ...(fold.foreign.size === 0 ? {} : { foreign: [...fold.foreign] }),
      });
      await audit.appendCheckpoint(ORDER_HISTORY_COMPONENT, data);
      return true;
    },
  };
}
