import {
  type AccountState,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  type ClosedPosition,
  type Decimal,
  type Exchange,
  type Fill,
  type FundingPayment,
  HlBotError,
  type MarketPrice,
  type OpenOrder,
  OrderRequest,
  type OrderRequestInput,
  type OrderUpdate,
  type PositionSnapshot,
  systemClock,
} from '@hl-bot/core-types';
import type { PositionTracker } from '@hl-bot/positions';
import type { RiskCheckResult, RiskManager } from '@hl-bot/risk';
import { EngineError, EngineErrorCode } from './errors.js';
import type { Bar, Strategy, StrategyContext, StrategyRiskView } from './strategy.js';
import type { FailedResult, RejectedResult, SubmitResult } from './submit-result.js';

/** Callbacks for what the engine did, for reports, metrics and UIs. They must not throw. */
export interface EngineObserver {
  onSubmitted?(result: Extract<SubmitResult, { status: 'submitted' }>): void;
  onRejected?(order: OrderRequestInput, result: RejectedResult, time: number): void;
  onFailed?(result: FailedResult): void;
  onFill?(fill: Fill): void;
  onPositionClosed?(position: ClosedPosition): void;
  onHalt?(reason: string, cancelledOrders: number): void;
  onPipelineError?(error: unknown): void;
}

/** Options of `new TradingEngine(...)`. */
export interface TradingEngineOptions {
  exchange: Exchange;
  risk: RiskManager;
  tracker: PositionTracker;
  /** The same audit log the risk manager and tracker write to. */
  audit: AuditSink;
  clock?: Clock;
  /** Cancel every open order when the circuit breaker trips. Default true. */
  cancelOrdersOnHalt?: boolean;
  /** Cancel open orders on `stop()`. Default true. */
  cancelOrdersOnStop?: boolean;
  /** Prefix of generated client order ids. Default `hl`. */
  clientOrderIdPrefix?: string;
  /**
   * Minimum time between account refreshes from the exchange while bars arrive (ms). Default 15 minutes;
   * the risk manager moves its equity estimate with every mark and trade result in between.
   */
  accountRefreshMs?: number;
  observer?: EngineObserver;
}

interface WorkingOrder {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly order: OrderRequest;
  readonly createdAt: number;
  filled: Decimal;
}

/** Counters of what passed through the engine. */
export interface EngineStats {
  submitted: number;
  rejected: number;
  failed: number;
  fills: number;
  duplicateFills: number;
  closedPositions: number;
  halts: number;
  rejectionsByCode: Record<string, number>;
}

function errorCode(error: unknown): string {
  if (HlBotError.is(error)) return error.code;
  return 'EXCHANGE_CALL_FAILED';
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 1900 ? `${text.slice(0, 1899)}…` : text || 'unknown error';
}

/**
 * The one path from a strategy to an exchange.
 *
 * `submitOrder` = risk check (which reserves the order's share of every limit), the `order_submitted` audit
 * record, the exchange call, then the outcome reported back to risk. Exchange events (fills, order updates,
 * prices, funding) run through one serial pipeline: fills into the position tracker, positions and marks into
 * the risk manager, closed positions into `recordTradeResult`. A circuit breaker trip cancels every open order.
 * The engine is the only holder of the exchange: strategies get a `StrategyContext`, never the exchange.
 *
 * Fail closed: when the pipeline cannot apply an event (an audit write failed, a fill was invalid, funding
 * arrived for an unknown position), the engine trips the breaker and rejects every further order.
 *
 * @example
 * const engine = new TradingEngine({ exchange, risk, tracker, audit });
 * await engine.start(strategy);
 * for await (const bar of bars) { await exchange.onBar(bar); await engine.onBar(bar); }
 * await engine.stop();
 */
export class TradingEngine {
  readonly #exchange: Exchange;
  readonly #risk: RiskManager;
  readonly #tracker: PositionTracker;
  readonly #audit: AuditSink;
  readonly #clock: Clock;
  readonly #observer: EngineObserver;
  readonly #cancelOnHalt: boolean;
  readonly #cancelOnStop: boolean;
  readonly #prefix: string;
  readonly #accountRefreshMs: number;
  readonly #session: string;
  readonly #working = new Map<string, WorkingOrder>();
  readonly #clientIdByVenueId = new Map<string, string>();
  readonly #prices = new Map<string, Decimal>();
  readonly #unsubscribe: Array<() => void> = [];
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #seq = 0;
  #running = false;
  #halted = false;
  #pipelineFailure: unknown;
  #account: AccountState | undefined;
  #lastAccountRefresh = Number.NEGATIVE_INFINITY;
  #accountDirty = false;
  #strategy: Strategy | undefined;
  readonly #stats: EngineStats = {
    submitted: 0,
    rejected: 0,
    failed: 0,
    fills: 0,
    duplicateFills: 0,
    closedPositions: 0,
    halts: 0,
    rejectionsByCode: {},
  };
  readonly #context: StrategyContext;

  constructor(options: TradingEngineOptions) {
    this.#exchange = options.exchange;
    this.#risk = options.risk;
    this.#tracker = options.tracker;
    this.#audit = options.audit;
    this.#clock = options.clock ?? systemClock;
    this.#observer = options.observer ?? {};
    this.#cancelOnHalt = options.cancelOrdersOnHalt ?? true;
    this.#cancelOnStop = options.cancelOrdersOnStop ?? true;
    this.#prefix = options.clientOrderIdPrefix ?? 'hl';
    this.#accountRefreshMs = options.accountRefreshMs ?? 15 * 60_000;
    // Client order ids must never repeat across restarts: the session start time makes them unique per run.
    this.#session = this.#clock.now().toString(36);
    this.#context = this.#makeContext();
  }

  /** What a strategy gets: orders go through risk; the exchange itself is never exposed. */
  get context(): StrategyContext {
    return this.#context;
  }

  get stats(): Readonly<EngineStats> {
    return { ...this.#stats, rejectionsByCode: { ...this.#stats.rejectionsByCode } };
  }

  /** True once the breaker tripped or the pipeline failed, until the breaker is reset. */
  get halted(): boolean {
    return this.#halted || this.#pipelineFailure !== undefined;
  }

  get account(): AccountState | undefined {
    return this.#account;
  }

  /**
   * Subscribes to the exchange, loads the account into risk and starts the strategy.
   * @throws {HlBotError} when the account cannot be loaded or audited (nothing is subscribed then)
   */
  async start(strategy?: Strategy): Promise<void> {
    if (this.#running) return;
    await this.refreshAccount();
    this.#unsubscribe.push(
      this.#exchange.onFill((fill) => this.#enqueue(() => this.#handleFill(fill))),
      this.#exchange.onOrderUpdate((update) => this.#enqueue(() => this.#handleOrderUpdate(update))),
      this.#exchange.onPrice((price) => this.#enqueue(() => this.#handlePrice(price))),
    );
    if (this.#exchange.onFunding !== undefined) {
      this.#unsubscribe.push(this.#exchange.onFunding((p) => this.#enqueue(() => this.#handleFunding(p))));
    }
    if (this.#exchange.onFault !== undefined) {
      // The venue sent something the adapter could not apply (say a malformed fill): our books may be
      // missing it until the adapter fetches it again, so trading stops until an operator resets.
      this.#unsubscribe.push(
        this.#exchange.onFault((error) =>
          this.#enqueue(() =>
            this.#risk.tripCircuitBreaker(`venue fault: ${errorMessage(error)}`.slice(0, 1000)),
          ),
        ),
      );
    }
    if (this.#exchange.onLedgerUpdate !== undefined) {
      // Deposits and withdrawals move equity without being P&L: risk shifts its baselines by them.
      this.#unsubscribe.push(
        this.#exchange.onLedgerUpdate((c) => {
          if (!c.nonCash) this.#enqueue(() => this.#risk.recordCashFlow(c.amount, c.time));
        }),
      );
    }
    this.#running = true;
    this.#halted = this.#risk.state.circuitBreakerTripped;
    this.#strategy = strategy;
    await strategy?.onStart?.(this.#context);
  }

  /** Stops the strategy, waits for the pipeline, cancels open orders (unless configured not to). */
  async stop(reason = 'engine stopped'): Promise<void> {
    if (!this.#running) return;
    try {
      await this.#strategy?.onStop?.(this.#context);
      await this.idle();
      if (this.#cancelOnStop) await this.cancelAllOrders(undefined, reason);
      await this.idle();
      // Marks show at once and their MAE/MFE records follow: make them durable before the log is closed.
      await this.#tracker.idle();
    } finally {
      this.#running = false;
      for (const off of this.#unsubscribe.splice(0)) off();
    }
  }

  /** Resolves when every exchange event received so far has been applied. */
  async idle(): Promise<void> {
    while (this.#pending > 0) await this.#queue;
  }

  /**
   * Hands a bar to the strategy after every event it caused has been applied, so the strategy decides on
   * current positions. Refreshes the account from the exchange when due.
   */
  async onBar(bar: Bar): Promise<void> {
    await this.idle();
    const now = this.#clock.now();
    if (this.#accountDirty || now - this.#lastAccountRefresh >= this.#accountRefreshMs) {
      await this.refreshAccount();
    }
    if (this.#strategy?.onBar !== undefined && !this.#pipelineFailure) {
      await this.#strategy.onBar(bar, this.#context);
      await this.idle();
    }
  }

  /** Reads the account from the exchange and reports it to risk (audited by the risk manager). */
  async refreshAccount(): Promise<AccountState> {
    const account = await this.#exchange.getAccountState();
    this.#account = account;
    this.#lastAccountRefresh = this.#clock.now();
    this.#accountDirty = false;
    await this.#risk.updateAccount({
      balance: account.balance,
      equity: account.equity,
      marginUsed: account.marginUsed,
    });
    return account;
  }

  /**
   * Risk check, then the exchange. Resolves with what happened; never throws for a refused order.
   * An order is audited as `order_submitted` before it is sent, so a crash can never hide a sent order.
   */
  async submitOrder(input: OrderRequestInput): Promise<SubmitResult> {
    const now = this.#clock.now();
    const refused = this.#refusal();
    if (refused !== undefined) return this.#rejected(input, refused.code, refused.reason, now);

    const clientOrderId = input.clientOrderId ?? this.#nextClientOrderId();
    const request = { ...input, clientOrderId };
    let check: RiskCheckResult;
    try {
      check = await this.#risk.checkOrder(request);
    } catch (error) {
      // checkOrder must never throw; if it does, nothing is sent.
      return this.#rejected(input, 'CHECK_FAILED', `risk check threw: ${errorMessage(error)}`, now);
    }
    if (!check.approved) {
      const code = check.code ?? 'RISK_REJECTED';
      return this.#rejected(input, code, check.reason, now, check.failures);
    }
    const reservationId = check.reservation?.id ?? clientOrderId;
    const order = OrderRequest.parse(request);

    try {
      await this.#append({
        type: 'order_submitted',
        orderId: clientOrderId,
        order,
        venue: this.#exchange.name,
      });
    } catch (error) {
      this.#risk.releaseReservation(reservationId, 'rejected');
      return this.#failed(
        order,
        clientOrderId,
        'AUDIT_FAILED',
        `order not sent: ${errorMessage(error)}`,
        error,
      );
    }

    let ack: Awaited<ReturnType<Exchange['placeOrder']>>;
    const sentAt = performance.now();
    try {
      ack = await this.#exchange.placeOrder(order, { clientOrderId });
    } catch (error) {
      const latencyMs = performance.now() - sentAt;
      this.#risk.releaseReservation(reservationId, 'rejected');
      const code = errorCode(error);
      const reason = errorMessage(error);
      await this.#safeAppend({ type: 'order_rejected', orderId: clientOrderId, order, reason, code });
      await this.#risk.recordError(error).catch((e: unknown) => this.#pipelineFailed(e));
      await this.#checkHalt();
      return this.#failed(order, clientOrderId, code, reason, error, latencyMs);
    }
    const latencyMs = performance.now() - sentAt;

    this.#risk.releaseReservation(reservationId, 'submitted');
    const terminal = ack.status === 'cancelled' || ack.status === 'rejected' || ack.status === 'filled';
    if (!terminal || ack.status === 'filled') {
      this.#working.set(clientOrderId, {
        clientOrderId,
        venueOrderId: ack.orderId,
        order,
        createdAt: now,
        filled: ack.filledQuantity,
      });
      this.#clientIdByVenueId.set(ack.orderId, clientOrderId);
    }
    if (ack.status === 'cancelled' || ack.status === 'rejected') {
      // Done at once (an IOC that found nothing): whatever did fill arrives as fills; free the rest now.
      if (ack.filledQuantity.isZero()) this.#risk.releaseReservation(clientOrderId, 'cancelled');
    }
    await this.#safeAppend({
      type: 'order_accepted',
      orderId: clientOrderId,
      venueOrderId: ack.orderId,
      symbol: order.symbol,
      ...(ack.status === 'resting' || ack.status === 'filled' || ack.status === 'partially_filled'
        ? { status: ack.status }
        : {}),
    });
    await this.#risk.recordSuccess().catch((e: unknown) => this.#pipelineFailed(e));
    this.#stats.submitted += 1;
    const result = { status: 'submitted', order, clientOrderId, ack, latencyMs } as const;
    this.#observer.onSubmitted?.(result);
    return result;
  }

  /** Cancels one order; cancels always pass, whatever the risk state. */
  async cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    const venueId = this.#working.get(orderId)?.venueOrderId ?? orderId;
    const cancelled = await this.#exchange.cancelOrder(symbol, venueId);
    if (cancelled) await this.#safeAppend({ type: 'order_cancelled', orderId, symbol, reason: 'requested' });
    return cancelled;
  }

  /** Cancels every open order (of one symbol when given). */
  async cancelAllOrders(symbol?: string, reason = 'requested'): Promise<number> {
    const count = await this.#exchange.cancelAllOrders({
      ...(symbol === undefined ? {} : { symbol }),
      reason,
    });
    if (count > 0) {
      await this.#safeAppend({
        type: 'orders_cancelled',
        count,
        reason,
        ...(symbol === undefined ? {} : { symbol }),
      });
    }
    return count;
  }

  /** Trips the breaker by hand (a kill switch): HALTED, and every open order cancelled. */
  async tripCircuitBreaker(reason: string): Promise<void> {
    await this.#risk.tripCircuitBreaker(reason);
    await this.#checkHalt();
  }

  /**
   * Resets the breaker when its cooldown is over; false while cooling down. Answers at once (see
   * `RiskManager.resetCircuitBreaker`); the risk manager's `flush()` waits until it is durable.
   */
  resetCircuitBreaker(reason?: string): boolean {
    const reset = this.#risk.resetCircuitBreaker(reason);
    if (reset) this.#halted = false;
    return reset;
  }

  /** Orders the engine sent that have not finished. */
  workingOrders(symbol?: string): OpenOrder[] {
    const out: OpenOrder[] = [];
    for (const w of this.#working.values()) {
      if (symbol !== undefined && w.order.symbol !== symbol) continue;
      if (w.filled.gte(w.order.quantity)) continue;
      out.push({
        orderId: w.venueOrderId,
        clientOrderId: w.clientOrderId,
        symbol: w.order.symbol,
        side: w.order.side,
        orderType: w.order.orderType,
        ...(w.order.price === undefined ? {} : { price: w.order.price }),
        ...(w.order.triggerPrice === undefined ? {} : { triggerPrice: w.order.triggerPrice }),
        quantity: w.order.quantity,
        filledQuantity: w.filled,
        reduceOnly: w.order.reduceOnly,
        timeInForce: w.order.timeInForce,
        createdAt: w.createdAt,
      });
    }
    return out;
  }

  // ------------------------------------------------------------------ pipeline

  #enqueue(task: () => Promise<void>): void {
    this.#pending += 1;
    this.#queue = this.#queue
      .then(task)
      .catch((error: unknown) => this.#pipelineFailed(error))
      .finally(() => {
        this.#pending -= 1;
      });
  }

  async #handleFill(fill: Fill): Promise<void> {
    const duplicate = this.#tracker.hasProcessedFill(fill.id);
    const before = this.#tracker.getPosition(fill.symbol);
    const beforeOpenedAt = before?.openedAt;
    const beforeSide = before?.side;
    const beforeSigned = before?.signedQuantity;
    // The tracker audits the fill (or the duplicate) before it changes anything.
    const position = await this.#tracker.updateFromFill(fill);
    if (duplicate) {
      this.#stats.duplicateFills += 1;
      return;
    }
    // The tracker audits both (liquidation_fill, position_mismatch); trading stops on either. A
    // liquidation is the venue closing positions for us; a wrong starting position means our books are off.
    if (fill.liquidation !== undefined) {
      await this.#risk.tripCircuitBreaker(`liquidation fill ${fill.id} on ${fill.symbol}`);
    } else if (
      fill.startPosition !== undefined &&
      fill.marketKind !== 'spot' &&
      !fill.startPosition.eq(beforeSigned ?? 0)
    ) {
      await this.#risk.tripCircuitBreaker(
        `venue position before fill ${fill.id} was ${fill.startPosition.toFixed()} ${fill.symbol}, tracker had ${(beforeSigned ?? 0).toString()}`,
      );
    }
    this.#stats.fills += 1;
    this.#accountDirty = true;
    if (position === undefined) this.#risk.removePosition(fill.symbol);
    else this.#risk.updatePosition(position.toPosition());

    const closedSomething =
      before !== undefined &&
      (position === undefined || position.side !== beforeSide || position.openedAt !== beforeOpenedAt);
    if (closedSomething) {
      const closed = this.#tracker.getClosedPositions();
      const last = closed[closed.length - 1];
      if (last !== undefined && last.symbol === fill.symbol) {
        this.#stats.closedPositions += 1;
        await this.#risk.recordTradeResult(last.netRealizedPnl, last.symbol);
        this.#observer.onPositionClosed?.(last);
      }
    }

    const clientId = fill.clientOrderId ?? this.#clientIdByVenueId.get(fill.orderId);
    if (clientId !== undefined) {
      this.#risk.orderFilled(clientId, fill.quantity);
      const w = this.#working.get(clientId);
      if (w !== undefined) {
        w.filled = w.filled.plus(fill.quantity);
        if (w.filled.gte(w.order.quantity)) this.#forget(w);
      }
    }
    this.#observer.onFill?.(fill);
    await this.#checkHalt();
    if (this.#strategy?.onFill !== undefined) await this.#strategy.onFill(fill, this.#context);
  }

  async #handleOrderUpdate(update: OrderUpdate): Promise<void> {
    const clientId = update.clientOrderId ?? this.#clientIdByVenueId.get(update.orderId);
    if (clientId === undefined) return;
    if (update.status === 'filled' || update.status === 'cancelled' || update.status === 'rejected') {
      this.#risk.releaseReservation(clientId, update.status === 'filled' ? 'filled' : 'cancelled');
      const w = this.#working.get(clientId);
      if (w !== undefined) this.#forget(w);
      if (update.status !== 'filled') {
        await this.#safeAppend({
          type: 'order_cancelled',
          orderId: clientId,
          symbol: update.symbol,
          ...(update.reason === undefined ? {} : { reason: update.reason }),
        });
      }
    }
  }

  async #handlePrice(price: MarketPrice): Promise<void> {
    this.#prices.set(price.symbol, price.price);
    // Visible at once; a new MAE/MFE is recorded behind it (an audit failure halts the tracker, which the
    // next fill or mark reports).
    this.#tracker.updateMarketPrice(price.symbol, price.price, price.timestamp);
    // The risk manager values its own copy of the position at this mark; positions change only with fills
    // and funding, where they are pushed to it. A mark can move risk to REDUCING but never trips the
    // breaker (losses, errors and operators do), so there is no halt to act on here.
    this.#risk.updateMarketPrice(price.symbol, price.price, price.timestamp);
  }

  async #handleFunding(payment: FundingPayment): Promise<void> {
    await this.#tracker.applyFunding(
      payment.symbol,
      payment.amount,
      payment.time,
      `${payment.symbol}:${payment.time}`,
    );
    this.#accountDirty = true;
    const position = this.#tracker.getPosition(payment.symbol);
    if (position !== undefined) this.#risk.updatePosition(position.toPosition());
  }

  #forget(w: WorkingOrder): void {
    this.#working.delete(w.clientOrderId);
    this.#clientIdByVenueId.delete(w.venueOrderId);
  }

  /** A tripped breaker (from losses, errors or by hand) cancels every open order, once per trip. */
  async #checkHalt(): Promise<void> {
    const state = this.#risk.state;
    if (!state.circuitBreakerTripped) {
      return;
    }
    if (this.#halted) return;
    this.#halted = true;
    this.#stats.halts += 1;
    const reason = state.circuitBreakerReason ?? 'circuit breaker tripped';
    let cancelled = 0;
    if (this.#cancelOnHalt) {
      cancelled = await this.cancelAllOrders(undefined, `circuit breaker: ${reason}`);
    }
    this.#observer.onHalt?.(reason, cancelled);
  }

  async #pipelineFailed(error: unknown): Promise<void> {
    if (this.#pipelineFailure === undefined) this.#pipelineFailure = error;
    this.#observer.onPipelineError?.(error);
    await this.#safeAppend({
      type: 'error',
      message: `engine pipeline failed: ${errorMessage(error)}`,
      code: errorCode(error),
      source: 'engine',
    });
    try {
      if (!this.#risk.state.circuitBreakerTripped) {
        await this.#risk.tripCircuitBreaker(`engine pipeline failed: ${errorMessage(error)}`);
      }
    } catch {
      // The pipeline failure alone already blocks every order (see #refusal).
    }
    await this.#checkHalt().catch(() => undefined);
  }

  // ------------------------------------------------------------------ helpers

  #refusal(): { code: string; reason: string } | undefined {
    if (!this.#running) return { code: EngineErrorCode.NOT_RUNNING, reason: 'the engine is not running' };
    if (this.#pipelineFailure !== undefined) {
      return {
        code: EngineErrorCode.PIPELINE_FAILED,
        reason: `the engine halted after a pipeline failure: ${errorMessage(this.#pipelineFailure)}`,
      };
    }
    return undefined;
  }

  #nextClientOrderId(): string {
    this.#seq += 1;
    return `${this.#prefix}-${this.#session}-${this.#seq}`;
  }

  #rejected(
    input: OrderRequestInput,
    code: string,
    reason: string,
    time: number,
    failures: RejectedResult['failures'] = [{ code, message: reason, details: {} }],
  ): RejectedResult {
    this.#stats.rejected += 1;
    this.#stats.rejectionsByCode[code] = (this.#stats.rejectionsByCode[code] ?? 0) + 1;
    const result: RejectedResult = { status: 'rejected', code, reason, failures };
    this.#observer.onRejected?.(input, result, time);
    return result;
  }

  #failed(
    order: OrderRequest,
    clientOrderId: string,
    code: string,
    reason: string,
    error: unknown,
    latencyMs?: number,
  ): FailedResult {
    this.#stats.failed += 1;
    const result: FailedResult = {
      status: 'failed',
      order,
      clientOrderId,
      code,
      reason,
      error,
      ...(latencyMs === undefined ? {} : { latencyMs }),
    };
    this.#observer.onFailed?.(result);
    return result;
  }

  async #append(event: AuditEventInput): Promise<void> {
    await this.#audit.append(event);
  }

  /** Audit writes whose failure must not undo what already happened at the venue; a failure halts trading. */
  async #safeAppend(event: AuditEventInput): Promise<void> {
    try {
      await this.#audit.append(event);
    } catch (error) {
      if (this.#pipelineFailure === undefined) {
        this.#pipelineFailure = new EngineError(EngineErrorCode.PIPELINE_FAILED, 'audit write failed', {
          cause: error,
        });
      }
    }
  }

  #makeContext(): StrategyContext {
    return {
      now: () => this.#clock.now(),
      submitOrder: (order) => this.submitOrder(order),
      cancelOrder: (symbol, orderId) => this.cancelOrder(symbol, orderId),
      cancelAllOrders: (symbol) => this.cancelAllOrders(symbol),
      getPosition: (symbol): PositionSnapshot | undefined => this.#tracker.getPosition(symbol)?.toPosition(),
      getPositions: () => this.#tracker.getAllPositions().map((p) => p.toPosition()),
      getOpenOrders: (symbol) => this.workingOrders(symbol),
      getAccount: () => this.#account,
      getMarketPrice: (symbol) => this.#prices.get(symbol),
      getRiskState: (): StrategyRiskView => {
        const s = this.#risk.state;
        return {
          tradingState: s.tradingState,
          circuitBreakerTripped: s.circuitBreakerTripped,
          dailyPnl: s.dailyPnl,
        };
      },
    };
  }
}
