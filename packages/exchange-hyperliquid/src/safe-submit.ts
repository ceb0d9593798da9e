import { type Clock, ExchangeError } from '@hl-bot/core-types';
import type { OrderWire } from './actions.js';
import { HyperliquidHttpError, HyperliquidResponseError, OrderStateUnknownError } from './errors.js';
import type { ExchangeActions, OrderResult } from './exchange-actions.js';
import type { InfoReads } from './info.js';
import type { OrderStatusResponse } from './info-schemas.js';
import { exchangeRequestWeight, type Sleep } from './rate-limit.js';
import type { Reporter } from './reporter.js';
import type { Transport } from './transport.js';

export interface SafeSubmitDeps {
  transport: Transport;
  actions: ExchangeActions;
  reads: InfoReads;
  reporter: Reporter;
  clock: Clock;
  sleep: Sleep;
  /** Signed copies expire this long after signing; null: no expiry, resends rely on `orderStatus` alone. */
  orderExpiryMs: number | null;
  /** Extra wait after expiry before asking `orderStatus`. */
  orderSettleMs: number;
  maxOrderAttempts: number;
}

/** What the venue said of an order: its answer to the order action, or its `orderStatus` after a failure. */
export type SubmitOutcome =
  | OrderResult
  | { kind: 'status'; response: OrderStatusResponse & { status: 'order' } };

/**
 * Sends one order without ever blindly re-sending it. After an ambiguous failure (a transient HTTP error or
 * an unreadable answer) the signed copy may still arrive, so the client waits until it has expired, asks
 * `orderStatus` by cloid, and re-sends (same cloid, new nonce) only when the venue never saw it.
 * @throws {ExchangeError} `ORDER_REJECTED` when every attempt failed and the venue has no copy after the
 *   signed copies expired; {OrderStateUnknownError} when the fate cannot be established; the venue's
 *   definite refusals (4xx, {HyperliquidActionError}) as they are.
 */
export async function submitSafely(
  wire: OrderWire,
  cloid: string,
  d: SafeSubmitDeps,
  notAfter?: number,
): Promise<SubmitOutcome> {
  for (let attempt = 1; ; attempt++) {
    // Capacity first, expiry second: a wait in the rate limiter must not eat the order's validity window.
    await d.transport.bucket.take(exchangeRequestWeight(1));
    const now = Math.floor(d.clock.now());
    if (notAfter !== undefined && notAfter <= now) {
      // Definite: this attempt is not sent, and an earlier one (if any) expired by notAfter and is unknown
      // to the venue (its status was asked below before this loop came round).
      throw new ExchangeError(
        'ORDER_REJECTED',
        `order ${cloid} not sent: its deadline (notAfter ${notAfter}) passed before it could be${attempt > 1 ? ' re-' : ' '}sent`,
        { details: { cloid, notAfter } },
      );
    }
    const own = d.orderExpiryMs === null ? undefined : now + d.orderExpiryMs;
    const expiresAfter = notAfter === undefined ? own : Math.min(own ?? notAfter, notAfter);
    try {
      const [result] = await d.actions.submitOrders([wire], {
        weightTaken: true,
        ...(expiresAfter === undefined ? {} : { expiresAfter }),
      });
      if (result === undefined) throw new HyperliquidResponseError('order action answered no status');
      return result;
    } catch (error) {
      // A transient HTTP failure or an unreadable answer leaves the order's fate open; anything else
      // (a 4xx, a refusal) is a definite answer.
      const ambiguous =
        (error instanceof HyperliquidHttpError && error.transient) ||
        error instanceof HyperliquidResponseError;
      if (!ambiguous) throw error;
      await d.reporter.recordError(
        error,
        `order ${cloid} attempt ${attempt} may not have arrived; checking orderStatus`,
      );
      // Wait until a copy still in flight can no longer be accepted, then ask the venue about the cloid.
      const until = (expiresAfter ?? d.clock.now()) + d.orderSettleMs;
      await d.sleep(Math.max(0, until - d.clock.now()));
      let status: OrderStatusResponse;
      try {
        status = await d.reads.orderStatus(cloid, undefined);
      } catch (statusError) {
        throw new OrderStateUnknownError(
          `order ${cloid}: submission failed (${error.message}) and orderStatus failed too; the order may be live`,
          { cause: statusError, details: { cloid } },
        );
      }
      if (status.status === 'order') return { kind: 'status', response: status };
      if (attempt >= d.maxOrderAttempts) {
        if (expiresAfter === undefined) {
          throw new OrderStateUnknownError(
            `order ${cloid}: ${attempt} attempts failed and orderStatus does not know it, but without expiry a copy may still arrive`,
            { cause: error, details: { cloid } },
          );
        }
        // The signed copies have expired and the venue has none: definitely not placed.
        throw new ExchangeError(
          'ORDER_REJECTED',
          `order ${cloid} was not placed: ${attempt} attempts failed (${error.message}) and the venue has no such order after the signed copies expired`,
          { cause: error, details: { cloid } },
        );
      }
      await d.sleep(d.transport.backoff(attempt - 1, undefined));
    }
  }
}
