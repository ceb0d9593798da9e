import {
  type AccountStateInput,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  type Decimal,
  HlBotError,
  type OrderRequest,
  type RiskFailure,
  type TradingState,
} from '@hl-bot/core-types';
import { RiskCode } from './codes.js';
import { AuditUnavailableError } from './errors.js';
import { clip, errorText, failure, MAX_REASON } from './failure.js';
import { emptyFold, foldRiskEvent, RECOVERY_TYPES, type RiskFoldState, serializeFold } from './risk-fold.js';
import type { BreakerTrip } from './state/circuit-breaker.js';

/** The component name of the risk manager's checkpoints in the audit log. */
export const CHECKPOINT_COMPONENT = 'risk';

const RECOVERY_TYPE_SET: ReadonlySet<string> = new Set(RECOVERY_TYPES);

type CheckpointSink = AuditSink & {
  appendCheckpoint: (component: string, data: string) => Promise<unknown>;
};

/** How often the trail writes a checkpoint on its own (see `RiskManagerOptions.checkpointEvery`). */
export type CheckpointEvery = { events?: number; ms?: number } | false;

/** A rejection as the trail records it. */
export interface RejectionRecord {
  readonly reason: string;
  readonly code: RiskCode | null;
  readonly failures: readonly RiskFailure[];
}

function rawJson(input: unknown): string {
  try {
    const text = JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    return clip(text ?? String(input), 4000);
  } catch {
    try {
      return clip(String(input), 4000);
    } catch {
      return '(unprintable input)';
    }
  }
}

/**
 * The risk manager's audit trail: the one place that writes risk's audit events. It stamps each event with
 * the clock, folds the events a restart reads in append order (so its checkpoints equal a replay of the
 * log), writes checkpoints, and remembers the first failed write: from then on nothing is approved.
 */
export class RiskAuditTrail {
  /** The first failed write (or event that could not be built); null while the log is healthy. */
  failure: unknown = null;
  /** The recovery-relevant state as the appended events say it (see risk-fold.ts). */
  fold: RiskFoldState = emptyFold();
  private readonly pending = new Set<Promise<void>>();
  private readonly checkpointEvents: number;
  private readonly checkpointMs: number;
  private eventsSinceCheckpoint = 0;
  private lastCheckpointAt: number;

  constructor(
    private readonly sink: AuditSink,
    private readonly clock: Clock,
    private readonly tradingDayUtcOffsetMinutes: number,
    every: CheckpointEvery = {},
  ) {
    this.checkpointEvents = every === false ? Number.POSITIVE_INFINITY : (every.events ?? 10_000);
    this.checkpointMs = every === false ? Number.POSITIVE_INFINITY : (every.ms ?? 600_000);
    this.lastCheckpointAt = clock.now();
  }

  /** Remembers a failure (the first one wins). */
  fail(error: unknown): void {
    this.failure ??= error;
  }

  /** @throws {AuditUnavailableError} once any write failed */
  throwIfFailed(): void {
    if (this.failure !== null) throw new AuditUnavailableError(this.failure);
  }

  /** Waits until every write started so far has settled. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  // ---------------------------------------------------------- appended without waiting (seen inside checks)

  dayStarted(day: string, dayStartEquity: Decimal): void {
    void this.track({ type: 'trading_day_started', day, dayStartEquity });
  }

  note(message: string): void {
    void this.track({ type: 'note', message: clip(message, 4000) });
  }

  stateChanged(from: TradingState, to: TradingState, reason: string): void {
    void this.track({ type: 'trading_state_changed', from, to, reason: clip(reason, MAX_REASON) });
  }

  /** False when the append failed at once (the reset must then not happen). */
  breakerReset(reason: string | undefined): boolean {
    void this.track({ type: 'circuit_breaker_reset', ...(reason === undefined ? {} : { reason }) });
    return this.failure === null;
  }

  /** Resolves when written; a failure is remembered, never thrown (the rejection stands either way). */
  rejection(raw: unknown, order: OrderRequest | undefined, result: RejectionRecord): Promise<void> {
    const failures = result.failures.length > 0 ? [...result.failures] : [failure(RiskCode.CHECK_FAILED, {})];
    const code = result.code ?? RiskCode.CHECK_FAILED;
    const event: AuditEventInput =
      order === undefined
        ? { type: 'risk_order_invalid', input: rawJson(raw), code, reason: result.reason || code, failures }
        : { type: 'risk_rejected', order, code, reason: result.reason || code, failures };
    return this.track(event);
  }

  // ---------------------------------------------------------- durable: reject when the write fails

  accountUpdated(account: AccountStateInput): Promise<void> {
    return this.durable({ type: 'account_updated', account });
  }

  /** `dayStartEquity` only when a cash flow moved it, with the flow's id when it has one. */
  dailyPnlUpdated(
    day: string,
    dailyPnl: Decimal,
    equity: Decimal | null,
    peakEquity: Decimal | null,
    dayStartEquity?: Decimal | null,
    cashFlowId?: string,
  ): Promise<void> {
    return this.durable({
      type: 'daily_pnl_updated',
      day,
      dailyPnl,
      ...(dayStartEquity === undefined ? {} : { dayStartEquity }),
      ...(cashFlowId === undefined ? {} : { cashFlowId }),
      ...(equity === null ? {} : { equity }),
      ...(peakEquity === null ? {} : { peakEquity }),
    });
  }

  tradeResult(netPnl: Decimal, consecutiveLosses: number, symbol: string | undefined): Promise<void> {
    return this.durable({
      type: 'trade_result_recorded',
      netPnl,
      consecutiveLosses,
      ...(symbol === undefined ? {} : { symbol }),
    });
  }

  success(): Promise<void> {
    return this.durable({ type: 'risk_outcome_recorded', outcome: 'success', consecutiveErrors: 0 });
  }

  error(consecutiveErrors: number, error: unknown): Promise<void> {
    return this.durable({
      type: 'risk_outcome_recorded',
      outcome: 'error',
      consecutiveErrors,
      message: clip(errorText(error), 2000),
    });
  }

  breakerTripped(trip: BreakerTrip): Promise<void> {
    return this.durable({
      type: 'circuit_breaker_tripped',
      reason: trip.reason,
      trippedAt: trip.trippedAt,
      cooldownUntil: trip.cooldownUntil,
    });
  }

  // ---------------------------------------------------------- checkpoints

  /**
   * Writes a checkpoint of the fold, covering every event appended so far. Resolves once durable.
   * @throws {TypeError} when the sink cannot write checkpoints (it is not an AuditLogger)
   */
  async checkpoint(): Promise<void> {
    const sink = this.sink as Partial<CheckpointSink> & { open?: () => Promise<void> };
    if (typeof sink.appendCheckpoint !== 'function') {
      throw new TypeError('this audit sink cannot write checkpoints (use an AuditLogger)');
    }
    if (typeof sink.open === 'function') await sink.open();
    await this.writeCheckpoint();
  }

  /** Appends the checkpoint in this synchronous run, so the fold matches the entries it covers. */
  private writeCheckpoint(automatic = false): Promise<void> {
    const sink = this.sink as CheckpointSink;
    this.eventsSinceCheckpoint = 0;
    this.lastCheckpointAt = this.clock.now();
    let p: Promise<void>;
    try {
      p = sink.appendCheckpoint(CHECKPOINT_COMPONENT, serializeFold(this.fold)).then(
        () => {},
        (error: unknown) => {
          // A logger still opening cannot say what it covers: the next event tries again.
          if (automatic && HlBotError.is(error) && error.code === 'AUDIT_NOT_OPEN') return;
          this.fail(error);
        },
      );
    } catch (error) {
      this.fail(error);
      return Promise.resolve();
    }
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return p.then(() => this.throwIfFailed());
  }

  private maybeCheckpoint(): void {
    this.eventsSinceCheckpoint += 1;
    if (
      this.eventsSinceCheckpoint < this.checkpointEvents &&
      this.clock.now() - this.lastCheckpointAt < this.checkpointMs
    ) {
      return;
    }
    if (typeof (this.sink as { appendCheckpoint?: unknown }).appendCheckpoint !== 'function') return;
    this.writeCheckpoint(true).catch(() => undefined);
  }

  // ---------------------------------------------------------- appending

  /** Appends without rejecting: a failure is remembered and blocks every later approval. */
  private track(event: AuditEventInput): Promise<void> {
    let p: Promise<void>;
    const stamped = event.timestamp === undefined ? { ...event, timestamp: this.clock.now() } : event;
    try {
      p = this.sink.append(stamped).then(
        () => {},
        (error: unknown) => {
          this.fail(error);
        },
      );
    } catch (error) {
      this.fail(error);
      return Promise.resolve();
    }
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    if (RECOVERY_TYPE_SET.has(stamped.type)) {
      // Folded in append order, as a replay of the log would fold it.
      foldRiskEvent(
        this.fold,
        stamped as Parameters<typeof foldRiskEvent>[1],
        this.tradingDayUtcOffsetMinutes,
      );
      this.maybeCheckpoint();
    }
    return p;
  }

  /** Appends and rejects when the write fails (after remembering the failure). */
  private async durable(event: AuditEventInput): Promise<void> {
    await this.track(event);
    this.throwIfFailed();
  }
}
