import type { OrderAck, OrderRequest, RiskFailure } from '@hl-bot/core-types';

/** The order passed risk and the exchange accepted it. */
export interface SubmittedResult {
  readonly status: 'submitted';
  readonly order: OrderRequest;
  readonly clientOrderId: string;
  readonly ack: OrderAck;
  /** Time from sending to the exchange's acknowledgement, in milliseconds. */
  readonly latencyMs: number;
}

/** Risk rejected the order; it never reached the exchange. */
export interface RejectedResult {
  readonly status: 'rejected';
  readonly code: string;
  readonly reason: string;
  readonly failures: readonly RiskFailure[];
}

/** Risk approved the order but the exchange refused it or the call failed. */
export interface FailedResult {
  readonly status: 'failed';
  readonly order: OrderRequest;
  readonly clientOrderId: string;
  readonly code: string;
  readonly reason: string;
  readonly error: unknown;
  /**
   * True when the failure leaves the order possibly live (a timeout, a lost connection, an unknown
   * state): it keeps counting in risk until the venue settles it. False when it is definitely not live.
   */
  readonly mayBeLive: boolean;
  /** Time from sending to the failure, in milliseconds; undefined when nothing was sent. */
  readonly latencyMs?: number;
}

/** What `TradingEngine.submitOrder` resolves with; it never throws for a refused order. */
export type SubmitResult = SubmittedResult | RejectedResult | FailedResult;
