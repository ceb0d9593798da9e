import { type Decimal, type OrderSide, ZERO } from '@hl-bot/core-types';
import { equals } from './decimal-compare.js';

/** How a reservation ends or moves on. */
export type ReservationOutcome = 'submitted' | 'rejected' | 'filled' | 'cancelled' | 'expired';

/**
 * `reserved`: approved, being sent (or retried); `working`: on the venue, or possibly on it; `finished`:
 * the outcome is known and the order no longer rests, only fills of it are still on their way.
 */
export type ReservationStatus = 'reserved' | 'working' | 'finished';

/**
 * What an approved order holds until its outcome is reported: an open-order slot, its quantity on its side
 * of the symbol, and, when it opens risk, its notional against exposure and possibly a new position slot.
 * Rate-limit slots are consumed at approval and never given back.
 */
export interface Reservation {
  readonly id: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** Remaining quantity held (shrinks on partial fills). */
  readonly quantity: Decimal;
  /** Price the order is valued at: the larger of its own price and the mark. */
  readonly price: Decimal;
  /** quantity x price; counted against exposure only when `opening`. */
  readonly notional: Decimal;
  /** False when the order strictly reduces an open position. */
  readonly opening: boolean;
  /**
   * True when its symbol counts toward `maxPositions` while the hold lives (every opening order): a symbol
   * with a position or an opening hold uses one slot, so an order that fills after its position went flat
   * cannot open a position nobody reserved a slot for.
   */
  readonly newPositionSlot: boolean;
  readonly clientOrderId: string | undefined;
  readonly createdAt: number;
  /**
   * `reserved` until reported submitted; `working` until filled or cancelled; `finished` while the fills
   * of an order that no longer rests are awaited. Only a `finished` hold lapses on its own: an order in
   * flight or possibly live counts until its fate is known.
   */
  readonly status: ReservationStatus;
  /** When a `finished` hold lapses on its own; null for every other status. */
  readonly expiresAt: number | null;
}

/**
 * `total - part`, giving the shared ZERO when the last hold goes (x - x is exactly 0 in decimal.js), so an
 * idle ledger makes no new Decimal and callers memoizing on these totals by identity keep their memo.
 */
function minusToZero(total: Decimal, part: Decimal): Decimal {
  return equals(total, part) ? ZERO : total.minus(part);
}

type MutableReservation = { -readonly [K in keyof Reservation]: Reservation[K] };

interface SymbolTotals {
  buyQty: Decimal;
  sellQty: Decimal;
  newSlotHolds: number;
}

/** Ledger of reserved and working orders with running totals. */
export class ReservationLedger {
  private readonly byId = new Map<string, MutableReservation>();
  private readonly byClientId = new Map<string, string>();
  /**
   * Finished holds in the order they finished (one timeout for all, so also in expiry order). Entries that
   * were released stay until the sweep reaches them (a Map delete per order costs a table shrink).
   */
  private finishedQueue: MutableReservation[] = [];
  private finishedHead = 0;
  /** Live `finished` holds. */
  private finishedCount = 0;
  private readonly perSymbol = new Map<string, SymbolTotals>();
  private openingNotionalTotal: Decimal = ZERO;
  /** Symbols with a hold that reserved a new position slot (counted per symbol in `perSymbol`). */
  private pendingNewCount = 0;

  constructor(
    private readonly onPendingNewChange: (symbol: string, pending: boolean) => void = () => {},
    /** A hold ended (fully released for any reason): its order's fate is known. */
    private readonly onEnded: (r: Reservation) => void = () => {},
  ) {}

  get count(): number {
    return this.byId.size;
  }

  /** Notional of every opening hold. */
  get openingNotional(): Decimal {
    return this.openingNotionalTotal;
  }

  /** Symbols with a hold that reserved a new position slot. */
  get pendingNewSymbolCount(): number {
    return this.pendingNewCount;
  }

  /** True when some hold on the symbol reserved a new position slot. */
  hasPendingNew(symbol: string): boolean {
    const t = this.perSymbol.get(symbol);
    return t !== undefined && t.newSlotHolds > 0;
  }

  get(idOrClientId: string): Reservation | undefined {
    return this.lookup(idOrClientId);
  }

  all(): Reservation[] {
    return [...this.byId.values()].map((r) => ({ ...r }));
  }

  hasClientOrderId(clientOrderId: string): boolean {
    return this.byClientId.has(clientOrderId);
  }

  /** Quantity held on one side of a symbol. */
  pendingQty(symbol: string, side: OrderSide): Decimal {
    const t = this.perSymbol.get(symbol);
    if (t === undefined) return ZERO;
    return side === 'buy' ? t.buyQty : t.sellQty;
  }

  add(r: Reservation): void {
    const m: MutableReservation = { ...r };
    this.byId.set(m.id, m);
    if (m.clientOrderId !== undefined) this.byClientId.set(m.clientOrderId, m.id);
    if (m.status === 'finished') {
      this.finishedQueue.push(m);
      this.finishedCount++;
    } else m.expiresAt = null;
    let t = this.perSymbol.get(m.symbol);
    if (t === undefined) {
      t = { buyQty: ZERO, sellQty: ZERO, newSlotHolds: 0 };
      this.perSymbol.set(m.symbol, t);
    }
    if (m.side === 'buy') t.buyQty = t.buyQty.plus(m.quantity);
    else t.sellQty = t.sellQty.plus(m.quantity);
    if (m.opening) this.openingNotionalTotal = this.openingNotionalTotal.plus(m.notional);
    if (m.newPositionSlot) {
      t.newSlotHolds++;
      if (t.newSlotHolds === 1) {
        this.pendingNewCount++;
        this.onPendingNewChange(m.symbol, true);
      }
    }
  }

  /** reserved -> working. Returns false for an unknown id. */
  markWorking(idOrClientId: string): boolean {
    const r = this.lookup(idOrClientId);
    if (r === undefined) return false;
    if (r.status === 'reserved') r.status = 'working';
    return true;
  }

  /**
   * The order no longer rests: keeps `awaitingFills` of it until its fills arrive or `expiresAt` passes,
   * and releases the rest now. Returns false for an unknown id.
   */
  finish(idOrClientId: string, awaitingFills: Decimal, expiresAt: number): boolean {
    const r = this.lookup(idOrClientId);
    if (r === undefined) return false;
    if (!awaitingFills.gt(0)) return this.release(r.id);
    if (awaitingFills.lt(r.quantity)) this.release(r.id, r.quantity.minus(awaitingFills));
    if (r.status !== 'finished') {
      r.status = 'finished';
      r.expiresAt = expiresAt;
      this.finishedQueue.push(r);
      this.finishedCount++;
    }
    return true;
  }

  /**
   * Releases `quantity` of a hold (all of it when undefined or not less than what remains).
   * Returns false for an unknown id. Per-symbol totals stay allocated (at zero) once a symbol was used:
   * deleting and recreating them on every order costs more than the memory.
   */
  release(idOrClientId: string, quantity?: Decimal): boolean {
    const r = this.lookup(idOrClientId);
    if (r === undefined) return false;
    const t = this.perSymbol.get(r.symbol);
    const full = quantity === undefined || quantity.gte(r.quantity);
    const qty = full ? r.quantity : quantity;
    const notional = full ? r.notional : qty.times(r.price);
    if (t !== undefined) {
      if (r.side === 'buy') t.buyQty = minusToZero(t.buyQty, qty);
      else t.sellQty = minusToZero(t.sellQty, qty);
    }
    if (r.opening) this.openingNotionalTotal = minusToZero(this.openingNotionalTotal, notional);
    if (!full) {
      r.quantity = r.quantity.minus(qty);
      r.notional = r.notional.minus(notional);
      return true;
    }
    this.byId.delete(r.id);
    if (r.status === 'finished') this.finishedCount--;
    if (r.clientOrderId !== undefined) this.byClientId.delete(r.clientOrderId);
    if (t !== undefined) {
      if (r.newPositionSlot) {
        t.newSlotHolds--;
        if (t.newSlotHolds === 0) {
          this.pendingNewCount--;
          this.onPendingNewChange(r.symbol, false);
        }
      }
    }
    this.onEnded(r);
    return true;
  }

  /** Releases every `finished` hold whose `expiresAt` is at or before `now`; returns them. */
  expire(now: number): Reservation[] {
    if (this.finishedCount === 0) {
      // Nothing live is queued: drop the released entries left behind.
      if (this.finishedQueue.length > 0) {
        this.finishedQueue = [];
        this.finishedHead = 0;
      }
      return [];
    }
    const out: Reservation[] = [];
    const queue = this.finishedQueue;
    let head = this.finishedHead;
    while (head < queue.length) {
      const r = queue[head] as MutableReservation;
      if (r.status !== 'finished' || this.byId.get(r.id) !== r) {
        head++;
        continue;
      }
      // Holds are queued in finishing order with one timeout, so the first live one ends the sweep.
      if (r.expiresAt === null || r.expiresAt > now) break;
      head++;
      if (this.release(r.id)) out.push(r);
    }
    if (head > 64 && head * 2 > queue.length) {
      this.finishedQueue = queue.slice(head);
      head = 0;
    }
    this.finishedHead = head;
    return out;
  }

  private lookup(idOrClientId: string): MutableReservation | undefined {
    const direct = this.byId.get(idOrClientId);
    if (direct !== undefined) return direct;
    const id = this.byClientId.get(idOrClientId);
    return id === undefined ? undefined : this.byId.get(id);
  }
}
