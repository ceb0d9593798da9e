import type { AuditSink, Clock, ClosedPosition, Exchange, Fill, OrderRequestInput } from '@hl-bot/core-types';
import type { PositionTracker } from '@hl-bot/positions';
import type { RiskManager } from '@hl-bot/risk';
import type { FailedResult, RejectedResult, SubmitResult } from './submit-result.js';

/** Callbacks for what the engine did, for reports, metrics and UIs. They must not throw. */
export interface EngineObserver {
  onSubmitted?(result: Extract<SubmitResult, { status: 'submitted' }>): void;
  onRejected?(order: OrderRequestInput, result: RejectedResult, time: number): void;
  onFailed?(result: FailedResult): void;
  onFill?(fill: Fill): void;
  onPositionClosed?(position: ClosedPosition): void;
  onHalt?(reason: string, cancelledOrders: number): void;
  onPipelineError?(error: unknown): void;
}

/** Options of `new TradingEngine(...)`. */
export interface TradingEngineOptions {
  exchange: Exchange;
  risk: RiskManager;
  tracker: PositionTracker;
  /** The same audit log the risk manager and tracker write to. */
  audit: AuditSink;
  clock?: Clock;
  /** Cancel every open order when the circuit breaker trips. Default true. */
  cancelOrdersOnHalt?: boolean;
  /** Cancel open orders on `stop()`. Default true. */
  cancelOrdersOnStop?: boolean;
  /** Prefix of generated client order ids. Default `hl`. */
  clientOrderIdPrefix?: string;
  /**
   * Minimum time between account refreshes from the exchange while bars arrive (ms). Default 15 minutes;
   * the risk manager moves its equity estimate with every mark and trade result in between.
   */
  accountRefreshMs?: number;
  /**
   * How long an order whose outcome was lost (a timeout, a dropped connection) must be unknown to the venue
   * before it is taken as never placed (ms). Default 60 s: well past the signed copy's expiry at the venue,
   * so no lost copy can still execute. Until then it counts in risk as working.
   */
  unknownOrderGraceMs?: number;
  /** Backoff of the cancel retries after a cancel on halt failed (default 500 ms doubling to 30 s). */
  cancelRetry?: { baseDelayMs?: number; maxDelayMs?: number };
  observer?: EngineObserver;
}

/** Counters of what passed through the engine. */
export interface EngineStats {
  submitted: number;
  rejected: number;
  failed: number;
  /** Sends that failed in a way that leaves the order possibly live (counted in risk until settled). */
  unknown: number;
  fills: number;
  duplicateFills: number;
  closedPositions: number;
  halts: number;
  rejectionsByCode: Record<string, number>;
}

/** What a venue's order looks like after one order reconciliation. */
export interface OrderReconciliation {
  /** Venue orders nobody here knew: counted in risk, then cancelled or adopted. */
  unknownAtVenue: string[];
  /** Working orders the venue did not list, settled through their order status. */
  missingAtVenue: string[];
  /** Orders whose fate is still unknown afterwards: they keep counting in risk. */
  stillUnknown: number;
}
