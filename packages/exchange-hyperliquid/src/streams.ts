import {
  type Clock,
  type Decimal,
  FundingPayment,
  type MarketPrice,
  type OrderUpdate,
} from '@hl-bot/core-types';
import type { z } from 'zod';
import type { AccountReader } from './account.js';
import type { AssetCatalog } from './assets.js';
import type { ClientOrderIds } from './client-order-ids.js';
import { HyperliquidClientError, HyperliquidResponseError } from './errors.js';
import { FillStream, reportInvalidMessage } from './fill-stream.js';
import type { FillDeduper } from './fills.js';
import { toOrderUpdate } from './fills.js';
import type { InfoReads } from './info.js';
import {
  type PerpAssetCtx,
  WsActiveAssetCtxSchema,
  WsAllMidsSchema,
  WsFundingSchema,
  type WsOrderUpdate,
  WsOrderUpdatesSchema,
  WsUserFundingsSchema,
} from './info-schemas.js';
import {
  type LedgerChange,
  type LedgerUpdate,
  LedgerUpdateSchema,
  ledgerChange,
  WsLedgerUpdatesSchema,
} from './ledger.js';
import { inScope, type OrderScope } from './order-scope.js';
import type { Address } from './private-key.js';
import { asError, notify, type Reporter } from './reporter.js';
import { coinToSymbol } from './symbols.js';
import { HyperliquidWebSocket } from './ws.js';

type WsFunding = z.output<typeof WsFundingSchema>;

/** How far back past the previous sync a ledger sync reads again (clock skew, REST lag). */
const LEDGER_SYNC_OVERLAP_MS = 5 * 60_000;

export interface StreamsDeps {
  wsUrl: string;
  wsOptions: {
    pingIntervalMs?: number;
    pongTimeoutMs?: number;
    reconnectDelayMs?: number;
    maxReconnectDelayMs?: number;
  };
  random: () => number;
  clock: Clock;
  account: Address | undefined;
  reads: InfoReads;
  assets: AssetCatalog;
  accountReader: AccountReader;
  ids: ClientOrderIds;
  reporter: Reporter;
  deduper: FillDeduper;
  /** Symbols whose venue mark and oracle price stream (`activeAssetCtx`, one subscription each). */
  referenceSymbols: readonly string[];
  /** Which of the account's orders and fills are this client's (default all). */
  scope: OrderScope | undefined;
}

/** The venue's reference prices of one symbol, as `onReferencePrice` delivers them. */
export interface ReferencePrice {
  symbol: string;
  /** The venue's mark price (`markPx`). */
  markPrice: Decimal;
  /** The venue's oracle price (`oraclePx`). */
  oraclePrice: Decimal;
  /** When the client received it (the venue's message carries no time). */
  timestamp: number;
}

/**
 * The account's WebSocket streams: fills (through FillStream, with backfill and dedupe), order updates,
 * mids, funding payments and non-funding ledger changes, each delivered once to its listeners. Whatever is
 * history (before `fillsSince`) or on a coin the client does not trade is not delivered.
 */
export class Streams {
  readonly fills: FillStream;
  readonly updateListeners = new Set<(update: OrderUpdate) => void>();
  readonly priceListeners = new Set<(price: MarketPrice) => void>();
  readonly fundingListeners = new Set<(payment: FundingPayment) => void>();
  readonly ledgerListeners = new Set<(change: LedgerChange) => void>();
  readonly referenceListeners = new Set<(ref: ReferencePrice) => void>();
  readonly #d: StreamsDeps;
  readonly #seenFundings = new Set<string>();
  readonly #seenLedger = new Set<string>();
  readonly #seenUnreadable = new Set<string>();
  /** The client's time at the start of the last `syncLedger` that completed. */
  #ledgerSyncedAt: number | undefined;
  /** Ledger changes being audited, then delivered (from the stream or a sync). */
  readonly #ledgerInFlight = new Set<Promise<void>>();
  #ws: HyperliquidWebSocket | undefined;
  #reconnects = 0;

  constructor(deps: StreamsDeps) {
    this.#d = deps;
    this.fills = new FillStream(deps);
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  async start(opts: { timeoutMs?: number }): Promise<void> {
    if (this.#ws !== undefined) return;
    const d = this.#d;
    const user = d.reads.requireAccount(undefined);
    // An account the client cannot measure must not trade: an unknown mode is a start-up error.
    await d.accountReader.mode();
    const assets = await d.assets.load(false);
    // An unknown symbol is a start-up error (UnknownAssetError), never a stream that stays silent.
    const referenceCoins = d.referenceSymbols.map((symbol) => assets.bySymbol(symbol));
    const ws = new HyperliquidWebSocket({
      url: d.wsUrl,
      ...d.wsOptions,
      random: d.random,
      onOpen: (info) => {
        if (info.reconnect) this.#reconnects += 1;
        this.fills.scheduleBackfill();
      },
      onMessage: (channel, data) => this.#onMessage(channel, data),
      onError: (error) => {
        d.reporter.emitError(error);
        void d.reporter.recordError(error, 'websocket');
      },
    });
    this.#ws = ws;
    // One allMids stream per perp dex: without `dex` the venue sends the first dex's mids only.
    for (const dex of assets.dexes())
      ws.subscribe(dex === '' ? { type: 'allMids' } : { type: 'allMids', dex });
    ws.subscribe({ type: 'userFills', user });
    ws.subscribe({ type: 'orderUpdates', user });
    ws.subscribe({ type: 'userFundings', user });
    ws.subscribe({ type: 'userNonFundingLedgerUpdates', user });
    for (const a of referenceCoins) ws.subscribe({ type: 'activeAssetCtx', coin: a.coin });
    const timeoutMs = opts.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ws.connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new HyperliquidClientError(
                  'HL_NOT_CONNECTED',
                  `WebSocket ${d.wsUrl} did not open within ${timeoutMs} ms`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      this.close();
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    await this.#seedReferences(referenceCoins.map((a) => a.dex));
  }

  /**
   * The reference prices of the watched symbols once over REST (`metaAndAssetCtxs`, one read per dex), so
   * they are known before the stream's first message. A failed read is reported; the stream still runs.
   */
  async #seedReferences(dexes: readonly string[]): Promise<void> {
    const watched = new Set(this.#d.referenceSymbols);
    for (const dex of new Set(dexes)) {
      try {
        const [meta, ctxs] = await this.#d.reads.metaAndAssetCtxs(dex);
        meta.universe.forEach((entry, i) => {
          const ctx = ctxs[i];
          if (ctx !== undefined && watched.has(coinToSymbol(entry.name)))
            this.#deliverReference(entry.name, ctx);
        });
      } catch (error) {
        this.#d.reporter.emitError(asError(error));
        await this.#d.reporter.recordError(error, `metaAndAssetCtxs ${dex === '' ? '(first dex)' : dex}`);
      }
    }
  }

  close(): void {
    this.#ws?.close();
    this.#ws = undefined;
  }

  /** Order updates to listeners, by the caller's client order id where known (also used for confirmed cancels). */
  deliverUpdates(updates: readonly WsOrderUpdate[]): void {
    const assets = this.#d.assets;
    for (const u of updates) {
      if (assets.current !== undefined && !assets.current.hasCoin(u.order.coin)) continue;
      const venueUpdate = toOrderUpdate(u);
      if (venueUpdate === undefined) continue;
      // Another bot's order on this account: its updates are that bot's.
      if (!inScope(this.#d.scope, u.order.cloid, venueUpdate.symbol)) continue;
      const clientOrderId = this.#d.ids.resolve(u.order.cloid, u.order.oid);
      const update = clientOrderId === undefined ? venueUpdate : { ...venueUpdate, clientOrderId };
      notify(this.updateListeners, update, this.#d.reporter);
    }
  }

  #onMessage(channel: string, data: unknown): void {
    if (channel === 'userFills') {
      this.fills.onMessage(data);
    } else if (channel === 'orderUpdates') {
      const parsed = WsOrderUpdatesSchema.safeParse(data);
      if (!parsed.success) {
        reportInvalidMessage(this.#d.reporter, channel);
        return;
      }
      this.deliverUpdates(parsed.data);
    } else if (channel === 'userFundings') {
      this.#onFundings(data);
    } else if (channel === 'userNonFundingLedgerUpdates') {
      this.#onLedger(data);
    } else if (channel === 'allMids') {
      this.#onMids(data);
    } else if (channel === 'activeAssetCtx') {
      const parsed = WsActiveAssetCtxSchema.safeParse(data);
      if (!parsed.success) {
        reportInvalidMessage(this.#d.reporter, channel);
        return;
      }
      this.#deliverReference(parsed.data.coin, parsed.data.ctx);
    }
  }

  #onFundings(data: unknown): void {
    const parsed = WsUserFundingsSchema.safeParse(data);
    if (!parsed.success) {
      reportInvalidMessage(this.#d.reporter, 'userFundings');
      return;
    }
    const assets = this.#d.assets.current;
    // Each payment on its own: one the client cannot read must not drop the good ones next to it (no REST
    // read fetches them again). The unreadable one is reported: the account's funding total is then short.
    const good: WsFunding[] = [];
    for (const raw of parsed.data.fundings) {
      const f = WsFundingSchema.safeParse(raw);
      if (f.success) good.push(f.data);
      else if (this.#firstUnreadable(raw, 'coin')) this.#unreadableFunding(raw, f.error);
    }
    for (const f of good.sort((a, b) => a.time - b.time)) {
      const key = `${f.coin}:${f.time}`;
      if (this.#seenFundings.has(key)) continue;
      this.#seenFundings.add(key);
      if (f.time < this.#d.deduper.since || (assets !== undefined && !assets.hasCoin(f.coin))) continue;
      const payment = FundingPayment.safeParse({
        symbol: coinToSymbol(f.coin),
        amount: f.usdc,
        time: f.time,
        rate: f.fundingRate,
        positionSize: f.szi,
      });
      if (payment.success) notify(this.fundingListeners, payment.data, this.#d.reporter);
      else this.#unreadableFunding(f, payment.error);
    }
  }

  /**
   * Whether an unreadable item is news: not from before this client's watermark (never applied anyway) and
   * not reported already (a resubscribe snapshot sends it again, and each report counts as an error).
   */
  #firstUnreadable(raw: unknown, idField: 'coin' | 'hash'): boolean {
    const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (typeof r.time === 'number' && r.time < this.#d.deduper.since) return false;
    const key = `unreadable:${String(r.time).slice(0, 20)}:${String(r[idField]).slice(0, 100)}`;
    if (this.#seenUnreadable.has(key)) return false;
    if (this.#seenUnreadable.size >= 10_000) this.#seenUnreadable.clear();
    this.#seenUnreadable.add(key);
    return true;
  }

  #unreadableFunding(payment: unknown, error: z.ZodError): void {
    const p = (typeof payment === 'object' && payment !== null ? payment : {}) as Record<string, unknown>;
    const where = `${String(p.coin ?? '?').slice(0, 40)} at ${String(p.time ?? '?').slice(0, 20)}`;
    const failure = new HyperliquidResponseError(
      `WebSocket userFundings payment ${where} is unreadable; dropped (${error.issues[0]?.message ?? 'invalid'})`,
    );
    this.#d.reporter.emitError(failure);
    void this.#d.reporter.recordError(failure, 'funding payment');
  }

  #onLedger(data: unknown): void {
    const parsed = WsLedgerUpdatesSchema.safeParse(data);
    if (!parsed.success) {
      reportInvalidMessage(this.#d.reporter, 'userNonFundingLedgerUpdates');
      return;
    }
    this.#applyLedger(parsed.data.nonFundingLedgerUpdates, 'WebSocket');
  }

  /**
   * Reads the account's ledger updates over REST since the last sync (the first one from `since`) and
   * delivers the new ones, resolving once each was handed to the listeners. An account report read before
   * this call then holds no deposit or withdrawal the listeners have not heard of, whatever the stream's
   * delay: risk must not read a withdrawal the report already shows as a loss of its amount.
   */
  async syncLedger(): Promise<void> {
    this.#d.reads.requireAccount(undefined);
    const startedAt = this.#d.clock.now();
    const last = this.#ledgerSyncedAt;
    // Overlap: an update is stamped with its block's time and may show up over REST a little later.
    const from = Math.max(this.#d.deduper.since, last === undefined ? 0 : last - LEDGER_SYNC_OVERLAP_MS);
    const raw = await this.#d.reads.userNonFundingLedgerUpdatesRaw({ startTime: from });
    this.#applyLedger(raw, 'REST');
    // What this read delivers, and any change it found already seen that is still on its way to the
    // listeners (its audit record first), from the stream or a sync beside this one: all have arrived.
    await Promise.all([...this.#ledgerInFlight]);
    this.#ledgerSyncedAt = last === undefined ? startedAt : Math.max(last, startedAt);
  }

  /** Each update on its own, oldest first; each new one is delivered (and held in `#ledgerInFlight` till then). */
  #applyLedger(raws: readonly unknown[], via: 'WebSocket' | 'REST'): void {
    const account = this.#d.account;
    if (account === undefined) return;
    // One the client cannot read must not drop the deposits and withdrawals next to it (risk would count
    // them as P&L). The unreadable one is reported.
    const updates: LedgerUpdate[] = [];
    for (const raw of raws) {
      const u = LedgerUpdateSchema.safeParse(raw);
      if (u.success) updates.push(u.data);
      else if (this.#firstUnreadable(raw, 'hash')) {
        const failure = new HyperliquidResponseError(
          `${via} userNonFundingLedgerUpdates update is unreadable; dropped (${u.error.issues[0]?.message ?? 'invalid'})`,
        );
        this.#d.reporter.emitError(failure);
        void this.#d.reporter.recordError(failure, 'ledger update');
      }
    }
    for (const u of updates.sort((a, b) => a.time - b.time)) {
      let change: LedgerChange;
      try {
        change = ledgerChange(u, account, this.#d.accountReader.known?.kind);
      } catch (error) {
        this.#d.reporter.emitError(asError(error));
        void this.#d.reporter.recordError(error, `ledger update ${u.hash}`);
        continue;
      }
      if (this.#seenLedger.has(change.id)) continue;
      this.#seenLedger.add(change.id);
      if (change.time < this.#d.deduper.since) continue;
      const delivery = this.#deliverLedger(change);
      this.#ledgerInFlight.add(delivery);
      const landed = () => {
        this.#ledgerInFlight.delete(delivery);
      };
      delivery.then(landed, landed);
    }
  }

  /** Audited as `ledger_update` first, then delivered (an unknown kind is also reported, as no cash). */
  async #deliverLedger(change: LedgerChange): Promise<void> {
    const reporter = this.#d.reporter;
    try {
      await reporter.record({
        type: 'ledger_update',
        ledgerId: change.id,
        kind: change.kind,
        amount: change.amount,
        time: change.time,
        hash: change.hash,
        ...(change.nonCash ? { nonCash: true } : {}),
      });
      if (!change.known) {
        throw new HyperliquidResponseError(
          change.kind === 'spotTransfer' || change.kind === 'accountClassTransfer'
            ? `${change.kind} whose effect on equity is unknown in this account mode (${this.#d.accountReader.known?.kind ?? 'not read yet'}); counted as no cash`
            : `ledger update of unknown kind ${change.kind}; counted as no cash`,
        );
      }
    } catch (error) {
      reporter.emitError(asError(error));
      await reporter.recordError(error, 'ledger update');
    }
    notify(this.ledgerListeners, change, reporter);
  }

  #deliverReference(coin: string, ctx: PerpAssetCtx): void {
    const assets = this.#d.assets.current;
    if (assets === undefined || !assets.hasCoin(coin)) return;
    // A non-positive price is no reference: left out, so a stale one fails closed in risk.
    if (!ctx.markPx.gt(0) || !ctx.oraclePx.gt(0)) return;
    const ref: ReferencePrice = {
      symbol: assets.byCoin(coin).symbol,
      markPrice: ctx.markPx,
      oraclePrice: ctx.oraclePx,
      timestamp: this.#d.clock.now(),
    };
    notify(this.referenceListeners, ref, this.#d.reporter);
  }

  #onMids(data: unknown): void {
    const parsed = WsAllMidsSchema.safeParse(data);
    if (!parsed.success) {
      reportInvalidMessage(this.#d.reporter, 'allMids');
      return;
    }
    const assets = this.#d.assets.current;
    if (assets === undefined || this.priceListeners.size === 0) return;
    const now = this.#d.clock.now();
    for (const [coin, px] of Object.entries(parsed.data.mids)) {
      if (!assets.hasCoin(coin) || px.lte(0)) continue;
      const price: MarketPrice = { symbol: assets.byCoin(coin).symbol, price: px, timestamp: now };
      notify(this.priceListeners, price, this.#d.reporter);
    }
  }
}
