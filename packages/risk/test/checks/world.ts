import {
  Decimal,
  OrderRequest,
  type OrderRequestInput,
  type PositionSnapshotInput,
  type RiskFailure,
  TradingState,
} from '@hl-bot/core-types';
import { GENEROUS_LIMITS } from '../helpers.js';
import {
  type CheckContext,
  CheckMemo,
  EquityEstimate,
  PositionBook,
  RateWindows,
  type ReferenceKind,
  ReferencePriceBook,
  type Reservation,
  ReservationLedger,
  RiskConfig,
  type RiskConfigInput,
  TradingDay,
  valuationPrice,
} from '../internals.js';

/** The moment every hand-built context is taken at. */
export const NOW = Date.parse('2026-03-02T12:00:00Z');

/**
 * The real parts a check reads (positions and marks, holds, rate windows, the trading day), with generous
 * limits except those a test sets. Tests fill them with the parts' own methods, then build a context.
 */
export class World {
  readonly config: RiskConfig;
  readonly book = new PositionBook();
  readonly ledger = new ReservationLedger();
  readonly rates = new RateWindows();
  readonly references = new ReferencePriceBook();
  readonly day: TradingDay;
  readonly memo: CheckMemo;
  private seq = 0;

  constructor(limits: RiskConfigInput = {}) {
    this.config = RiskConfig.from({ ...GENEROUS_LIMITS, ...limits });
    this.day = new TradingDay(this.config, NOW);
    this.memo = new CheckMemo(this.config);
  }

  mark(symbol: string, price: string, timestamp = NOW): this {
    this.book.setMark(symbol, new Decimal(price), timestamp);
    return this;
  }

  /** The venue's mark or oracle price of a symbol, as the engine feeds it. */
  reference(symbol: string, kind: ReferenceKind, price: string, timestamp = NOW): this {
    this.references.set(symbol, kind, new Decimal(price), timestamp);
    return this;
  }

  position(input: PositionSnapshotInput): this {
    this.book.upsertInput(input);
    return this;
  }

  /** A hold as an approval leaves it. */
  hold(order: OrderRequestInput, opening = true): Reservation {
    const o = OrderRequest.parse(order);
    const price = o.price ?? new Decimal(1);
    const r: Reservation = {
      id: `r${++this.seq}`,
      symbol: o.symbol,
      side: o.side,
      quantity: o.quantity,
      price,
      notional: o.quantity.times(price),
      opening,
      newPositionSlot: opening,
      clientOrderId: o.clientOrderId,
      createdAt: NOW,
      status: 'reserved',
      expiresAt: null,
    };
    this.ledger.add(r);
    return r;
  }

  /**
   * A context for `order` as the manager takes it: $10,000 confirmed equity, the order's mark from the book
   * (when fresh), nothing derived yet. `over` replaces any field.
   */
  context(order: OrderRequestInput, over: Partial<CheckContext> = {}): CheckContext {
    const o = OrderRequest.parse(order);
    const equity = 'equity' in over ? (over.equity ?? null) : new Decimal(10000);
    const limits = equity?.gt(0) ? new EquityEstimate(this.config).limitsFor(equity) : null;
    const mark = this.book.mark(o.symbol);
    return {
      order: o,
      now: NOW,
      config: this.config,
      positions: this.book,
      holds: this.ledger,
      references: this.references,
      overlap: 0,
      rates: this.rates,
      day: this.day,
      memo: this.memo,
      auditFailure: null,
      breaker: null,
      tradingState: TradingState.ACTIVE,
      reducingReason: null,
      accountConfirmed: equity !== null,
      equity,
      limits,
      mark:
        mark === undefined || NOW - mark.timestamp > this.config.maxMarketPriceAgeMs ? undefined : mark.price,
      reducing: false,
      worstPrice: undefined,
      valuation: undefined,
      notional: undefined,
      ...over,
    };
  }
}

/** The context with the valuation and notional the pipeline derives before the size limits. */
export function valued(ctx: CheckContext): CheckContext {
  const v = valuationPrice(ctx);
  return { ...ctx, valuation: v, notional: v === undefined ? undefined : ctx.order.quantity.times(v) };
}

export function run(
  check: (ctx: CheckContext, out: RiskFailure[]) => unknown,
  ctx: CheckContext,
): RiskFailure[] {
  const out: RiskFailure[] = [];
  check(ctx, out);
  return out;
}

export function buy(quantity: string, price = '50000', symbol = 'BTC-USD'): OrderRequestInput {
  return { symbol, side: 'buy', orderType: 'limit', quantity, price };
}

export function sell(quantity: string, price = '50000', symbol = 'BTC-USD'): OrderRequestInput {
  return { symbol, side: 'sell', orderType: 'limit', quantity, price };
}
