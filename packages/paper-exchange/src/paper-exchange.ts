import {
  type AccountState,
  Decimal,
  type DecimalInput,
  type Exchange,
  ExchangeError,
  Fill,
  type FundingPayment,
  ManualClock,
  type MarketPrice,
  type OpenOrder,
  type OrderAck,
  OrderRequest,
  type OrderSide,
  type OrderStatus,
  type OrderType,
  type OrderUpdate,
  type PositionSnapshot,
  parseOrThrow,
  SymbolSchema,
  type TimeInForce,
  toDecimal,
  ValidationError,
  ZERO,
} from '@hl-bot/core-types';
import { type Candle, Candle as CandleSchema, candleProblem } from './candle.js';
import { PaperExchangeError } from './errors.js';
import {
  checkPrice,
  checkSize,
  InstrumentConfig,
  type InstrumentConfigInput,
  roundAdverse,
} from './instruments.js';
import { createPrng, type Prng } from './prng.js';

const HOUR_MS = 3_600_000;

/**
 * Hyperliquid's base-tier (tier 0) perp fees: taker 0.045%, maker 0.015%, from Hyperliquid's "Fees" docs
 * page. `/work/shared/research/hyperliquid.md` lists no fee rates, so these come from that page.
 */
export const HYPERLIQUID_BASE_FEES = Object.freeze({
  taker: toDecimal('0.00045'),
  maker: toDecimal('0.00015'),
});

/** Hyperliquid's baseline funding: 0.01% per 8 hours, paid hourly as 0.00125% per hour. */
export const HYPERLIQUID_BASELINE_FUNDING_RATE = toDecimal('0.0000125');

/** Options of PaperExchange. */
export interface PaperExchangeOptions {
  /** USDC the account starts with. */
  startBalance: DecimalInput;
  /** Tradable symbols and their rules; orders and bars for other symbols are refused. */
  instruments: Readonly<Record<string, InstrumentConfigInput>>;
  /** Venue name reported by `name`. Default `"paper"`. */
  name?: string;
  /** Fee rates as fractions of notional. Default HYPERLIQUID_BASE_FEES. A negative maker rate is a rebate. */
  fees?: { taker: DecimalInput; maker: DecimalInput };
  /**
   * Adverse slippage of taker fills as a fraction of the reference price: a constant, or a uniform draw
   * in [min, max] from the seeded PRNG. Default 0.0005 (5 bps).
   */
  slippage?: DecimalInput | { min: DecimalInput; max: DecimalInput };
  /** Seed of the PRNG used by random slippage. Default 0. */
  seed?: number;
  /** Funding rate per hour, a constant or a function of symbol and funding time. Default 0.0000125. */
  fundingRate?: DecimalInput | ((symbol: string, time: number) => DecimalInput);
  /**
   * When taker orders placed between bars fill: at the next bar's open (default, no look-ahead and no
   * stale price) or immediately at the last close.
   */
  fillMarketOrdersAt?: 'next-open' | 'last-close';
  /** When set, at most this fraction of a bar's volume fills per symbol per bar; the rest waits or is cancelled. */
  maxVolumeParticipation?: DecimalInput;
  /** Leverage of a symbol until `setLeverage` is called. Default min(20, maxLeverage). */
  defaultLeverage?: number;
  /** Clock to advance with the bars. Default a ManualClock at `startTime`. */
  clock?: ManualClock;
  /**
   * Receives errors thrown by listeners. Without it, the operation (onBar, placeOrder, cancel) completes and
   * then throws an AggregateError of them, so a broken listener is never silent; note that placeOrder then
   * throws although the order was accepted.
   */
  onListenerError?: (error: unknown) => void;
  /** Start time of the default clock, epoch ms. Default 0. */
  startTime?: number;
}

/** A liquidation, reported next to its fill (which also reaches `onFill`, with an orderId starting `liq-`). */
export interface LiquidationEvent {
  fill: Fill;
  /** Account equity and maintenance requirement at the moment of liquidation. */
  equity: Decimal;
  maintenanceMargin: Decimal;
}

interface SimOrder {
  readonly seq: number;
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly orderType: OrderType;
  readonly price: Decimal | undefined;
  readonly triggerPrice: Decimal | undefined;
  readonly quantity: Decimal;
  readonly reduceOnly: boolean;
  readonly timeInForce: TimeInForce;
  readonly createdAt: number;
  filled: Decimal;
  notional: Decimal;
  /** pending: takes liquidity at the next price; trigger: waits for its trigger; resting: a maker limit. */
  stage: 'pending' | 'trigger' | 'resting';
}

interface Position {
  size: Decimal;
  entryPrice: Decimal;
}

type Listener<T> = (value: T) => void;

function sideSign(side: OrderSide): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}

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
  private readonly instruments = new Map<string, InstrumentConfig>();
  private readonly takerFee: Decimal;
  private readonly makerFee: Decimal;
  private readonly slippageFixed: Decimal | undefined;
  private readonly slippageRange: { min: Decimal; max: Decimal } | undefined;
  private readonly prng: Prng;
  private readonly fundingRateOf: (symbol: string, time: number) => Decimal;
  private readonly fillMode: 'next-open' | 'last-close';
  private readonly participation: Decimal | undefined;
  private readonly defaultLeverage: number | undefined;

  private balance: Decimal;
  private readonly positions = new Map<string, Position>();
  private readonly leverage = new Map<string, number>();
  private readonly marks = new Map<string, Decimal>();
  private readonly lastBarTime = new Map<string, number>();
  private lastGlobalBarTime = -1;
  private readonly orders = new Map<string, SimOrder>();
  private orderSeq = 0;
  private fillSeq = 0;
  private liquidationSeq = 0;
  private barBudget: Decimal | undefined;
  /** While a bar is processed: the last order sequence placed before it; later orders wait for the next bar. */
  private barSeq: number | undefined;
  /** Orders triggered in the current bar: the bar's path after the trigger is unknown, so they rest from the next. */
  private readonly triggeredThisBar = new Set<string>();

  private readonly fillListeners = new Set<Listener<Fill>>();
  private readonly updateListeners = new Set<Listener<OrderUpdate>>();
  private readonly priceListeners = new Set<Listener<MarketPrice>>();
  private readonly fundingListeners = new Set<Listener<FundingPayment>>();
  private readonly liquidationListeners = new Set<Listener<LiquidationEvent>>();
  private listenerErrors: unknown[] = [];
  private readonly onListenerError: ((error: unknown) => void) | undefined;
  private readonly markTimes = new Map<string, number>();
  private readonly maintenanceRates = new Map<string, Decimal>();

  /** @throws {ValidationError} for invalid options (bad instrument, negative balance, bad rates). */
  constructor(options: PaperExchangeOptions) {
    this.name = options.name ?? 'paper';
    this.balance = toDecimal(options.startBalance, 'startBalance');
    if (this.balance.isNegative())
      throw new ValidationError('startBalance must be >= 0', { field: 'startBalance' });
    for (const [symbol, raw] of Object.entries(options.instruments)) {
      if (!SymbolSchema.safeParse(symbol).success) {
        throw new ValidationError(`instrument symbol ${JSON.stringify(symbol)} is not a valid symbol`, {
          field: 'instruments',
        });
      }
      this.instruments.set(symbol, parseOrThrow(InstrumentConfig, raw, `instrument ${symbol}`));
    }
    if (this.instruments.size === 0)
      throw new ValidationError('instruments must not be empty', { field: 'instruments' });
    const fees = options.fees ?? HYPERLIQUID_BASE_FEES;
    this.takerFee = toDecimal(fees.taker, 'fees.taker');
    this.makerFee = toDecimal(fees.maker, 'fees.maker');
    if (this.takerFee.isNegative())
      throw new ValidationError('fees.taker must be >= 0', { field: 'fees.taker' });
    if (this.takerFee.gte(1) || this.makerFee.abs().gte(1)) {
      throw new ValidationError('fee rates are fractions of notional and must be below 1', { field: 'fees' });
    }
    const slip = options.slippage ?? '0.0005';
    if (typeof slip === 'object' && !Decimal.isDecimal(slip)) {
      const range = { min: toDecimal(slip.min, 'slippage.min'), max: toDecimal(slip.max, 'slippage.max') };
      if (range.min.isNegative() || range.max.lt(range.min) || range.max.gte(1)) {
        throw new ValidationError('slippage range must satisfy 0 <= min <= max < 1', { field: 'slippage' });
      }
      this.slippageRange = range;
    } else {
      this.slippageFixed = toDecimal(slip, 'slippage');
      if (this.slippageFixed.isNegative() || this.slippageFixed.gte(1)) {
        throw new ValidationError('slippage must be in [0, 1)', { field: 'slippage' });
      }
    }
    this.prng = createPrng(options.seed ?? 0);
    const rate = options.fundingRate ?? HYPERLIQUID_BASELINE_FUNDING_RATE;
    this.fundingRateOf =
      typeof rate === 'function'
        ? (symbol, time) => toDecimal(rate(symbol, time), 'fundingRate')
        : (
            (constant: Decimal) => () =>
              constant
          )(toDecimal(rate, 'fundingRate'));
    this.fillMode = options.fillMarketOrdersAt ?? 'next-open';
    if (options.maxVolumeParticipation !== undefined) {
      const p = toDecimal(options.maxVolumeParticipation, 'maxVolumeParticipation');
      if (p.lte(0) || p.gt(1)) {
        throw new ValidationError('maxVolumeParticipation must be in (0, 1]', {
          field: 'maxVolumeParticipation',
        });
      }
      this.participation = p;
    }
    if (
      options.defaultLeverage !== undefined &&
      (!Number.isInteger(options.defaultLeverage) || options.defaultLeverage < 1)
    ) {
      throw new ValidationError('defaultLeverage must be an integer >= 1', { field: 'defaultLeverage' });
    }
    this.defaultLeverage = options.defaultLeverage;
    this.clock = options.clock ?? new ManualClock(options.startTime ?? 0);
    this.onListenerError = options.onListenerError;
  }

  // ---------------------------------------------------------------- subscriptions

  onFill(listener: (fill: Fill) => void): () => void {
    return subscribe(this.fillListeners, listener);
  }
  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    return subscribe(this.updateListeners, listener);
  }
  onPrice(listener: (price: MarketPrice) => void): () => void {
    return subscribe(this.priceListeners, listener);
  }
  /** Funding payments, signed to the account; feed them to the position tracker's applyFunding. */
  onFunding(listener: (payment: FundingPayment) => void): () => void {
    return subscribe(this.fundingListeners, listener);
  }
  /** Liquidations (their fills also reach onFill). */
  onLiquidation(listener: (event: LiquidationEvent) => void): () => void {
    return subscribe(this.liquidationListeners, listener);
  }

  // ---------------------------------------------------------------- queries

  async getAccountState(): Promise<AccountState> {
    return {
      balance: this.balance,
      equity: this.equity(),
      marginUsed: this.marginUsed(),
      timestamp: this.clock.now(),
    };
  }

  /** @throws {ExchangeError} `UNKNOWN_SYMBOL` or `NO_MARKET_PRICE` (no bar seen yet). */
  async getMarketPrice(symbol: string): Promise<MarketPrice> {
    this.instrument(symbol);
    const price = this.marks.get(symbol);
    if (price === undefined) {
      throw new ExchangeError('NO_MARKET_PRICE', `no price for ${symbol} yet: no bar seen`, {
        details: { symbol },
      });
    }
    return { symbol, price, timestamp: this.markTimes.get(symbol) ?? this.clock.now() };
  }

  async getOpenOrders(symbol?: string): Promise<OpenOrder[]> {
    const result: OpenOrder[] = [];
    for (const o of this.orders.values()) {
      if (symbol !== undefined && o.symbol !== symbol) continue;
      result.push({
        orderId: o.orderId,
        ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
        symbol: o.symbol,
        side: o.side,
        orderType: o.orderType,
        ...(o.price === undefined ? {} : { price: o.price }),
        ...(o.triggerPrice === undefined ? {} : { triggerPrice: o.triggerPrice }),
        quantity: o.quantity,
        filledQuantity: o.filled,
        reduceOnly: o.reduceOnly,
        timeInForce: o.timeInForce,
        createdAt: o.createdAt,
      });
    }
    return result;
  }

  /** Open positions, marked to the last close. */
  getPositions(): PositionSnapshot[] {
    const result: PositionSnapshot[] = [];
    for (const [symbol, p] of this.positions) {
      if (p.size.isZero()) continue;
      const mark = this.marks.get(symbol) ?? p.entryPrice;
      result.push({
        symbol,
        side: p.size.gt(0) ? 'long' : 'short',
        quantity: p.size.abs(),
        signedQuantity: p.size,
        entryPrice: p.entryPrice,
        markPrice: mark,
        unrealizedPnl: p.size.times(mark.minus(p.entryPrice)),
      });
    }
    return result;
  }

  /** Leverage in force for a symbol. */
  getLeverage(symbol: string): number {
    const inst = this.instrument(symbol);
    return this.leverage.get(symbol) ?? Math.min(this.defaultLeverage ?? 20, inst.maxLeverage);
  }

  /**
   * Sets the cross leverage of a symbol (1..maxLeverage).
   *
   * @throws {ExchangeError} `INVALID_LEVERAGE`, `UNKNOWN_SYMBOL`, or `INSUFFICIENT_MARGIN` when the open
   *   position and orders would need more margin than the account has at the new leverage.
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const inst = this.instrument(symbol);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > inst.maxLeverage) {
      throw new ExchangeError(
        'INVALID_LEVERAGE',
        `leverage of ${symbol} must be an integer in 1..${inst.maxLeverage}`,
        {
          details: { symbol, leverage, maxLeverage: inst.maxLeverage },
        },
      );
    }
    const previous = this.leverage.get(symbol);
    this.leverage.set(symbol, leverage);
    const free = this.freeMargin(undefined);
    if (free.isNegative()) {
      if (previous === undefined) this.leverage.delete(symbol);
      else this.leverage.set(symbol, previous);
      throw new ExchangeError(
        'INSUFFICIENT_MARGIN',
        `leverage ${leverage} for ${symbol} needs more margin than is free`,
        {
          details: { symbol, leverage, shortfall: free.neg().toString() },
        },
      );
    }
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
    let req: OrderRequest;
    try {
      req = parseOrThrow(OrderRequest, order, 'order');
    } catch (error) {
      throw new ExchangeError('ORDER_REJECTED', (error as Error).message, { cause: error });
    }
    const clientOrderId = opts.clientOrderId ?? req.clientOrderId;
    if (clientOrderId !== undefined && (clientOrderId.length === 0 || clientOrderId.length > 256)) {
      throw new ExchangeError('ORDER_REJECTED', 'clientOrderId must be 1 to 256 characters', {
        details: { clientOrderId: clientOrderId.slice(0, 64) },
      });
    }
    const { symbol } = req;
    const inst = this.instrument(symbol);
    const details = { symbol, side: req.side, orderType: req.orderType, quantity: req.quantity.toString() };
    if (clientOrderId !== undefined) {
      for (const o of this.orders.values()) {
        if (o.clientOrderId === clientOrderId) {
          throw new ExchangeError(
            'DUPLICATE_CLIENT_ORDER_ID',
            `clientOrderId ${clientOrderId} is already open`,
            {
              details: { ...details, clientOrderId },
            },
          );
        }
      }
    }
    checkSize(symbol, inst, req.quantity);
    if (req.price !== undefined) checkPrice(symbol, inst, req.price, 'price');
    if (req.triggerPrice !== undefined) checkPrice(symbol, inst, req.triggerPrice, 'triggerPrice');
    const mark = this.marks.get(symbol);
    const isTrigger =
      req.orderType === 'stop-market' || req.orderType === 'stop-limit' || req.orderType === 'take-profit';
    // Without a last price nothing says whether a limit would cross or a trigger is already past: fail closed.
    if (mark === undefined) {
      throw new ExchangeError('NO_MARKET_PRICE', `no price for ${symbol} yet: feed a bar before ordering`, {
        details,
      });
    }
    const refPrice = (isTrigger ? req.triggerPrice : req.price) ?? mark;
    const position = this.positions.get(symbol)?.size ?? ZERO;
    if (req.reduceOnly) {
      if (position.isZero() || position.gt(0) === (req.side === 'buy')) {
        throw new ExchangeError('REDUCE_ONLY_VIOLATION', 'Reduce only order would increase position.', {
          details: { ...details, position: position.toString() },
        });
      }
    } else {
      const notional = req.quantity.times(refPrice);
      if (notional.lt(inst.minNotional)) {
        throw new ExchangeError('MIN_NOTIONAL', `Order must have minimum value of $${inst.minNotional}.`, {
          details: { ...details, notional: notional.toString(), minNotional: inst.minNotional.toString() },
        });
      }
    }
    const crosses =
      req.orderType === 'limit' &&
      req.price !== undefined &&
      (req.side === 'buy' ? req.price.gte(mark) : req.price.lte(mark));
    if (req.orderType === 'limit' && req.timeInForce === 'post-only' && crosses) {
      throw new ExchangeError(
        'POST_ONLY_WOULD_CROSS',
        `Post only order would have immediately matched, last price ${mark}`,
        {
          details: { ...details, price: req.price?.toString(), lastPrice: mark.toString() },
        },
      );
    }
    if (!req.reduceOnly) {
      const taker = req.orderType !== 'limit' || req.timeInForce !== 'post-only';
      const required = this.orderMarginRequirement(symbol, req.side, req.quantity, refPrice, taker);
      const free = this.freeMargin(undefined);
      if (required.gt(free)) {
        throw new ExchangeError('INSUFFICIENT_MARGIN', 'Insufficient margin to place order.', {
          details: { ...details, required: required.toString(), available: free.toString() },
        });
      }
    }

    const stage: SimOrder['stage'] = isTrigger
      ? 'trigger'
      : req.orderType === 'market' || req.timeInForce === 'IOC' || (crosses && req.timeInForce === 'GTC')
        ? 'pending'
        : 'resting';
    this.orderSeq++;
    const sim: SimOrder = {
      seq: this.orderSeq,
      orderId: `paper-${this.orderSeq}`,
      clientOrderId,
      symbol,
      side: req.side,
      orderType: req.orderType,
      price: req.price,
      triggerPrice: req.triggerPrice,
      quantity: req.quantity,
      reduceOnly: req.reduceOnly,
      timeInForce: req.timeInForce,
      createdAt: this.clock.now(),
      filled: ZERO,
      notional: ZERO,
      stage,
    };
    this.orders.set(sim.orderId, sim);
    this.emitUpdate(sim, 'resting', undefined, sim.createdAt);
    // Placed from a listener while a bar is processed: the bar's close is not the last price yet, so the order
    // waits for the next open like in 'next-open' mode.
    if (stage === 'pending' && this.fillMode === 'last-close' && this.barSeq === undefined) {
      this.takeLiquidity(sim, mark, sim.createdAt);
    }
    this.flushListenerErrors();
    return this.ackOf(sim);
  }

  async cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    const o = this.orders.get(orderId);
    if (o === undefined || o.symbol !== symbol) return false;
    this.closeOrder(o, 'cancelled', 'cancelled by user', this.clock.now());
    this.flushListenerErrors();
    return true;
  }

  async cancelAllOrders(opts: { symbol?: string; reason?: string } = {}): Promise<number> {
    let count = 0;
    for (const o of [...this.orders.values()]) {
      if (opts.symbol !== undefined && o.symbol !== opts.symbol) continue;
      this.closeOrder(o, 'cancelled', opts.reason ?? 'cancel all', this.clock.now());
      count++;
    }
    this.flushListenerErrors();
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
    const parsed = fastValidCandle(candle)
      ? { success: true as const, data: candle }
      : CandleSchema.safeParse(candle);
    if (!parsed.success) {
      throw new PaperExchangeError(
        'INVALID_BAR',
        `invalid candle: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        {
          symbol: (candle as { symbol?: unknown }).symbol,
        },
      );
    }
    const bar = parsed.data;
    const { symbol, openTime } = bar;
    this.instrument(symbol);
    const previous = this.lastBarTime.get(symbol);
    if ((previous !== undefined && openTime <= previous) || openTime < this.lastGlobalBarTime) {
      throw new PaperExchangeError('BAR_OUT_OF_ORDER', `bar ${symbol}@${openTime} is out of time order`, {
        symbol,
        openTime,
        previous,
        lastGlobalBarTime: this.lastGlobalBarTime,
      });
    }
    const endTime = bar.closeTime ?? openTime;
    if (this.clock.now() < openTime) this.clock.set(openTime);

    // 1. funding over the hour boundaries crossed since the symbol's previous bar
    if (previous !== undefined) this.applyFunding(symbol, previous, openTime);
    this.lastBarTime.set(symbol, openTime);
    this.lastGlobalBarTime = openTime;

    try {
      this.barBudget = this.participation === undefined ? undefined : bar.volume.times(this.participation);
      const barSeq = this.orderSeq;
      this.barSeq = barSeq;
      const ordersOf = (stage: SimOrder['stage']) =>
        [...this.orders.values()].filter((o) => o.symbol === symbol && o.stage === stage && o.seq <= barSeq);

      // 2. taker orders waiting for the next price
      for (const o of ordersOf('pending')) {
        if (this.orders.has(o.orderId)) this.takeLiquidity(o, bar.open, openTime);
      }
      // 3. triggers
      for (const o of ordersOf('trigger')) {
        if (this.orders.has(o.orderId)) this.checkTrigger(o, bar, endTime);
      }
      // 4. resting limits traded through
      for (const o of ordersOf('resting')) {
        if (!this.orders.has(o.orderId) || o.price === undefined || this.triggeredThisBar.has(o.orderId))
          continue;
        const through = o.side === 'buy' ? bar.low.lt(o.price) : bar.high.gt(o.price);
        if (through) this.fill(o, o.price, 'maker', endTime);
      }
      // 5. liquidation at the bar's adverse extreme, then 6. mark to close
      this.checkLiquidation(symbol, bar, endTime);
      this.marks.set(symbol, bar.close);
      this.markTimes.set(symbol, endTime);
      this.checkAccountLiquidation(endTime);
    } finally {
      this.barBudget = undefined;
      this.barSeq = undefined;
      this.triggeredThisBar.clear();
    }
    if (this.clock.now() < endTime) this.clock.set(endTime);
    const price: MarketPrice = { symbol, price: bar.close, timestamp: endTime };
    for (const l of this.priceListeners) this.call(l, price);
    this.flushListenerErrors();
  }

  // ---------------------------------------------------------------- internals: execution

  private takeLiquidity(o: SimOrder, reference: Decimal, time: number): void {
    const inst = this.instrument(o.symbol);
    const exec = roundAdverse(inst, this.slipped(reference, o.side), o.side);
    const limit = o.price;
    const withinLimit = limit === undefined || (o.side === 'buy' ? exec.lte(limit) : exec.gte(limit));
    if (withinLimit) this.fill(o, exec, 'taker', time);
    if (!this.orders.has(o.orderId)) return;
    if (o.orderType === 'market' || o.timeInForce === 'IOC' || limit === undefined) {
      const reason = withinLimit
        ? 'unfilled remainder of an immediate order'
        : 'could not match within its limit';
      this.closeOrder(o, 'cancelled', reason, time);
    } else {
      o.stage = 'resting';
    }
  }

  private checkTrigger(o: SimOrder, bar: Candle, time: number): void {
    const trigger = o.triggerPrice;
    if (trigger === undefined) return;
    // Stops fire when price moves against the order's side, take-profits when it moves in its favour.
    const firesUp = o.orderType === 'take-profit' ? o.side === 'sell' : o.side === 'buy';
    const fired = firesUp ? bar.high.gte(trigger) : bar.low.lte(trigger);
    if (!fired) return;
    const reference = firesUp ? Decimal.max(bar.open, trigger) : Decimal.min(bar.open, trigger);
    this.emitUpdate(o, 'resting', 'triggered', time);
    this.triggeredThisBar.add(o.orderId);
    if (o.timeInForce === 'post-only' && o.price !== undefined) {
      // A triggered post-only limit may only add liquidity: it rests, or is cancelled if it would cross.
      const crosses = o.side === 'buy' ? o.price.gte(reference) : o.price.lte(reference);
      if (crosses) this.closeOrder(o, 'cancelled', 'post-only order would have crossed when triggered', time);
      else o.stage = 'resting';
      return;
    }
    // A triggered order takes liquidity at once; a limit that cannot take within its price rests (GTC).
    o.stage = 'pending';
    this.takeLiquidity(o, reference, time);
  }

  /** Fills as much of `o` as volume, reduce-only and margin allow, at `price`. */
  private fill(o: SimOrder, price: Decimal, liquidity: 'maker' | 'taker', time: number): void {
    let qty = o.quantity.minus(o.filled);
    if (this.barBudget !== undefined) qty = Decimal.min(qty, this.barBudget);
    if (qty.lte(0)) return;
    const position = this.positions.get(o.symbol)?.size ?? ZERO;
    if (o.reduceOnly) {
      const opposite = !position.isZero() && position.gt(0) !== (o.side === 'buy');
      if (!opposite) {
        this.closeOrder(o, 'cancelled', 'reduce-only order would increase position', time);
        return;
      }
      qty = Decimal.min(qty, position.abs());
    } else {
      const rate = liquidity === 'maker' ? this.makerFee : this.takerFee;
      const required = this.orderMarginRequirement(o.symbol, o.side, qty, price, false).plus(
        Decimal.max(ZERO, qty.times(price).times(rate)),
      );
      const free = this.freeMargin(o.orderId);
      if (required.gt(free)) {
        this.closeOrder(o, 'cancelled', 'insufficient margin at execution', time);
        return;
      }
    }
    this.execute(o.symbol, o.side, qty, price, liquidity, time, o);
    if (this.barBudget !== undefined) this.barBudget = this.barBudget.minus(qty);
    o.filled = o.filled.plus(qty);
    o.notional = o.notional.plus(qty.times(price));
    if (o.filled.gte(o.quantity)) {
      this.closeOrder(o, 'filled', undefined, time);
    } else if (o.reduceOnly && qty.gte(position.abs())) {
      this.closeOrder(o, 'cancelled', 'reduce-only remainder would flip the position', time);
    } else {
      this.emitUpdate(o, 'partially_filled', undefined, time);
    }
  }

  /** Books one execution: position, entry, realized pnl, fee; emits the fill. */
  private execute(
    symbol: string,
    side: OrderSide,
    qty: Decimal,
    price: Decimal,
    liquidity: 'maker' | 'taker',
    time: number,
    o: SimOrder | undefined,
  ): Fill {
    const pos = this.positions.get(symbol) ?? { size: ZERO, entryPrice: ZERO };
    const signed = qty.times(sideSign(side));
    let closedPnl = ZERO;
    let size = pos.size;
    let entry = pos.entryPrice;
    if (!size.isZero() && size.gt(0) !== signed.gt(0)) {
      const closing = Decimal.min(qty, size.abs());
      closedPnl = price
        .minus(entry)
        .times(closing)
        .times(size.gt(0) ? 1 : -1);
      const after = size.plus(signed);
      if (after.isZero()) entry = ZERO;
      else if (after.gt(0) !== size.gt(0)) entry = price;
      size = after;
    } else {
      const total = size.abs().plus(qty);
      entry = entry.times(size.abs()).plus(price.times(qty)).div(total);
      size = size.plus(signed);
    }
    const fee = qty.times(price).times(liquidity === 'maker' ? this.makerFee : this.takerFee);
    this.balance = this.balance.plus(closedPnl).minus(fee);
    if (size.isZero()) this.positions.delete(symbol);
    else this.positions.set(symbol, { size, entryPrice: entry });
    this.fillSeq++;
    const fill = Fill.parse({
      id: `paper-fill-${this.fillSeq}`,
      orderId: o?.orderId ?? `liq-${this.liquidationSeq}`,
      ...(o?.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
      symbol,
      side,
      quantity: qty,
      price,
      fee,
      feeCurrency: 'USDC',
      timestamp: time,
      liquidity,
      closedPnl,
      marketKind: 'perp',
    });
    for (const l of this.fillListeners) this.call(l, fill);
    return fill;
  }

  private applyFunding(symbol: string, from: number, to: number): void {
    const pos = this.positions.get(symbol);
    const price = this.marks.get(symbol);
    if (pos === undefined || price === undefined) return;
    // All rates first: a rate function that throws must not leave some hours paid and the bar unprocessed.
    const hours: { time: number; rate: Decimal }[] = [];
    for (let h = Math.floor(from / HOUR_MS) * HOUR_MS + HOUR_MS; h <= to; h += HOUR_MS) {
      hours.push({ time: h, rate: this.fundingRateOf(symbol, h) });
    }
    for (const { time, rate } of hours) {
      const amount = pos.size.times(price).times(rate).neg();
      this.balance = this.balance.plus(amount);
      const payment: FundingPayment = { symbol, amount, time, rate, positionSize: pos.size, price };
      for (const l of this.fundingListeners) this.call(l, payment);
    }
  }

  private checkLiquidation(symbol: string, bar: Candle, time: number): void {
    const pos = this.positions.get(symbol);
    if (pos === undefined) return;
    const inst = this.instrument(symbol);
    const mmr = this.maintenanceRateOf(symbol);
    let otherUnrealized = ZERO;
    let otherMaintenance = ZERO;
    for (const [s, p] of this.positions) {
      if (s === symbol) continue;
      const mark = this.marks.get(s) ?? p.entryPrice;
      otherUnrealized = otherUnrealized.plus(p.size.times(mark.minus(p.entryPrice)));
      otherMaintenance = otherMaintenance.plus(p.size.abs().times(mark).times(this.maintenanceRateOf(s)));
    }
    // equity(p) = balance + U_other + q (p - entry) and maintenance(p) = M_other + |q| p mmr are linear in p,
    // so equity < maintenance somewhere in the bar iff it is so at the adverse extreme; only then solve for
    // the price where they are equal.
    const q = pos.size;
    const isLong = q.gt(0);
    const extreme = isLong ? bar.low : bar.high;
    const equityAtExtreme = this.balance.plus(otherUnrealized).plus(q.times(extreme.minus(pos.entryPrice)));
    const maintenanceAtExtreme = otherMaintenance.plus(q.abs().times(extreme).times(mmr));
    if (!equityAtExtreme.lt(maintenanceAtExtreme)) return;
    const liqPrice = otherMaintenance
      .minus(this.balance)
      .minus(otherUnrealized)
      .plus(q.times(pos.entryPrice))
      .div(q.minus(q.abs().times(mmr)));
    const rawPrice = isLong ? Decimal.min(bar.open, liqPrice) : Decimal.max(bar.open, liqPrice);
    const closeSide: OrderSide = isLong ? 'sell' : 'buy';
    const price = roundAdverse(inst, rawPrice, closeSide);
    this.liquidate(symbol, closeSide, q.abs(), price, time);
  }

  /** After marking: if the whole account is below maintenance (fees, funding), close everything at marks. */
  private checkAccountLiquidation(time: number): void {
    if (this.positions.size === 0) return;
    if (!this.equity().lt(this.maintenanceMargin())) return;
    for (const [symbol, p] of [...this.positions]) {
      const mark = this.marks.get(symbol) ?? p.entryPrice;
      this.liquidate(symbol, p.size.gt(0) ? 'sell' : 'buy', p.size.abs(), mark, time);
    }
  }

  private liquidate(symbol: string, side: OrderSide, qty: Decimal, price: Decimal, time: number): void {
    const equity = this.equityAt(symbol, price);
    const maintenanceMargin = this.maintenanceMargin(symbol, price);
    this.liquidationSeq++;
    for (const o of [...this.orders.values()]) this.closeOrder(o, 'cancelled', 'liquidation', time);
    const fill = this.execute(symbol, side, qty, price, 'taker', time, undefined);
    const event: LiquidationEvent = { fill, equity, maintenanceMargin };
    for (const l of this.liquidationListeners) this.call(l, event);
  }

  // ---------------------------------------------------------------- internals: accounting

  private maintenanceRateOf(symbol: string): Decimal {
    let rate = this.maintenanceRates.get(symbol);
    if (rate === undefined) {
      rate = maintenanceRate(this.instrument(symbol).maxLeverage);
      this.maintenanceRates.set(symbol, rate);
    }
    return rate;
  }

  private instrument(symbol: string): InstrumentConfig {
    const inst = this.instruments.get(symbol);
    if (inst === undefined) {
      throw new ExchangeError('UNKNOWN_SYMBOL', `unknown symbol ${symbol}`, {
        details: { symbol, known: [...this.instruments.keys()] },
      });
    }
    return inst;
  }

  private slipped(reference: Decimal, side: OrderSide): Decimal {
    let slip: Decimal;
    if (this.slippageRange !== undefined) {
      const u = new Decimal(this.prng.nextUint32()).div(4294967296);
      slip = this.slippageRange.min.plus(this.slippageRange.max.minus(this.slippageRange.min).times(u));
    } else {
      slip = this.slippageFixed ?? ZERO;
    }
    return reference.times(side === 'buy' ? slip.plus(1) : new Decimal(1).minus(slip));
  }

  private unrealized(): Decimal {
    let total = ZERO;
    for (const [symbol, p] of this.positions) {
      const mark = this.marks.get(symbol) ?? p.entryPrice;
      total = total.plus(p.size.times(mark.minus(p.entryPrice)));
    }
    return total;
  }

  private equity(): Decimal {
    return this.balance.plus(this.unrealized());
  }

  private equityAt(symbol: string, price: Decimal): Decimal {
    let total = this.balance;
    for (const [s, p] of this.positions) {
      const mark = s === symbol ? price : (this.marks.get(s) ?? p.entryPrice);
      total = total.plus(p.size.times(mark.minus(p.entryPrice)));
    }
    return total;
  }

  private marginUsed(): Decimal {
    let total = ZERO;
    for (const [symbol, p] of this.positions) {
      const mark = this.marks.get(symbol) ?? p.entryPrice;
      total = total.plus(p.size.abs().times(mark).div(this.getLeverage(symbol)));
    }
    return total;
  }

  private maintenanceMargin(symbol?: string, price?: Decimal): Decimal {
    let total = ZERO;
    for (const [s, p] of this.positions) {
      const mark = s === symbol && price !== undefined ? price : (this.marks.get(s) ?? p.entryPrice);
      total = total.plus(p.size.abs().times(mark).times(this.maintenanceRateOf(s)));
    }
    return total;
  }

  /**
   * Initial margin an order needs: only the part that would grow the position (an opposite order first
   * closes), at `price` over the leverage, plus the taker fee when it may take liquidity.
   */
  private orderMarginRequirement(
    symbol: string,
    side: OrderSide,
    qty: Decimal,
    price: Decimal,
    includeTakerFee: boolean,
  ): Decimal {
    const position = this.positions.get(symbol)?.size ?? ZERO;
    const closable = !position.isZero() && position.gt(0) !== (side === 'buy') ? position.abs() : ZERO;
    const growing = Decimal.max(ZERO, qty.minus(closable));
    const margin = growing.times(price).div(this.getLeverage(symbol));
    return includeTakerFee ? margin.plus(qty.times(price).times(this.takerFee)) : margin;
  }

  /** Equity minus position margin minus margin reserved by open orders (except `excludeOrderId`). */
  private freeMargin(excludeOrderId: string | undefined): Decimal {
    let reserved = ZERO;
    for (const o of this.orders.values()) {
      if (o.reduceOnly || o.orderId === excludeOrderId) continue;
      const ref = o.price ?? o.triggerPrice ?? this.marks.get(o.symbol);
      if (ref === undefined) continue;
      reserved = reserved.plus(
        this.orderMarginRequirement(o.symbol, o.side, o.quantity.minus(o.filled), ref, false),
      );
    }
    return this.equity().minus(this.marginUsed()).minus(reserved);
  }

  // ---------------------------------------------------------------- internals: events

  private closeOrder(o: SimOrder, status: OrderStatus, reason: string | undefined, time: number): void {
    if (!this.orders.delete(o.orderId)) return;
    this.emitUpdate(o, status, reason, time);
  }

  private emitUpdate(o: SimOrder, status: OrderStatus, reason: string | undefined, time: number): void {
    const update: OrderUpdate = {
      orderId: o.orderId,
      ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
      symbol: o.symbol,
      status,
      filledQuantity: o.filled,
      remainingQuantity:
        status === 'resting' || status === 'partially_filled' ? o.quantity.minus(o.filled) : ZERO,
      ...(reason === undefined ? {} : { reason }),
      timestamp: time,
    };
    for (const l of this.updateListeners) this.call(l, update);
  }

  private ackOf(o: SimOrder): OrderAck {
    const open = this.orders.has(o.orderId);
    const status: OrderStatus = open
      ? o.filled.gt(0)
        ? 'partially_filled'
        : 'resting'
      : o.filled.gte(o.quantity)
        ? 'filled'
        : 'cancelled';
    return {
      orderId: o.orderId,
      ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
      status,
      filledQuantity: o.filled,
      ...(o.filled.gt(0) ? { averagePrice: o.notional.div(o.filled) } : {}),
    };
  }

  private call<T>(listener: Listener<T>, value: T): void {
    try {
      listener(value);
    } catch (error) {
      if (this.onListenerError === undefined) this.listenerErrors.push(error);
      else this.onListenerError(error);
    }
  }

  private flushListenerErrors(): void {
    if (this.listenerErrors.length === 0) return;
    const errors = this.listenerErrors;
    this.listenerErrors = [];
    throw new AggregateError(
      errors,
      `${errors.length} paper exchange listener(s) threw; the operation itself completed`,
    );
  }
}

function isOurDecimal(value: unknown): value is Decimal {
  // Same constructor, not just instanceof: a Decimal from another clone carries other precision settings.
  return value instanceof Decimal && (value.constructor as unknown) === Decimal && value.isFinite();
}

/**
 * The common case without zod: every number already one of our finite Decimals and consistent. Anything
 * else goes through the Candle schema, which also produces the error message.
 */
function fastValidCandle(c: Candle): boolean {
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.symbol === 'string' &&
    Number.isSafeInteger(c.openTime) &&
    c.openTime >= 0 &&
    (c.closeTime === undefined || (Number.isSafeInteger(c.closeTime) && c.closeTime >= c.openTime)) &&
    isOurDecimal(c.open) &&
    isOurDecimal(c.high) &&
    isOurDecimal(c.low) &&
    isOurDecimal(c.close) &&
    isOurDecimal(c.volume) &&
    c.low.gt(0) &&
    !c.volume.isNegative() &&
    candleProblem(c) === undefined
  );
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

/** Maintenance margin rate: half the initial margin rate at max leverage. */
function maintenanceRate(maxLeverage: number): Decimal {
  return new Decimal(1).div(2 * maxLeverage);
}

function subscribe<T>(set: Set<Listener<T>>, listener: Listener<T>): () => void {
  // Wrap so the same function subscribed twice gets two independent subscriptions.
  const entry: Listener<T> = (value) => listener(value);
  set.add(entry);
  return () => {
    set.delete(entry);
  };
}
