import {
  type AccountState,
  type Fill,
  type OpenOrder,
  type OrderRequestInput,
  type OrderUpdate,
  systemClock,
} from '@hl-bot/core-types';
import { refreshAccount } from './account-refresh.js';
import { cancelAllOrders, cancelOpeningOrders, cancelOrder } from './cancels.js';
import type { EngineCore } from './engine-core.js';
import type { EngineStats, OrderReconciliation, TradingEngineOptions } from './engine-options.js';
import { errorMessage } from './error-text.js';
import { EngineError, EngineErrorCode } from './errors.js';
import { EventQueue } from './event-queue.js';
import { checkHalt, pipelineFailed } from './halt.js';
import { handleFill, handleFunding, handleOrderUpdate, handlePrice } from './order-events.js';
import { reconcileOrders } from './reconcile-orders.js';
import { resolveByStatus } from './resolve-by-status.js';
import type { Bar, CancelAllOptions, Strategy, StrategyContext } from './strategy.js';
import { makeStrategyContext } from './strategy-context.js';
import { submitOrder } from './submit-order.js';
import type { SubmitResult } from './submit-result.js';
import { WorkingOrders } from './working-orders.js';

export type {
  EngineObserver,
  EngineStats,
  OrderReconciliation,
  TradingEngineOptions,
} from './engine-options.js';

/**
 * The one path from a strategy to an exchange.
 *
 * `submitOrder` = risk check (which reserves the order's share of every limit), the `order_submitted` audit
 * record, the exchange call, then the outcome reported back to risk. Exchange events (fills, order updates,
 * prices, funding) run through one serial pipeline: fills and funding into the position tracker (whose
 * positions risk reads, `followPositions`), marks into the risk manager (their owner, which the tracker and
 * strategies read), closed positions into `recordTradeResult`. A circuit breaker trip cancels every open order.
 * The engine is the only holder of the exchange: strategies get a `StrategyContext`, never the exchange.
 *
 * Fail closed: when the pipeline cannot apply an event (an audit write failed, a fill was invalid, funding
 * arrived for an unknown position), the engine trips the breaker and rejects every further order.
 *
 * This class is a facade: each job is its own module (submit-order, order-events, cancels, halt,
 * reconcile-orders, resolve-by-status, working-orders, strategy-context), sharing one `EngineCore`.
 *
 * @example
 * const engine = new TradingEngine({ exchange, risk, tracker, audit });
 * await engine.start(strategy);
 * for await (const bar of bars) { await exchange.onBar(bar); await engine.onBar(bar); }
 * await engine.stop();
 */
export class TradingEngine {
  readonly #core: EngineCore;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: TradingEngineOptions) {
    const clock = options.clock ?? systemClock;
    const prefix = options.clientOrderIdPrefix ?? 'hl';
    // Client order ids must never repeat across restarts: the session start time makes them unique per run.
    const session = clock.now().toString(36);
    let seq = 0;
    const queue = new EventQueue((error) => pipelineFailed(this.#core, error));
    const context = makeStrategyContext(() => this.#core, {
      submitOrder: (order) => this.submitOrder(order),
      cancelOrder: (symbol, orderId) => this.cancelOrder(symbol, orderId),
      cancelAllOrders: (opts) => this.cancelAllOrders(typeof opts === 'string' ? { symbol: opts } : opts),
      getOpenOrders: (symbol) => this.workingOrders(symbol),
    });
    // Risk reads positions from the tracker, their one owner: its index follows every change the tracker
    // makes, from here on (and the positions a recovered tracker holds, at once).
    options.risk.followPositions(options.tracker);
    this.#core = {
      exchange: options.exchange,
      risk: options.risk,
      tracker: options.tracker,
      audit: options.audit,
      clock,
      observer: options.observer ?? {},
      cancelOnHalt: options.cancelOrdersOnHalt ?? true,
      cancelOnStop: options.cancelOrdersOnStop ?? true,
      accountRefreshMs: options.accountRefreshMs ?? 15 * 60_000,
      unknownGraceMs: options.unknownOrderGraceMs ?? 60_000,
      cancelRetryBaseMs: options.cancelRetry?.baseDelayMs ?? 500,
      cancelRetryMaxMs: options.cancelRetry?.maxDelayMs ?? 30_000,
      // Risk's reservation is the one count of what of an order is unfilled: the engine reads it there.
      orders: new WorkingOrders((id) => options.risk.reservation(id)?.quantity),
      queue,
      stats: {
        submitted: 0,
        rejected: 0,
        failed: 0,
        unknown: 0,
        fills: 0,
        duplicateFills: 0,
        closedPositions: 0,
        halts: 0,
        rejectionsByCode: {},
      },
      context,
      newClientOrderId: () => {
        seq += 1;
        return `${prefix}-${session}-${seq}`;
      },
      running: false,
      halted: false,
      reducing: false,
      ordersMayBeLive: false,
      cancelRetry: undefined,
      pipelineFailure: undefined,
      account: undefined,
      lastAccountRefresh: Number.NEGATIVE_INFINITY,
      accountDirty: false,
      strategy: undefined,
    };
  }

  /** What a strategy gets: orders go through risk; the exchange itself is never exposed. */
  get context(): StrategyContext {
    return this.#core.context;
  }

  get stats(): Readonly<EngineStats> {
    const stats = this.#core.stats;
    return { ...stats, rejectionsByCode: { ...stats.rejectionsByCode } };
  }

  /** True once the breaker tripped or the pipeline failed, until the breaker is reset. */
  get halted(): boolean {
    return this.#core.halted || this.#core.pipelineFailure !== undefined;
  }

  get account(): AccountState | undefined {
    return this.#core.account;
  }

  /**
   * True after a cancel on halt failed, until the venue shows no open order: orders may still be live.
   */
  get ordersMayBeLive(): boolean {
    return this.#core.ordersMayBeLive;
  }

  /**
   * Subscribes to the exchange, loads the account into risk and starts the strategy.
   * @throws {HlBotError} when the account cannot be loaded or audited (nothing is subscribed then)
   */
  async start(strategy?: Strategy): Promise<void> {
    const core = this.#core;
    if (core.running) return;
    await this.refreshAccount();
    const { exchange, queue, risk } = core;
    this.#unsubscribe.push(
      exchange.onFill((fill: Fill) => queue.enqueue(() => handleFill(core, fill))),
      exchange.onOrderUpdate((update: OrderUpdate) => queue.enqueue(() => handleOrderUpdate(core, update))),
      exchange.onPrice((price) => queue.enqueue(() => handlePrice(core, price))),
    );
    if (exchange.onFunding !== undefined) {
      this.#unsubscribe.push(exchange.onFunding((p) => queue.enqueue(() => handleFunding(core, p))));
    }
    if (exchange.onReferencePrice !== undefined) {
      // The venue's mark and oracle: risk holds every order within its band around them as around the mid.
      this.#unsubscribe.push(
        exchange.onReferencePrice((r) =>
          queue.enqueue(async () => {
            risk.updateReferencePrices(
              r.symbol,
              { venueMark: r.markPrice, oracle: r.oraclePrice },
              r.timestamp,
            );
          }),
        ),
      );
    }
    if (exchange.onFault !== undefined) {
      // The venue sent something the adapter could not apply (say a malformed fill): our books may be
      // missing it until the adapter fetches it again, so trading stops until an operator resets.
      this.#unsubscribe.push(
        exchange.onFault((error) =>
          queue.enqueue(() => risk.tripCircuitBreaker(`venue fault: ${errorMessage(error)}`.slice(0, 1000))),
        ),
      );
    }
    if (exchange.onLedgerUpdate !== undefined) {
      // Deposits and withdrawals move equity without being P&L: risk shifts its baselines by them.
      this.#unsubscribe.push(
        exchange.onLedgerUpdate((c) => {
          // By id: a change the venue sends again after a restart is applied once.
          if (!c.nonCash) queue.enqueue(() => risk.recordCashFlow(c.amount, c.time, c.id));
        }),
      );
    }
    // A trip from another bot on the account (a shared budget) trips risk's breaker at once; the engine
    // then cancels its orders, as for its own trip. A shared reset lets the next trip cancel again.
    this.#unsubscribe.push(
      risk.budget.onChange((shared) => {
        if (!shared.available) return;
        if (shared.tradingState === 'HALTED') queue.enqueue(() => checkHalt(core));
        else if (!risk.state.circuitBreakerTripped) core.halted = false;
      }),
    );
    core.running = true;
    core.halted = risk.state.circuitBreakerTripped;
    core.strategy = strategy;
    await strategy?.onStart?.(core.context);
  }

  /**
   * Hands the engine its strategy after `start()`: a bot starts the engine (and its kill switch) first,
   * and the strategy only once recovery and reconciliation are done.
   * @throws {EngineError} NOT_RUNNING before `start()`
   */
  async startStrategy(strategy: Strategy): Promise<void> {
    if (!this.#core.running) throw new EngineError(EngineErrorCode.NOT_RUNNING, 'start the engine first');
    this.#core.strategy = strategy;
    await strategy.onStart?.(this.#core.context);
  }

  /** Stops the strategy, waits for the pipeline, cancels open orders (unless configured not to). */
  async stop(reason = 'engine stopped'): Promise<void> {
    const core = this.#core;
    if (!core.running) return;
    try {
      await core.strategy?.onStop?.(core.context);
      await this.idle();
      if (core.cancelOnStop) await this.cancelAllOrders({ reason });
      await this.idle();
      // Marks show at once and their MAE/MFE records follow: make them durable before the log is closed.
      await core.tracker.idle();
    } finally {
      core.running = false;
      for (const off of this.#unsubscribe.splice(0)) off();
    }
  }

  /** Resolves when every exchange event received so far has been applied. */
  async idle(): Promise<void> {
    await this.#core.queue.idle();
  }

  /**
   * Hands a bar to the strategy after every event it caused has been applied, so the strategy decides on
   * current positions. Refreshes the account from the exchange when due.
   */
  async onBar(bar: Bar): Promise<void> {
    const core = this.#core;
    await this.idle();
    const now = core.clock.now();
    if (core.accountDirty || now - core.lastAccountRefresh >= core.accountRefreshMs) {
      await this.refreshAccount();
    }
    if (core.strategy?.onBar !== undefined && !core.pipelineFailure) {
      await core.strategy.onBar(bar, core.context);
      await this.idle();
    }
  }

  /**
   * Reads the account from the exchange and reports it to risk (audited by the risk manager), one refresh
   * at a time. While the engine runs, a read that would latch REDUCING is followed by the exchange's
   * `syncLedger` (when it has one), and every report goes to risk behind the changes already delivered: a
   * withdrawal the report holds is never latched as a loss because the venue's push of it was late. A
   * failed sync still reports the account, then rejects.
   */
  async refreshAccount(): Promise<AccountState> {
    return refreshAccount(this.#core);
  }

  /**
   * Risk check, then the exchange. Resolves with what happened; never throws for a refused order.
   * An order is audited as `order_submitted` before it is sent, so a crash can never hide a sent order.
   * From the moment it is sent it counts in risk as working until its fate is known: an error other than
   * the venue's definite refusal (an ExchangeError) leaves it counting, and `resolveUnknownOrders` or the
   * venue's own reports (a fill, an order update) settle it later.
   */
  submitOrder(input: OrderRequestInput): Promise<SubmitResult> {
    return submitOrder(this.#core, input);
  }

  /** Cancels one order (by client or venue order id); cancels always pass, whatever the risk state. */
  cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    return cancelOrder(this.#core, symbol, orderId);
  }

  /**
   * Cancels every open order (of one symbol when given). Each order is settled by the exchange's order
   * update for it (the port reports every confirmed cancel), so a count is all this returns. Takes the same
   * `{ symbol, reason }` options as `Exchange.cancelAllOrders`.
   */
  cancelAllOrders(opts?: CancelAllOptions): Promise<number>;
  /** @deprecated pass `{ symbol, reason }`, as `Exchange.cancelAllOrders` takes them. */
  cancelAllOrders(symbol: string | undefined, reason?: string): Promise<number>;
  cancelAllOrders(opts?: CancelAllOptions | string, reason?: string): Promise<number> {
    const o = typeof opts === 'object' ? opts : { symbol: opts, reason };
    return cancelAllOrders(this.#core, o.symbol, o.reason ?? 'requested');
  }

  /**
   * Cancels every resting order that could add to a position (not reduce-only): what REDUCING means for
   * orders already on the venue. Resolves with how many the venue confirmed.
   */
  cancelOpeningOrders(reason: string): Promise<number> {
    return cancelOpeningOrders(this.#core, reason);
  }

  /**
   * Settles orders whose outcome was lost (the send failed in a way that leaves them possibly live) by
   * asking the venue for their status. An order the venue does not know is taken as never placed only
   * after `unknownOrderGraceMs`. Resolves with how many stay unknown.
   */
  async resolveUnknownOrders(): Promise<number> {
    let unknown = 0;
    for (const w of this.#core.orders.all()) {
      if (w.accepted || w.sending) continue;
      if (!(await resolveByStatus(this.#core, w))) unknown += 1;
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
  reconcileOrders(
    venueOpen: readonly OpenOrder[],
    opts: { adopt?: boolean } = {},
  ): Promise<OrderReconciliation> {
    return reconcileOrders(this.#core, venueOpen, opts);
  }

  /** Trips the breaker by hand (a kill switch): HALTED, and every open order cancelled. */
  async tripCircuitBreaker(reason: string): Promise<void> {
    await this.#core.risk.tripCircuitBreaker(reason);
    await checkHalt(this.#core);
  }

  /**
   * Resets the breaker when its cooldown is over; false while cooling down. Answers at once (see
   * `RiskManager.resetCircuitBreaker`); the risk manager's `flush()` waits until it is durable.
   */
  resetCircuitBreaker(reason?: string): boolean {
    const reset = this.#core.risk.resetCircuitBreaker(reason);
    if (reset) this.#core.halted = false;
    return reset;
  }

  /** Orders the engine sent that have not finished. */
  workingOrders(symbol?: string): OpenOrder[] {
    return this.#core.orders.toOpenOrders(symbol);
  }
}
