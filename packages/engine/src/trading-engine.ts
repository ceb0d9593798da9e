import {
  type AccountState,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  type ClosedPosition,
  type Decimal,
  type Exchange,
  ExchangeError,
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
  ZERO,
} from '@hl-bot/core-types';
import type { PositionTracker } from '@hl-bot/positions';
import type { RiskCheckResult, RiskManager } from '@hl-bot/risk';
import { EngineError, EngineErrorCode } from './errors.js';
import { remainingOrder } from './remaining-order.js';
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
  /**
   * How long an order whose outcome was lost (a timeout, a dropped connection) must be unknown to the venue
   * before it is taken as never placed (ms). Default 60 s: well past the signed copy's expiry at the venue,
   * so no lost copy can still execute. Until then it counts in risk as working.
   */
  unknownOrderGraceMs?: number;
  /** Backoff of the cancel retries after a cancel on halt failed (default 500 ms doubling to 30 s). */
  cancelRetry?: { baseDelayMs?: number; maxDelayMs?: number };
  observer?: EngineObserver;
}

interface WorkingOrder {
  readonly clientOrderId: string;
  /** Undefined until the venue named the order (an ack, an update, a status). */
  venueOrderId: string | undefined;
  readonly order: OrderRequest;
  readonly createdAt: number;
  filled: Decimal;
  /** True once `order_accepted` is written: the venue has the order. False while its fate is unknown. */
  accepted: boolean;
  /** True while the placeOrder call runs: its own outcome settles the order. */
  sending: boolean;
}

/** Counters of what passed through the engine. */
export interface EngineStats {
  submitted: number;
  rejected: number;
  failed: number;
  /** Sends that failed in a way that leaves the order possibly live (counted in risk until settled). */
  unknown: number;
  fills: number;
  duplicateFills: number;
  closedPositions: number;
  halts: number;
  rejectionsByCode: Record<string, number>;
}

/** What a venue's order looks like after one order reconciliation. */
export interface OrderReconciliation {
  /** Venue orders nobody here knew: counted in risk, then cancelled or adopted. */
  unknownAtVenue: string[];
  /** Working orders the venue did not list, settled through their order status. */
  missingAtVenue: string[];
  /** Orders whose fate is still unknown afterwards: they keep counting in risk. */
  stillUnknown: number;
}

type AcceptedStatus = 'resting' | 'filled' | 'partially_filled';

function ackStatus(status: string): AcceptedStatus | undefined {
  return status === 'resting' || status === 'filled' || status === 'partially_filled' ? status : undefined;
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
  readonly #cancelRecorded = new Set<string>();
  readonly #done = new Set<string>();
  readonly #unknownGraceMs: number;
  readonly #cancelRetryBaseMs: number;
  readonly #cancelRetryMaxMs: number;
  #cancelRetry: Promise<void> | undefined;
  #ordersMayBeLive = false;
  #reducing = false;
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
    unknown: 0,
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
    this.#unknownGraceMs = options.unknownOrderGraceMs ?? 60_000;
    this.#cancelRetryBaseMs = options.cancelRetry?.baseDelayMs ?? 500;
    this.#cancelRetryMaxMs = options.cancelRetry?.maxDelayMs ?? 30_000;
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

  /**
   * Hands the engine its strategy after `start()`: a bot starts the engine (and its kill switch) first,
   * and the strategy only once recovery and reconciliation are done.
   * @throws {EngineError} NOT_RUNNING before `start()`
   */
  async startStrategy(strategy: Strategy): Promise<void> {
    if (!this.#running) throw new EngineError(EngineErrorCode.NOT_RUNNING, 'start the engine first');
    this.#strategy = strategy;
    await strategy.onStart?.(this.#context);
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
    if (this.#running) await this.#checkReducing(this.#risk.state.tradingState);
    return account;
  }

  /**
   * Risk check, then the exchange. Resolves with what happened; never throws for a refused order.
   * An order is audited as `order_submitted` before it is sent, so a crash can never hide a sent order.
   * From the moment it is sent it counts in risk as working until its fate is known: an error other than
   * the venue's definite refusal (an ExchangeError) leaves it counting, and `resolveUnknownOrders` or the
   * venue's own reports (a fill, an order update) settle it later.
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

    const w: WorkingOrder = {
      clientOrderId,
      venueOrderId: undefined,
      order,
      createdAt: now,
      filled: ZERO,
      accepted: false,
      sending: true,
    };
    // Known before it is sent: a fill or an update can arrive before the acknowledgement does.
    this.#working.set(clientOrderId, w);
    this.#risk.releaseReservation(reservationId, 'submitted');

    let ack: Awaited<ReturnType<Exchange['placeOrder']>>;
    const sentAt = performance.now();
    try {
      ack = await this.#exchange.placeOrder(order, { clientOrderId });
    } catch (error) {
      w.sending = false;
      const latencyMs = performance.now() - sentAt;
      const code = errorCode(error);
      const reason = errorMessage(error);
      await this.#risk.recordError(error).catch((e: unknown) => this.#pipelineFailed(e));
      const seenLive = w.accepted || w.filled.gt(0);
      if (error instanceof ExchangeError && !seenLive) {
        if (this.#working.get(clientOrderId) === w) this.#forget(w);
        this.#risk.releaseReservation(clientOrderId, 'rejected');
        await this.#safeAppend({ type: 'order_rejected', orderId: clientOrderId, order, reason, code });
        await this.#checkHalt();
        return this.#failed(order, clientOrderId, code, reason, error, latencyMs);
      }
      // The order may be live: it keeps its hold, and counts as working, until its fate is known.
      if (seenLive && w.venueOrderId !== undefined) await this.#accept(w, w.venueOrderId);
      this.#stats.unknown += 1;
      await this.#checkHalt();
      return this.#failed(order, clientOrderId, code, reason, error, latencyMs, true);
    }
    w.sending = false;
    const latencyMs = performance.now() - sentAt;
    await this.#accept(w, ack.orderId, ackStatus(ack.status));
    if (ack.status === 'cancelled' || ack.status === 'rejected' || ack.status === 'filled') {
      // Done at once (an IOC, a fill on arrival): whatever filled arrives as fills; the rest is free now.
      if (this.#working.get(clientOrderId) === w) this.#finish(w, ack.filledQuantity);
    }
    await this.#risk.recordSuccess().catch((e: unknown) => this.#pipelineFailed(e));
    this.#stats.submitted += 1;
    const result = { status: 'submitted', order, clientOrderId, ack, latencyMs } as const;
    this.#observer.onSubmitted?.(result);
    return result;
  }

  /** Cancels one order (by client or venue order id); cancels always pass, whatever the risk state. */
  async cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    const w = this.#findWorking(orderId);
    const target = w === undefined ? orderId : (w.venueOrderId ?? w.clientOrderId);
    const cancelled = await this.#exchange.cancelOrder(symbol, target);
    if (cancelled) {
      if (w !== undefined && this.#working.get(w.clientOrderId) === w) this.#finish(w, w.filled);
      else if (!this.#risk.releaseReservation(orderId, 'cancelled'))
        this.#risk.releaseReservation(target, 'cancelled');
      const ids =
        w === undefined
          ? [orderId]
          : [w.clientOrderId, ...(w.venueOrderId === undefined ? [] : [w.venueOrderId])];
      await this.#recordCancel(ids, symbol, 'requested');
    }
    return cancelled;
  }

  /**
   * Cancels every open order (of one symbol when given). Each order is settled by the exchange's order
   * update for it (the port reports every confirmed cancel), so a count is all this returns.
   */
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

  /**
   * Cancels every resting order that could add to a position (not reduce-only): what REDUCING means for
   * orders already on the venue. Resolves with how many the venue confirmed.
   */
  async cancelOpeningOrders(reason: string): Promise<number> {
    let cancelled = 0;
    for (const o of await this.#exchange.getOpenOrders()) {
      if (o.reduceOnly) continue;
      if (await this.#cancelVenueOrder(o)) cancelled += 1;
    }
    if (cancelled > 0) await this.#safeAppend({ type: 'orders_cancelled', count: cancelled, reason });
    return cancelled;
  }

  /**
   * Settles orders whose outcome was lost (the send failed in a way that leaves them possibly live) by
   * asking the venue for their status. An order the venue does not know is taken as never placed only
   * after `unknownOrderGraceMs`. Resolves with how many stay unknown.
   */
  async resolveUnknownOrders(): Promise<number> {
    let unknown = 0;
    for (const w of [...this.#working.values()]) {
      if (w.accepted || w.sending) continue;
      if (!(await this.#resolveByStatus(w))) unknown += 1;
    }
    await this.idle();
    return unknown;
  }

  /**
   * Compares the engine's working orders with the venue's open orders (a snapshot taken after every event
   * before it was applied). A venue order nobody here knows counts in risk at once as a working order, and
   * is cancelled (or, with `adopt`, kept), audited either way. A working order the venue does not list is
   * settled through its order status.
   */
  async reconcileOrders(
    venueOpen: readonly OpenOrder[],
    opts: { adopt?: boolean } = {},
  ): Promise<OrderReconciliation> {
    await this.idle();
    const report: OrderReconciliation = { unknownAtVenue: [], missingAtVenue: [], stillUnknown: 0 };
    const venueIds = new Set<string>();
    for (const o of venueOpen) {
      venueIds.add(o.orderId);
      if (o.clientOrderId !== undefined) venueIds.add(o.clientOrderId);
      const w = this.#findWorking(o.clientOrderId ?? o.orderId) ?? this.#findWorking(o.orderId);
      if (w !== undefined) {
        if (!w.accepted && !w.sending) await this.#accept(w, o.orderId);
        continue;
      }
      const id = o.clientOrderId ?? o.orderId;
      if (this.#done.has(id) || this.#done.has(o.orderId)) continue;
      const held = this.#risk
        .reservations()
        .some((r) => r.id === id || r.id === o.orderId || r.clientOrderId === id);
      if (held) continue;
      report.unknownAtVenue.push(id);
      // Counted first, so no order is approved against a limit this order already uses.
      this.#risk.adoptWorkingOrder(remainingOrder(o), id);
      await this.#safeAppend({
        type: 'reconciliation_mismatch',
        symbol: o.symbol,
        local: 'no such order',
        venue: `open order ${id} (venue ${o.orderId}): ${o.side} ${o.quantity.minus(o.filledQuantity).toString()}${o.price === undefined ? '' : ` @ ${o.price.toString()}`}`,
        action: opts.adopt === true ? 'adopted_venue_state' : 'none',
      });
      if (opts.adopt !== true) {
        try {
          // Not open any more (it ended between the snapshot and now): nothing to hold.
          if (!(await this.#cancelVenueOrder(o))) this.#risk.releaseReservation(id, 'cancelled');
        } catch (error) {
          await this.#safeAppend({
            type: 'error',
            message: `cancelling unknown venue order ${id} failed: ${errorMessage(error)}`,
            code: errorCode(error),
            source: 'engine',
          });
        }
      }
    }
    for (const w of [...this.#working.values()]) {
      if (w.sending) continue;
      const listed =
        venueIds.has(w.clientOrderId) || (w.venueOrderId !== undefined && venueIds.has(w.venueOrderId));
      if (listed) continue;
      if (w.accepted) report.missingAtVenue.push(w.clientOrderId);
      if (!(await this.#resolveByStatus(w))) report.stillUnknown += 1;
    }
    await this.idle();
    return report;
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
        // Until the venue names it, an order in flight is known by its client order id.
        orderId: w.venueOrderId ?? w.clientOrderId,
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

    // The exchange reports the client order id the order was placed with; an order adopted from the venue
    // without one is held under its venue id.
    const clientId = fill.clientOrderId;
    if (clientId === undefined || !this.#risk.orderFilled(clientId, fill.quantity)) {
      this.#risk.orderFilled(fill.orderId, fill.quantity);
    }
    const w = clientId === undefined ? undefined : this.#working.get(clientId);
    if (w !== undefined) {
      w.venueOrderId ??= fill.orderId;
      w.filled = w.filled.plus(fill.quantity);
      // A fill proves the order is live; while it is being sent its acknowledgement says so instead.
      if (!w.sending) await this.#accept(w, fill.orderId);
      if (w.filled.gte(w.order.quantity)) this.#forget(w);
    }
    this.#observer.onFill?.(fill);
    await this.#checkHalt();
    if (this.#strategy?.onFill !== undefined) await this.#strategy.onFill(fill, this.#context);
  }

  async #handleOrderUpdate(update: OrderUpdate): Promise<void> {
    const clientId = update.clientOrderId;
    const w = clientId === undefined ? undefined : this.#working.get(clientId);
    const done = update.status === 'filled' || update.status === 'cancelled' || update.status === 'rejected';
    if (w !== undefined) {
      w.venueOrderId ??= update.orderId;
      if (update.status === 'rejected' && !w.accepted && w.filled.isZero()) {
        this.#forget(w);
        this.#risk.releaseReservation(w.clientOrderId, 'rejected');
        await this.#safeAppend({
          type: 'order_rejected',
          orderId: w.clientOrderId,
          order: w.order,
          reason: update.reason ?? 'rejected by the venue',
          code: 'ORDER_REJECTED',
        });
        return;
      }
      if (!w.sending || done) await this.#accept(w, update.orderId, ackStatus(update.status));
      if (!done) return;
      this.#finish(w, update.filledQuantity);
      if (update.status !== 'filled') {
        await this.#recordCancel([w.clientOrderId, update.orderId], update.symbol, update.reason);
      }
      return;
    }
    if (!done) return;
    // Not an order of this engine (an earlier run's, adopted, or someone else's): free what risk holds
    // for it, and record the cancel once.
    if (update.status !== 'filled') {
      const ids = clientId === undefined ? [update.orderId] : [clientId, update.orderId];
      for (const id of ids) if (this.#risk.releaseReservation(id, 'cancelled')) break;
      await this.#recordCancel(ids, update.symbol, update.reason);
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
    await this.#checkReducing(this.#risk.state.tradingState);
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
    if (this.#working.get(w.clientOrderId) !== w) return;
    this.#working.delete(w.clientOrderId);
    // A venue snapshot taken a moment ago may still list it: reconciliation must not take it for a stranger.
    this.#done.add(w.clientOrderId);
    if (w.venueOrderId !== undefined) this.#done.add(w.venueOrderId);
    while (this.#done.size > 20_000) {
      const oldest = this.#done.values().next();
      if (oldest.done === true) break;
      this.#done.delete(oldest.value);
    }
  }

  #findWorking(id: string): WorkingOrder | undefined {
    const direct = this.#working.get(id);
    if (direct !== undefined) return direct;
    for (const w of this.#working.values()) if (w.venueOrderId === id) return w;
    return undefined;
  }

  /** Writes `order_accepted` once: the first sign that the venue has the order (ack, update, fill, status). */
  async #accept(w: WorkingOrder, venueOrderId: string, status?: AcceptedStatus): Promise<void> {
    w.venueOrderId ??= venueOrderId;
    if (w.accepted) return;
    w.accepted = true;
    await this.#safeAppend({
      type: 'order_accepted',
      orderId: w.clientOrderId,
      venueOrderId,
      symbol: w.order.symbol,
      ...(status === undefined ? {} : { status }),
    });
  }

  /**
   * The order no longer rests: frees its unfilled part now and keeps what filled at the venue but has not
   * arrived as fills yet until those fills come (or the hold lapses, see RiskManager.orderFinished).
   */
  #finish(w: WorkingOrder, venueFilled: Decimal): void {
    this.#forget(w);
    const awaiting = venueFilled.gt(w.filled) ? venueFilled.minus(w.filled) : ZERO;
    this.#risk.orderFinished(w.clientOrderId, awaiting);
  }

  /** Cancels a venue order by its venue id and frees what risk holds for it. */
  async #cancelVenueOrder(o: OpenOrder): Promise<boolean> {
    const w = this.#findWorking(o.clientOrderId ?? o.orderId) ?? this.#findWorking(o.orderId);
    if (w !== undefined) return this.cancelOrder(o.symbol, w.clientOrderId);
    const cancelled = await this.#exchange.cancelOrder(o.symbol, o.orderId);
    if (!cancelled) return false;
    const ids = o.clientOrderId === undefined ? [o.orderId] : [o.clientOrderId, o.orderId];
    for (const id of ids) if (this.#risk.releaseReservation(id, 'cancelled')) break;
    await this.#recordCancel(ids, o.symbol, 'requested');
    return true;
  }

  /** One `order_cancelled` per cancelled order, however many reports of the cancel arrive. */
  async #recordCancel(ids: readonly string[], symbol: string, reason?: string): Promise<void> {
    if (ids.some((id) => this.#cancelRecorded.has(id))) return;
    for (const id of ids) this.#cancelRecorded.add(id);
    while (this.#cancelRecorded.size > 20_000) {
      const oldest = this.#cancelRecorded.values().next();
      if (oldest.done === true) break;
      this.#cancelRecorded.delete(oldest.value);
    }
    const [orderId] = ids;
    if (orderId === undefined) return;
    await this.#safeAppend({
      type: 'order_cancelled',
      orderId,
      symbol,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /** Asks the venue about an order whose fate is unknown; true when it is settled (or no longer unknown). */
  async #resolveByStatus(w: WorkingOrder): Promise<boolean> {
    const ask = this.#exchange.getOrderStatus;
    if (ask === undefined) return w.accepted;
    let status: OrderUpdate | undefined;
    try {
      status = await ask.call(this.#exchange, w.clientOrderId, w.order.symbol);
    } catch {
      return false;
    }
    if (this.#working.get(w.clientOrderId) !== w) return true;
    if (status !== undefined) {
      this.#enqueue(() => this.#handleOrderUpdate({ ...status, clientOrderId: w.clientOrderId }));
      await this.idle();
      return true;
    }
    if (w.accepted || w.filled.gt(0)) return false;
    if (this.#clock.now() - w.createdAt < this.#unknownGraceMs) return false;
    this.#forget(w);
    this.#risk.releaseReservation(w.clientOrderId, 'rejected');
    await this.#safeAppend({
      type: 'order_rejected',
      orderId: w.clientOrderId,
      order: w.order,
      reason: `the venue has no such order ${Math.round((this.#clock.now() - w.createdAt) / 1000)} s after it was sent: never placed`,
      code: 'ORDER_NOT_FOUND',
    });
    return true;
  }

  /** A tripped breaker (from losses, errors or by hand) cancels every open order, once per trip. */
  async #checkHalt(): Promise<void> {
    const state = this.#risk.state;
    if (!state.circuitBreakerTripped) {
      await this.#checkReducing(state.tradingState);
      return;
    }
    if (this.#halted) return;
    this.#halted = true;
    this.#stats.halts += 1;
    const reason = state.circuitBreakerReason ?? 'circuit breaker tripped';
    let cancelled = 0;
    if (this.#cancelOnHalt) {
      try {
        cancelled = await this.cancelAllOrders(undefined, `circuit breaker: ${reason}`);
        if ((await this.#exchange.getOpenOrders()).length > 0)
          throw new Error('orders still open after cancel');
      } catch (error) {
        await this.#auditCancelFailure(0, error);
        this.#retryCancelUntilClear(`circuit breaker: ${reason}`);
      }
    }
    this.#observer.onHalt?.(reason, cancelled);
  }

  /** Entering REDUCING cancels every resting order that could add to a position, once per entry. */
  async #checkReducing(state: string): Promise<void> {
    const reducing = state === 'REDUCING';
    if (reducing === this.#reducing) return;
    this.#reducing = reducing;
    if (!reducing) return;
    try {
      await this.cancelOpeningOrders(`reducing: ${this.#risk.state.reducingReason ?? 'loss limit'}`);
    } catch (error) {
      // Not cleared: the next look at the state tries again.
      this.#reducing = false;
      await this.#safeAppend({
        type: 'error',
        message: `cancelling opening orders on REDUCING failed: ${errorMessage(error)}`,
        code: errorCode(error),
        source: 'engine',
      });
    }
  }

  /**
   * True after a cancel on halt failed, until the venue shows no open order: orders may still be live.
   */
  get ordersMayBeLive(): boolean {
    return this.#ordersMayBeLive;
  }

  /** Retries cancelling everything with bounded backoff (each try audited) until the venue lists none. */
  #retryCancelUntilClear(reason: string): void {
    if (this.#cancelRetry !== undefined) return;
    this.#ordersMayBeLive = true;
    const run = async () => {
      for (let attempt = 1; this.#running; attempt += 1) {
        const delay = Math.min(this.#cancelRetryMaxMs, this.#cancelRetryBaseMs * 2 ** (attempt - 1));
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          t.unref?.();
        });
        if (!this.#running) return;
        try {
          await this.#exchange.cancelAllOrders({ reason });
          const open = await this.#exchange.getOpenOrders();
          if (open.length === 0) {
            this.#ordersMayBeLive = false;
            await this.#safeAppend({
              type: 'note',
              message: `cancel retry ${attempt}: the venue lists no open order`,
            });
            return;
          }
          throw new Error(`${open.length} orders still open`);
        } catch (error) {
          await this.#auditCancelFailure(attempt, error);
        }
      }
    };
    this.#cancelRetry = run().finally(() => {
      this.#cancelRetry = undefined;
    });
  }

  async #auditCancelFailure(attempt: number, error: unknown): Promise<void> {
    await this.#safeAppend({
      type: 'error',
      message: `cancel on halt ${attempt === 0 ? 'failed' : `retry ${attempt} failed`}: ${errorMessage(error)}; orders may still be live`,
      code: errorCode(error),
      source: 'engine',
    });
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
    mayBeLive = false,
  ): FailedResult {
    this.#stats.failed += 1;
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
