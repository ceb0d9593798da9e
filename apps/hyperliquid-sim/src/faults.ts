import { createPrng, type Prng } from '@hl-bot/paper-exchange';
import { SimError } from './errors.js';
import type { Reply } from './http-reply.js';
import type { SimStats } from './sim-state.js';

/** Fault injection settings; every field is optional and off by default. */
export interface SimFaults {
  /** Terminate every WebSocket connection every this many seconds. */
  dropWsEverySec?: number | undefined;
  /** Send every streaming `userFills` message twice. */
  duplicateFills?: boolean | undefined;
  /** After every streaming `userFills` message, send the `isSnapshot: true` batch (all recent fills) again. */
  resendFillsSnapshot?: boolean | undefined;
  /** Answer HTTP 429 to every API request after the first N of each window. */
  rateLimitAfter?: number | undefined;
  /** Window of `rateLimitAfter` in ms (default 60000). */
  rateLimitWindowMs?: number | undefined;
  /** Answer HTTP 500 to every Nth API request (deterministic). */
  fail5xxEvery?: number | undefined;
  /** Answer HTTP 500 to API requests with this probability (seeded PRNG, reproducible). */
  fail5xxRate?: number | undefined;
  /**
   * `before` (default): a failed `/exchange` request is not executed. `after`: it is executed and then
   * answered 500, the ambiguous case a client must resolve without placing twice.
   */
  fail5xxPhase?: 'before' | 'after' | undefined;
  /** Delay every API answer (HTTP and WebSocket `post`) by this many ms. */
  latencyMs?: number | undefined;
}

/** Validates fault settings. Returns a problem description or undefined. */
export function faultProblem(f: SimFaults): string | undefined {
  const positive = (v: number | undefined, name: string, integer: boolean): string | undefined =>
    v === undefined || (Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))
      ? undefined
      : `${name} must be a positive ${integer ? 'integer' : 'number'}`;
  return (
    positive(f.dropWsEverySec, 'dropWsEverySec', false) ??
    positive(f.rateLimitAfter, 'rateLimitAfter', true) ??
    positive(f.rateLimitWindowMs, 'rateLimitWindowMs', true) ??
    positive(f.fail5xxEvery, 'fail5xxEvery', true) ??
    (f.fail5xxRate === undefined || (f.fail5xxRate >= 0 && f.fail5xxRate <= 1)
      ? undefined
      : 'fail5xxRate must be in [0, 1]') ??
    (f.latencyMs === undefined || (Number.isFinite(f.latencyMs) && f.latencyMs >= 0)
      ? undefined
      : 'latencyMs must be >= 0') ??
    (f.fail5xxPhase === undefined || f.fail5xxPhase === 'before' || f.fail5xxPhase === 'after'
      ? undefined
      : 'fail5xxPhase must be before or after')
  );
}

/**
 * The fault decisions of every API request (rate limit window, 5xx every Nth or at random, before or after
 * the work), taken when the request arrives. Owns the current settings and their counters.
 */
export class FaultGate {
  #faults: SimFaults = {};
  #windowStart: number;
  #windowCount = 0;
  /** API requests since the settings were last replaced: `fail5xxEvery` counts from here. */
  #count = 0;
  readonly #prng: Prng;
  readonly #stats: SimStats;
  readonly #now: () => number;
  readonly #onChange: (faults: SimFaults) => void;

  constructor(options: {
    seed: number;
    stats: SimStats;
    now: () => number;
    /** Called after every replacement (the WebSocket hub restarts its drop timer). */
    onChange: (faults: SimFaults) => void;
  }) {
    this.#prng = createPrng(options.seed ^ 0x5eed);
    this.#stats = options.stats;
    this.#now = options.now;
    this.#onChange = options.onChange;
    this.#windowStart = options.now();
  }

  get faults(): SimFaults {
    return this.#faults;
  }

  /** Replaces the settings. @throws {SimError} `SIM_INVALID_OPTION` for invalid values. */
  set(f: SimFaults): void {
    const problem = faultProblem(f);
    if (problem !== undefined) throw new SimError('SIM_INVALID_OPTION', problem);
    this.#faults = { ...f };
    this.#windowStart = this.#now();
    this.#windowCount = 0;
    this.#count = 0;
    this.#onChange(this.#faults);
  }

  /** Counts one API request: its refusal now, `fail-after` (do the work, then answer 502), or undefined. */
  admit(): Reply | 'fail-after' | undefined {
    const faults = this.#faults;
    this.#stats.apiRequests += 1;
    this.#count += 1;
    if (faults.rateLimitAfter !== undefined) {
      const t = this.#now();
      if (t - this.#windowStart >= (faults.rateLimitWindowMs ?? 60_000)) {
        this.#windowStart = t;
        this.#windowCount = 0;
      }
      this.#windowCount += 1;
      if (this.#windowCount > faults.rateLimitAfter) {
        this.#stats.rateLimited += 1;
        return { status: 429, text: 'Too Many Requests' };
      }
    }
    const fail =
      (faults.fail5xxEvery !== undefined && this.#count % faults.fail5xxEvery === 0) ||
      (faults.fail5xxRate !== undefined && this.#prng.next() < faults.fail5xxRate);
    if (!fail) return undefined;
    this.#stats.failed5xx += 1;
    return faults.fail5xxPhase === 'after' ? 'fail-after' : { status: 500, text: 'Internal Server Error' };
  }
}
