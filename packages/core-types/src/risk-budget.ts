import { Decimal, ZERO } from './decimal.js';
import { compareDecimals } from './decimal-compare.js';
import { TradingState } from './enums.js';

/**
 * What one order asks of the account's shared budget. `exposure` and `positions` stay held under the order's
 * id until `settle`/`give`; `orders` are order-rate tokens, spent for good.
 */
export interface BudgetNeed {
  /** Gross notional the order may add to the account (never negative). */
  readonly exposure: Decimal;
  /** Positions it may open (0 or 1). */
  readonly positions: number;
  /** Order-rate tokens it spends (usually 1). */
  readonly orders: number;
}

/** What an order still holds once its fate is known (the part that became a position). */
export interface BudgetKeep {
  readonly exposure: Decimal;
  readonly positions: number;
}

/** Why `tryTake` refused; callers branch on these, never on the reason text. */
export const BudgetRefusalCode = {
  /** The slice of exposure this instance holds is used up. */
  EXPOSURE: 'BUDGET_EXPOSURE',
  POSITIONS: 'BUDGET_POSITIONS',
  ORDER_RATE: 'BUDGET_ORDER_RATE',
  /** This instance's share of the account's daily loss budget is used up. */
  LOSS: 'BUDGET_LOSS',
  /** The shared breaker is tripped: nothing new on the account. */
  HALTED: 'BUDGET_HALTED',
  /** The account is REDUCING (daily loss or drawdown): opening orders wait for the next day or a reset. */
  REDUCING: 'BUDGET_REDUCING',
  /** The shared store is unreachable or the lease lapsed: fail closed. */
  UNAVAILABLE: 'BUDGET_UNAVAILABLE',
  /** The order id already holds a live take. */
  DUPLICATE: 'BUDGET_DUPLICATE',
  INVALID: 'BUDGET_INVALID',
  CLOSED: 'BUDGET_CLOSED',
} as const;
export type BudgetRefusalCode = (typeof BudgetRefusalCode)[keyof typeof BudgetRefusalCode];

export type BudgetTake =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: BudgetRefusalCode; readonly reason: string };

/** The account-wide risk state as this instance last saw it. */
export interface SharedRiskState {
  readonly tradingState: TradingState;
  /** Why the state is not ACTIVE (or why the budget is unavailable). */
  readonly reason: string | undefined;
  /** False while the shared store is unreachable: no opening takes until it is back. */
  readonly available: boolean;
  /** The account's consecutive losing trades across every bot. */
  readonly consecutiveLosses: number;
  /** Σ of every bot's day P&L as last seen. */
  readonly accountDayPnl: Decimal;
}

/**
 * The account's shared risk budget as a RiskManager sees it: a lease held locally, checked synchronously.
 *
 * Only orders that may increase exposure call `tryTake`; reduce-only orders need no budget and pass even when
 * the budget is unavailable. Every successful take is a possibly-live order until `settle` or `give`.
 */
export interface RiskBudget {
  /** Takes `need` from the locally held lease under `orderId`; never blocks, never does I/O. */
  tryTake(orderId: string, need: BudgetNeed): BudgetTake;
  /** The order's fate is known: it is no longer live; `keep` (at most what it held) stays held as a position. */
  settle(orderId: string, keep: BudgetKeep): void;
  /** Releases everything held under `orderId` (rejected or cancelled unfilled, or its position closed). */
  give(orderId: string): void;
  /** Resolves once the shared store knows every take so far: await it before an order goes to the venue. */
  flush(): Promise<void>;
  /**
   * Until when (ms since the epoch, `Date.now()`'s clock) the shared store counts this instance's takes on
   * its live lease. Past it another bot may find the lease dead and, seeing none of its orders on the venue,
   * free what it held, so an order taken now must not reach the venue later: the engine sends it with this
   * as its `notAfter`. Undefined when there is no such deadline (the in-process budget).
   */
  readonly takesValidUntil?: number | undefined;
  readonly state: SharedRiskState;
  /** This bot's day P&L (realized + unrealized, money): feeds the account's daily loss and drawdown. */
  reportPnl(dayPnl: Decimal): void;
  /** A closed trade's net P&L: a loss lengthens the account's streak, anything else ends it. */
  recordTradeResult(netPnl: Decimal): void;
  /** Halts every bot on the account. */
  trip(reason: string): Promise<void>;
  /** Clears the breaker, REDUCING and the streak for every bot on the account. */
  reset(): Promise<void>;
  /** Called on every change of `state`; returns the unsubscribe function. */
  onChange(listener: (state: SharedRiskState) => void): () => void;
  close(): Promise<void>;
}

/** A limit the budget enforces; absent means unlimited. */
export interface BudgetLimits {
  readonly maxExposure?: Decimal | undefined;
  readonly maxPositions?: number | undefined;
  readonly maxOrders?: number | undefined;
}

interface Hold {
  exposure: Decimal;
  positions: number;
  live: boolean;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function needProblem(orderId: string, need: BudgetNeed): string | undefined {
  if (typeof orderId !== 'string' || orderId.length === 0) return 'orderId must be a non-empty string';
  if (!(need?.exposure instanceof Decimal) || !need.exposure.isFinite() || need.exposure.isNegative())
    return 'exposure must be a finite Decimal >= 0';
  if (!isCount(need.positions) || !isCount(need.orders)) return 'positions and orders must be integers >= 0';
  return undefined;
}

/**
 * The local book of takes: what each order id holds and the totals, checked against a limit. The
 * in-process budget checks it against the account's caps; a shared one against the slice it leased.
 */
export class BudgetLedger {
  readonly #holds = new Map<string, Hold>();
  #exposure: Decimal = ZERO;
  #positions = 0;
  #liveOrders = 0;
  #ordersSpent = 0;

  get exposure(): Decimal {
    return this.#exposure;
  }
  get positions(): number {
    return this.#positions;
  }
  /** Takes not yet settled or given: orders that may be live on the venue. */
  get liveOrders(): number {
    return this.#liveOrders;
  }
  /** Order tokens spent since the last `resetOrders`. */
  get ordersSpent(): number {
    return this.#ordersSpent;
  }

  /** Checks `need` against `limits` and takes it when it fits. */
  take(orderId: string, need: BudgetNeed, limits: BudgetLimits): BudgetTake {
    const problem = needProblem(orderId, need);
    if (problem !== undefined) return { ok: false, code: BudgetRefusalCode.INVALID, reason: problem };
    const held = this.#holds.get(orderId);
    if (held?.live === true)
      return {
        ok: false,
        code: BudgetRefusalCode.DUPLICATE,
        reason: `order ${orderId} already holds a take`,
      };
    const exposure = this.#exposure.plus(need.exposure);
    if (limits.maxExposure !== undefined && compareDecimals(exposure, limits.maxExposure) > 0) {
      return {
        ok: false,
        code: BudgetRefusalCode.EXPOSURE,
        reason: `exposure ${exposure.toString()} would exceed ${limits.maxExposure.toString()}`,
      };
    }
    const positions = this.#positions + need.positions;
    if (limits.maxPositions !== undefined && positions > limits.maxPositions) {
      return {
        ok: false,
        code: BudgetRefusalCode.POSITIONS,
        reason: `positions ${positions} would exceed ${limits.maxPositions}`,
      };
    }
    const orders = this.#ordersSpent + need.orders;
    if (limits.maxOrders !== undefined && orders > limits.maxOrders) {
      return {
        ok: false,
        code: BudgetRefusalCode.ORDER_RATE,
        reason: `order tokens ${orders} would exceed ${limits.maxOrders}`,
      };
    }
    this.#exposure = exposure;
    this.#positions = positions;
    this.#ordersSpent = orders;
    this.#liveOrders += 1;
    if (held === undefined) {
      this.#holds.set(orderId, { exposure: need.exposure, positions: need.positions, live: true });
    } else {
      // A settled id (its position) that takes again: the new order adds to what the position holds.
      held.exposure = held.exposure.plus(need.exposure);
      held.positions += need.positions;
      held.live = true;
    }
    return { ok: true };
  }

  /** The order is no longer live; what it keeps is clamped to what it held (settling never grows a hold). */
  settle(orderId: string, keep: BudgetKeep): void {
    const held = this.#holds.get(orderId);
    if (held === undefined) return;
    if (held.live) this.#liveOrders -= 1;
    held.live = false;
    const exposure =
      keep.exposure instanceof Decimal && keep.exposure.isFinite() && !keep.exposure.isNegative()
        ? keep.exposure
        : ZERO;
    const nextExposure = compareDecimals(exposure, held.exposure) < 0 ? exposure : held.exposure;
    const nextPositions = isCount(keep.positions) ? Math.min(keep.positions, held.positions) : 0;
    this.#exposure = this.#exposure.minus(held.exposure).plus(nextExposure);
    this.#positions += nextPositions - held.positions;
    held.exposure = nextExposure;
    held.positions = nextPositions;
    if (nextExposure.isZero() && nextPositions === 0) this.#holds.delete(orderId);
  }

  give(orderId: string): void {
    const held = this.#holds.get(orderId);
    if (held === undefined) return;
    if (held.live) this.#liveOrders -= 1;
    this.#exposure = this.#exposure.minus(held.exposure);
    this.#positions -= held.positions;
    this.#holds.delete(orderId);
  }

  /** Starts a new order-token period (a shared budget does it when its lease renews). */
  resetOrders(): void {
    this.#ordersSpent = 0;
  }
}

/** The account's caps for the in-process budget; every one is optional (absent = unlimited). */
export interface LocalRiskBudgetOptions {
  readonly maxExposure?: Decimal;
  readonly maxPositions?: number;
  /** Daily loss (money, > 0): the account's day P&L at or below `-dailyLoss` makes it REDUCING. */
  readonly dailyLoss?: Decimal;
  /** Drawdown (money, > 0) from the day's peak P&L that makes it REDUCING. */
  readonly maxDrawdown?: Decimal;
  /** Consecutive losing trades that trip the breaker (HALTED). */
  readonly maxConsecutiveLosses?: number;
}

/**
 * The in-process budget: one process, one account, no database. What exists today (every limit local),
 * behind the same port as the shared one, so a RiskManager never knows which it holds.
 *
 * @example
 * const budget = new LocalRiskBudget({ maxExposure: new Decimal(10_000) });
 * budget.tryTake('o1', { exposure: new Decimal(6_000), positions: 1, orders: 1 }); // { ok: true }
 * budget.tryTake('o2', { exposure: new Decimal(6_000), positions: 1, orders: 1 }).ok; // false
 */
export class LocalRiskBudget implements RiskBudget {
  readonly #ledger = new BudgetLedger();
  readonly #limits: BudgetLimits;
  readonly #options: LocalRiskBudgetOptions;
  readonly #listeners = new Set<(state: SharedRiskState) => void>();
  #state: SharedRiskState;
  #peak: Decimal = ZERO;
  #closed = false;

  constructor(options: LocalRiskBudgetOptions = {}) {
    this.#options = options;
    this.#limits = { maxExposure: options.maxExposure, maxPositions: options.maxPositions };
    this.#state = {
      tradingState: TradingState.ACTIVE,
      reason: undefined,
      available: true,
      consecutiveLosses: 0,
      accountDayPnl: ZERO,
    };
  }

  get state(): SharedRiskState {
    return this.#state;
  }

  /** What is held right now (for status and tests). */
  get ledger(): BudgetLedger {
    return this.#ledger;
  }

  tryTake(orderId: string, need: BudgetNeed): BudgetTake {
    const refusal = stateRefusal(this.#state, this.#closed);
    if (refusal !== undefined) return refusal;
    return this.#ledger.take(orderId, need, this.#limits);
  }

  settle(orderId: string, keep: BudgetKeep): void {
    this.#ledger.settle(orderId, keep);
  }

  give(orderId: string): void {
    this.#ledger.give(orderId);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  reportPnl(dayPnl: Decimal): void {
    if (!(dayPnl instanceof Decimal) || !dayPnl.isFinite()) return;
    if (compareDecimals(dayPnl, this.#peak) > 0) this.#peak = dayPnl;
    let next: SharedRiskState = { ...this.#state, accountDayPnl: dayPnl };
    const limitReason = lossLimitReason(
      dayPnl,
      this.#peak,
      this.#options.dailyLoss,
      this.#options.maxDrawdown,
    );
    if (limitReason !== undefined && next.tradingState === TradingState.ACTIVE) {
      next = { ...next, tradingState: TradingState.REDUCING, reason: limitReason };
    }
    this.#set(next);
  }

  recordTradeResult(netPnl: Decimal): void {
    if (!(netPnl instanceof Decimal) || !netPnl.isFinite()) return;
    const streak = netPnl.isNegative() && !netPnl.isZero() ? this.#state.consecutiveLosses + 1 : 0;
    let next: SharedRiskState = { ...this.#state, consecutiveLosses: streak };
    const max = this.#options.maxConsecutiveLosses;
    if (max !== undefined && streak >= max && next.tradingState !== TradingState.HALTED) {
      next = { ...next, tradingState: TradingState.HALTED, reason: `${streak} consecutive losses` };
    }
    this.#set(next);
  }

  trip(reason: string): Promise<void> {
    this.#set({ ...this.#state, tradingState: TradingState.HALTED, reason });
    return Promise.resolve();
  }

  reset(): Promise<void> {
    this.#peak = this.#state.accountDayPnl;
    this.#set({ ...this.#state, tradingState: TradingState.ACTIVE, reason: undefined, consecutiveLosses: 0 });
    return Promise.resolve();
  }

  onChange(listener: (state: SharedRiskState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    return Promise.resolve();
  }

  #set(next: SharedRiskState): void {
    this.#state = Object.freeze(next);
    for (const listener of this.#listeners) listener(this.#state);
  }
}

/** The refusal the shared state alone decides (closed, unavailable, halted, reducing), or undefined. */
export function stateRefusal(state: SharedRiskState, closed: boolean): BudgetTake | undefined {
  if (closed) return { ok: false, code: BudgetRefusalCode.CLOSED, reason: 'the risk budget is closed' };
  if (!state.available)
    return {
      ok: false,
      code: BudgetRefusalCode.UNAVAILABLE,
      reason: `the shared risk budget is unavailable${state.reason === undefined ? '' : `: ${state.reason}`}`,
    };
  if (state.tradingState === TradingState.HALTED)
    return { ok: false, code: BudgetRefusalCode.HALTED, reason: `account halted: ${state.reason ?? ''}` };
  if (state.tradingState === TradingState.REDUCING)
    return {
      ok: false,
      code: BudgetRefusalCode.REDUCING,
      reason: `account reducing: ${state.reason ?? ''}`,
    };
  return undefined;
}

/** Why the account's day P&L breaks the daily loss or drawdown limit, or undefined. */
export function lossLimitReason(
  dayPnl: Decimal,
  peak: Decimal,
  dailyLoss: Decimal | undefined,
  maxDrawdown: Decimal | undefined,
): string | undefined {
  if (dailyLoss !== undefined && compareDecimals(dayPnl, dailyLoss.negated()) <= 0)
    return `account day P&L ${dayPnl.toString()} reached the daily loss limit ${dailyLoss.toString()}`;
  if (maxDrawdown !== undefined && compareDecimals(peak.minus(dayPnl), maxDrawdown) >= 0)
    return `account drawdown ${peak.minus(dayPnl).toString()} from the day's peak reached ${maxDrawdown.toString()}`;
  return undefined;
}
