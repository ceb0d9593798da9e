import type { Decimal, OpenOrder, OrderRequest } from '@hl-bot/core-types';

/**
 * An order this engine sent that has not finished: the order as sent and its lifecycle (venue id, accepted,
 * in flight, when it was sent). What of it has filled is not here: risk's reservation holds the rest
 * (`WorkingOrders.filled`), so the two cannot disagree.
 */
export interface WorkingOrder {
  readonly clientOrderId: string;
  /** Undefined until the venue named the order (an ack, an update, a status). */
  venueOrderId: string | undefined;
  readonly order: OrderRequest;
  readonly createdAt: number;
  /** True once `order_accepted` is written: the venue has the order. False while its fate is unknown. */
  accepted: boolean;
  /** True while the placeOrder call runs: its own outcome settles the order. */
  sending: boolean;
}

/** Enough to recognise a venue snapshot's late copy of a finished order, without growing with history. */
const RECENT_IDS = 20_000;

function addBounded(set: Set<string>, id: string): void {
  set.add(id);
  while (set.size > RECENT_IDS) {
    const oldest = set.values().next();
    if (oldest.done === true) break;
    set.delete(oldest.value);
  }
}

/**
 * The engine's working orders by client order id, the ids of recently finished ones, and which cancels
 * were already recorded. The one place the engine's view of its orders lives.
 */
export class WorkingOrders {
  readonly #working = new Map<string, WorkingOrder>();
  readonly #held: (clientOrderId: string) => Decimal | undefined;
  readonly #done = new Set<string>();
  readonly #cancelRecorded = new Set<string>();

  /** @param held what risk still holds of an order (its reservation's quantity), undefined once it ended */
  constructor(held: (clientOrderId: string) => Decimal | undefined) {
    this.#held = held;
  }

  /**
   * What of `w` has filled: its quantity less what risk still holds of it. A working order's hold ends only
   * with it (settled, or every unit filled), so no hold left means all of it filled.
   */
  filled(w: WorkingOrder): Decimal {
    const held = this.#held(w.clientOrderId);
    return held === undefined ? w.order.quantity : w.order.quantity.minus(held);
  }

  add(w: WorkingOrder): void {
    this.#working.set(w.clientOrderId, w);
  }

  get(clientOrderId: string): WorkingOrder | undefined {
    return this.#working.get(clientOrderId);
  }

  /** True while `w` is still the working order of its client id (not forgotten or replaced). */
  isCurrent(w: WorkingOrder): boolean {
    return this.#working.get(w.clientOrderId) === w;
  }

  /** By client order id, else by venue order id. */
  find(id: string): WorkingOrder | undefined {
    const direct = this.#working.get(id);
    if (direct !== undefined) return direct;
    for (const w of this.#working.values()) if (w.venueOrderId === id) return w;
    return undefined;
  }

  /** A copy, so callers may settle orders while they walk it. */
  all(): WorkingOrder[] {
    return [...this.#working.values()];
  }

  forget(w: WorkingOrder): void {
    if (this.#working.get(w.clientOrderId) !== w) return;
    this.#working.delete(w.clientOrderId);
    // A venue snapshot taken a moment ago may still list it: reconciliation must not take it for a stranger.
    addBounded(this.#done, w.clientOrderId);
    if (w.venueOrderId !== undefined) addBounded(this.#done, w.venueOrderId);
  }

  /** True when an order of this id finished here recently. */
  isDone(id: string): boolean {
    return this.#done.has(id);
  }

  /** Marks a cancel as recorded under every id; false when one of them was already recorded. */
  claimCancel(ids: readonly string[]): boolean {
    if (ids.some((id) => this.#cancelRecorded.has(id))) return false;
    for (const id of ids) addBounded(this.#cancelRecorded, id);
    return true;
  }

  /** The working orders as open orders (of one symbol when given), fully filled ones left out. */
  toOpenOrders(symbol?: string): OpenOrder[] {
    const out: OpenOrder[] = [];
    for (const w of this.#working.values()) {
      if (symbol !== undefined && w.order.symbol !== symbol) continue;
      const filled = this.filled(w);
      if (filled.gte(w.order.quantity)) continue;
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
        filledQuantity: filled,
        reduceOnly: w.order.reduceOnly,
        timeInForce: w.order.timeInForce,
        createdAt: w.createdAt,
      });
    }
    return out;
  }
}
