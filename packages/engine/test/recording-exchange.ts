import {
  type AccountState,
  Decimal,
  type Exchange,
  ExchangeError,
  type Fill,
  type FundingPayment,
  type MarketPrice,
  type OpenOrder,
  type OrderAck,
  type OrderRequest,
  type OrderUpdate,
  toDecimal,
} from '@hl-bot/core-types';

/**
 * A venue double for engine tests: records every call so a test can assert what reached the exchange,
 * and lets the test push fills, prices and order updates the way a venue would.
 */
export class RecordingExchange implements Exchange {
  readonly name = 'recording';
  readonly placed: Array<{
    order: OrderRequest;
    clientOrderId: string | undefined;
    notAfter?: number | undefined;
  }> = [];
  readonly cancelAllCalls: Array<{ symbol?: string | undefined; reason?: string | undefined }> = [];
  readonly open = new Map<string, OpenOrder>();
  failNextWith: Error | undefined;
  /** How many of the next cancelAllOrders calls fail (a venue that cannot be reached). */
  cancelAllFailures = 0;
  /** What `getOrderStatus` answers per client order id (absent: the venue does not know the order). */
  readonly statuses = new Map<string, OrderUpdate>();
  balance = new Decimal(10_000);
  private seq = 0;
  private readonly fills = new Set<(f: Fill) => void>();
  private readonly updates = new Set<(u: OrderUpdate) => void>();
  private readonly prices = new Set<(p: MarketPrice) => void>();
  private readonly funding = new Set<(p: FundingPayment) => void>();

  constructor(private readonly now: () => number) {}

  async placeOrder(
    order: OrderRequest,
    opts: { clientOrderId?: string; notAfter?: number } = {},
  ): Promise<OrderAck> {
    this.placed.push({ order, clientOrderId: opts.clientOrderId, notAfter: opts.notAfter });
    if (this.failNextWith !== undefined) {
      const error = this.failNextWith;
      this.failNextWith = undefined;
      throw error;
    }
    this.seq += 1;
    const orderId = `v${this.seq}`;
    this.open.set(orderId, {
      orderId,
      ...(opts.clientOrderId === undefined ? {} : { clientOrderId: opts.clientOrderId }),
      symbol: order.symbol,
      side: order.side,
      orderType: order.orderType,
      ...(order.price === undefined ? {} : { price: order.price }),
      quantity: order.quantity,
      filledQuantity: toDecimal(0),
      reduceOnly: order.reduceOnly,
      timeInForce: order.timeInForce,
      createdAt: this.now(),
    });
    return {
      orderId,
      ...(opts.clientOrderId === undefined ? {} : { clientOrderId: opts.clientOrderId }),
      status: 'resting',
      filledQuantity: toDecimal(0),
    };
  }

  async cancelOrder(_symbol: string, orderId: string): Promise<boolean> {
    return this.open.delete(orderId);
  }

  async cancelAllOrders(opts: { symbol?: string; reason?: string } = {}): Promise<number> {
    this.cancelAllCalls.push({ symbol: opts.symbol, reason: opts.reason });
    if (this.cancelAllFailures > 0) {
      this.cancelAllFailures -= 1;
      throw new Error('venue unreachable');
    }
    let n = 0;
    for (const [id, o] of [...this.open]) {
      if (opts.symbol !== undefined && o.symbol !== opts.symbol) continue;
      this.open.delete(id);
      n += 1;
      this.emitUpdate({
        orderId: id,
        ...(o.clientOrderId === undefined ? {} : { clientOrderId: o.clientOrderId }),
        symbol: o.symbol,
        status: 'cancelled',
        filledQuantity: o.filledQuantity,
        remainingQuantity: o.quantity.minus(o.filledQuantity),
        reason: opts.reason ?? 'cancelled',
        timestamp: this.now(),
      });
    }
    return n;
  }

  async getOrderStatus(clientOrderId: string): Promise<OrderUpdate | undefined> {
    return this.statuses.get(clientOrderId);
  }

  async getOpenOrders(): Promise<OpenOrder[]> {
    return [...this.open.values()];
  }

  accountReads = 0;
  /** When set, the next account read waits for it. */
  holdNextAccountRead: Promise<void> | undefined;
  async getAccountState(): Promise<AccountState> {
    this.accountReads += 1;
    const hold = this.holdNextAccountRead;
    this.holdNextAccountRead = undefined;
    const balance = this.balance;
    const timestamp = this.now();
    if (hold !== undefined) await hold;
    return { balance, equity: balance, marginUsed: toDecimal(0), timestamp };
  }

  async getMarketPrice(symbol: string): Promise<MarketPrice> {
    throw new ExchangeError('NO_MARKET_PRICE', `no price for ${symbol}`);
  }

  onFill(l: (f: Fill) => void) {
    this.fills.add(l);
    return () => this.fills.delete(l);
  }
  onOrderUpdate(l: (u: OrderUpdate) => void) {
    this.updates.add(l);
    return () => this.updates.delete(l);
  }
  onPrice(l: (p: MarketPrice) => void) {
    this.prices.add(l);
    return () => this.prices.delete(l);
  }
  onFunding(l: (p: FundingPayment) => void) {
    this.funding.add(l);
    return () => this.funding.delete(l);
  }
  readonly ledger = new Set<
    (c: { amount: Decimal; time: number; kind: string; nonCash: boolean; id?: string }) => void
  >();
  onLedgerUpdate(
    l: (c: { amount: Decimal; time: number; kind: string; nonCash: boolean; id?: string }) => void,
  ) {
    this.ledger.add(l);
    return () => this.ledger.delete(l);
  }
  /** Changes the venue holds (its account reads show them) but has not pushed yet. */
  readonly unpushed: { kind: string; amount: Decimal; time: number; id: string }[] = [];
  syncLedgerFailure: Error | undefined;
  /** Money moves on the venue now; its push is left to `syncLedger` (or `pushLedger`). */
  moveMoney(kind: string, amount: string, id: string): void {
    const a = toDecimal(amount);
    this.balance = this.balance.plus(a);
    this.unpushed.push({ kind, amount: a, time: this.now(), id });
  }
  /** Deletable: a venue with no ledger read has none. */
  ledgerSyncs = 0;
  syncLedger?: () => Promise<void> = async () => {
    this.ledgerSyncs += 1;
    if (this.syncLedgerFailure !== undefined) throw this.syncLedgerFailure;
    this.pushLedger();
  };
  pushLedger(): void {
    for (const c of this.unpushed.splice(0)) for (const l of this.ledger) l({ ...c, nonCash: false });
  }
  emitLedger(kind: string, amount: string, nonCash = false, id?: string): void {
    for (const l of this.ledger) {
      l({ kind, amount: toDecimal(amount), time: this.now(), nonCash, ...(id === undefined ? {} : { id }) });
    }
  }

  readonly references = new Set<
    (r: { symbol: string; markPrice: Decimal; oraclePrice: Decimal; timestamp: number }) => void
  >();
  onReferencePrice(
    l: (r: { symbol: string; markPrice: Decimal; oraclePrice: Decimal; timestamp: number }) => void,
  ) {
    this.references.add(l);
    return () => this.references.delete(l);
  }
  emitReference(symbol: string, mark: string, oracle: string): void {
    for (const l of this.references) {
      l({ symbol, markPrice: toDecimal(mark), oraclePrice: toDecimal(oracle), timestamp: this.now() });
    }
  }

  readonly faults = new Set<(e: Error) => void>();
  onFault(l: (e: Error) => void) {
    this.faults.add(l);
    return () => this.faults.delete(l);
  }
  emitFault(error: Error): void {
    for (const l of this.faults) l(error);
  }

  emitFill(fill: Fill): void {
    for (const l of this.fills) l(fill);
  }
  emitUpdate(update: OrderUpdate): void {
    for (const l of this.updates) l(update);
  }
  emitPrice(symbol: string, price: string, timestamp = this.now()): void {
    for (const l of this.prices) l({ symbol, price: toDecimal(price), timestamp });
  }
  emitFunding(payment: FundingPayment): void {
    for (const l of this.funding) l(payment);
  }
}
