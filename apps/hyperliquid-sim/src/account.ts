// Over 400 lines on purpose: SimAccount's order, cloid, fill, position and funding books are private, and
// both its writes (place, cancel, bars) and its wire answers (clearinghouseState, openOrders, orderStatus)
// read them; splitting the answers out would make those books public to the rest of the simulator.
import { createHash } from 'node:crypto';
import {
  Decimal,
  ExchangeError,
  type Fill,
  type OrderRequest,
  type OrderUpdate,
  toDecimal,
  ZERO,
} from '@hl-bot/core-types';
import { dexOfCoin, type OrderWire } from '@hl-bot/exchange-hyperliquid/wire';
import { type Candle, PaperExchange } from '@hl-bot/paper-exchange';
import { type SimCoin, tickAt } from './market.js';
import { wireDecimal } from './wire-decimal.js';

/** A fill exactly as Hyperliquid sends it (decimals as strings). */
export interface WireFill {
  coin: string;
  px: string;
  sz: string;
  side: 'B' | 'A';
  time: number;
  startPosition: string;
  dir: string;
  closedPnl: string;
  hash: string;
  oid: number;
  crossed: boolean;
  fee: string;
  tid: number;
  feeToken: 'USDC';
  cloid?: string;
  liquidation?: { liquidatedUser: string; markPx: string; method: 'market' };
  /** The venue sends `null` outside TWAP orders (hl-sim has no TWAPs). */
  twapId: number | null;
}

/** One hourly funding payment as the `userFundings` stream sends it (`usdc` signed: negative = paid). */
export interface WireFunding {
  time: number;
  coin: string;
  usdc: string;
  szi: string;
  fundingRate: string;
}

/** One non-funding ledger update as the venue sends it (the SDK's recordings' shape). */
export interface WireLedgerUpdate {
  time: number;
  hash: string;
  delta: { type: 'deposit'; usdc: string } | { type: 'withdraw'; usdc: string; nonce: number; fee: string };
}

/** The venue's fee of a withdrawal (USDC), taken from the account on top of the amount. */
const WITHDRAW_FEE = '1.0';

/** One order as the venue remembers it (open or finished). */
export interface OrderRecord {
  oid: number;
  paperId: string | undefined;
  coin: string;
  asset: number;
  side: 'B' | 'A';
  limitPx: Decimal;
  origSz: Decimal;
  sz: Decimal;
  timestamp: number;
  cloid: string | undefined;
  reduceOnly: boolean;
  tif: 'Gtc' | 'Ioc' | 'Alo' | null;
  trigger: { isMarket: boolean; triggerPx: Decimal; tpsl: 'tp' | 'sl' } | undefined;
  status: string;
  statusTimestamp: number;
  filledNotional: Decimal;
}

/** An `orderUpdates` element. */
export interface WireOrderUpdate {
  order: Record<string, unknown>;
  status: string;
  statusTimestamp: number;
}

/** Result of one order of an order action, in wire shape. */
export type WireOrderStatus =
  | { resting: { oid: number; cloid?: string } }
  | { filled: { totalSz: string; avgPx: string; oid: number; cloid?: string } }
  | { error: string };

/** Shared id counters and clock of one simulator (oids and tids are unique across accounts). */
export interface SimIds {
  now(): number;
  nextOid(): number;
  nextTid(): number;
}

const CLOSE_STATUS: ReadonlyArray<readonly [RegExp, string]> = [
  [/cancelled by user/, 'canceled'],
  [/scheduledCancel/, 'scheduledCancel'],
  [/^modified$/, 'canceled'],
  [/reduce-only/, 'reduceOnlyCanceled'],
  [/insufficient margin/, 'marginCanceled'],
  [/liquidation/, 'liquidatedCanceled'],
  [/post-only/, 'badAloPxRejected'],
  [/could not match within its limit/, 'iocCancelRejected'],
];

function closeStatus(reason: string | undefined): string {
  for (const [re, status] of CLOSE_STATUS) if (reason !== undefined && re.test(reason)) return status;
  return 'canceled';
}

function dirOf(before: Decimal, signed: Decimal): string {
  const after = before.plus(signed);
  if (before.isZero()) return signed.gt(0) ? 'Open Long' : 'Open Short';
  if (before.gt(0)) {
    if (signed.gt(0)) return 'Open Long';
    return after.gte(0) ? 'Close Long' : 'Long > Short';
  }
  if (signed.lt(0)) return 'Open Short';
  return after.lte(0) ? 'Close Short' : 'Short > Long';
}

/** Every paper order carries `sim-<oid>` as its client order id: events map back to oids through it. */
function oidOfToken(token: string | undefined): number | undefined {
  return token?.startsWith('sim-') === true ? Number(token.slice(4)) : undefined;
}

const s = wireDecimal;
/** Display rounding for derived account numbers (fills and prices stay exact). */
const r6 = (d: Decimal): string => s(d.toDecimalPlaces(6));

/**
 * One master account: a PaperExchange (the matching and the ledger) plus everything Hyperliquid's wire
 * protocol needs on top: numeric oids, cloids, fills with startPosition/dir/tid, order statuses.
 */
export class SimAccount {
  readonly address: string;
  readonly paper: PaperExchange;
  readonly #coins: readonly SimCoin[];
  readonly #ids: SimIds;
  readonly #orders = new Map<number, OrderRecord>();
  readonly #byPaper = new Map<string, number>();
  readonly #marks = new Map<string, Decimal>();
  readonly #byCloid = new Map<string, number>();
  readonly #fills: WireFill[] = [];
  readonly #positions = new Map<string, Decimal>();
  readonly #funding = new Map<string, { allTime: Decimal; sinceOpen: Decimal }>();
  #pendingFills: WireFill[] = [];
  #pendingUpdates: WireOrderUpdate[] = [];
  #pendingFundings: WireFunding[] = [];
  readonly #fundings: WireFunding[] = [];
  #pendingLedger: WireLedgerUpdate[] = [];
  readonly #ledger: WireLedgerUpdate[] = [];
  #cumVlm: Decimal = ZERO;
  actionsUsed = 0;
  scheduledCancel: number | undefined;

  constructor(address: string, balance: Decimal, coins: readonly SimCoin[], ids: SimIds, seed: number) {
    this.address = address;
    this.#coins = coins;
    this.#ids = ids;
    this.paper = new PaperExchange({
      name: 'hl-sim',
      startBalance: balance,
      instruments: Object.fromEntries(
        coins.map((c) => [`${c.coin}-USD`, { szDecimals: c.szDecimals, maxLeverage: c.maxLeverage }]),
      ),
      // Hyperliquid answers an IOC at once: take at the last price instead of waiting for the next bar.
      fillMarketOrdersAt: 'last-close',
      seed,
      onListenerError: (error) => {
        throw error;
      },
    });
    this.paper.onFill((f) => this.#onFill(f));
    this.paper.onOrderUpdate((u) => this.#onUpdate(u));
    this.paper.onFunding((p) => {
      const coin = p.symbol.slice(0, -4);
      const wire: WireFunding = {
        // The hour it settles, as the venue stamps it (two hours in one bar are two payments, not one).
        time: p.time,
        coin,
        usdc: r6(p.amount),
        szi: s(p.positionSize ?? this.#positions.get(coin) ?? ZERO),
        fundingRate: s(p.rate ?? ZERO),
      };
      this.#fundings.push(wire);
      this.#pendingFundings.push(wire);
      const f = this.#funding.get(coin) ?? { allTime: ZERO, sinceOpen: ZERO };
      // Hyperliquid reports cumFunding as paid (positive = the account paid), the sum of what it streamed.
      const streamed = p.amount.toDecimalPlaces(6);
      f.allTime = f.allTime.minus(streamed);
      f.sinceOpen = f.sinceOpen.minus(streamed);
      this.#funding.set(coin, f);
    });
  }

  // ---- events --------------------------------------------------------------------------------------

  /** Fills and order updates produced since the last call (the server streams them). */
  drain(): {
    fills: WireFill[];
    updates: WireOrderUpdate[];
    fundings: WireFunding[];
    ledger: WireLedgerUpdate[];
  } {
    const out = {
      fills: this.#pendingFills,
      updates: this.#pendingUpdates,
      fundings: this.#pendingFundings,
      ledger: this.#pendingLedger,
    };
    this.#pendingFills = [];
    this.#pendingUpdates = [];
    this.#pendingFundings = [];
    this.#pendingLedger = [];
    return out;
  }

  /** Every non-funding ledger update, oldest first (the stream's snapshot and the info answer). */
  get ledger(): readonly WireLedgerUpdate[] {
    return this.#ledger;
  }

  /**
   * A deposit or a withdrawal of `usdc` (positive), applied to the balance at once and streamed as the
   * venue's ledger update. A withdrawal also takes the venue's 1 USDC fee.
   * `stream: false` records the update where REST and a stream snapshot show it but pushes nothing: the
   * venue's push arriving late, or lost with a connection.
   * @throws {ExchangeError} `INSUFFICIENT_MARGIN` for a withdrawal of more than the free margin
   */
  transfer(kind: 'deposit' | 'withdraw', usdc: Decimal, opts: { stream?: boolean } = {}): WireLedgerUpdate {
    if (!usdc.isPositive()) throw new ExchangeError('ORDER_REJECTED', 'a transfer needs a positive usdc');
    const time = this.#ids.now();
    if (kind === 'deposit') this.paper.transferFunds(usdc);
    else this.paper.transferFunds(usdc.plus(WITHDRAW_FEE).neg());
    const seq = this.#ledger.length + 1;
    const hash = `0x${createHash('sha256').update(`${this.address}:ledger:${seq}:${time}`).digest('hex')}`;
    const update: WireLedgerUpdate = {
      time,
      hash,
      delta:
        kind === 'deposit'
          ? { type: 'deposit', usdc: s(usdc) }
          : { type: 'withdraw', usdc: s(usdc), nonce: time * 1000, fee: WITHDRAW_FEE },
    };
    this.#ledger.push(update);
    if (opts.stream !== false) this.#pendingLedger.push(update);
    return update;
  }

  /** Every funding payment, oldest first (the stream's snapshot). */
  get fundings(): readonly WireFunding[] {
    return this.#fundings;
  }

  #onFill(f: Fill): void {
    const coin = f.symbol.slice(0, -4);
    const isLiquidation = f.orderId.startsWith('liq-');
    let oid = oidOfToken(f.clientOrderId) ?? this.#byPaper.get(f.orderId);
    if (oid === undefined) {
      // Liquidation fills belong to no order: they get an oid of their own.
      oid = this.#ids.nextOid();
      this.#byPaper.set(f.orderId, oid);
    }
    const record = this.#orders.get(oid);
    const before = this.#positions.get(coin) ?? ZERO;
    const signed = f.side === 'buy' ? f.quantity : f.quantity.neg();
    const after = before.plus(signed);
    if (after.isZero()) this.#positions.delete(coin);
    else this.#positions.set(coin, after);
    if (before.isZero() || after.isZero() || before.gt(0) !== after.gt(0)) {
      const fund = this.#funding.get(coin);
      if (fund !== undefined) fund.sinceOpen = ZERO;
    }
    const tid = this.#ids.nextTid();
    const fill: WireFill = {
      coin,
      px: s(f.price),
      sz: s(f.quantity),
      side: f.side === 'buy' ? 'B' : 'A',
      time: this.#ids.now(),
      startPosition: s(before),
      dir: isLiquidation ? `Liquidated ${before.gt(0) ? 'Long' : 'Short'}` : dirOf(before, signed),
      closedPnl: s(f.closedPnl ?? ZERO),
      hash: `0x${tid.toString(16).padStart(64, '0')}`,
      oid,
      crossed: f.liquidity === 'taker',
      fee: s(f.fee),
      tid,
      feeToken: 'USDC',
      ...(record?.cloid === undefined ? {} : { cloid: record.cloid }),
      ...(isLiquidation
        ? { liquidation: { liquidatedUser: this.address, markPx: s(f.price), method: 'market' as const } }
        : {}),
      twapId: null,
    };
    this.#cumVlm = this.#cumVlm.plus(f.quantity.times(f.price));
    if (record !== undefined) {
      record.sz = Decimal.max(ZERO, record.sz.minus(f.quantity));
      record.filledNotional = record.filledNotional.plus(f.quantity.times(f.price));
    }
    this.#fills.push(fill);
    this.#pendingFills.push(fill);
  }

  #onUpdate(u: OrderUpdate): void {
    const oid = oidOfToken(u.clientOrderId);
    const record = oid === undefined ? undefined : this.#orders.get(oid);
    if (record === undefined) return;
    let status: string;
    if (u.status === 'filled') status = 'filled';
    else if (u.status === 'cancelled' || u.status === 'rejected') status = closeStatus(u.reason);
    else if (u.reason === 'triggered') status = 'triggered';
    else status = 'open';
    // A cancelled or rejected order keeps the size it had left, as the venue reports it (historicalOrders:
    // an unfilled canceled order has sz == origSz); zero would read as "filled" to a client (origSz - sz).
    if (u.status === 'filled') record.sz = ZERO;
    else if (u.status !== 'cancelled' && u.status !== 'rejected') record.sz = u.remainingQuantity;
    if (u.status === 'partially_filled' && record.status === 'open') return;
    record.status = status;
    record.statusTimestamp = this.#ids.now();
    this.#pendingUpdates.push({
      order: this.#wireOrder(record),
      status,
      statusTimestamp: record.statusTimestamp,
    });
    // A triggered order lives on as an open order working at its limit.
    if (status === 'triggered') record.status = 'open';
  }

  // ---- orders --------------------------------------------------------------------------------------

  #coin(asset: number): SimCoin | undefined {
    return this.#coins.find((c) => c.asset === asset);
  }

  /** Best bid and ask of the simulated book around the last price. */
  bbo(coin: SimCoin, mark: Decimal): [Decimal, Decimal] {
    const tick = tickAt(mark, coin.szDecimals);
    return [mark.minus(tick), mark.plus(tick)];
  }

  /** True when a cloid was already used by an order of this account. */
  hasCloid(cloid: string): boolean {
    return this.#byCloid.has(cloid);
  }

  /**
   * Places one validated wire order through the paper exchange and answers in wire shape.
   * Tick, lot and asset checks happen before (in the server), so the venue's texts come first.
   */
  async place(wire: OrderWire): Promise<WireOrderStatus> {
    const coin = this.#coin(wire.a);
    if (coin === undefined) return { error: `Order has invalid asset. asset=${wire.a}` };
    const symbol = `${coin.coin}-USD`;
    const suffix = ` asset=${wire.a}`;
    const oid = this.#ids.nextOid();
    const token = `sim-${oid}`;
    const limitPx = toDecimal(wire.p);
    const size = toDecimal(wire.s);
    const t = wire.t;
    const trigger =
      'trigger' in t
        ? { isMarket: t.trigger.isMarket, triggerPx: toDecimal(t.trigger.triggerPx), tpsl: t.trigger.tpsl }
        : undefined;
    const tif = 'limit' in t ? t.limit.tif : null;
    const request: OrderRequest = {
      symbol,
      side: wire.b ? 'buy' : 'sell',
      quantity: size,
      reduceOnly: wire.r,
      clientOrderId: token,
      ...(trigger === undefined
        ? {
            orderType: 'limit' as const,
            price: limitPx,
            timeInForce:
              tif === 'Ioc' ? ('IOC' as const) : tif === 'Alo' ? ('post-only' as const) : ('GTC' as const),
          }
        : trigger.tpsl === 'tp'
          ? {
              orderType: 'take-profit' as const,
              triggerPrice: trigger.triggerPx,
              ...(trigger.isMarket ? {} : { price: limitPx }),
              timeInForce: 'GTC' as const,
            }
          : trigger.isMarket
            ? {
                orderType: 'stop-market' as const,
                triggerPrice: trigger.triggerPx,
                timeInForce: 'GTC' as const,
              }
            : {
                orderType: 'stop-limit' as const,
                triggerPrice: trigger.triggerPx,
                price: limitPx,
                timeInForce: 'GTC' as const,
              }),
    };
    const now = this.#ids.now();
    const record: OrderRecord = {
      oid,
      paperId: undefined,
      coin: coin.coin,
      asset: wire.a,
      side: wire.b ? 'B' : 'A',
      limitPx,
      origSz: size,
      sz: size,
      timestamp: now,
      cloid: wire.c,
      reduceOnly: wire.r,
      tif,
      trigger,
      status: 'open',
      statusTimestamp: now,
      filledNotional: ZERO,
    };
    // Registered before placing: the paper exchange reports the order's first events from inside placeOrder.
    this.#orders.set(oid, record);
    if (wire.c !== undefined) this.#byCloid.set(wire.c, oid);
    let ack: Awaited<ReturnType<PaperExchange['placeOrder']>>;
    try {
      ack = await this.paper.placeOrder(request);
    } catch (error) {
      this.#orders.delete(oid);
      if (wire.c !== undefined) this.#byCloid.delete(wire.c);
      return { error: this.#venueText(error, coin, suffix) };
    }
    record.paperId = ack.orderId;
    const cloid = wire.c === undefined ? {} : { cloid: wire.c };
    if (ack.status === 'filled' || (ack.status === 'cancelled' && ack.filledQuantity.gt(0))) {
      return {
        filled: {
          totalSz: s(ack.filledQuantity),
          avgPx: r6(ack.averagePrice ?? limitPx),
          oid,
          ...cloid,
        },
      };
    }
    if (ack.status === 'cancelled') {
      if (tif === 'Ioc')
        return { error: `Order could not immediately match against any resting orders.${suffix}` };
      if (record.status === 'marginCanceled')
        return { error: `Insufficient margin to place order.${suffix}` };
      if (record.status === 'reduceOnlyCanceled') {
        return { error: `Reduce only order would increase position.${suffix}` };
      }
      return { error: `Order was canceled: ${record.status}.${suffix}` };
    }
    return { resting: { oid, ...cloid } };
  }

  #venueText(error: unknown, coin: SimCoin, suffix: string): string {
    if (!(error instanceof ExchangeError)) return error instanceof Error ? error.message : String(error);
    switch (error.code) {
      case 'MIN_NOTIONAL':
        return `Order must have minimum value of $10.${suffix}`;
      case 'INSUFFICIENT_MARGIN':
        return `Insufficient margin to place order.${suffix}`;
      case 'REDUCE_ONLY_VIOLATION':
        return `Reduce only order would increase position.${suffix}`;
      case 'POST_ONLY_WOULD_CROSS': {
        const mark = this.mark(coin.coin) ?? ZERO;
        const [bid, ask] = this.bbo(coin, mark);
        return `Post only order would have immediately matched, bbo was ${s(bid)}@${s(ask)}.${suffix}`;
      }
      case 'INVALID_PRICE':
        return `Price must be divisible by tick size.${suffix}`;
      case 'INVALID_SIZE':
        return 'Order has invalid size.';
      case 'NO_MARKET_PRICE':
        return `No liquidity available for market order.${suffix}`;
      default:
        return `${error.message}${suffix}`;
    }
  }

  /** The last price of a coin (undefined before its first bar). */
  mark(coin: string): Decimal | undefined {
    return this.#marks.get(coin);
  }

  /** Finds an order by oid or cloid. */
  find(id: number | string): OrderRecord | undefined {
    const oid = typeof id === 'number' ? id : this.#byCloid.get(id);
    return oid === undefined ? undefined : this.#orders.get(oid);
  }

  /** Cancels an open order; false when it is not open (never placed, cancelled or filled). */
  async cancel(record: OrderRecord, reason = 'cancelled by user'): Promise<boolean> {
    if (record.status !== 'open' || record.paperId === undefined) return false;
    const symbol = `${record.coin}-USD`;
    if (reason === 'cancelled by user') return this.paper.cancelOrder(symbol, record.paperId);
    const before = this.#pendingUpdates.length;
    const ok = await this.paper.cancelOrder(symbol, record.paperId);
    // cancelOrder always reports "cancelled by user"; rewrite the status for other reasons.
    for (const u of this.#pendingUpdates.slice(before)) {
      if (u.order.oid === record.oid) u.status = reason;
    }
    if (ok) record.status = reason;
    return ok;
  }

  /** Cancels every open order with a status (scheduledCancel). Returns how many. */
  async cancelAll(status: string): Promise<number> {
    let n = 0;
    for (const o of [...this.#orders.values()]) if (await this.cancel(o, status)) n += 1;
    return n;
  }

  /** Feeds one bar to the ledger. */
  async onBar(bar: Candle): Promise<void> {
    await this.paper.onBar(bar);
    this.#marks.set(bar.symbol.slice(0, -4), bar.close);
  }

  // ---- reads ---------------------------------------------------------------------------------------

  #wireOrder(o: OrderRecord): Record<string, unknown> {
    return {
      coin: o.coin,
      side: o.side,
      limitPx: s(o.limitPx),
      sz: s(o.sz),
      oid: o.oid,
      timestamp: o.timestamp,
      origSz: s(o.origSz),
      ...(o.cloid === undefined ? {} : { cloid: o.cloid }),
      ...(o.reduceOnly ? { reduceOnly: true } : {}),
    };
  }

  #frontendOrder(o: OrderRecord): Record<string, unknown> {
    const t = o.trigger;
    const orderType =
      t === undefined
        ? 'Limit'
        : `${t.tpsl === 'tp' ? 'Take Profit' : 'Stop'} ${t.isMarket ? 'Market' : 'Limit'}`;
    const above = t !== undefined && (t.tpsl === 'tp') === (o.side === 'A');
    return {
      ...this.#wireOrder(o),
      orderType,
      tif: o.tif,
      isTrigger: t !== undefined,
      triggerPx: t === undefined ? '0.0' : s(t.triggerPx),
      triggerCondition: t === undefined ? 'N/A' : `Price ${above ? 'above' : 'below'} ${s(t.triggerPx)}`,
      isPositionTpsl: false,
      reduceOnly: o.reduceOnly,
      children: [],
      cloid: o.cloid ?? null,
    };
  }

  openOrders(frontend: boolean, dex = ''): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const o of this.#orders.values()) {
      if (o.status !== 'open' || dexOfCoin(o.coin) !== dex) continue;
      if (frontend) {
        out.push(this.#frontendOrder(o));
      } else {
        // The venue's openOrders leaves out origSz (docs example and SDK recordings).
        const { origSz: _, ...basic } = this.#wireOrder(o);
        out.push(basic);
      }
    }
    return out.sort((a, b) => (b.timestamp as number) - (a.timestamp as number));
  }

  orderStatus(id: number | string): Record<string, unknown> {
    const o = this.find(id);
    if (o === undefined) return { status: 'unknownOid' };
    return {
      status: 'order',
      order: { order: this.#frontendOrder(o), status: o.status, statusTimestamp: o.statusTimestamp },
    };
  }

  /** All fills, oldest first. */
  get fills(): readonly WireFill[] {
    return this.#fills;
  }

  userRateLimit(): Record<string, unknown> {
    return {
      cumVlm: r6(this.#cumVlm),
      nRequestsUsed: this.actionsUsed,
      nRequestsCap: 10_000 + this.#cumVlm.floor().toNumber(),
      nRequestsSurplus: 0,
    };
  }

  /** Token balances; only a unified account keeps its USDC here (a standard one keeps it in perps). */
  async spotClearinghouseState(unified: boolean): Promise<Record<string, unknown>> {
    if (!unified) return { balances: [] };
    const account = await this.paper.getAccountState();
    return {
      balances: [
        {
          coin: 'USDC',
          token: 0,
          hold: r6(account.marginUsed),
          total: r6(account.balance),
          entryNtl: '0.0',
        },
      ],
    };
  }

  /**
   * The perp dex's user state. For a unified account the collateral lives in spot, so the account value
   * here is only the positions' unrealized P&L: a client that reads it as equity measures nearly zero.
   */
  async clearinghouseState(now: number, unified = false, dex = ''): Promise<Record<string, unknown>> {
    const account = await this.paper.getAccountState();
    const all = this.paper.getPositions().map((p) => {
      const markPrice = p.markPrice ?? this.#marks.get(p.symbol.slice(0, -4)) ?? p.entryPrice;
      const signedQuantity = p.signedQuantity ?? (p.side === 'long' ? p.quantity : p.quantity.neg());
      return {
        symbol: p.symbol,
        quantity: p.quantity,
        entryPrice: p.entryPrice,
        markPrice,
        signedQuantity,
        unrealizedPnl: signedQuantity.times(markPrice.minus(p.entryPrice)),
      };
    });
    // One ledger backs every dex (as in a unified account). Each dex reports its own positions; the first
    // dex carries the cash, so the dexes' account values add up to the ledger's equity.
    const positions = all.filter((p) => dexOfCoin(p.symbol.slice(0, -4)) === dex);
    const others = all.filter((p) => dexOfCoin(p.symbol.slice(0, -4)) !== dex);
    const marginOf = (list: typeof all) =>
      list.reduce(
        (acc, p) => acc.plus(p.quantity.times(p.markPrice).div(this.paper.getLeverage(p.symbol))),
        ZERO,
      );
    const upnlOf = (list: typeof all) => list.reduce((acc, p) => acc.plus(p.unrealizedPnl), ZERO);
    const balance = account.balance;
    let totalNtl = ZERO;
    let signedNtl = ZERO;
    let maint = ZERO;
    const mmrOf = (coin: string) =>
      new Decimal(1).div(2 * (this.#coins.find((c) => c.coin === coin)?.maxLeverage ?? 1));
    for (const p of positions) {
      const coin = p.symbol.slice(0, -4);
      totalNtl = totalNtl.plus(p.quantity.times(p.markPrice));
      signedNtl = signedNtl.plus(p.signedQuantity.times(p.markPrice));
      maint = maint.plus(p.quantity.times(p.markPrice).times(mmrOf(coin)));
    }
    const assetPositions = positions.map((p) => {
      const coin = p.symbol.slice(0, -4);
      const info = this.#coins.find((c) => c.coin === coin);
      const leverage = this.paper.getLeverage(p.symbol);
      const value = p.quantity.times(p.markPrice);
      const margin = value.div(leverage);
      const initial = p.quantity.times(p.entryPrice).div(leverage);
      // Cross liquidation price: where account equity equals the maintenance requirement, other marks fixed.
      let otherUnreal = ZERO;
      let otherMaint = ZERO;
      for (const o of all) {
        if (o.symbol === p.symbol) continue;
        otherUnreal = otherUnreal.plus(o.unrealizedPnl);
        otherMaint = otherMaint.plus(o.quantity.times(o.markPrice).times(mmrOf(o.symbol.slice(0, -4))));
      }
      const q = p.signedQuantity;
      const denom = q.minus(q.abs().times(mmrOf(coin)));
      const liq = denom.isZero()
        ? undefined
        : otherMaint.minus(balance).minus(otherUnreal).plus(q.times(p.entryPrice)).div(denom);
      const fund = this.#funding.get(coin) ?? { allTime: ZERO, sinceOpen: ZERO };
      return {
        type: 'oneWay',
        position: {
          coin,
          szi: s(q),
          // Isolated as the venue reports it: marginUsed = rawUsd + szi x mark (the docs' clearinghouseState).
          leverage:
            info?.isolatedOnly === true
              ? { type: 'isolated', value: leverage, rawUsd: r6(margin.minus(q.times(p.markPrice))) }
              : { type: 'cross', value: leverage },
          entryPx: r6(p.entryPrice),
          positionValue: r6(value),
          unrealizedPnl: r6(p.unrealizedPnl),
          returnOnEquity: initial.isZero() ? '0.0' : r6(p.unrealizedPnl.div(initial)),
          liquidationPx: liq === undefined || liq.lte(0) ? null : r6(liq),
          marginUsed: r6(margin),
          maxLeverage: info?.maxLeverage ?? leverage,
          cumFunding: {
            allTime: r6(fund.allTime),
            sinceOpen: r6(fund.sinceOpen),
            sinceChange: r6(fund.sinceOpen),
          },
        },
      };
    });
    const value = unified || dex !== '' ? upnlOf(positions) : account.equity.minus(upnlOf(others));
    const marginUsed =
      dex === '' ? Decimal.max(ZERO, account.marginUsed.minus(marginOf(others))) : marginOf(positions);
    const summary = {
      accountValue: r6(value),
      totalNtlPos: r6(totalNtl),
      totalRawUsd: r6(value.minus(signedNtl)),
      totalMarginUsed: r6(marginUsed),
    };
    return {
      marginSummary: summary,
      crossMarginSummary: summary,
      crossMaintenanceMarginUsed: r6(maint),
      withdrawable:
        unified || dex !== '' ? '0.0' : r6(Decimal.max(ZERO, account.equity.minus(account.marginUsed))),
      assetPositions,
      time: now,
    };
  }
}
