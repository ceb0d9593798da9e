import {
  type Fill,
  Fill as FillSchema,
  type OrderUpdate,
  OrderUpdate as OrderUpdateSchema,
  parseOrThrow,
  parseValidated,
  ZERO,
} from '@hl-bot/core-types';
import type { UserFill, WsOrderUpdate } from './info-schemas.js';
import { coinToSymbol } from './symbols.js';

/** The identity of a venue fill: coin, trade id and order id (both sides of a self-trade share a tid). */
export function fillKey(fill: Pick<UserFill, 'coin' | 'tid' | 'oid'>): string {
  return `${fill.coin}:${fill.tid}:${fill.oid}`;
}

/**
 * Remembers which fills were delivered so that a WebSocket snapshot, a re-sent streaming message and a
 * REST backfill never deliver the same fill twice. Fills older than `since` are only remembered. Keys
 * older than the retention window are pruned, and any fill older than the pruned horizon is refused,
 * so pruning can never let an old fill through again.
 */
export class FillDeduper {
  readonly #seen = new Map<string, number>();
  readonly #retentionMs: number;
  readonly #maxEntries: number;
  #since: number;
  #horizon = 0;
  #newest = 0;

  constructor(options: { since: number; retentionMs?: number; maxEntries?: number }) {
    this.#since = options.since;
    this.#retentionMs = options.retentionMs ?? 3 * 24 * 60 * 60 * 1000;
    this.#maxEntries = options.maxEntries ?? 50_000;
  }

  /** Time of the newest fill seen (0 before any): where a REST backfill starts. */
  get newestTime(): number {
    return this.#newest;
  }

  get since(): number {
    return this.#since;
  }

  /**
   * Returns the fills of `batch` that are new and not older than `since`, sorted by time then tid, and
   * marks them all as seen.
   */
  accept(batch: readonly UserFill[]): UserFill[] {
    const fresh: UserFill[] = [];
    for (const f of batch) {
      if (f.time < this.#horizon) continue;
      const key = fillKey(f);
      if (this.#seen.has(key)) continue;
      this.#seen.set(key, f.time);
      if (f.time > this.#newest) this.#newest = f.time;
      if (f.time >= this.#since) fresh.push(f);
    }
    if (this.#seen.size > this.#maxEntries) this.#prune();
    return fresh.sort((a, b) => a.time - b.time || a.tid - b.tid);
  }

  /** Forgets a fill accepted earlier that could not be delivered, so a backfill delivers it again. */
  forget(fill: Pick<UserFill, 'coin' | 'tid' | 'oid'>): void {
    this.#seen.delete(fillKey(fill));
  }

  #prune(): void {
    const cutoff = this.#newest - this.#retentionMs;
    for (const [key, time] of this.#seen) if (time < cutoff) this.#seen.delete(key);
    if (cutoff > this.#horizon) this.#horizon = cutoff;
  }
}

/**
 * A venue fill as the project's Fill. `id` is `coin:tid:oid`; side B is a buy; `crossed` means taker.
 * @throws {ValidationError} when the venue fill violates the Fill schema (zero size or price).
 */
export function toFill(f: UserFill): Fill {
  // Marked as validated: the tracker books it without parsing it again.
  return parseValidated(
    FillSchema,
    {
      id: fillKey(f),
      orderId: String(f.oid),
      symbol: coinToSymbol(f.coin),
      side: f.side === 'B' ? 'buy' : 'sell',
      quantity: f.sz,
      price: f.px,
      fee: f.fee,
      feeCurrency: f.feeToken,
      timestamp: f.time,
      liquidity: f.crossed ? 'taker' : 'maker',
      closedPnl: f.closedPnl,
      marketKind: 'perp',
      ...(f.cloid == null ? {} : { clientOrderId: f.cloid }),
      ...(f.dir === '' ? {} : { dir: f.dir }),
      startPosition: f.startPosition,
      ...(f.builderFee === undefined ? {} : { builderFee: f.builderFee }),
      ...(f.twapId == null ? {} : { twapId: f.twapId }),
      ...(f.liquidation == null
        ? {}
        : {
            liquidation: {
              ...(f.liquidation.liquidatedUser === undefined
                ? {}
                : { liquidatedUser: f.liquidation.liquidatedUser }),
              markPx: f.liquidation.markPx,
              method: f.liquidation.method,
            },
          }),
    },
    'Hyperliquid fill',
  );
}

const CANCELLED = new Set([
  'canceled',
  'marginCanceled',
  'scheduledCancel',
  'reduceOnlyCanceled',
  'selfTradeCanceled',
  'siblingFilledCanceled',
  'liquidatedCanceled',
  'delistedCanceled',
  'openInterestCapCanceled',
  'vaultWithdrawalCanceled',
]);

/** Maps a venue order status string to the project's OrderStatus; unknown strings map to undefined. */
export function mapOrderStatus(
  status: string,
  filled: { gt(n: number): boolean },
): OrderUpdate['status'] | undefined {
  if (status === 'open' || status === 'triggered') return filled.gt(0) ? 'partially_filled' : 'resting';
  if (status === 'filled') return 'filled';
  if (CANCELLED.has(status) || status.endsWith('Canceled')) return 'cancelled';
  if (status === 'rejected' || status.endsWith('Rejected')) return 'rejected';
  return undefined;
}

/** A venue order update as the project's OrderUpdate, or undefined for a status this package does not know. */
export function toOrderUpdate(u: WsOrderUpdate): OrderUpdate | undefined {
  const o = u.order;
  const filledQuantity = o.origSz.gt(o.sz) ? o.origSz.minus(o.sz) : ZERO;
  const status = mapOrderStatus(u.status, filledQuantity);
  if (status === undefined) return undefined;
  return parseOrThrow(
    OrderUpdateSchema,
    {
      orderId: String(o.oid),
      ...(o.cloid == null ? {} : { clientOrderId: o.cloid }),
      symbol: coinToSymbol(o.coin),
      status,
      filledQuantity: status === 'filled' && filledQuantity.isZero() ? o.origSz : filledQuantity,
      remainingQuantity: status === 'filled' ? ZERO : o.sz,
      ...(status === 'resting' || status === 'partially_filled' || status === 'filled'
        ? {}
        : { reason: u.status }),
      timestamp: u.statusTimestamp,
    },
    'Hyperliquid order update',
  );
}
