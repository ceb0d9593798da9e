import type { Clock } from '@hl-bot/core-types';

/** Sleeps `ms` milliseconds. Injected so tests can run on virtual time. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface TokenBucketOptions {
  /** The venue's budget per minute (Hyperliquid: 1200 REST weight per IP). */
  weightPerMinute?: number;
  /** Fraction of the budget kept unused for other processes and clock drift (default 0.2). */
  headroom?: number;
  clock: Clock;
  sleep?: Sleep;
}

/**
 * A weighted token bucket for Hyperliquid's per-IP REST weight. Capacity and refill are the budget minus
 * the headroom; `take(weight)` waits (first come, first served) until the weight is available. A request
 * heavier than the whole bucket waits for a full bucket, then drives the balance negative, which later
 * callers pay back. `charge` adds weight known only after a response (per-item weights of fills).
 *
 * @example
 * const bucket = new WeightedTokenBucket({ clock: systemClock });
 * await bucket.take(20); // a meta request
 */
export class WeightedTokenBucket {
  readonly capacity: number;
  readonly #refillPerMs: number;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  #tokens: number;
  #updatedAt: number;
  #queue: Promise<void> = Promise.resolve();

  /** @throws {RangeError} for a non-positive budget or a headroom outside [0, 1). */
  constructor(options: TokenBucketOptions) {
    const perMinute = options.weightPerMinute ?? 1200;
    const headroom = options.headroom ?? 0.2;
    if (!(perMinute > 0) || !Number.isFinite(perMinute)) throw new RangeError('weightPerMinute must be > 0');
    if (!(headroom >= 0 && headroom < 1)) throw new RangeError('headroom must be in [0, 1)');
    this.capacity = Math.max(1, Math.floor(perMinute * (1 - headroom)));
    this.#refillPerMs = this.capacity / 60_000;
    this.#clock = options.clock;
    this.#sleep = options.sleep ?? realSleep;
    this.#tokens = this.capacity;
    this.#updatedAt = options.clock.now();
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.#refillPerMs);
    this.#updatedAt = now;
  }

  /** Tokens available now (may be negative after an oversized request or a charge). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes `weight` at once if available; never waits. */
  tryTake(weight: number): boolean {
    this.#refill();
    const need = Math.min(weight, this.capacity);
    if (this.#tokens < need) return false;
    this.#tokens -= weight;
    return true;
  }

  /** Waits until `weight` is available, then takes it. Callers are served in call order. */
  take(weight: number): Promise<void> {
    if (!(weight >= 0) || !Number.isFinite(weight))
      return Promise.reject(new RangeError('weight must be >= 0'));
    const turn = this.#queue.then(async () => {
      for (;;) {
        if (this.tryTake(weight)) return;
        const need = Math.min(weight, this.capacity) - this.#tokens;
        await this.#sleep(Math.max(1, Math.ceil(need / this.#refillPerMs)));
      }
    });
    // A failing sleep must not wedge the queue for later callers.
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Spends weight learned after the fact; the balance may go negative. */
  charge(weight: number): void {
    if (!(weight > 0)) return;
    this.#refill();
    this.#tokens -= weight;
  }
}

const LIGHT_INFO = new Set([
  'l2Book',
  'allMids',
  'clearinghouseState',
  'orderStatus',
  'spotClearinghouseState',
  'exchangeStatus',
]);
const PER_20_ITEMS = new Set([
  'userFills',
  'userFillsByTime',
  'historicalOrders',
  'recentTrades',
  'fundingHistory',
  'userFunding',
  'userNonFundingLedgerUpdates',
  'twapHistory',
]);

/** Weight of an `/info` request before its response is known. */
export function infoRequestWeight(type: string): number {
  if (LIGHT_INFO.has(type)) return 2;
  if (type === 'userRole') return 60;
  return 20;
}

/** Extra weight of an `/info` response by the number of items it returned. */
export function infoResponseExtraWeight(type: string, items: number): number {
  if (PER_20_ITEMS.has(type)) return Math.floor(items / 20);
  if (type === 'candleSnapshot') return Math.floor(items / 60);
  return 0;
}

/** Weight of an `/exchange` request: 1 + floor(batch length / 40). */
export function exchangeRequestWeight(batchLength: number): number {
  return 1 + Math.floor(Math.max(0, batchLength) / 40);
}
