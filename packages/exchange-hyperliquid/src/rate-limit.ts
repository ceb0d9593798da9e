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
 * the headroom, and no rolling minute may spend more than the capacity; `take(weight)` waits (first come,
 * first served) until the weight is available. A request
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
  // (time, weight) of recent spending: a bucket alone would allow a full burst plus a minute of refill
  // inside one rolling minute, nearly twice the budget; the window caps any rolling minute at capacity.
  readonly #spent: Array<{ at: number; weight: number }> = [];
  #spentSum = 0;
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

  #pruneWindow(now: number): void {
    while (this.#spent.length > 0 && (this.#spent[0]?.at ?? now) <= now - 60_000) {
      this.#spentSum -= this.#spent.shift()?.weight ?? 0;
    }
  }

  #spend(weight: number): void {
    this.#tokens -= weight;
    this.#spent.push({ at: this.#clock.now(), weight });
    this.#spentSum += weight;
  }

  /** Milliseconds until `weight` fits both the bucket and the rolling minute (0 when it fits now). */
  waitTime(weight: number): number {
    this.#refill();
    const now = this.#clock.now();
    this.#pruneWindow(now);
    const need = Math.min(weight, this.capacity);
    const bucketWait = this.#tokens >= need ? 0 : Math.ceil((need - this.#tokens) / this.#refillPerMs);
    let windowWait = 0;
    let sum = this.#spentSum;
    for (const entry of this.#spent) {
      if (sum + need <= this.capacity) break;
      sum -= entry.weight;
      windowWait = entry.at + 60_000 - now + 1;
    }
    return Math.max(bucketWait, windowWait, 0);
  }

  /** Takes `weight` at once if available; never waits. */
  tryTake(weight: number): boolean {
    if (this.waitTime(weight) > 0) return false;
    this.#spend(weight);
    return true;
  }

  /** Waits until `weight` is available, then takes it. Callers are served in call order. */
  take(weight: number): Promise<void> {
    if (!(weight >= 0) || !Number.isFinite(weight))
      return Promise.reject(new RangeError('weight must be >= 0'));
    const turn = this.#queue.then(async () => {
      for (;;) {
        const wait = this.waitTime(weight);
        if (wait === 0) {
          this.#spend(weight);
          return;
        }
        await this.#sleep(wait);
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
    this.#spend(weight);
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
