import { type Decimal, type OpenOrder, ZERO } from '@hl-bot/core-types';
import { remainingOrder } from '@hl-bot/engine';
import type { ClearinghouseStateResponse } from '@hl-bot/exchange-hyperliquid';
import { coinToSymbol } from '@hl-bot/exchange-hyperliquid';
import type { BotCore } from './bot-core.js';

/** What reconciliation saw of the account's orders and positions that are not this bot's. */
export interface ForeignReport {
  /** Open orders of other bots registered on the venue account: theirs, counted by their leases. */
  peerOrders: number;
  /** Open orders nobody claims on symbols no bot trades: counted in this bot's risk, not cancelled. */
  unownedOrders: string[];
  /** Positions in symbols no bot of the account trades: counted in this bot's risk. */
  unownedPositions: Array<{ symbol: string; venue: string }>;
}

/**
 * The orders and positions of a shared venue account that no bot answers for (see `AccountShare`): each
 * is audited once (`reconciliation_mismatch`, action `none`) and counted in this bot's risk, so its
 * exposure uses up limits instead of going unseen (fail closed: every bot of the account counts it, so
 * the shared budget may count it more than once, never less). Nothing is cancelled or flattened: an
 * operator placed it, or a bot that is not registered; a person decides. Other bots' orders and positions
 * are theirs and are left alone.
 */
export class UnownedTracker {
  /** Venue order id → the remaining size it is held in risk with. */
  private readonly orders = new Map<string, string>();
  /** Symbol → the venue's signed size it is held in risk with. */
  private readonly positions = new Map<string, string>();

  constructor(private readonly core: BotCore) {}

  async reconcile(
    foreignOrders: readonly OpenOrder[],
    states: readonly ClearinghouseStateResponse[],
  ): Promise<ForeignReport> {
    const share = this.core.share;
    const report: ForeignReport = { peerOrders: 0, unownedOrders: [], unownedPositions: [] };
    if (share === undefined) return report;
    const seenOrders = new Set<string>();
    for (const o of foreignOrders) {
      const who = share.attribute({ cloid: o.clientOrderId, symbol: o.symbol });
      if (who.kind === 'own') continue; // listed as own meanwhile: the engine's reconciliation has it
      if (who.kind === 'peer') {
        report.peerOrders += 1;
        continue;
      }
      seenOrders.add(o.orderId);
      report.unownedOrders.push(o.orderId);
      await this.holdOrder(o);
    }
    for (const [id] of this.orders) {
      if (seenOrders.has(id)) continue;
      this.core.risk.releaseReservation(this.reservationId(id), 'cancelled');
      this.orders.delete(id);
    }
    const seenPositions = new Set<string>();
    for (const state of states) {
      for (const ap of state.assetPositions) {
        const p = ap.position;
        const symbol = coinToSymbol(p.coin);
        if (p.szi.isZero() || share.attributeSymbol(symbol).kind !== 'unowned') continue;
        seenPositions.add(symbol);
        report.unownedPositions.push({ symbol, venue: p.szi.toString() });
        await this.holdPosition(symbol, p.szi, p.entryPx ?? undefined);
      }
    }
    for (const [symbol] of this.positions) {
      if (seenPositions.has(symbol)) continue;
      this.core.risk.releaseReservation(this.positionReservationId(symbol), 'cancelled');
      this.positions.delete(symbol);
    }
    return report;
  }

  private reservationId(venueOrderId: string): string {
    return `unowned-${venueOrderId}`;
  }

  private async holdOrder(o: OpenOrder): Promise<void> {
    const { risk, audit } = this.core;
    const remaining = o.quantity.minus(o.filledQuantity).toString();
    const held = this.orders.get(o.orderId);
    if (held === remaining) return;
    const id = this.reservationId(o.orderId);
    if (held !== undefined) risk.releaseReservation(id, 'cancelled');
    // Counted first: no order is approved against a limit this order already uses.
    risk.adoptWorkingOrder(remainingOrder(o), id);
    this.orders.set(o.orderId, remaining);
    if (held !== undefined) return;
    await audit.append({
      type: 'reconciliation_mismatch',
      symbol: o.symbol,
      local: 'no bot of the account trades this symbol',
      venue: `open order ${o.orderId}${o.clientOrderId === undefined ? ' (no cloid)' : ` (cloid ${o.clientOrderId})`}: ${o.side} ${remaining}${o.price === undefined ? '' : ` @ ${o.price.toString()}`}; counted in risk, not cancelled`,
      action: 'none',
    });
  }

  private async holdPosition(symbol: string, szi: Decimal, entryPx: Decimal | undefined): Promise<void> {
    const { risk, audit } = this.core;
    const size = szi.toString();
    const held = this.positions.get(symbol);
    if (held === size) return;
    const price = entryPx ?? (await this.core.client.getMarketPrice(symbol)).price;
    const id = this.positionReservationId(symbol);
    if (held !== undefined) risk.releaseReservation(id, 'cancelled');
    // Risk's positions are the tracker's, and this one is no bot's trade: it is held as what it weighs, a
    // working order of its size at its price, so exposure checks (here and in the shared budget) count it.
    risk.adoptWorkingOrder(
      {
        symbol,
        side: szi.gt(ZERO) ? 'buy' : 'sell',
        orderType: 'limit',
        price,
        quantity: szi.abs(),
      },
      id,
    );
    this.positions.set(symbol, size);
    await audit.append({
      type: 'reconciliation_mismatch',
      symbol,
      local: 'no bot of the account trades this symbol',
      venue: `position ${size} @ ${price.toString()}; counted in risk, not flattened`,
      action: 'none',
    });
  }

  private positionReservationId(symbol: string): string {
    return `unowned-position-${symbol}`;
  }
}
