import { takeKillFile } from '../kill-file.js';
import type { BotCore } from './bot-core.js';

export interface KillResult {
  cancelled: number;
  flattenOrders: number;
  flattenFailures: string[];
}

/**
 * The kill switch, from the endpoint (`hl-bot kill`) or a `KILL` file. It works from the bot's first
 * second: a kill that arrives before the risk manager exists is held and applied the moment it does.
 */
export class KillSwitch {
  /** A kill that arrived before the engine existed, applied as soon as the parts it needs do. */
  private pendingReason: string | undefined;

  constructor(private readonly core: BotCore) {}

  /** The reason of a kill still waiting for the engine, if any. */
  get pending(): string | undefined {
    return this.pendingReason;
  }

  /**
   * Optionally flattens with reduce-only orders first (they must pass risk, and a HALTED manager rejects
   * every order), then trips the breaker, which cancels every open order.
   */
  async kill(reason: string, flatten: boolean): Promise<KillResult> {
    const { engine, risk, tracker, logger } = this.core;
    if (engine === undefined) {
      // Still starting: halt what exists now, and the rest the moment it exists.
      this.pendingReason = `kill switch: ${reason}`;
      await this.core.audit.append({ type: 'note', message: `kill requested during start-up: ${reason}` });
      await this.applyPending();
      return {
        cancelled: 0,
        flattenOrders: 0,
        flattenFailures: flatten ? ['bot still starting: not flattened'] : [],
      };
    }
    const failures: string[] = [];
    let sent = 0;
    let cancelled = 0;
    if (flatten && !risk.state.circuitBreakerTripped) {
      cancelled += await engine.cancelAllOrders(undefined, `kill: ${reason}`);
      for (const p of tracker.getAllPositions()) {
        const r = await engine.submitOrder({
          symbol: p.symbol,
          side: p.side === 'long' ? 'sell' : 'buy',
          orderType: 'market',
          quantity: p.quantity,
          reduceOnly: true,
        });
        if (r.status === 'submitted') sent += 1;
        else failures.push(`${p.symbol}: ${r.code} ${r.reason}`);
      }
    } else if (flatten) {
      failures.push('breaker already tripped: every order is rejected, positions were not flattened');
    }
    await engine.tripCircuitBreaker(`kill switch: ${reason}`);
    cancelled += await engine.cancelAllOrders(undefined, `kill: ${reason}`);
    logger.error({ reason, flatten, sent, failures }, 'kill switch');
    return { cancelled, flattenOrders: sent, flattenFailures: failures };
  }

  /** Trips the breaker for a kill that came in while starting, once the risk manager is there. */
  async applyPending(): Promise<void> {
    const reason = this.pendingReason;
    const { engine, risk } = this.core;
    if (reason === undefined || risk === undefined) return;
    if (engine !== undefined) await engine.tripCircuitBreaker(reason);
    else if (!risk.state.circuitBreakerTripped) await risk.tripCircuitBreaker(reason);
    if (engine !== undefined) this.pendingReason = undefined;
  }

  /** Halts the bot when a `KILL` file is in the state directory (consumed, so it is applied once). */
  async pollKillFile(): Promise<void> {
    const reason = await takeKillFile(this.core.config.stateDir);
    if (reason === undefined) return;
    await this.core.audit.append({ type: 'note', message: `${reason}: halting` });
    this.core.logger.error({ reason }, 'kill file found');
    if (this.core.engine === undefined) {
      this.pendingReason = `kill switch: ${reason}`;
      await this.applyPending();
    } else await this.kill(reason, false);
  }
}
