import {
  type AuditEntry,
  AuditEvent,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  Decimal,
  type FillInput,
  parseOrThrow,
} from '@hl-bot/core-types';
import type { Position, PositionTracker } from '../src/index.js';

/**
 * An in-memory AuditSink for unit tests: it validates every event against the real core-types schema (as the
 * AuditLogger does), so an event the tracker builds wrongly fails the test; it can be told to fail.
 */
export class MemorySink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  failNext = 0;
  failAfter = Number.POSITIVE_INFINITY;
  #seq = 0;

  constructor(private readonly clock: Clock = { now: () => 0 }) {}

  append(event: AuditEventInput): Promise<AuditEntry> {
    if (this.failNext > 0 || this.#seq >= this.failAfter) {
      this.failNext = Math.max(0, this.failNext - 1);
      return Promise.reject(new Error('disk full (test)'));
    }
    const parsed = parseOrThrow(AuditEvent, event, 'audit event');
    this.#seq += 1;
    const entry = {
      ...parsed,
      timestamp: parsed.timestamp ?? this.clock.now(),
      seq: this.#seq,
      prevHash: '0'.repeat(64),
      hash: '0'.repeat(64),
    } as AuditEntry;
    this.entries.push(entry);
    return Promise.resolve(entry);
  }

  ofType<T extends AuditEntry['type']>(type: T): Extract<AuditEntry, { type: T }>[] {
    return this.entries.filter((e): e is Extract<AuditEntry, { type: T }> => e.type === type);
  }
}

let fillSeq = 0;

/** A fill with defaults: id and orderId unique, timestamp 0-based. */
export function fill(
  side: 'buy' | 'sell',
  quantity: string,
  price: string,
  extra: Partial<FillInput> = {},
): FillInput {
  fillSeq += 1;
  return {
    id: `f${fillSeq}`,
    orderId: `o${fillSeq}`,
    symbol: 'BTC-USD',
    side,
    quantity,
    price,
    timestamp: 1_000 * fillSeq,
    ...extra,
  };
}

export const d = (v: string | number): Decimal => new Decimal(v);

/** Everything the ledger promises to restore, as plain strings, for equality checks. */
export function ledgerView(tracker: PositionTracker): unknown {
  const pos = (p: Position) => ({
    symbol: p.symbol,
    marketKind: p.marketKind,
    signedQuantity: p.signedQuantity.toString(),
    costBasis: p.costBasis.toString(),
    entryPrice: p.entryPrice.toString(),
    realizedPnl: p.realizedPnl.toString(),
    fees: p.fees.toString(),
    funding: p.funding.toString(),
    mae: p.maxAdverseExcursion.toString(),
    mfe: p.maxFavorableExcursion.toString(),
    openedAt: p.openedAt,
    updatedAt: p.updatedAt,
    fillCount: p.fillCount,
    peakQuantity: p.peakQuantity.toString(),
    lastFillPrice: p.lastFillPrice.toString(),
  });
  return {
    open: tracker
      .getAllPositions()
      .map(pos)
      .sort((a, b) => a.symbol.localeCompare(b.symbol)),
    closed: tracker
      .getClosedPositions()
      .map((c) =>
        Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v instanceof Decimal ? v.toString() : v])),
      ),
    fills: tracker.processedFillCount,
    realized: tracker.getTotalRealizedPnl().toString(),
    fees: tracker.getTotalFees().toString(),
    funding: tracker.getTotalFunding().toString(),
  };
}
