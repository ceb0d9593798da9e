import {
  type BudgetTake,
  type Decimal,
  LocalRiskBudget,
  type RiskBudget,
  type SharedRiskState,
  TradingState,
  ZERO,
} from '@hl-bot/core-types';
import type { Reservation } from './reservations.js';

const POSITION_KEY = 'position:';

/**
 * The manager's side of the account's shared budget (`RiskBudget`): which takes this manager holds and
 * when each is settled or given back. One job: turn the manager's order and position events into the
 * budget's take / settle / give calls, all synchronous and local (a shared budget reports them in the
 * background; `flush()` is awaited by the engine before an order leaves).
 *
 * - an opening order takes its notional (and one position slot when its symbol holds none) at approval;
 *   a reducing order takes nothing, so exits pass even when the budget is unavailable;
 * - while the order may be live the take stays whole; when its fate is known it is settled to what filled
 *   (valued at the order's price) and that part stays held as the symbol's position;
 * - when the symbol is flat with no opening order left, every settled take of it is given back;
 * - a position the manager learns of without an order (a restart, reconciliation) is taken as it is.
 */
export class BudgetLink {
  readonly budget: RiskBudget;
  /** Live takes (reservation id): the symbol and the notional filled so far. */
  readonly #live = new Map<string, { readonly symbol: string; filled: Decimal }>();
  // The three maps below are keyed by symbol and never delete a key: a symbol is cleared by writing
  // false/undefined. V8 keeps a deleted entry in its bucket's chain until the table rehashes, so deleting
  // and re-adding the same key on every order made each lookup of that symbol walk thousands of dead
  // entries once the map held many symbols (checkOrder p50 5 -> 49 us with 10,000 positions). The keys
  // are bounded by the symbols ever traded.
  /** Takes settled into a position, per symbol. */
  readonly #settled = new Map<string, Set<string> | undefined>();
  /** Symbols whose position slot is held by some take of this manager (true). */
  readonly #slots = new Map<string, boolean>();
  /** The live take that carries each symbol's slot (the others on the symbol took none). */
  readonly #slotCarrier = new Map<string, string | undefined>();

  constructor(budget: RiskBudget | undefined) {
    // No shared budget: the in-process one without caps counts but never refuses, so every limit stays
    // what RiskConfig says (today's behaviour).
    this.budget = budget ?? new LocalRiskBudget();
  }

  get state(): SharedRiskState {
    return this.budget.state;
  }

  /** Takes an approved opening order's share; the refusal when the account has no room or is unavailable. */
  take(id: string, symbol: string, notional: Decimal, symbolHeld: boolean): BudgetTake {
    const slot = !symbolHeld && this.#slots.get(symbol) !== true;
    const result = this.budget.tryTake(id, { exposure: notional, positions: slot ? 1 : 0, orders: 1 });
    if (result.ok) {
      this.#live.set(id, { symbol, filled: ZERO });
      if (slot) this.#holdSlot(symbol, id);
    }
    return result;
  }

  /** `quantity` of a live take filled at the order's price. */
  filled(r: Reservation, quantity: Decimal | undefined): void {
    const live = this.#live.get(r.id);
    if (live === undefined) return;
    const qty = quantity === undefined || quantity.gte(r.quantity) ? r.quantity : quantity;
    live.filled = live.filled.plus(qty.times(r.price));
  }

  /**
   * The order's fate is known (its hold ended): what filled stays as the symbol's position, the rest is
   * given back. `symbolHeld`: the manager holds a position or an opening order on the symbol.
   */
  ended(r: Reservation, symbolHeld: boolean): void {
    const live = this.#live.get(r.id);
    if (live === undefined) return;
    this.#live.delete(r.id);
    const filled = live.filled;
    const carriesSlot = this.#slotCarrier.get(r.symbol) === r.id;
    if (carriesSlot) this.#slotCarrier.set(r.symbol, undefined);
    if (filled.isZero() && !(carriesSlot && symbolHeld)) {
      this.budget.give(r.id);
    } else {
      // Unfilled but carrying the slot of a symbol still held (another order on it may fill): the slot stays
      // taken until the symbol is flat, or the other order's fill would open a position nobody counted.
      this.budget.settle(r.id, { exposure: filled, positions: 1 });
      this.#settle(r.symbol, r.id);
    }
    if (!symbolHeld) this.flat(r.symbol);
  }

  /** Nothing is held on the symbol any more: its position's takes go back. */
  flat(symbol: string): void {
    const ids = this.#settled.get(symbol);
    if (ids !== undefined) {
      for (const id of ids) this.budget.give(id);
      this.#settled.set(symbol, undefined);
    }
    // A live take of the symbol still holds the slot, whichever take carried it.
    if (!this.#hasLiveTake(symbol)) {
      this.#slots.set(symbol, false);
      this.#slotCarrier.set(symbol, undefined);
    }
  }

  /**
   * A position the manager did not open through an order here (after a restart, or found by
   * reconciliation): it counts on the account as it is, even past the cap (it exists either way).
   */
  adoptPosition(symbol: string, notional: Decimal): void {
    if (this.#settled.get(symbol) !== undefined || this.#hasLiveTake(symbol)) return;
    const id = `${POSITION_KEY}${symbol}`;
    const result = this.budget.tryTake(id, { exposure: notional, positions: 1, orders: 0 });
    if (!result.ok) return;
    this.budget.settle(id, { exposure: notional, positions: 1 });
    this.#settled.set(symbol, new Set([id]));
    this.#slots.set(symbol, true);
  }

  /** A working order found on the venue (restart, reconciliation): counted as live until its fate is known. */
  adoptOrder(r: Reservation, symbolHeld: boolean): void {
    if (!r.opening) return;
    const slot = !symbolHeld && this.#slots.get(r.symbol) !== true;
    const result = this.budget.tryTake(r.id, {
      exposure: r.notional,
      positions: slot ? 1 : 0,
      orders: 0,
    });
    if (!result.ok) return;
    this.#live.set(r.id, { symbol: r.symbol, filled: ZERO });
    if (slot) this.#holdSlot(r.symbol, r.id);
  }

  #holdSlot(symbol: string, id: string): void {
    this.#slots.set(symbol, true);
    this.#slotCarrier.set(symbol, id);
  }

  #settle(symbol: string, id: string): void {
    let ids = this.#settled.get(symbol);
    if (ids === undefined) {
      ids = new Set();
      this.#settled.set(symbol, ids);
    }
    ids.add(id);
  }

  #hasLiveTake(symbol: string): boolean {
    // Only consulted when a symbol goes flat; the live takes are few.
    for (const live of this.#live.values()) if (live.symbol === symbol) return true;
    return false;
  }

  /** True when the shared state says the account is halted (a trip from any bot). */
  static halted(state: SharedRiskState): boolean {
    return state.tradingState === TradingState.HALTED;
  }
}
