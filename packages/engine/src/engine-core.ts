import type { AccountState, AuditEventInput, AuditSink, Clock, Exchange } from '@hl-bot/core-types';
import type { PositionTracker } from '@hl-bot/positions';
import type { RiskManager } from '@hl-bot/risk';
import type { EngineObserver, EngineStats } from './engine-options.js';
import { EngineError, EngineErrorCode } from './errors.js';
import type { EventQueue } from './event-queue.js';
import type { Strategy, StrategyContext } from './strategy.js';
import type { WorkingOrders } from './working-orders.js';

/**
 * The state one engine's modules share: its parts, its settings and the few facts only the engine holds
 * (working orders, the halt latches, the last account read). Marks are not among them: risk owns them
 * (strategies read them through `risk.getMark`), and positions are the tracker's. `TradingEngine` creates it and is the only
 * thing that hands it out.
 */
export interface EngineCore {
  readonly exchange: Exchange;
  readonly risk: RiskManager;
  readonly tracker: PositionTracker;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly observer: EngineObserver;
  readonly cancelOnHalt: boolean;
  readonly cancelOnStop: boolean;
  readonly accountRefreshMs: number;
  readonly unknownGraceMs: number;
  readonly cancelRetryBaseMs: number;
  readonly cancelRetryMaxMs: number;
  readonly orders: WorkingOrders;
  readonly queue: EventQueue;
  readonly stats: EngineStats;
  readonly context: StrategyContext;
  /** A client order id never used before, in this run or an earlier one. */
  readonly newClientOrderId: () => string;
  running: boolean;
  /** The breaker's trip was acted on (orders cancelled) and not reset since. */
  halted: boolean;
  /** REDUCING was acted on (opening orders cancelled) and not left since. */
  reducing: boolean;
  ordersMayBeLive: boolean;
  cancelRetry: Promise<void> | undefined;
  pipelineFailure: unknown;
  account: AccountState | undefined;
  lastAccountRefresh: number;
  accountDirty: boolean;
  strategy: Strategy | undefined;
}

/** Audit writes whose failure must not undo what already happened at the venue; a failure halts trading. */
export async function safeAppend(core: EngineCore, event: AuditEventInput): Promise<void> {
  try {
    await core.audit.append(event);
  } catch (error) {
    if (core.pipelineFailure === undefined) {
      core.pipelineFailure = new EngineError(EngineErrorCode.PIPELINE_FAILED, 'audit write failed', {
        cause: error,
      });
    }
  }
}
