import { cancelAllOrders, cancelOpeningOrders } from './cancels.js';
import { type EngineCore, safeAppend } from './engine-core.js';
import { errorCode, errorMessage } from './error-text.js';

/** A tripped breaker (from losses, errors or by hand) cancels every open order, once per trip. */
export async function checkHalt(core: EngineCore): Promise<void> {
  const state = core.risk.state;
  if (!state.circuitBreakerTripped) {
    await checkReducing(core, state.tradingState);
    return;
  }
  if (core.halted) return;
  core.halted = true;
  core.stats.halts += 1;
  const reason = state.circuitBreakerReason ?? 'circuit breaker tripped';
  let cancelled = 0;
  if (core.cancelOnHalt) {
    try {
      cancelled = await cancelAllOrders(core, undefined, `circuit breaker: ${reason}`);
      if ((await core.exchange.getOpenOrders()).length > 0) throw new Error('orders still open after cancel');
    } catch (error) {
      await auditCancelFailure(core, 0, error);
      retryCancelUntilClear(core, `circuit breaker: ${reason}`);
    }
  }
  core.observer.onHalt?.(reason, cancelled);
}

/** Entering REDUCING cancels every resting order that could add to a position, once per entry. */
export async function checkReducing(core: EngineCore, state: string): Promise<void> {
  const reducing = state === 'REDUCING';
  if (reducing === core.reducing) return;
  core.reducing = reducing;
  if (!reducing) return;
  try {
    await cancelOpeningOrders(core, `reducing: ${core.risk.state.reducingReason ?? 'loss limit'}`);
  } catch (error) {
    // Not cleared: the next look at the state tries again.
    core.reducing = false;
    await safeAppend(core, {
      type: 'error',
      message: `cancelling opening orders on REDUCING failed: ${errorMessage(error)}`,
      code: errorCode(error),
      source: 'engine',
    });
  }
}

/** Retries cancelling everything with bounded backoff (each try audited) until the venue lists none. */
function retryCancelUntilClear(core: EngineCore, reason: string): void {
  if (core.cancelRetry !== undefined) return;
  core.ordersMayBeLive = true;
  const run = async () => {
    for (let attempt = 1; core.running; attempt += 1) {
      const delay = Math.min(core.cancelRetryMaxMs, core.cancelRetryBaseMs * 2 ** (attempt - 1));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        t.unref?.();
      });
      if (!core.running) return;
      try {
        await core.exchange.cancelAllOrders({ reason });
        const open = await core.exchange.getOpenOrders();
        if (open.length === 0) {
          core.ordersMayBeLive = false;
          await safeAppend(core, {
            type: 'note',
            message: `cancel retry ${attempt}: the venue lists no open order`,
          });
          return;
        }
        throw new Error(`${open.length} orders still open`);
      } catch (error) {
        await auditCancelFailure(core, attempt, error);
      }
    }
  };
  core.cancelRetry = run().finally(() => {
    core.cancelRetry = undefined;
  });
}

async function auditCancelFailure(core: EngineCore, attempt: number, error: unknown): Promise<void> {
  await safeAppend(core, {
    type: 'error',
    message: `cancel on halt ${attempt === 0 ? 'failed' : `retry ${attempt} failed`}: ${errorMessage(error)}; orders may still be live`,
    code: errorCode(error),
    source: 'engine',
  });
}

/** Something the pipeline could not apply: every later order is refused, and the breaker trips. */
export async function pipelineFailed(core: EngineCore, error: unknown): Promise<void> {
  if (core.pipelineFailure === undefined) core.pipelineFailure = error;
  core.observer.onPipelineError?.(error);
  await safeAppend(core, {
    type: 'error',
    message: `engine pipeline failed: ${errorMessage(error)}`,
    code: errorCode(error),
    source: 'engine',
  });
  try {
    if (!core.risk.state.circuitBreakerTripped) {
      await core.risk.tripCircuitBreaker(`engine pipeline failed: ${errorMessage(error)}`);
    }
  } catch {
    // The pipeline failure alone already blocks every order (see refusal in submit-order).
  }
  await checkHalt(core).catch(() => undefined);
}
