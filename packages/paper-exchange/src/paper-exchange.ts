import {
  type AccountState,
  type Decimal,
  type DecimalInput,
  type Exchange,
  ExchangeError,
  type Fill,
  type FundingPayment,
  type ManualClock,
  type MarketPrice,
  type OpenOrder,
  type OrderAck,
  type OrderRequest,
  type OrderUpdate,
  type PositionSnapshot,
} from '@hl-bot/core-types';
import type { Candle } from './candle.js';
import { accountState, leverageOf, positionSnapshots } from './paper/account.js';
import { processBar } from './paper/bar.js';
import { instrument, type PaperCore } from './paper/core.js';
import { placeOrder } from './paper/intake.js';
import { type LiquidationEvent, Listeners, subscribe } from './paper/listeners.js';
import { setLeverage } from './paper/margin.js';
import { type PaperExchangeOptions, parseOptions } from './paper/options.js';
import { closeOrder, openOrders } from './paper/orders.js';
import { transferFunds } from './paper/transfer.js';

// The venue is split by job under ./paper (options, intake, matching, margin and liquidation, funding,
// account, orders, listeners, the bar loop), all sharing one PaperCore; this class is the Exchange port over it.

export type { LiquidationEvent } from './paper/listeners.js';
export {
  HYPERLIQUID_BASE_FEES,
  HYPERLIQUID_BASELINE_FUNDING_RATE,
  type PaperExchangeOptions,
} from './paper/options.js';

/**
 * A deterministic simulated perpetuals venue implementing the Exchange port, driven by candles.
 *
 * Per bar (`onBar`) for its symbol, in this order:
 * 1. funding for every whole hour boundary H with previous bar openTime < H <= this openTime, on the
 *    position held across H, at the previous close: amount = -size x price x rate (longs pay when positive);
 * 2. taker orders waiting for the next price (market, IOC, marketable GTC limits) fill at the open plus
 *    adverse slippage, taker fee; a limit whose slipped price is beyond its limit does not take;
 * 3. stop-market / stop-limit / take-profit orders whose trigger the bar reached fire: market ones fill at
 *    the trigger (or the open when the bar gapped past it) plus slippage as takers; limit ones take when
 *    their limit allows, else rest from the next bar (the bar's path after the trigger is unknown);
 * 4. resting limits fill at their limit price as makers when the bar trades strictly through them
 *    (buy: low < price, sell: high > price); touching the price is not a fill (conservative);
 * 5. liquidation: maintenance margin is half the initial margin at max leverage (notional / (2 x maxLeverage)).
 *    If the bar's adverse extreme passes the price where equity = maintenance, the position is closed
 *    there (at the open when the bar gapped past it) as a taker fill, and all open orders are cancelled;
 * 6. the symbol is marked to the close, and price listeners are called.
 *
 * Reduce-only (Hyperliquid semantics): refused at placement (REDUCE_ONLY_VIOLATION) when there is no
 * opposite position; at execution the fill is cut to the position size and the rest cancelled, or the
 * whole order is cancelled when the position is gone or has flipped. Reduce-only orders need no margin and
 * are exempt from the minimum notional. Post-only orders that would cross the last price are refused
 * (POST_ONLY_WOULD_CROSS). Orders that break tick, lot or minimum notional rules are refused, never rounded.
 *
 * Determinism: no Math.random and no Date.now; ids are sequential; time comes from the bars.
 *
 * @example
 * const paper = new PaperExchange({ startBalance: '10000', instruments: HYPERLIQUID_PERPS });
 * paper.onFill((fill) => console.log(fill.side, fill.quantity.toString(), fill.price.toString()));
 * for await (const c of syntheticMarket({ seed: 1, symbols: ['BTC-USD'], bars: 10 })) await paper.onBar(c);
 * await paper.placeOrder(OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.01' }));
 */
export class PaperExchange implements Exchange {
  readonly name: string;
  readonly clock: ManualClock;
  readonly #core: PaperCore;

  /** @throws {ValidationError} for invalid options (bad instrument, negative balance, bad rates). */
  constructor(options: PaperExchangeOptions) {
    const parsed = parseOptions(options);
    this.name = parsed.name;
    this.clock = parsed.clock;
    this.#core = {
      settings: parsed.settings,
      clock: parsed.clock,
      listeners: new Listeners(parsed.onListenerError),
      balance: parsed.balance,
      positions: new Map(),
      leverage: new Map(),
      marks: new Map(),
      markTimes: new Map(),
      maintenanceRates: new Map(),
      lastBarTime: new Map(),
      lastGlobalBarTime: -1,
      orders: new Map(),
      orderSeq: 0,
      fillSeq: 0,
      liquidationSeq: 0,
      barBudget: undefined,
      barSeq: undefined,
      triggeredThisBar: new Set(),
    };
  }

  // ---------------------------------------------------------------- subscriptions

  onFill(listener: (fill: Fill) => void): () => void {
    return subscribe(this.#core.listeners.fill, listener);
  }
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    return subscribe(this.#core.listeners.update, listener);
  }
  onPrice(listener: (price: MarketPrice) => void): () => void {
    return subscribe(this.#core.listeners.price, listener);
  }
  /** Funding payments, signed to the account; feed them to the position tracker's applyFunding. */
  onFunding(listener: (payment: FundingPayment) => void): () => void {
    return subscribe(this.#core.listeners.funding, listener);
  }
  /** Liquidations (their fills also reach onFill). */
  onLiquidation(listener: (event: LiquidationEvent) => void): () => void {
    return subscribe(this.#core.listeners.liquidation, listener);
  }

  // ---------------------------------------------------------------- queries

  async getAccountState(): Promise<AccountState> {
    return accountState(this.#core);
  }

  /** @throws {ExchangeError} `UNKNOWN_SYMBOL` or `NO_MARKET_PRICE` (no bar seen yet). */
  async getMarketPrice(symbol: string): Promise<MarketPrice> {
    const core = this.#core;
    instrument(core, symbol);
    const price = core.marks.get(symbol);
    if (price === undefined) {
      throw new ExchangeError('NO_MARKET_PRICE', `no price for ${symbol} yet: no bar seen`, {
        details: { symbol },
      });
    }
    return { symbol, price, timestamp: core.markTimes.get(symbol) ?? core.clock.now() };
  }

  async getOpenOrders(symbol?: string): Promise<OpenOrder[]> {
    return openOrders(this.#core, symbol);
  }

  /** Open positions, marked to the last close. */
  getPositions(): PositionSnapshot[] {
    return positionSnapshots(this.#core);
  }

  /** Leverage in force for a symbol. */
  getLeverage(symbol: string): number {
    return leverageOf(this.#core, symbol);
  }

  /**
   * Sets the cross leverage of a symbol (1..maxLeverage).
   *
   * @throws {ExchangeError} `INVALID_LEVERAGE`, `UNKNOWN_SYMBOL`, or `INSUFFICIENT_MARGIN` when the open
   *   position and orders would need more margin than the account has at the new leverage.
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    setLeverage(this.#core, symbol, leverage);
  }

  /**
   * Money in (positive) or out (negative) of the account that is not trading: a deposit, a withdrawal, a
   * transfer (hl-sim's ledger updates). Returns the balance after it.
   *
   * @throws {ExchangeError} `INSUFFICIENT_MARGIN` for a withdrawal of more than the free margin,
   *   `ORDER_REJECTED` for zero; {InvalidDecimalError} for a malformed amount.
   */
  transferFunds(amount: DecimalInput): Decimal {
    return transferFunds(this.#core, amount);
  }

  // ---------------------------------------------------------------- orders

  /**
   * Places an order. Market and IOC orders, and GTC limits that cross the last price, take liquidity at
   * the next bar's open (acknowledged `resting`, filled by `onBar`), or at once at the last close with
   * `fillMarketOrdersAt: 'last-close'`. Other limits rest; stop and take-profit orders wait for their trigger.
   *
   * @throws {ExchangeError} `UNKNOWN_SYMBOL`, `INVALID_PRICE`, `INVALID_SIZE`, `MIN_NOTIONAL`,
   *   `NO_MARKET_PRICE`, `REDUCE_ONLY_VIOLATION`, `POST_ONLY_WOULD_CROSS`, `INSUFFICIENT_MARGIN`,
   *   `DUPLICATE_CLIENT_ORDER_ID`, `ORDER_REJECTED` (malformed request).
   */
  async placeOrder(order: OrderRequest, opts: { clientOrderId?: string } = {}): Promise<OrderAck> {
    return placeOrder(this.#core, order, opts);
  }

  async cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    const core = this.#core;
    const o = core.orders.get(orderId);
    if (o === undefined || o.symbol !== symbol) return false;
    closeOrder(core, o, 'cancelled', 'cancelled by user', core.clock.now());
    core.listeners.flush();
    return true;
  }

  async cancelAllOrders(opts: { symbol?: string; reason?: string } = {}): Promise<number> {
    const core = this.#core;
    let count = 0;
    for (const o of [...core.orders.values()]) {
      if (opts.symbol !== undefined && o.symbol !== opts.symbol) continue;
      closeOrder(core, o, 'cancelled', opts.reason ?? 'cancel all', core.clock.now());
      count++;
    }
    core.listeners.flush();
    return count;
  }

  // ---------------------------------------------------------------- the bar loop

  /**
   * Processes one bar of one symbol (see the class documentation for the order of events). Bars must come
   * in time order: openTime strictly increasing per symbol and never decreasing across symbols.
   *
   * @throws {PaperExchangeError} `INVALID_BAR` (malformed candle), `BAR_OUT_OF_ORDER`;
   *   {ExchangeError} `UNKNOWN_SYMBOL`. A listener that threw is reported after the bar is fully processed.
   */
  async onBar(candle: Candle): Promise<void> {
    processBar(this.#core, candle);
  }
}

/**
 * True for a fill the paper exchange produced by liquidating the account (its orderId starts with `liq-`).
 *
 * @example
 * paper.onFill((fill) => { if (isLiquidationFill(fill)) alert(fill); });
 */
export function isLiquidationFill(fill: Pick<Fill, 'orderId'>): boolean {
  return fill.orderId.startsWith('liq-');
}
