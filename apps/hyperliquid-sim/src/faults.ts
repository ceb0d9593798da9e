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
