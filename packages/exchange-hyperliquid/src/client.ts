// Over 400 lines on purpose: this is the facade, one delegation per public method, each carrying the JSDoc
// users read; it holds no logic (the modules named in the class comment do the work).
import { inspect } from 'node:util';
import type {
  AccountState,
  Decimal,
  DecimalInput,
  Exchange,
  ExchangeError,
  Fill,
  FundingPayment,
  MarketPrice,
  OpenOrder,
  OrderAck,
  OrderRequest,
  OrderUpdate,
} from '@hl-bot/core-types';
import type { AccountMode, SpotClearinghouseStateResponse } from './account-mode.js';
import type { DailyActionCap } from './action-cap.js';
import type { ExchangeResponse, Grouping, L1Action, OrderWire } from './actions.js';
import {
  type HyperliquidClientOptions,
  MAINNET_API_URL,
  MAINNET_WS_URL,
  TESTNET_API_URL,
  TESTNET_WS_URL,
} from './client-options.js';
import { type ClientParts, clientParts } from './client-parts.js';
import { MAIN_DEX, type PerpDexsResponse } from './dex.js';
import type { OrderResult } from './exchange-actions.js';
import type { MarketData } from './exchange-port.js';
import { lowerAddress } from './info.js';
import type {
  BasicOpenOrder,
  Candle,
  ClearinghouseStateResponse,
  FrontendOpenOrder,
  L2BookResponse,
  MetaAndAssetCtxsResponse,
  MetaResponse,
  OrderStatusResponse,
  UserFill,
  UserRateLimitResponse,
} from './info-schemas.js';
import type { ExtraAgents, UserRole } from './key-authority.js';
import type { LedgerChange, LedgerUpdate } from './ledger.js';
import { placeOrder } from './order-placement.js';
import { type Address, type PrivateKeySigner, toSigner } from './private-key.js';
import type { WeightedTokenBucket } from './rate-limit.js';
import type { SpotMetaResponse } from './spot.js';
import type { ReferencePrice } from './streams.js';
import type { AssetMap } from './symbols.js';

export type { HyperliquidClientOptions } from './client-options.js';
export { MAINNET_API_URL, MAINNET_WS_URL, TESTNET_API_URL, TESTNET_WS_URL } from './client-options.js';
export type { OrderResult } from './exchange-actions.js';
export type { MarketData } from './exchange-port.js';

/**
 * A Hyperliquid client: typed, validated `/info` reads; signed `/exchange` actions; a WebSocket with
 * keepalive, reconnect and REST backfill of fills; and the engine's `Exchange` port.
 *
 * This class is a facade: each job lives in its own module (transport.ts, info.ts, assets.ts, account.ts,
 * exchange-actions.ts, transfers.ts, order-request-wire.ts, order-placement.ts with safe-submit.ts,
 * exchange-port.ts, streams.ts with fill-stream.ts), wired together here.
 *
 * @example
 * const client = new HyperliquidClient({ privateKey: process.env.HL_AGENT_KEY, walletAddress: '0x…',
 *   testnet: true, audit });
 * const ack = await client.placeOrder(OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy',
 *   orderType: 'limit', price: '50000', quantity: '0.001' }));
 */
export class HyperliquidClient implements Exchange {
  readonly name = 'hyperliquid';
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly isMainnet: boolean;
  /** The account whose state is read (the vault when trading for one). */
  readonly account: Address | undefined;
  readonly vaultAddress: Address | undefined;

  readonly #signer: PrivateKeySigner | undefined;
  readonly #p: ClientParts;
  readonly #scoped: boolean;

  /** @throws {SigningError} for a malformed key; {HyperliquidClientError} for malformed addresses. */
  constructor(options: HyperliquidClientOptions = {}) {
    const testnet = options.testnet === true;
    this.isMainnet = !testnet;
    this.baseUrl = options.baseUrl ?? (testnet ? TESTNET_API_URL : MAINNET_API_URL);
    this.wsUrl = options.wsUrl ?? (testnet ? TESTNET_WS_URL : MAINNET_WS_URL);
    this.#signer = options.privateKey === undefined ? undefined : toSigner(options.privateKey);
    this.vaultAddress =
      options.vaultAddress === undefined ? undefined : lowerAddress(options.vaultAddress, 'vaultAddress');
    const wallet =
      options.walletAddress === undefined
        ? this.#signer?.address
        : lowerAddress(options.walletAddress, 'walletAddress');
    this.account = this.vaultAddress ?? wallet;
    this.#scoped = options.orderScope !== undefined;
    this.#p = clientParts(options, {
      baseUrl: this.baseUrl,
      wsUrl: this.wsUrl,
      isMainnet: this.isMainnet,
      account: this.account,
      vaultAddress: this.vaultAddress,
      signer: this.#signer,
    });
  }

  /** Address of the signing key (the agent wallet when one is used), or undefined for read-only. */
  get signerAddress(): Address | undefined {
    return this.#signer?.address;
  }

  /** The daily action cap of unified and portfolio-margin accounts (no cap until the mode is known). */
  get actionCap(): DailyActionCap {
    return this.#p.actionCap;
  }

  /**
   * Client order ids of orders placed before this client existed (an earlier run, read from its audit log),
   * so their fills, updates and open orders carry those ids again instead of the venue's cloid.
   */
  rememberClientOrderIds(clientOrderIds: Iterable<string>): void {
    for (const id of clientOrderIds) this.#p.ids.remember(id);
  }

  /** The rate limiter, for inspection. */
  get rateLimiter(): WeightedTokenBucket {
    return this.#p.bucket;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      baseUrl: this.baseUrl,
      wsUrl: this.wsUrl,
      isMainnet: this.isMainnet,
      account: this.account,
      signer: this.#signer?.address,
    };
  }

  [inspect.custom](): string {
    return `HyperliquidClient ${JSON.stringify(this.toJSON())}`;
  }

  // ---- info (info.ts) ------------------------------------------------------------------------------

  /** Perp universe and margin tables. @throws {HyperliquidHttpError} {HyperliquidResponseError} */
  meta(dex: string = MAIN_DEX): Promise<MetaResponse> {
    return this.#p.reads.meta(dex);
  }

  /**
   * `[meta, ctxs]` of one perp dex: each perp's context (the venue's `markPx`, `oraclePx`, `midPx`, funding,
   * open interest, ...) at the index of its `meta.universe` entry. Weight 20.
   */
  metaAndAssetCtxs(dex: string = MAIN_DEX): Promise<MetaAndAssetCtxsResponse> {
    return this.#p.reads.metaAndAssetCtxs(dex);
  }

  /** Spot tokens and pairs (a spot fill's `@N` coin is a pair's `name`; its `tokens` are [base, quote]). */
  spotMeta(): Promise<SpotMetaResponse> {
    return this.#p.reads.spotMeta();
  }

  /** Every perp dex: `null` for the first, then the HIP-3 dexes. */
  perpDexs(): Promise<PerpDexsResponse> {
    return this.#p.reads.perpDexs();
  }

  /** Mid price per coin (of one perp dex; the first dex's answer also has spot mids). */
  allMids(dex: string = MAIN_DEX): Promise<Record<string, Decimal>> {
    return this.#p.reads.allMids(dex);
  }

  /** Margin summary and positions of an account (default: this client's) on one perp dex. */
  clearinghouseState(user?: string, dex: string = MAIN_DEX): Promise<ClearinghouseStateResponse> {
    return this.#p.reads.clearinghouseState(user, dex);
  }

  /** Token balances and holds; the collateral of unified and portfolio-margin accounts. */
  spotClearinghouseState(user?: string): Promise<SpotClearinghouseStateResponse> {
    return this.#p.reads.spotClearinghouseState(user);
  }

  /** What an address is to the venue: account, agent (of whom), vault, sub-account or unknown. */
  userRole(user: string): Promise<UserRole> {
    return this.#p.reads.userRole(user);
  }

  /** An account's named API wallets with the end of each approval. */
  extraAgents(user?: string): Promise<ExtraAgents> {
    return this.#p.reads.extraAgents(user);
  }

  /** The venue's account abstraction mode string (`disabled`, `unifiedAccount`, ...), unchecked. */
  userAbstraction(user?: string): Promise<string> {
    return this.#p.reads.userAbstraction(user);
  }

  /**
   * Reads the account's mode, audits it when it is new or changed, and sets the daily action cap.
   * @throws {AccountModeError} for a mode the client does not know or does not support.
   */
  accountMode(): Promise<AccountMode> {
    return this.#p.accountReader.mode();
  }

  openOrders(user?: string, dex: string = MAIN_DEX): Promise<BasicOpenOrder[]> {
    return this.#p.reads.openOrders(user, dex);
  }

  /** Open orders with order type, tif, trigger fields (of one perp dex). */
  frontendOpenOrders(user?: string, dex: string = MAIN_DEX): Promise<FrontendOpenOrder[]> {
    return this.#p.reads.frontendOpenOrders(user, dex);
  }

  /** Deposits, withdrawals, transfers and other non-funding balance changes in a time range. */
  userNonFundingLedgerUpdates(args: {
    startTime: number;
    endTime?: number;
    user?: string;
  }): Promise<LedgerUpdate[]> {
    return this.#p.reads.userNonFundingLedgerUpdates(args);
  }

  /** The most recent fills (at most 2000). */
  userFills(user?: string): Promise<UserFill[]> {
    return this.#p.reads.userFills(user);
  }

  /**
   * Fills in a time range, however the venue orders and cuts its pages (each at most 2000 fills); fills
   * repeated across page edges are returned once, oldest first.
   * @throws {HyperliquidResponseError} when a full page sits inside one millisecond (no way to page past it)
   *   or the range needs more than 200 pages.
   */
  userFillsByTime(args: { startTime: number; endTime?: number; user?: string }): Promise<UserFill[]> {
    return this.#p.reads.userFillsByTime(args);
  }

  l2Book(
    coin: string,
    opts: { nSigFigs?: 2 | 3 | 4 | 5; mantissa?: 1 | 2 | 5 } = {},
  ): Promise<L2BookResponse> {
    return this.#p.reads.l2Book(coin, opts);
  }

  candleSnapshot(req: {
    coin: string;
    interval: string;
    startTime: number;
    endTime: number;
  }): Promise<Candle[]> {
    return this.#p.reads.candleSnapshot(req);
  }

  /** Status of one order by oid or cloid. */
  orderStatus(oid: number | string, user?: string): Promise<OrderStatusResponse> {
    return this.#p.reads.orderStatus(oid, user);
  }

  userRateLimit(user?: string): Promise<UserRateLimitResponse> {
    return this.#p.reads.userRateLimit(user);
  }

  /** The symbol/coin/asset-id map from `meta`, fetched once and cached (pass true to refresh). */
  loadAssets(refresh = false): Promise<AssetMap> {
    return this.#p.assets.load(refresh);
  }

  // ---- exchange (exchange-actions.ts, transfers.ts) ------------------------------------------------

  /**
   * Signs and sends one L1 action. Never retried here: a resend could execute twice.
   * @throws {HyperliquidActionError} when the venue refuses the whole action; {HyperliquidHttpError}.
   */
  sendAction(
    action: L1Action,
    opts: { batchLength?: number; expiresAfter?: number; weightTaken?: boolean } = {},
  ): Promise<ExchangeResponse> {
    return this.#p.actions.send(action, opts);
  }

  /**
   * Sends an order action and returns one result per order, in request order. A single pre-validation
   * error for a whole batch is applied to every order.
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {HyperliquidResponseError}
   */
  submitOrders(
    orders: readonly OrderWire[],
    opts: { grouping?: Grouping; expiresAfter?: number; weightTaken?: boolean } = {},
  ): Promise<OrderResult[]> {
    return this.#p.actions.submitOrders(orders, opts);
  }

  /** Cancels by oid; `true` per cancelled order, else the venue's error. */
  cancel(cancels: readonly { symbol: string; oid: number }[]): Promise<Array<true | ExchangeError>> {
    return this.#p.actions.cancel(cancels);
  }

  /** Cancels by cloid (any client order id maps to its cloid); `true` per cancelled order. */
  cancelByCloid(cancels: readonly { symbol: string; cloid: string }[]): Promise<Array<true | ExchangeError>> {
    return this.#p.actions.cancelByCloid(cancels);
  }

  /** Replaces an open order (by oid or cloid) with `order`. @throws {HyperliquidActionError} */
  modify(oid: number | string, order: OrderWire): Promise<void> {
    return this.#p.actions.modify(oid, order);
  }

  /**
   * Replaces several open orders at once; one result per modify, in request order. The new oid comes from
   * the result (do not assume it equals the old one).
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {HyperliquidResponseError}
   */
  batchModify(modifies: readonly { oid: number | string; order: OrderWire }[]): Promise<OrderResult[]> {
    return this.#p.actions.batchModify(modifies);
  }

  /**
   * Sets leverage of a symbol: cross by default, isolated by default on an asset that allows no cross
   * margin (`onlyIsolated`, `marginMode` `strictIsolated` / `noCross`, as a HIP-3 dex's assets).
   * @throws {ExchangeError} `INVALID_LEVERAGE` for a leverage out of range or cross on an isolated-only
   *   asset (nothing sent); {HyperliquidActionError} when the venue refuses it
   */
  updateLeverage(symbol: string, leverage: number, opts: { isCross?: boolean } = {}): Promise<void> {
    return this.#p.actions.updateLeverage(symbol, leverage, opts);
  }

  /**
   * Dead man's switch: cancel every open order at `time` (≥ 5 s ahead); no time clears it. Accounts
   * under $1M traded volume are refused by the venue (HyperliquidActionError with its message).
   */
  scheduleCancel(time?: number): Promise<void> {
    return this.#p.actions.scheduleCancel(time);
  }

  /**
   * Sends perp USDC to another address. Must be signed by the account's own key (not an agent).
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {UnrepresentableNumberError}
   */
  usdSend(destination: string, amount: DecimalInput): Promise<void> {
    return this.#p.transfers.usdSend(destination, amount);
  }

  /**
   * Withdraws USDC to Arbitrum. Must be signed by the account's own key (not an agent).
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {UnrepresentableNumberError}
   */
  withdraw(destination: string, amount: DecimalInput): Promise<void> {
    return this.#p.transfers.withdraw(destination, amount);
  }

  // ---- Exchange port (order-placement.ts, exchange-port.ts, account.ts) ----------------------------

  /**
   * Places one order (the Exchange port). Market orders go out as IOC limits bounded by the mid ± the
   * slippage band. After a network error, 5xx or 429 the order is never blindly re-sent: the client
   * waits until the signed copy has expired, asks `orderStatus` by cloid, and only re-sends (same cloid,
   * new nonce) when the venue never saw it.
   *
   * Fills, order updates and open orders of this order carry `clientOrderId` as given here (not the cloid).
   *
   * @throws {ExchangeError} when the order is definitely not placed: the venue refused it (the order or the
   *   whole action), the price/size is not representable, or every attempt failed and the venue has no copy.
   * @throws {OrderStateUnknownError} when the outcome cannot be established; reconcile before retrying.
   * @throws {HyperliquidHttpError} (transient) or other errors: the order may be live.
   *
   * `notAfter` caps the signed expiry (`expiresAfter`, also on a re-send): the venue refuses the order after
   * it, and one whose `notAfter` has passed before a send is not sent (ExchangeError `ORDER_REJECTED`).
   */
  placeOrder(
    input: OrderRequest,
    opts: { clientOrderId?: string; notAfter?: number } = {},
  ): Promise<OrderAck> {
    return placeOrder(input, opts, this.#p.placement);
  }

  /**
   * Cancels one order by venue oid (digits) or client order id / cloid. Resolves true when it was open
   * and is now cancelled, false when the venue says it was not open.
   * @throws {ExchangeError} for other refusals; {HyperliquidHttpError} on transport failure.
   */
  cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    return this.#p.port.cancelOrder(symbol, orderId);
  }

  /**
   * Cancels every open order of the account (of one symbol when given) in batches; resolves with how many
   * the venue confirmed, across every perp dex the client trades (HIP-3 ones included). Orders on coins
   * outside the perp universe (spot) are left alone.
   */
  cancelAllOrders(opts: { symbol?: string; reason?: string } = {}): Promise<number> {
    return this.#p.port.cancelAllOrders(opts);
  }

  /**
   * The venue's status of an order placed with `clientOrderId` (the Exchange port), or undefined when the
   * venue does not know its cloid. @throws {HyperliquidResponseError} for a status this package cannot map
   */
  getOrderStatus(clientOrderId: string, _symbol: string): Promise<OrderUpdate | undefined> {
    return this.#p.port.getOrderStatus(clientOrderId);
  }

  /** Open orders as the project's OpenOrder (position-wide TP/SL orders without a size are skipped). */
  getOpenOrders(symbol?: string): Promise<OpenOrder[]> {
    return this.#p.port.getOpenOrders(symbol);
  }

  /**
   * The account's open orders `orderScope` says are not this client's (other bots', or nobody's), with
   * `clientOrderId` set to the venue's cloid when the order has one. Empty without `orderScope`.
   */
  async getForeignOpenOrders(symbol?: string): Promise<OpenOrder[]> {
    if (!this.#scoped) return [];
    return this.#p.port.getOpenOrders(symbol, true);
  }

  /**
   * Balance, equity and margin in use. Equity is the venue's account value; balance is equity minus
   * unrealized PnL (the cash the account would hold flat).
   */
  getAccountState(): Promise<AccountState> {
    return this.#p.accountReader.state();
  }

  /** @throws {ExchangeError} `UNKNOWN_SYMBOL` or `NO_MARKET_PRICE`. */
  getMarketPrice(symbol: string): Promise<MarketPrice> {
    return this.#p.port.getMarketPrice(symbol);
  }

  /** Mid, best bid and best ask of a symbol. @throws {ExchangeError} `UNKNOWN_SYMBOL`, `NO_MARKET_PRICE`. */
  getMarketData(symbol: string): Promise<MarketData> {
    return this.#p.port.getMarketData(symbol);
  }

  // ---- streams (streams.ts, fill-stream.ts) --------------------------------------------------------

  onFill(listener: (fill: Fill) => void): () => void {
    return subscribe(this.#p.streams.fills.fillListeners, listener);
  }

  /**
   * Fills of the account that are not this client's (`orderScope`): another bot's, or an order no bot of
   * the scope claims on a symbol it does not trade. Each fill once, like `onFill`; never booked by `onFill`.
   */
  onForeignFill(listener: (fill: Fill) => void): () => void {
    return subscribe(this.#p.streams.fills.foreignFillListeners, listener);
  }

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    return subscribe(this.#p.streams.updateListeners, listener);
  }

  onPrice(listener: (price: MarketPrice) => void): () => void {
    return subscribe(this.#p.streams.priceListeners, listener);
  }

  /**
   * The venue's mark and oracle price of each symbol given in the `referencePrices` option, once at
   * `start()` and then on every `activeAssetCtx` message. Feed them to risk's `updateReferencePrices` (a
   * TradingEngine does): the venue refuses orders too far from its reference price.
   */
  onReferencePrice(listener: (ref: ReferencePrice) => void): () => void {
    return subscribe(this.#p.streams.referenceListeners, listener);
  }

  /**
   * Hourly funding payments of the account's perp positions (the venue's `userFundings` stream). `amount`
   * is signed from the account's side: negative when it paid. Each (coin, time) is delivered once; payments
   * before `fillsSince` are history and not delivered. Not backfilled over REST after a reconnect: the
   * stream's snapshot on resubscribe covers the gap.
   */
  onFunding(listener: (payment: FundingPayment) => void): () => void {
    return subscribe(this.#p.streams.fundingListeners, listener);
  }

  /**
   * Fills the client could not read or map (each also audited as an `error` and fetched again over REST).
   * A TradingEngine trips the circuit breaker on each.
   */
  onFault(listener: (error: Error) => void): () => void {
    return subscribe(this.#p.streams.fills.faultListeners, listener);
  }

  /**
   * Non-funding ledger changes of the account (the venue's `userNonFundingLedgerUpdates` stream): each is
   * audited as `ledger_update` first, delivered once, and changes before `fillsSince` are history. Feed
   * them to risk so money moved in or out is never read as trading P&L.
   */
  onLedgerUpdate(listener: (change: LedgerChange) => void): () => void {
    return subscribe(this.#p.streams.ledgerListeners, listener);
  }

  /** Stream and backfill problems (they are also audited as `error` events). */
  onError(listener: (error: Error) => void): () => void {
    return this.#p.reporter.onError(listener);
  }

  /**
   * Opens the WebSocket (allMids, userFills, orderUpdates) and resolves once connected. Each (re)connect
   * backfills fills over REST from the newest fill seen; every fill reaches `onFill` once.
   * @throws {HyperliquidClientError} `HL_NOT_CONNECTED` when no connection opens within `timeoutMs` (30 s).
   */
  start(opts: { timeoutMs?: number } = {}): Promise<void> {
    return this.#p.streams.start(opts);
  }

  /** How many times the WebSocket reconnected since `start()` (each one followed by a REST backfill). */
  get streamReconnects(): number {
    return this.#p.streams.reconnects;
  }

  /**
   * Fetches fills over REST now and delivers the new ones, resolving once they were handed to `onFill`
   * listeners: after an account snapshot, every fill it includes has then been delivered.
   */
  async syncFills(): Promise<void> {
    this.#p.streams.fills.scheduleBackfill();
    await this.#p.streams.fills.settled;
  }

  /**
   * Reads the account's ledger updates over REST now (from the previous sync, 5 minutes of overlap, the
   * first from `fillsSince`) and delivers the new ones, resolving once they were audited and handed to
   * `onLedgerUpdate` listeners: after an account snapshot, every deposit and withdrawal it holds has then
   * been delivered, however late the stream's push. Each update is read on its own, as on the stream.
   * @throws {HyperliquidResponseError} when the venue's answer is not a list; transport errors as for any read
   */
  async syncLedger(): Promise<void> {
    await this.#p.streams.syncLedger();
  }

  /** Waits for the backfills scheduled so far (tests and orderly shutdown). */
  async settled(): Promise<void> {
    await this.#p.streams.fills.settled;
  }

  /** Closes the WebSocket. Safe to call twice. */
  close(): void {
    this.#p.streams.close();
  }
}

function subscribe<T>(listeners: Set<T>, listener: T): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
