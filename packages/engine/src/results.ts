import type { OrderRequest, OrderRequestInput } from '@hl-bot/core-types';
import type { EngineCore } from './engine-core.js';
import type { FailedResult, RejectedResult } from './submit-result.js';

/** Builds a rejection, counts it by code and tells the observer. */
export function rejected(
  core: EngineCore,
  input: OrderRequestInput,
  code: string,
  reason: string,
  time: number,
  failures: RejectedResult['failures'] = [{ code, message: reason, details: {} }],
): RejectedResult {
  core.stats.rejected += 1;
  core.stats.rejectionsByCode[code] = (core.stats.rejectionsByCode[code] ?? 0) + 1;
  const result: RejectedResult = { status: 'rejected', code, reason, failures };
  core.observer.onRejected?.(input, result, time);
  return result;
}

/** Builds a failed send, counts it and tells the observer. */
export function failed(
  core: EngineCore,
  order: OrderRequest,
  clientOrderId: string,
  code: string,
  reason: string,
  error: unknown,
  latencyMs?: number,
  mayBeLive = false,
): FailedResult {
  core.stats.failed += 1;
  const result: FailedResult = {
    status: 'failed',
    order,
    clientOrderId,
    code,
    reason,
    error,
    mayBeLive,
    ...(latencyMs === undefined ? {} : { latencyMs }),
  };
  core.observer.onFailed?.(result);
  return result;
}
