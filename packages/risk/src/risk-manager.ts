// Over 400 lines on purpose: this is the public facade, one documented method per operation of the API
// (its JSDoc, with @throws and examples, is the API reference), about a quarter of it comments. The bodies
// validate input, settle holds from what the venue answered, derive the trading state (breaker > day latch
// > active) and delegate the rest: checks/ decide, state/ holds the equity estimate, trading day, breaker
// and rate windows, recovery.ts replays the log and audit-trail.ts writes every risk event.
import { randomUUID } from 'node:crypto';
import {
  AccountState,
  type AccountStateInput,
  type AuditEventType,
  BudgetRefusalCode,
  type Clock,
  Decimal,
  type DecimalInput,
  ExchangeError,
  type HeldPosition,
  isValidated,
  type MarkQuote,
  type MarkReader,
  OrderRequest,
  type PositionReader,
  type PositionSnapshot,
  type PositionSnapshotInput,
  parseOrThrow,
  parseValidated,
  type RiskBudget,
  type RiskFailure,
  type SharedRiskState,
  SymbolSchema,
  systemClock,
  TradingState,
  toDecimal,
  ValidationError,
  validatedOrParse,
  ZERO,
} from '@hl-bot/core-types';
import { RiskAuditTrail } from './audit-trail.js';
import { BudgetLink } from './budget-link.js';
import { type CheckContext, CheckMemo } from './checks/context.js';
import { runChecks } from './checks/pipeline.js';
import { isReducingOrder } from './checks/reduce-only.js';
import { RiskCode } from './codes.js';
import { RiskConfig } from './config.js';
import { isPositive } from './decimal-compare.js';
import { clip, errorText, failure, MAX_REASON } from './failure.js';
import {
  auditSinkOf,
  type LoadCheckpointOptions,
  type RiskCheckpoint,
  type RiskCheckResult,
  type RiskManagerOptions,
  type RiskRecoverOptions,
  type RiskState,
  type RiskSubmitResult,
  type SubmitAck,
} from './manager-types.js';
import { isParsed, PositionBook } from './position-book.js';
import {
  loadRiskCheckpoint,
  type RecoveredRiskState,
  recoveredState,
  recoverySource,
  replayRiskLog,
} from './recovery.js';
import { ReferencePriceBook } from './reference-prices.js';
import { type Reservation, ReservationLedger, type ReservationOutcome } from './reservations.js';
import { RECOVERY_TYPES } from './risk-fold.js';
import { CircuitBreaker } from './state/circuit-breaker.js';
import { EquityEstimate } from './state/equity.js';
import { RateWindows } from './state/rate-windows.js';
import { TradingDay } from './state/trading-day.js';

/** How far in the future a mark's timestamp may lie (clock skew between venue and host) and still be kept. */
const MAX_MARK_CLOCK_SKEW_MS = 2_000;

/**
 * Pre-trade risk manager: every order passes `checkOrder` before it reaches an exchange.
 *
 * Fails closed: no price, a stale price, no account, an audit failure or an exception inside a check is a
 * rejection with its own code. An approval reserves its share of every limit synchronously, before
 * `checkOrder` yields, so concurrent callers cannot all pass the same limit.
 *
 * Methods that change state a restart must keep (`tripCircuitBreaker`, `resetCircuitBreaker`,
 * `recordTradeResult`, `recordError`, `recordSuccess`, `updateAccount`) are async: the change applies at
 * once and the promise resolves when its audit event is durable. Build it with `RiskManager.recover` on
 * restart, never with `new`, or the day's loss and a tripped breaker would be forgotten.
 *
 * @example
 * const risk = new RiskManager({ config: RiskConfig.defaults(), audit, initialBalance: '10000' });
 * risk.updateMarketPrice('BTC-USD', '50000');
 * const result = await risk.checkOrder({ symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000' });
 * if (result.approved && result.reservation) risk.releaseReservation(result.reservation.id, 'submitted');
 */
export class RiskManager implements MarkReader {
  /** The audit event types `recover` reads (for a caller that reads the log once for several components). */
  static readonly RECOVERY_TYPES: readonly AuditEventType[] = RECOVERY_TYPES;
  readonly config: RiskConfig;
  private readonly clock: Clock;
  private readonly book: PositionBook;
  private readonly ledger: ReservationLedger;
  /** Symbols that both hold a position and a new-position reservation; they must not count twice. */
  private overlap = 0;
  private readonly rates = new RateWindows();
  private readonly trail: RiskAuditTrail;
  private readonly equity: EquityEstimate;
  private readonly day: TradingDay;
  private readonly breaker: CircuitBreaker;
  private tradingStateValue: TradingState = TradingState.ACTIVE;
  private readonly memo: CheckMemo;
  private readonly references = new ReferencePriceBook();
  private readonly link: BudgetLink;
  /** The shared trading state last seen while the budget was available (to tell a shared reset). */
  private sharedSeen: TradingState | undefined;
  private sharedAvailable = true;
  /** The tracker the book follows (`followPositions`); undefined while positions are handed in. */
  private positionSource: PositionReader | undefined;
  /** Why the book stopped matching the tracker it follows: no order passes once set. */
  private positionFault: unknown;
  /** `pnlScope: 'own'`: the venue's equity is taken once, then only this manager's P&L moves it. */
  private readonly ownPnl: boolean;

  constructor(options: RiskManagerOptions) {
    this.config = options.config ?? RiskConfig.defaults();
    if (!(this.config instanceof RiskConfig)) throw new TypeError('config must be a RiskConfig');
    this.clock = options.clock ?? systemClock;
    const scope = options.pnlScope ?? 'account';
    if (scope !== 'account' && scope !== 'own')
      throw new ValidationError("pnlScope must be 'account' or 'own'", { field: 'pnlScope' });
    this.ownPnl = scope === 'own';
    this.link = new BudgetLink(options.budget);
    this.book = new PositionBook((symbol, held) => {
      if (this.ledger.hasPendingNew(symbol)) this.overlap += held ? 1 : -1;
      else if (!held) this.link.flat(symbol);
    });
    this.ledger = new ReservationLedger(
      (symbol, pending) => {
        if (this.book.has(symbol)) this.overlap += pending ? 1 : -1;
      },
      (r) => this.link.ended(r, this.book.has(r.symbol) || this.ledger.hasPendingNew(r.symbol)),
    );
    this.trail = new RiskAuditTrail(
      auditSinkOf(options),
      this.clock,
      this.config.tradingDayUtcOffsetMinutes,
      options.checkpointEvery,
    );
    this.equity = new EquityEstimate(this.config);
    this.day = new TradingDay(this.config, this.clock.now());
    this.breaker = new CircuitBreaker(this.config);
    this.memo = new CheckMemo(this.config);
    if (options.initialBalance !== undefined) {
      const balance = toDecimal(options.initialBalance, 'initialBalance');
      this.equity.initial(balance);
      this.startDay(balance);
    }
    this.link.budget.onChange((shared) => this.onSharedState(shared));
    this.onSharedState(this.link.state);
  }

  /**
   * The account's risk budget this manager takes from (`RiskBudget` of core-types): the in-process one by
   * default, a shared one (`@hl-bot/risk-budget-pg`) when several bots trade one account. Await its
   * `flush()` before an approved opening order goes to the venue.
   */
  get budget(): RiskBudget {
    return this.link.budget;
  }

  /**
   * Rebuilds a manager after a restart from the audit log: trading state, a tripped breaker with its
   * remaining cooldown, day-start equity, daily P&L, peak equity and the loss and error streaks.
   *
   * The account is unconfirmed afterwards: every order is rejected with `ACCOUNT_STATE_MISSING` until
   * `updateAccount` reports the venue's account. Feed positions and marks first, then the account.
   * Working orders are not in the log; re-register them with `adoptWorkingOrder`.
   *
   * @throws whatever reading `entries` throws (a corrupt log must stop the start, not be skipped)
   * @example
   * const risk = await RiskManager.recover({ config, audit, entries: readAuditLog(audit.dir) });
   */
  static async recover(options: RiskRecoverOptions): Promise<RiskManager> {
    const manager = new RiskManager({
      audit: auditSinkOf(options),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }),
      ...(options.budget === undefined ? {} : { budget: options.budget }),
      ...(options.pnlScope === undefined ? {} : { pnlScope: options.pnlScope }),
    });
    const { checkpoint, entries } = await recoverySource(options);
    const fold = await replayRiskLog(entries, checkpoint, manager.config.tradingDayUtcOffsetMinutes);
    manager.restore(recoveredState(fold, manager.day.day));
    await manager.flush();
    manager.trail.throwIfFailed();
    return manager;
  }

  /**
   * The latest risk checkpoint in the log at `dir` that verifies, or null when there is none (replay
   * everything). A checkpoint that does not verify (parts missing, its state unreadable) is never used:
   * `onWarning` hears why and an older one is tried.
   *
   * @example
   * const checkpoint = await RiskManager.loadCheckpoint('./logs/audit');
   */
  static loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<RiskCheckpoint | null> {
    return loadRiskCheckpoint(dir, options);
  }

  /**
   * Writes a checkpoint of the state a restart rebuilds (trading day, day-start and peak equity, daily
   * P&L, trading state and its reason, breaker, loss and error streaks) into the audit log, covering every
   * event appended so far; `recover` then replays only the entries after it. Resolves once durable.
   *
   * @throws {TypeError} when the audit sink cannot write checkpoints (it is not an AuditLogger)
   * @example
   * await risk.checkpoint();
   */
  checkpoint(): Promise<void> {
    return this.trail.checkpoint();
  }

  /**
   * The trading state (`state.tradingState`) without building the whole snapshot: HALTED exactly while the
   * breaker is tripped, REDUCING while a daily loss latch holds, else ACTIVE. Per mark and per bar this is
   * what a caller needs; `state` also sums equity and exposure.
   */
  get tradingState(): TradingState {
    return this.tradingStateValue;
  }

  /** Read-only snapshot of the state. */
  get state(): RiskState {
    const equity = this.estimatedEquity();
    const trip = this.breaker.tripped;
    const failed = this.trail.failure;
    return Object.freeze({
      tradingState: this.tradingStateValue,
      circuitBreakerTripped: trip !== null,
      circuitBreakerReason: trip?.reason ?? null,
      trippedAt: trip?.trippedAt ?? null,
      cooldownUntil: trip?.cooldownUntil ?? null,
      reducingReason: this.day.reducingReason,
      tradingDay: this.day.day,
      dailyPnl: this.dailyPnl(equity),
      dayStartEquity: this.day.startEquity,
      peakEquity: this.day.peak,
      balance: this.equity.account?.balance ?? null,
      equity,
      accountConfirmed: this.equity.confirmed,
      consecutiveLosses: this.breaker.consecutiveLosses,
      consecutiveErrors: this.breaker.consecutiveErrors,
      openPositions: this.book.count,
      openOrders: this.ledger.count,
      exposure: this.book.exposure.plus(this.ledger.openingNotional),
      auditFailure: failed === null ? null : errorText(failed),
    });
  }

  /**
   * Runs every check and, when all pass, reserves the order's share of every limit before returning.
   *
   * Never throws and never approves on error. `positions`, when given, replaces the manager's positions
   * (O(n) per call); omit it when positions are kept with `updatePosition`/`removePosition` (O(1) per call).
   * A rejection resolves once its `risk_rejected` (or `risk_order_invalid`) audit event is written.
   *
   * @example
   * const r = await risk.checkOrder(order);
   * if (!r.approved) console.log(r.code, r.failures.map((f) => f.message));
   */
  async checkOrder(
    order: unknown,
    positions?: readonly (PositionSnapshot | PositionSnapshotInput)[],
  ): Promise<RiskCheckResult> {
    let result: RiskCheckResult;
    let parsed: OrderRequest | undefined;
    try {
      // An order the boundary parsed (`parseValidated(OrderRequest, ...)`, as the engine does) is checked as
      // it is; anything else, however well formed, goes through the schema.
      if (isValidated(order, OrderRequest)) {
        parsed = order as OrderRequest;
        result = this.evaluate(parsed, positions);
      } else {
        const parse = OrderRequest.safeParse(order);
        if (!parse.success) {
          const issues = parse.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
          result = this.reject([failure(RiskCode.INVALID_ORDER, { issues: issues.join('; ') })]);
        } else {
          parsed = parse.data;
          result = this.evaluate(parsed, positions);
        }
      }
    } catch (error) {
      result = this.reject([
        failure(RiskCode.CHECK_FAILED, { check: 'checkOrder', error: errorText(error) }),
      ]);
    }
    if (!result.approved) {
      try {
        await this.trail.rejection(order, parsed, result);
      } catch (error) {
        // Building the event failed (hostile input): the rejection stands, and an unaudited rejection
        // halts approvals like any other audit failure.
        this.trail.fail(error);
      }
    }
    return result;
  }

  /**
   * The whole approve-submit-outcome path in one call, so no approval can be left holding limits: checks
   * the order; if approved, calls `send` with the order (its protective price filled in for a market order)
   * and its client order id, then settles the reservation from what happened:
   * - `send` resolved with status `filled` (or a filled quantity of the whole order): the hold is freed;
   *   `rejected` or `cancelled`: freed; anything else (`resting`, `partially_filled`, no status): the order
   *   is working and keeps what is not yet filled until `orderFilled` / `orderCancelled`;
   * - `send` threw an `ExchangeError` (the venue refused it): the hold is freed and the error rethrown;
   * - `send` threw anything else (a timeout, a lost connection): the order may be live, so it stays working
   *   (fail closed) and the error is rethrown.
   * Resolves with the check result (and `ack`); a rejected order is never sent.
   * @example
   * const r = await risk.submitOrder(order, (o, clientOrderId) => exchange.placeOrder(o, { clientOrderId }));
   * if (!r.approved) console.warn(`Order rejected: ${r.reason}`);
   */
  async submitOrder<A extends SubmitAck>(
    order: unknown,
    send: (order: OrderRequest, clientOrderId: string) => Promise<A>,
    positions?: readonly (PositionSnapshot | PositionSnapshotInput)[],
  ): Promise<RiskSubmitResult<A>> {
    const result = await this.checkOrder(order, positions);
    const reservation = result.reservation;
    if (!result.approved || reservation === undefined) return result;
    const parsed = validatedOrParse(OrderRequest, order, 'order');
    const toSend: OrderRequest =
      parsed.price === undefined && result.worstPrice !== undefined
        ? { ...parsed, price: result.worstPrice }
        : parsed;
    const clientOrderId = reservation.clientOrderId ?? reservation.id;
    let ack: A;
    try {
      ack = await send(toSend, clientOrderId);
    } catch (error) {
      if (error instanceof ExchangeError) this.ledger.release(reservation.id);
      else this.ledger.markWorking(reservation.id);
      throw error;
    }
    const filled =
      ack.filledQuantity === undefined ? ZERO : toDecimal(ack.filledQuantity, 'ack.filledQuantity');
    if (ack.status === 'rejected' || ack.status === 'cancelled') {
      if (filled.gt(0)) this.noteFill(reservation.id, filled);
      this.ledger.release(reservation.id);
    } else if (ack.status === 'filled' || filled.gte(parsed.quantity)) {
      this.noteFill(reservation.id, undefined);
      this.ledger.release(reservation.id);
    } else {
      this.ledger.markWorking(reservation.id);
      if (filled.gt(0)) {
        this.noteFill(reservation.id, filled);
        this.ledger.release(reservation.id, filled);
      }
    }
    return { ...result, ack };
  }

  /**
   * Reports what happened to an approved order. `submitted` turns the reservation into a working order
   * that keeps its open-order slot, quantity and exposure until `filled` or `cancelled`; `rejected`
   * (by the exchange), `filled`, `cancelled` and `expired` give everything back except the rate slot.
   * Returns false for an unknown id. `id` may be the reservation id or the order's clientOrderId.
   */
  releaseReservation(id: string, outcome: ReservationOutcome): boolean {
    if (outcome === 'submitted') return this.ledger.markWorking(id);
    if (outcome === 'filled') this.noteFill(id, undefined);
    return this.ledger.release(id);
  }

  /**
   * A fill of a working or reserved order: releases `quantity` (all when omitted or not less than what
   * remains). Update the position (`updatePosition`) before calling this so exposure is never undercounted.
   */
  orderFilled(id: string, quantity?: DecimalInput): boolean {
    const qty = quantity === undefined ? undefined : toDecimal(quantity, 'quantity');
    if (qty !== undefined && !qty.gt(0))
      throw new ValidationError('quantity must be > 0', { field: 'quantity' });
    this.noteFill(id, qty);
    return this.ledger.release(id, qty);
  }

  /**
   * The order no longer rests (filled, or cancelled/expired after a partial fill) but `awaitingFills` of it
   * has not arrived as fills yet: that part stays held until `orderFilled` reports it, or lapses after
   * `reservationTimeoutMs` (a fill the venue never delivers); the rest is released now. Returns false for
   * an unknown id.
   */
  orderFinished(id: string, awaitingFills: DecimalInput): boolean {
    const qty = toDecimal(awaitingFills, 'awaitingFills');
    return this.ledger.finish(id, qty, this.clock.now() + this.config.reservationTimeoutMs);
  }

  /** A working order was cancelled: releases what it held. */
  orderCancelled(id: string): boolean {
    return this.ledger.release(id);
  }

  /** Reserved and working orders. */
  reservations(): Reservation[] {
    return this.ledger.all();
  }

  /**
   * The live hold of one order (a copy), by reservation id or clientOrderId; undefined once it ended. Its
   * `quantity` is what of the order is still held: the order's quantity less the fills reported to
   * `orderFilled`, which the engine reads as the order's filled part instead of counting fills itself.
   */
  reservation(id: string): Reservation | undefined {
    const r = this.ledger.get(id);
    return r === undefined ? undefined : { ...r };
  }

  /**
   * Registers an order already working on the venue (after a restart or reconciliation) without checks,
   * so its quantity and exposure count again.
   * @throws {ValidationError} for an invalid order, an id or clientOrderId already held, or when neither the
   *   order nor a mark gives a price
   */
  adoptWorkingOrder(order: unknown, id?: string): Reservation {
    const o = parseOrThrow(OrderRequest, order, 'working order');
    const mark = this.book.mark(o.symbol)?.price;
    const own = o.price ?? o.triggerPrice;
    const price = own !== undefined && mark !== undefined ? Decimal.max(own, mark) : (own ?? mark);
    if (price === undefined) throw new ValidationError(`no price to value working order on ${o.symbol}`);
    const rid = id ?? o.clientOrderId ?? randomUUID();
    if (this.ledger.get(rid) !== undefined)
      throw new ValidationError(`order ${rid} is already held`, { field: 'id' });
    if (o.clientOrderId !== undefined && this.ledger.hasClientOrderId(o.clientOrderId)) {
      throw new ValidationError(`clientOrderId ${o.clientOrderId} is already held`, {
        field: 'clientOrderId',
      });
    }
    const opening = !isReducingOrder(this.book, this.ledger, o.symbol, o.side, o.quantity);
    const symbolHeld = this.book.has(o.symbol) || this.ledger.hasPendingNew(o.symbol);
    const reservation: Reservation = {
      id: rid,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      price,
      notional: o.quantity.times(price),
      opening,
      newPositionSlot: opening,
      clientOrderId: o.clientOrderId,
      createdAt: this.clock.now(),
      status: 'working',
      expiresAt: null,
    };
    this.ledger.add(reservation);
    this.link.adoptOrder(reservation, symbolHeld);
    return { ...reservation };
  }

  /**
   * Records the latest price of a symbol (at `timestamp`, default now). A price older than the one held, or
   * stamped more than 2 s in the future (`MAX_MARK_CLOCK_SKEW_MS`), is ignored and false returned.
   * @throws {ValidationError} for a non-positive or malformed price, symbol or timestamp
   */
  updateMarketPrice(symbol: string, price: DecimalInput, timestamp?: number): boolean {
    if (typeof symbol !== 'string' || symbol.length === 0) {
      throw new ValidationError('symbol must be a non-empty string', { field: 'symbol' });
    }
    const p = toDecimal(price, 'price');
    if (!p.gt(0)) throw new ValidationError(`price must be > 0, got ${p.toString()}`, { field: 'price' });
    const ts = timestamp ?? this.clock.now();
    if (!Number.isSafeInteger(ts) || ts < 0) {
      throw new ValidationError(`timestamp must be epoch ms, got ${String(timestamp)}`, {
        field: 'timestamp',
      });
    }
    // A mark from the future would never go stale (and shadow every real mark after it): refuse it.
    if (ts > this.clock.now() + MAX_MARK_CLOCK_SKEW_MS) return false;
    const applied = this.book.setMark(symbol, p, ts);
    if (applied && this.book.has(symbol)) this.evaluateLimits();
    return applied;
  }

  /**
   * The latest mark of a symbol (`MarkReader` of core-types): the one every check values orders and
   * positions at. Undefined before the first; a stale one is still returned (the checks refuse it).
   * @example
   * const price = risk.getMark('BTC-USD')?.price;
   */
  getMark(symbol: string): MarkQuote | undefined {
    return this.book.mark(symbol);
  }

  /**
   * Records the venue's own reference prices of a symbol (Hyperliquid's `markPx` and `oraclePx`, at
   * `timestamp`, default now): price sanity then also holds every order of it within `maxPriceDeviation` of
   * each, and refuses it while one is older than `maxMarketPriceAgeMs`. Either may be omitted; an older or a
   * future-dated (beyond 2 s) price is ignored. Returns whether a price was applied.
   * @throws {ValidationError} for a non-positive or malformed price, symbol or timestamp
   */
  updateReferencePrices(
    symbol: string,
    prices: { venueMark?: DecimalInput; oracle?: DecimalInput },
    timestamp?: number,
  ): boolean {
    const ts = this.priceTimestamp(timestamp);
    const mark =
      prices.venueMark === undefined ? undefined : this.positivePrice(prices.venueMark, 'venueMark');
    const oracle = prices.oracle === undefined ? undefined : this.positivePrice(prices.oracle, 'oracle');
    if (typeof symbol !== 'string' || symbol.length === 0) {
      throw new ValidationError('symbol must be a non-empty string', { field: 'symbol' });
    }
    if (ts > this.clock.now() + MAX_MARK_CLOCK_SKEW_MS) return false;
    const a = mark !== undefined && this.references.set(symbol, 'venueMark', mark, ts);
    const b = oracle !== undefined && this.references.set(symbol, 'oracle', oracle, ts);
    return a || b;
  }

  /**
   * Says the venue streams reference prices (`updateReferencePrices`) for these symbols: from now on an
   * order of one whose mark or oracle price was never reported is refused (`REFERENCE_PRICE_MISSING`), as
   * an order without a mid is. Other symbols are checked against their references once reported.
   */
  expectReferencePrices(symbols: Iterable<string>): void {
    for (const symbol of symbols) this.references.expect(parseOrThrow(SymbolSchema, symbol, 'symbol'));
  }

  private positivePrice(price: DecimalInput, field: string): Decimal {
    const p = toDecimal(price, field);
    if (!p.gt(0)) throw new ValidationError(`${field} must be > 0, got ${p.toString()}`, { field });
    return p;
  }

  private priceTimestamp(timestamp: number | undefined): number {
    const ts = timestamp ?? this.clock.now();
    if (!Number.isSafeInteger(ts) || ts < 0) {
      throw new ValidationError(`timestamp must be epoch ms, got ${String(timestamp)}`, {
        field: 'timestamp',
      });
    }
    return ts;
  }

  /**
   * Reads positions from their owner (`PositionReader` of core-types: the `PositionTracker`) instead of
   * being handed copies: the book indexes the tracker's positions as they are now (a recovered tracker's
   * included, replacing any handed in before) and follows each change synchronously, inside the tracker's
   * own change, so risk never checks an order against a position the tracker no longer holds. The
   * engine wires this; afterwards `updatePosition`, `removePosition` and `checkOrder(order, positions)`
   * are refused (a second writer would make the copy this removes). Calling it again with the same reader
   * does nothing.
   * @throws {ValidationError} when already following another reader
   * @example
   * risk.followPositions(tracker);
   */
  followPositions(reader: PositionReader): void {
    if (this.positionSource === reader) return;
    if (this.positionSource !== undefined) {
      throw new ValidationError('this risk manager already reads positions from another tracker', {
        field: 'positions',
      });
    }
    const current = reader.getAllPositions();
    const open = new Set(current.map((p) => p.symbol));
    for (const symbol of this.book.symbols()) if (!open.has(symbol)) this.book.remove(symbol);
    for (const p of current) this.indexPosition(p);
    this.positionSource = reader;
    reader.onPositionChange((symbol, position) => this.positionChanged(symbol, position));
    this.evaluateLimits();
  }

  /**
   * Adds or replaces one position (the incremental way to keep positions; O(1) per check afterwards).
   * @throws {ValidationError} for a malformed snapshot, or when positions are read from a tracker
   */
  updatePosition(snapshot: PositionSnapshot | PositionSnapshotInput): void {
    this.refuseWhileFollowing('updatePosition');
    const known = this.book.has((snapshot as { symbol?: string }).symbol ?? '');
    const s = this.book.upsertInput(snapshot);
    // A position no order of this manager opened (a restart, reconciliation) counts on the account too.
    if (!known && !this.ledger.hasPendingNew(s.symbol)) {
      this.link.adoptPosition(s.symbol, s.quantity.times(this.book.mark(s.symbol)?.price ?? s.entryPrice));
    }
    this.evaluateLimits();
  }

  /**
   * Removes the position of a symbol (it went flat). Returns false when there was none.
   * @throws {ValidationError} when positions are read from a tracker
   */
  removePosition(symbol: string): boolean {
    this.refuseWhileFollowing('removePosition');
    const removed = this.book.remove(symbol);
    if (removed) this.evaluateLimits();
    return removed;
  }

  /** Current positions as the manager sees them (the tracker's own, when it follows one). */
  positions(): PositionSnapshot[] {
    const source = this.positionSource;
    return source === undefined ? this.book.snapshots() : source.getAllPositions().map((p) => p.toPosition());
  }

  private refuseWhileFollowing(what: string): void {
    if (this.positionSource === undefined) return;
    throw new ValidationError(`${what}: positions are read from the tracker this manager follows`, {
      field: 'positions',
    });
  }

  /** Indexes one position; one no order of this manager opened (a restart, an adoption) counts on the account too. */
  private indexPosition(p: HeldPosition): void {
    if (!isParsed(p))
      throw new ValidationError(`malformed position of ${String((p as { symbol?: unknown }).symbol)}`);
    const known = this.book.has(p.symbol);
    this.book.upsert(p);
    if (!known && !this.ledger.hasPendingNew(p.symbol)) {
      this.link.adoptPosition(p.symbol, p.quantity.times(this.book.mark(p.symbol)?.price ?? p.entryPrice));
    }
  }

  /** The followed tracker changed a position (inside its own change: this must not throw). */
  private positionChanged(symbol: string, position: HeldPosition | undefined): void {
    try {
      if (position === undefined) this.book.remove(symbol);
      else this.indexPosition(position);
      this.evaluateLimits();
    } catch (error) {
      // The book no longer matches the tracker: refuse every order and halt, rather than check against it.
      if (this.positionFault !== undefined) return;
      this.positionFault = error;
      void this.tripCircuitBreaker(`position index failed: ${errorText(error)}`).catch(() => undefined);
    }
  }

  /**
   * Reports the account. Applies at once; resolves when `account_updated` and `daily_pnl_updated` are
   * durable. Starts the trading day's equity when it is not known yet.
   * @throws {ValidationError} for malformed input; rejects when the audit write fails
   */
  async updateAccount(input: {
    balance: DecimalInput;
    equity: DecimalInput;
    marginUsed?: DecimalInput;
    timestamp?: number;
  }): Promise<void> {
    const now = this.clock.now();
    const accountInput: AccountStateInput = {
      balance: input.balance,
      equity: input.equity,
      ...(input.marginUsed === undefined ? {} : { marginUsed: input.marginUsed }),
      timestamp: input.timestamp ?? now,
    };
    // Parsed once and marked: the audit event takes it as it is.
    const account = parseValidated(AccountState, accountInput, 'account');
    this.rollDay(now);
    const reported = this.ownPnl ? this.ownEquity(account.equity) : account.equity;
    // Only a measurement time the caller gave tells which cash flows the report holds; without one every
    // later flow moves it (a withdrawal then reads as a loss until the next report, never as a gain).
    this.equity.report(
      { balance: account.balance, equity: reported },
      this.book.unrealizedPnl,
      input.timestamp ?? null,
    );
    if (this.day.startEquity === null) this.startDay(reported);
    this.evaluateLimits();
    const equity = this.estimatedEquity() ?? reported;
    this.link.budget.reportPnl(this.dailyPnl(equity));
    const writes = [
      this.trail.accountUpdated(account),
      this.trail.dailyPnlUpdated(this.day.day, this.dailyPnl(equity), equity, this.day.peak),
    ];
    await Promise.all(writes);
  }

  /**
   * Whether an account report of `equity` would latch REDUCING now. Such a report must not hold a withdrawal
   * risk has not heard of (its amount would be read as the day's loss, latched until the next day), so the
   * engine syncs the venue's ledger first. Any other report is safe to apply as it is: a cash flow arriving
   * after it moves the day's start (and the peak, unless the peak was measured holding it). False when risk
   * measures its own P&L (`pnlScope: 'own'`).
   * @throws {InvalidDecimalError} for a malformed equity
   */
  wouldLatchReducing(equity: DecimalInput): boolean {
    const e = toDecimal(equity, 'equity');
    if (this.ownPnl) return false;
    return this.day.wouldLatch(e);
  }

  /**
   * Money moved in or out of the account at `time` (a deposit is positive, a withdrawal negative). It is
   * not trading P&L: the day's start equity and the peak move by it, so a withdrawal never reads as a
   * daily loss or drawdown and a deposit never hides one. A flow from before the day's start equity was
   * measured is already inside it and changes nothing. The shifted day start is audited
   * (`daily_pnl_updated.dayStartEquity`, with `cashFlowId`), so a restart keeps it.
   *
   * `id` is the flow's stable identity (a venue ledger id such as the client's `LedgerChange.id`): a flow
   * whose id was already applied today, before or after a restart, changes nothing, so a venue that sends
   * it again (a stream snapshot after a reconnect or restart) cannot move the day's start twice.
   * @throws {InvalidDecimalError} for a malformed amount
   */
  async recordCashFlow(amount: DecimalInput, time?: number, id?: string): Promise<void> {
    const a = toDecimal(amount, 'amount');
    this.rollDay(this.clock.now());
    const start = this.day.startEquity;
    if (a.isZero() || start === null) return;
    if (time !== undefined && time < this.day.startedAt) return;
    const fold = this.trail.fold;
    if (id !== undefined && fold.day === this.day.day && fold.cashFlowIds.includes(id)) return;
    this.equity.shift(a, time);
    this.day.shift(a, time);
    this.evaluateLimits();
    const equity = this.estimatedEquity();
    // The shifted day start goes into the log, so a restart measures the day from it too.
    await this.trail.dailyPnlUpdated(
      this.day.day,
      this.dailyPnl(equity),
      equity,
      this.day.peak,
      this.day.startEquity,
      id,
    );
  }

  /**
   * A successful exchange interaction: clears the error streak. Audited only when the streak was not zero.
   */
  async recordSuccess(): Promise<void> {
    if (!this.breaker.recordSuccess()) return;
    await this.trail.success();
  }

  /**
   * A failed exchange interaction. Trips the breaker at `maxConsecutiveErrors` in a row. Resolves when the
   * streak (and any trip) is durable.
   */
  async recordError(error: unknown): Promise<void> {
    const streak = this.breaker.recordError();
    const write = this.trail.error(streak, error);
    const why = this.breaker.errorTripReason();
    const trip = why === null ? Promise.resolve() : this.tripCircuitBreaker(why);
    await Promise.all([write, trip]);
  }

  /**
   * Net P&L of a closed position (fees and funding included). A loss extends the losing streak, anything
   * else ends it; `maxConsecutiveLosses` losses in a row trip the breaker. The P&L also moves the estimated
   * equity until the next `updateAccount`. Resolves when durable.
   * @throws {InvalidDecimalError} for a malformed netPnl; {ValidationError} for a malformed symbol
   */
  async recordTradeResult(netPnl: DecimalInput, symbol?: string): Promise<void> {
    const pnl = toDecimal(netPnl, 'netPnl');
    // Validate before any state change: an event the audit schema refuses would halt all trading.
    if (symbol !== undefined) parseOrThrow(SymbolSchema, symbol, 'symbol');
    this.rollDay(this.clock.now());
    this.equity.addRealized(pnl);
    const streak = this.breaker.recordTrade(pnl);
    this.link.budget.recordTradeResult(pnl);
    const write = this.trail.tradeResult(pnl, streak, symbol);
    const why = this.breaker.lossTripReason();
    const trip = why === null ? Promise.resolve() : this.tripCircuitBreaker(why);
    this.evaluateLimits();
    const equity = this.estimatedEquity();
    this.link.budget.reportPnl(this.dailyPnl(equity));
    // Own P&L is known only here, never from the venue: logged at once, so a restart resumes from it.
    const logged =
      this.ownPnl && equity !== null
        ? this.trail.dailyPnlUpdated(this.day.day, this.dailyPnl(equity), equity, this.day.peak)
        : Promise.resolve();
    await Promise.all([write, trip, logged, this.flush()]);
  }

  /**
   * Trips the breaker: HALTED at once, every new order rejected until a manual reset after the cooldown.
   * Tripping again while tripped restarts the cooldown. Resolves when the trip is durable.
   */
  async tripCircuitBreaker(reason: string): Promise<void> {
    const why = clip(String(reason || 'manual trip'), MAX_REASON);
    const write = this.trail.breakerTripped(this.breaker.trip(why, this.clock.now()));
    this.refreshState(`circuit breaker tripped: ${why}`);
    // Every bot on the account halts. A shared budget applies the trip locally at once and writes it
    // when the database is back, so a failure here loses nothing.
    const shared = BudgetLink.halted(this.link.state)
      ? Promise.resolve()
      : this.link.budget.trip(why).catch(() => undefined);
    await Promise.all([write, this.flush(), shared]);
  }

  /**
   * Resets a tripped breaker once its cooldown has passed: clears the loss and error streaks and returns to
   * ACTIVE (or REDUCING when today's loss limit is still latched). Answers at once, so a caller can branch
   * on it (`if (risk.resetCircuitBreaker())`): false while cooling down or while the audit log is
   * unavailable (a reset that cannot be recorded is refused); true when reset, or when nothing was tripped.
   *
   * The reset is appended to the audit log before anything that follows it, so no later record (an order
   * sent after the reset) can be durable without it; `await risk.flush()` waits until it is. A failed write
   * blocks every later approval, as any audit failure does.
   */
  resetCircuitBreaker(reason?: string): boolean {
    if (this.breaker.tripped === null) return true;
    if (this.breaker.coolingDown(this.clock.now())) return false;
    if (this.trail.failure !== null) return false;
    const why = reason === undefined ? undefined : clip(reason, MAX_REASON);
    if (!this.trail.breakerReset(why)) return false;
    this.breaker.reset();
    this.refreshState(`circuit breaker reset${why === undefined ? '' : `: ${why}`}`);
    // Reset once, for every bot on the account.
    if (BudgetLink.halted(this.link.state)) void this.link.budget.reset().catch(() => undefined);
    return true;
  }

  /** Waits until every audit write started so far has settled. */
  flush(): Promise<void> {
    return this.trail.flush();
  }

  // ---------------------------------------------------------------- checks

  // From the first check to the reservation nothing awaits, so concurrent callers cannot pass one limit.
  private evaluate(
    order: OrderRequest,
    positions: readonly (PositionSnapshot | PositionSnapshotInput)[] | undefined,
  ): RiskCheckResult {
    const now = this.clock.now();
    if (this.positionFault !== undefined) {
      return this.reject([
        failure(RiskCode.CHECK_FAILED, { check: 'positions', error: errorText(this.positionFault) }),
      ]);
    }
    if (positions !== undefined) {
      if (this.positionSource !== undefined) {
        return this.reject([
          failure(RiskCode.CHECK_FAILED, {
            check: 'positions',
            error: 'positions are read from the tracker this manager follows',
          }),
        ]);
      }
      try {
        this.book.replaceAll(positions);
      } catch (error) {
        return this.reject([failure(RiskCode.CHECK_FAILED, { check: 'positions', error: errorText(error) })]);
      }
    }
    try {
      this.ledger.expire(now);
      this.evaluateLimits();
    } catch (error) {
      return this.reject([failure(RiskCode.CHECK_FAILED, { check: 'state', error: errorText(error) })]);
    }
    const ctx = this.checkContext(order, now);
    const failures = runChecks(ctx);
    if (failures.length > 0) return this.reject(failures);
    const { valuation, notional } = ctx;
    if (valuation === undefined || notional === undefined) {
      // Unreachable unless a check silently failed to run: never approve without a valuation.
      return this.reject([
        failure(RiskCode.CHECK_FAILED, { check: 'valuation', error: 'no valuation price' }),
      ]);
    }
    const id = randomUUID();
    if (!ctx.reducing) {
      // Last, once every local limit passed: the account's shared share (local, no I/O).
      const held = this.book.has(order.symbol) || this.ledger.hasPendingNew(order.symbol);
      const take = this.link.take(id, order.symbol, notional, held);
      if (!take.ok) {
        const code =
          take.code === BudgetRefusalCode.UNAVAILABLE || take.code === BudgetRefusalCode.CLOSED
            ? RiskCode.SHARED_BUDGET_UNAVAILABLE
            : RiskCode.SHARED_BUDGET_EXCEEDED;
        return this.reject([failure(code, { budget: take.code, reason: take.reason })]);
      }
    }
    return this.approve(id, order, valuation, notional, ctx.reducing, now, ctx.worstPrice);
  }

  private checkContext(order: OrderRequest, now: number): CheckContext {
    const equity = this.equity.confirmed ? this.estimatedEquity() : null;
    return {
      order,
      now,
      config: this.config,
      positions: this.book,
      holds: this.ledger,
      references: this.references,
      overlap: this.overlap,
      rates: this.rates,
      day: this.day,
      memo: this.memo,
      auditFailure: this.trail.failure,
      breaker: this.breaker.tripped,
      tradingState: this.tradingStateValue,
      reducingReason: this.day.reducingReason,
      accountConfirmed: this.equity.confirmed,
      equity,
      limits: equity !== null && isPositive(equity) ? this.equity.limitsFor(equity) : null,
      mark: undefined,
      reducing: false,
      worstPrice: undefined,
      valuation: undefined,
      notional: undefined,
    };
  }

  private approve(
    id: string,
    order: OrderRequest,
    price: Decimal,
    notional: Decimal,
    reducing: boolean,
    now: number,
    worstPrice: Decimal | undefined,
  ): RiskCheckResult {
    const reservation: Reservation = {
      id,
      symbol: order.symbol,
      side: order.side,
      quantity: order.quantity,
      price,
      notional,
      opening: !reducing,
      newPositionSlot: !reducing,
      clientOrderId: order.clientOrderId,
      createdAt: now,
      status: 'reserved',
      // An order being sent or retried never lapses: only a finished order's awaited fills expire.
      expiresAt: null,
    };
    this.ledger.add(reservation);
    this.rates.record(order.symbol, now);
    return worstPrice === undefined
      ? { approved: true, reason: 'approved', code: null, failures: [], reservation }
      : { approved: true, reason: 'approved', code: null, failures: [], reservation, worstPrice };
  }

  private reject(failures: RiskFailure[]): RiskCheckResult {
    const first = failures[0];
    return {
      approved: false,
      reason: clip(failures.map((f) => f.message).join('; '), MAX_REASON),
      code: (first?.code ?? RiskCode.CHECK_FAILED) as RiskCode,
      failures,
    };
  }

  // ---------------------------------------------------------------- state

  /** A fill of a live hold, for the shared budget (what filled stays held as the position). */
  private noteFill(id: string, quantity: Decimal | undefined): void {
    const r = this.ledger.get(id);
    if (r !== undefined) this.link.filled(r, quantity);
  }

  /**
   * The account's shared state changed: a trip from any bot halts this one (its breaker trips, so the
   * engine cancels its orders and a restart stays HALTED); a shared reset resets it; the budget becoming
   * unreachable or reachable again is audited (opening orders are refused meanwhile, exits still pass).
   */
  private onSharedState(shared: SharedRiskState): void {
    if (shared.available !== this.sharedAvailable) {
      this.sharedAvailable = shared.available;
      this.trail.note(
        shared.available
          ? 'shared risk budget available again'
          : `shared risk budget unavailable: ${shared.reason ?? 'unknown'}; no opening orders until it is back`,
      );
    }
    if (!shared.available) return;
    const before = this.sharedSeen;
    this.sharedSeen = shared.tradingState;
    if (shared.tradingState === TradingState.HALTED) {
      if (this.breaker.tripped === null)
        void this.tripCircuitBreaker(`shared breaker: ${shared.reason ?? 'tripped'}`).catch(() => undefined);
      return;
    }
    // Someone reset the account's breaker: it was checked there (cooldown included), so it applies here.
    if (before === TradingState.HALTED && this.breaker.tripped !== null && this.trail.failure === null) {
      if (!this.trail.breakerReset('shared breaker reset')) return;
      this.breaker.reset();
      this.refreshState('circuit breaker reset: shared breaker reset');
    }
  }

  /** Takes over what `recover` read from the log. */
  private restore(r: RecoveredRiskState): void {
    this.trail.fold = r.fold;
    this.breaker.restore(r.breaker, r.consecutiveLosses, r.consecutiveErrors);
    this.day.advanceTo(r.tradingDay);
    if (r.day !== null) {
      this.day.restore(r.day.startEquity, r.day.peak);
      this.equity.recoveredDailyPnl = r.day.dailyPnl;
    }
    if (r.reducingReason !== null) this.day.reducingReason = r.reducingReason;
    this.tradingStateValue = r.tradingState;
    this.refreshState('recovered from audit log');
    // The log's breaker replaced whatever the shared state applied at construction: apply it again, so a
    // bot that starts while the account is halted starts halted.
    this.sharedSeen = undefined;
    this.onSharedState(this.link.state);
  }

  /**
   * The equity an account report stands for under `pnlScope: 'own'`: the estimate so far (moved only by
   * this manager's P&L), or after a restart the day's start plus the day's P&L the log holds; the venue's
   * own figure only when neither is known (the first report of a day this manager has not measured).
   */
  private ownEquity(venueEquity: Decimal): Decimal {
    if (this.equity.confirmed) return this.estimatedEquity() ?? venueEquity;
    const start = this.day.startEquity;
    if (start === null) return venueEquity;
    return start.plus(this.equity.recoveredDailyPnl ?? ZERO);
  }

  private estimatedEquity(): Decimal | null {
    return this.equity.estimate(this.book.unrealizedPnl);
  }

  private dailyPnl(equity: Decimal | null): Decimal {
    const recovered = this.equity.recoveredDailyPnl;
    if (!this.equity.confirmed && recovered !== null) return recovered;
    const start = this.day.startEquity;
    if (equity === null || start === null) return ZERO;
    return equity.minus(start);
  }

  private startDay(equity: Decimal): void {
    this.day.start(equity, this.clock.now());
    this.trail.dayStarted(this.day.day, equity);
  }

  /** Starts a new trading day when the clock crossed the boundary: new day-start equity, REDUCING unlatched. */
  private rollDay(now: number): void {
    const day = this.day.roll(now);
    if (day === null) return;
    const equity = this.equity.confirmed ? this.estimatedEquity() : null;
    if (equity !== null) this.startDay(equity);
    this.refreshState(`new trading day ${day}`);
  }

  /** Latches REDUCING for the rest of the day when the daily loss or drawdown limit is reached. */
  private evaluateLimits(): void {
    this.rollDay(this.clock.now());
    if (!this.equity.confirmed) return;
    const equity = this.estimatedEquity();
    if (equity === null) return;
    const reason = this.day.observe(equity, this.equity.measuredAt);
    if (reason !== null) this.refreshState(reason);
  }

  /** Derives the trading state (breaker > daily latch > active) and audits a change. */
  private refreshState(reason: string): void {
    const next: TradingState =
      this.breaker.tripped !== null
        ? TradingState.HALTED
        : this.day.reducingReason !== null
          ? TradingState.REDUCING
          : TradingState.ACTIVE;
    const from = this.tradingStateValue;
    if (next === from) return;
    this.tradingStateValue = next;
    this.trail.stateChanged(from, next, reason);
  }
}
