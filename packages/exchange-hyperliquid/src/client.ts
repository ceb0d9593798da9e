import { inspect } from 'node:util';
import {
  type AccountState,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  Decimal,
  type DecimalInput,
  type Exchange,
  ExchangeError,
  type Fill,
  FundingPayment,
  MarketPrice,
  OpenOrder,
  OrderAck,
  OrderRequest,
  type OrderUpdate,
  parseOrThrow,
  systemClock,
  toDecimal,
  ZERO,
} from '@hl-bot/core-types';
import type { z } from 'zod';
import {
  type AccountMode,
  accountModeOf,
  accountStateFor,
  type DexState,
  type SpotClearinghouseStateResponse,
  SpotClearinghouseStateResponseSchema,
  UserAbstractionResponseSchema,
} from './account-mode.js';
import { DailyActionCap } from './action-cap.js';
import {
  buildBatchModifyAction,
  buildCancelAction,
  buildCancelByCloidAction,
  buildModifyAction,
  buildOrderAction,
  buildScheduleCancelAction,
  buildUpdateLeverageAction,
  type CancelResponseStatus,
  type ExchangeResponse,
  ExchangeResponseSchema,
  type Grouping,
  type L1Action,
  type OrderResponseStatus,
  type OrderWire,
  orderWire,
  type Tif,
} from './actions.js';
import { ClientOrderIds } from './client-order-ids.js';
import { isCloid, randomCloid, toCloid } from './cloid.js';
import { deployedDexes, dexOfCoin, MAIN_DEX, type PerpDexsResponse, PerpDexsResponseSchema } from './dex.js';
import {
  HyperliquidActionError,
  HyperliquidClientError,
  HyperliquidHttpError,
  HyperliquidResponseError,
  OrderStateUnknownError,
  UnknownAssetError,
  UnrepresentableNumberError,
} from './errors.js';
import { FillDeduper, fillKey, mapOrderStatus, toFill, toOrderUpdate } from './fills.js';
import { formatPrice, formatSize, toWireDecimal } from './format.js';
import { postJson } from './http.js';
import {
  AllMidsResponseSchema,
  type BasicOpenOrder,
  type Candle,
  CandleSnapshotResponseSchema,
  type ClearinghouseStateResponse,
  ClearinghouseStateResponseSchema,
  type FrontendOpenOrder,
  FrontendOpenOrdersResponseSchema,
  type L2BookResponse,
  L2BookResponseSchema,
  type MetaResponse,
  MetaResponseSchema,
  OpenOrdersResponseSchema,
  type OrderStatusResponse,
  OrderStatusResponseSchema,
  type UserFill,
  UserFillSchema,
  UserFillsResponseSchema,
  type UserRateLimitResponse,
  UserRateLimitResponseSchema,
  WsAllMidsSchema,
  type WsOrderUpdate,
  WsOrderUpdatesSchema,
  WsUserFillsEnvelopeSchema,
  WsUserFundingsSchema,
} from './info-schemas.js';
import {
  type LedgerChange,
  type LedgerUpdate,
  LedgerUpdatesResponseSchema,
  ledgerChange,
  WsLedgerUpdatesSchema,
} from './ledger.js';
import { NonceManager } from './nonce.js';
import { type Address, type PrivateKeySigner, toSigner } from './private-key.js';
import {
  exchangeRequestWeight,
  infoRequestWeight,
  infoResponseExtraWeight,
  realSleep,
  type Sleep,
  WeightedTokenBucket,
} from './rate-limit.js';
import {
  buildUsdSendAction,
  buildWithdrawAction,
  signL1Action,
  signUserSignedAction,
  type UserSignedAction,
} from './signing.js';
import { AssetMap, coinToSymbol, type PerpAsset } from './symbols.js';
import { venueError } from './venue-errors.js';
import { HyperliquidWebSocket } from './ws.js';

export const MAINNET_API_URL = 'https://api.hyperliquid.xyz';
export const TESTNET_API_URL = 'https://api.hyperliquid-testnet.xyz';
export const MAINNET_WS_URL = 'wss://api.hyperliquid.xyz/ws';
export const TESTNET_WS_URL = 'wss://api.hyperliquid-testnet.xyz/ws';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const FILLS_PAGE_LIMIT = 2000;
const SOURCE = 'exchange-hyperliquid';

export interface HyperliquidClientOptions {
  /** Key that signs actions: the account's own key or an API (agent) wallet's. Omit for a read-only client. */
  privateKey?: string | Uint8Array | PrivateKeySigner;
  /** The account queried (master or sub-account). Defaults to the key's address. */
  walletAddress?: string;
  /** Testnet URLs and testnet signing (phantom-agent source "b"). Default false (mainnet). */
  testnet?: boolean;
  /** REST base URL (default mainnet or testnet); any URL, e.g. a local server. */
  baseUrl?: string;
  /** WebSocket URL (default mainnet or testnet). */
  wsUrl?: string;
  /** Trade for this vault or sub-account: sent as `vaultAddress` and used for account queries. */
  vaultAddress?: string;
  /**
   * Where failed attempts, transport and stream errors and money moves are recorded. Order lifecycle facts
   * (submitted, accepted, rejected, cancelled) are the router's (the engine's), written once there.
   */
  auditLogger?: AuditSink;
  clock?: Clock;
  /** Injected for tests on virtual time. */
  sleep?: Sleep;
  /** Random source in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** Retries of reads on 429, 5xx and network errors (default 4), with exponential backoff. */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Per-IP REST weight budget (default 1200/min) and the share left unused (default 0.2). */
  rateLimit?: { weightPerMinute?: number; headroom?: number };
  /** Protection band of market orders around the mid (default 0.05 = 5%). */
  marketSlippage?: DecimalInput;
  /** Round unrepresentable limit prices and sizes to the safe side instead of rejecting them (default false). */
  roundToValid?: boolean;
  /**
   * Every order action is signed with `expiresAfter = now + orderExpiryMs` (default 15 s), so after an
   * ambiguous failure the client can wait until a lost copy can no longer execute, then resend safely.
   * `null` disables expiry; resends then rely on `orderStatus` alone.
   */
  orderExpiryMs?: number | null;
  /** Extra wait after expiry before asking `orderStatus` (default 1 s). */
  orderSettleMs?: number;
  /** Attempts to place one order through ambiguous failures (default 3). */
  maxOrderAttempts?: number;
  /** WebSocket keepalive and reconnect tuning. */
  ws?: {
    pingIntervalMs?: number;
    pongTimeoutMs?: number;
    reconnectDelayMs?: number;
    maxReconnectDelayMs?: number;
  };
  /** Fills before this time (ms) are history, not delivered to `onFill` (default: construction time). */
  fillsSince?: number;
  /** Share of a unified account's daily action cap kept for cancels and reduce-only orders (default 0.05). */
  dailyActionReserve?: number;
  /**
   * HIP-3 perp dexes to trade and measure besides the first dex: their names, or `'all'` (default) for every
   * dex `perpDexs` lists. Positions, orders and margin on them are read like the first dex's.
   */
  dexes?: readonly string[] | 'all';
  /**
   * How long `getAccountState()` trusts the last account-mode read (default 60 s; 0 reads it every time).
   * `userAbstraction` weighs 20, ten times an account read: refreshing it on every account refresh would eat
   * the IP budget. `start()` always reads it.
   */
  accountModeTtlMs?: number;
}

/** Result of one order in an order action. */
export type OrderResult =
  | { kind: 'resting'; oid: number; cloid?: string | undefined }
  | { kind: 'filled'; oid: number; totalSz: Decimal; avgPx: Decimal; cloid?: string | undefined }
  | { kind: 'waitingForFill' | 'waitingForTrigger' }
  | { kind: 'error'; error: ExchangeError };

/** What `getMarketData` returns. */
export interface MarketData {
  symbol: string;
  coin: string;
  /** Mid price from `allMids`. */
  price: Decimal;
  bestBid: Decimal | undefined;
  bestAsk: Decimal | undefined;
  timestamp: number;
}

function lowerAddress(value: string, what: string): Address {
  if (!ADDRESS.test(value)) {
    throw new HyperliquidClientError(
      'HL_INVALID_ARGUMENT',
      `${what} must be a 0x-prefixed 20-byte hex address`,
    );
  }
  return value.toLowerCase() as Address;
}

function tifOf(order: OrderRequest): Tif {
  if (order.timeInForce === 'IOC') return 'Ioc';
  if (order.timeInForce === 'post-only') return 'Alo';
  return 'Gtc';
}

/**
 * A Hyperliquid client: typed, validated `/info` reads; signed `/exchange` actions; a WebSocket with
 * keepalive, reconnect and REST backfill of fills; and the engine's `Exchange` port.
 *
 * @example
 * const client = new HyperliquidClient({ privateKey: process.env.HL_AGENT_KEY, walletAddress: '0x…',
 *   testnet: true, auditLogger });
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
  readonly #audit: AuditSink | undefined;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #bucket: WeightedTokenBucket;
  readonly #nonces: NonceManager;
  readonly #slippage: Decimal;
  readonly #round: boolean;
  readonly #orderExpiryMs: number | null;
  readonly #orderSettleMs: number;
  readonly #maxOrderAttempts: number;
  readonly #wsOptions: NonNullable<HyperliquidClientOptions['ws']>;
  readonly #deduper: FillDeduper;
  readonly #actionCap: DailyActionCap;
  readonly #dexChoice: readonly string[] | 'all';
  #mode: AccountMode | undefined;
  #modeReadAt = Number.NEGATIVE_INFINITY;
  readonly #modeTtlMs: number;
  readonly #ids = new ClientOrderIds();
  #assets: AssetMap | undefined;
  #assetsLoading: Promise<AssetMap> | undefined;
  #ws: HyperliquidWebSocket | undefined;
  #reconnects = 0;
  #backfill: Promise<void> = Promise.resolve();
  readonly #faultListeners = new Set<(error: Error) => void>();
  readonly #fillListeners = new Set<(fill: Fill) => void>();
  readonly #updateListeners = new Set<(update: OrderUpdate) => void>();
  readonly #priceListeners = new Set<(price: MarketPrice) => void>();
  readonly #errorListeners = new Set<(error: Error) => void>();
  readonly #fundingListeners = new Set<(payment: FundingPayment) => void>();
  readonly #seenFundings = new Set<string>();
  readonly #ledgerListeners = new Set<(change: LedgerChange) => void>();
  readonly #seenLedger = new Set<string>();

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
    this.#audit = options.auditLogger;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#maxRetries = options.retry?.maxRetries ?? 4;
    this.#baseDelayMs = options.retry?.baseDelayMs ?? 250;
    this.#maxDelayMs = options.retry?.maxDelayMs ?? 8_000;
    this.#bucket = new WeightedTokenBucket({
      clock: this.#clock,
      sleep: this.#sleep,
      ...(options.rateLimit?.weightPerMinute === undefined
        ? {}
        : { weightPerMinute: options.rateLimit.weightPerMinute }),
      ...(options.rateLimit?.headroom === undefined ? {} : { headroom: options.rateLimit.headroom }),
    });
    this.#nonces = new NonceManager(this.#clock);
    this.#slippage = toDecimal(options.marketSlippage ?? '0.05', 'marketSlippage');
    if (this.#slippage.lt(0) || this.#slippage.gte(1)) {
      throw new HyperliquidClientError('HL_INVALID_ARGUMENT', 'marketSlippage must be in [0, 1)');
    }
    this.#round = options.roundToValid === true;
    this.#orderExpiryMs = options.orderExpiryMs === undefined ? 15_000 : options.orderExpiryMs;
    this.#orderSettleMs = options.orderSettleMs ?? 1_000;
    this.#maxOrderAttempts = Math.max(1, options.maxOrderAttempts ?? 3);
    this.#wsOptions = options.ws ?? {};
    this.#deduper = new FillDeduper({ since: options.fillsSince ?? this.#clock.now() });
    this.#dexChoice = options.dexes ?? 'all';
    this.#modeTtlMs = options.accountModeTtlMs ?? 60_000;
    this.#actionCap = new DailyActionCap({
      clock: this.#clock,
      ...(options.dailyActionReserve === undefined ? {} : { reserve: options.dailyActionReserve }),
    });
  }

  /** Address of the signing key (the agent wallet when one is used), or undefined for read-only. */
  get signerAddress(): Address | undefined {
    return this.#signer?.address;
  }

  /** The daily action cap of unified and portfolio-margin accounts (no cap until the mode is known). */
  get actionCap(): DailyActionCap {
    return this.#actionCap;
  }

  /**
   * Client order ids of orders placed before this client existed (an earlier run, read from its audit log),
   * so their fills, updates and open orders carry those ids again instead of the venue's cloid.
   */
  rememberClientOrderIds(clientOrderIds: Iterable<string>): void {
    for (const id of clientOrderIds) this.#ids.remember(id);
  }

  /** The rate limiter, for inspection. */
  get rateLimiter(): WeightedTokenBucket {
    return this.#bucket;
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

  // ---- plumbing ------------------------------------------------------------------------------------

  async #record(event: AuditEventInput): Promise<void> {
    if (this.#audit !== undefined) await this.#audit.append(event);
  }

  /** Audits an error without letting an audit failure mask the original problem. */
  async #recordError(error: unknown, context: string): Promise<void> {
    const message = error instanceof Error ? `${context}: ${error.message}` : `${context}: ${String(error)}`;
    const code =
      typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
    try {
      await this.#record({
        type: 'error',
        message: message.slice(0, 4000),
        source: SOURCE,
        ...(code === undefined ? {} : { code }),
      });
    } catch (auditError) {
      this.#emitError(auditError instanceof Error ? auditError : new Error(String(auditError)));
    }
  }

  #emitError(error: Error): void {
    for (const l of this.#errorListeners) {
      try {
        l(error);
      } catch {
        // listeners must not break the client
      }
    }
  }

  #backoff(attempt: number, retryAfterMs: number | undefined): number {
    const exp = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** attempt);
    const jittered = exp / 2 + this.#random() * (exp / 2);
    return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, this.#maxDelayMs * 4)));
  }

  #requireAccount(user: string | undefined): Address {
    if (user !== undefined) return lowerAddress(user, 'user');
    if (this.account === undefined) {
      throw new HyperliquidClientError(
        'HL_INVALID_ARGUMENT',
        'no walletAddress or privateKey: pass the user to query',
      );
    }
    return this.account;
  }

  async #info<S extends z.ZodType>(
    body: { type: string } & Record<string, unknown>,
    schema: S,
  ): Promise<z.output<S>> {
    let attempt = 0;
    for (;;) {
      await this.#bucket.take(infoRequestWeight(body.type));
      let raw: unknown;
      try {
        raw = (await postJson(this.baseUrl, 'info', body, this.#timeoutMs)).body;
      } catch (error) {
        if (error instanceof HyperliquidHttpError && error.transient && attempt < this.#maxRetries) {
          const retryAfter = error.details.retryAfterMs;
          await this.#sleep(this.#backoff(attempt, typeof retryAfter === 'number' ? retryAfter : undefined));
          attempt += 1;
          continue;
        }
        throw error;
      }
      if (Array.isArray(raw)) this.#bucket.charge(infoResponseExtraWeight(body.type, raw.length));
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
        throw new HyperliquidResponseError(`info ${body.type} answered an unexpected shape: ${issues}`, {
          details: { type: body.type },
          cause: parsed.error,
        });
      }
      return parsed.data;
    }
  }

  // ---- info ----------------------------------------------------------------------------------------

  /** Perp universe and margin tables. @throws {HyperliquidHttpError} {HyperliquidResponseError} */
  meta(dex: string = MAIN_DEX): Promise<MetaResponse> {
    return this.#info({ type: 'meta', ...dexParam(dex) }, MetaResponseSchema);
  }

  /** Every perp dex: `null` for the first, then the HIP-3 dexes. */
  perpDexs(): Promise<PerpDexsResponse> {
    return this.#info({ type: 'perpDexs' }, PerpDexsResponseSchema);
  }

  /** Mid price per coin (of one perp dex; the first dex's answer also has spot mids). */
  allMids(dex: string = MAIN_DEX): Promise<Record<string, Decimal>> {
    return this.#info({ type: 'allMids', ...dexParam(dex) }, AllMidsResponseSchema);
  }

  /** Margin summary and positions of an account (default: this client's) on one perp dex. */
  clearinghouseState(user?: string, dex: string = MAIN_DEX): Promise<ClearinghouseStateResponse> {
    return this.#info(
      { type: 'clearinghouseState', user: this.#requireAccount(user), ...dexParam(dex) },
      ClearinghouseStateResponseSchema,
    );
  }

  /** Token balances and holds; the collateral of unified and portfolio-margin accounts. */
  spotClearinghouseState(user?: string): Promise<SpotClearinghouseStateResponse> {
    return this.#info(
      { type: 'spotClearinghouseState', user: this.#requireAccount(user) },
      SpotClearinghouseStateResponseSchema,
    );
  }

  /** The venue's account abstraction mode string (`disabled`, `unifiedAccount`, ...), unchecked. */
  userAbstraction(user?: string): Promise<string> {
    return this.#info(
      { type: 'userAbstraction', user: this.#requireAccount(user) },
      UserAbstractionResponseSchema,
    );
  }

  /**
   * Reads the account's mode, audits it when it is new or changed, and sets the daily action cap.
   * @throws {AccountModeError} for a mode the client does not know or does not support.
   */
  async accountMode(): Promise<AccountMode> {
    const raw = await this.userAbstraction();
    const previous = this.#mode;
    let mode: AccountMode;
    try {
      mode = accountModeOf(raw);
    } catch (error) {
      await this.#recordError(error, 'account mode');
      throw error;
    }
    this.#mode = mode;
    this.#modeReadAt = this.#clock.now();
    this.#actionCap.setCap(mode.dailyActionCap);
    if (previous?.venue !== mode.venue) {
      await this.#record({
        type: 'account_mode',
        venueMode: mode.venue,
        kind: mode.kind,
        ...(previous === undefined ? {} : { previous: previous.venue }),
      });
    }
    return mode;
  }

  openOrders(user?: string, dex: string = MAIN_DEX): Promise<BasicOpenOrder[]> {
    return this.#info(
      { type: 'openOrders', user: this.#requireAccount(user), ...dexParam(dex) },
      OpenOrdersResponseSchema,
    );
  }

  /** Open orders with order type, tif, trigger fields (of one perp dex). */
  frontendOpenOrders(user?: string, dex: string = MAIN_DEX): Promise<FrontendOpenOrder[]> {
    return this.#info(
      { type: 'frontendOpenOrders', user: this.#requireAccount(user), ...dexParam(dex) },
      FrontendOpenOrdersResponseSchema,
    );
  }

  /** Deposits, withdrawals, transfers and other non-funding balance changes in a time range. */
  userNonFundingLedgerUpdates(args: {
    startTime: number;
    endTime?: number;
    user?: string;
  }): Promise<LedgerUpdate[]> {
    return this.#info(
      {
        type: 'userNonFundingLedgerUpdates',
        user: this.#requireAccount(args.user),
        startTime: args.startTime,
        ...(args.endTime === undefined ? {} : { endTime: args.endTime }),
      },
      LedgerUpdatesResponseSchema,
    );
  }

  /** The most recent fills (at most 2000). */
  userFills(user?: string): Promise<UserFill[]> {
    return this.#info({ type: 'userFills', user: this.#requireAccount(user) }, UserFillsResponseSchema);
  }

  /**
   * Fills in a time range, however the venue orders and cuts its pages (each at most 2000 fills): a page
   * that may be cut short leaves two unknown stretches, before its oldest and after its newest fill, and
   * both are fetched in turn, so neither "oldest first" nor "newest first" paging can skip a fill. Fills
   * repeated across page edges are returned once, oldest first.
   * @throws {HyperliquidResponseError} when a full page sits inside one millisecond (no way to page past it)
   *   or the range needs more than 200 pages.
   */
  async userFillsByTime(args: { startTime: number; endTime?: number; user?: string }): Promise<UserFill[]> {
    const user = this.#requireAccount(args.user);
    const byKey = new Map<string, UserFill>();
    const todo: Array<{ start: number; end: number | undefined }> = [
      { start: args.startTime, end: args.endTime },
    ];
    for (let pages = 0; todo.length > 0; pages++) {
      if (pages >= 200) {
        throw new HyperliquidResponseError(
          `userFillsByTime needs more than 200 pages from ${args.startTime}`,
          {
            details: { startTime: args.startTime },
          },
        );
      }
      const range = todo.pop() as { start: number; end: number | undefined };
      const fills = await this.#info(
        {
          type: 'userFillsByTime',
          user,
          startTime: range.start,
          ...(range.end === undefined ? {} : { endTime: range.end }),
        },
        UserFillsResponseSchema,
      );
      let oldest = Number.POSITIVE_INFINITY;
      let newest = Number.NEGATIVE_INFINITY;
      for (const f of fills) {
        byKey.set(fillKey(f), f);
        if (f.time < oldest) oldest = f.time;
        if (f.time > newest) newest = f.time;
      }
      // A short page is the whole range; only a page that may have been cut leaves gaps.
      if (fills.length < FILLS_PAGE_LIMIT / 4) continue;
      if (oldest === newest) {
        throw new HyperliquidResponseError(
          `userFillsByTime returned a full page of ${fills.length} fills at one timestamp (${oldest}); cannot page further without missing fills`,
          { details: { startTime: oldest } },
        );
      }
      // Inclusive bounds: the edge milliseconds are fetched again and deduplicated.
      if (oldest > range.start) todo.push({ start: range.start, end: oldest });
      if (range.end === undefined || newest < range.end) todo.push({ start: newest, end: range.end });
    }
    return [...byKey.values()].sort((a, b) => a.time - b.time || a.tid - b.tid);
  }

  l2Book(
    coin: string,
    opts: { nSigFigs?: 2 | 3 | 4 | 5; mantissa?: 1 | 2 | 5 } = {},
  ): Promise<L2BookResponse> {
    return this.#info({ type: 'l2Book', coin, ...opts }, L2BookResponseSchema);
  }

  candleSnapshot(req: {
    coin: string;
    interval: string;
    startTime: number;
    endTime: number;
  }): Promise<Candle[]> {
    return this.#info({ type: 'candleSnapshot', req }, CandleSnapshotResponseSchema);
  }

  /** Status of one order by oid or cloid. */
  orderStatus(oid: number | string, user?: string): Promise<OrderStatusResponse> {
    const id = typeof oid === 'string' ? (isCloid(oid) ? oid.toLowerCase() : toCloid(oid)) : oid;
    return this.#info(
      { type: 'orderStatus', user: this.#requireAccount(user), oid: id },
      OrderStatusResponseSchema,
    );
  }

  userRateLimit(user?: string): Promise<UserRateLimitResponse> {
    return this.#info(
      { type: 'userRateLimit', user: this.#requireAccount(user) },
      UserRateLimitResponseSchema,
    );
  }

  /** The symbol/coin/asset-id map from `meta`, fetched once and cached (pass true to refresh). */
  async loadAssets(refresh = false): Promise<AssetMap> {
    if (this.#assets !== undefined && !refresh) return this.#assets;
    if (this.#assetsLoading === undefined || refresh) {
      this.#assetsLoading = this.#loadDexMetas()
        .then((metas) => {
          this.#assets = AssetMap.fromDexMetas(metas);
          return this.#assets;
        })
        .finally(() => {
          this.#assetsLoading = undefined;
        });
    }
    return this.#assetsLoading;
  }

  async #loadDexMetas(): Promise<Array<{ dex: string; index: number; meta: MetaResponse }>> {
    const deployed = deployedDexes(await this.perpDexs());
    const choice = this.#dexChoice;
    if (choice !== 'all') {
      const missing = choice.filter((d) => !deployed.some((x) => x.name === d));
      if (missing.length > 0) {
        throw new UnknownAssetError(`perp dex ${missing.join(', ')} is not listed by perpDexs`);
      }
    }
    const wanted = [
      { name: MAIN_DEX, index: 0 },
      ...deployed.filter((d) => choice === 'all' || choice.includes(d.name)),
    ];
    return Promise.all(
      wanted.map(async (d) => ({ dex: d.name, index: d.index, meta: await this.meta(d.name) })),
    );
  }

  async #asset(symbol: string): Promise<PerpAsset> {
    const assets = await this.loadAssets();
    try {
      return assets.bySymbol(symbol);
    } catch (error) {
      if (error instanceof UnknownAssetError) {
        throw new ExchangeError('UNKNOWN_SYMBOL', error.message, { details: { symbol }, cause: error });
      }
      throw error;
    }
  }

  // ---- exchange ------------------------------------------------------------------------------------

  /**
   * Signs and sends one L1 action. Never retried here: a resend could execute twice.
   * @throws {HyperliquidActionError} when the venue refuses the whole action; {HyperliquidHttpError}.
   */
  async sendAction(
    action: L1Action,
    opts: { batchLength?: number; expiresAfter?: number; weightTaken?: boolean } = {},
  ): Promise<ExchangeResponse> {
    const signer = this.#signer;
    if (signer === undefined) {
      throw new HyperliquidClientError(
        'HL_INVALID_ARGUMENT',
        'this client has no privateKey; it cannot sign actions',
      );
    }
    // Wait for rate-limit capacity before the nonce and signature exist, so a throttled action is signed
    // when it can actually be sent.
    if (opts.weightTaken !== true) await this.#bucket.take(exchangeRequestWeight(opts.batchLength ?? 1));
    this.#actionCap.take(action);
    const nonce = this.#nonces.next();
    const signature = signL1Action({
      privateKey: signer,
      action,
      nonce,
      isMainnet: this.isMainnet,
      vaultAddress: this.vaultAddress,
      expiresAfter: opts.expiresAfter,
    });
    const body = {
      action,
      signature,
      nonce,
      ...(this.vaultAddress === undefined ? {} : { vaultAddress: this.vaultAddress }),
      ...(opts.expiresAfter === undefined ? {} : { expiresAfter: opts.expiresAfter }),
    };
    const raw = (await postJson(this.baseUrl, 'exchange', body, this.#timeoutMs)).body;
    const parsed = ExchangeResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new HyperliquidResponseError(`exchange ${action.type} answered an unexpected shape`, {
        details: { type: action.type, body: JSON.stringify(raw).slice(0, 500) },
        cause: parsed.error,
      });
    }
    if (parsed.data.status === 'err') {
      const venueMessage = parsed.data.response;
      throw new HyperliquidActionError(`Hyperliquid refused ${action.type}: ${venueMessage}`, venueMessage, {
        details: { type: action.type },
      });
    }
    return parsed.data;
  }

  /**
   * Sends an order action and returns one result per order, in request order. A single pre-validation
   * error for a whole batch is applied to every order.
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {HyperliquidResponseError}
   */
  async submitOrders(
    orders: readonly OrderWire[],
    opts: { grouping?: Grouping; expiresAfter?: number; weightTaken?: boolean } = {},
  ): Promise<OrderResult[]> {
    const action = buildOrderAction(orders, opts.grouping ?? 'na');
    const res = await this.sendAction(action, {
      batchLength: orders.length,
      ...(opts.expiresAfter === undefined ? {} : { expiresAfter: opts.expiresAfter }),
      ...(opts.weightTaken === undefined ? {} : { weightTaken: opts.weightTaken }),
    });
    return this.#orderResults(res, orders);
  }

  #orderResults(res: ExchangeResponse, orders: readonly OrderWire[]): OrderResult[] {
    if (res.status !== 'ok' || res.response.type !== 'order') {
      throw new HyperliquidResponseError('order action answered something other than order statuses');
    }
    const statuses = res.response.data.statuses as OrderResponseStatus[];
    const only = statuses[0];
    if (statuses.length !== orders.length) {
      if (statuses.length === 1 && only !== undefined && typeof only === 'object' && 'error' in only) {
        return orders.map((o) => ({
          kind: 'error',
          error: venueError(only.error, { cloid: o.c, asset: o.a }),
        }));
      }
      throw new HyperliquidResponseError(
        `order action answered ${statuses.length} statuses for ${orders.length} orders`,
      );
    }
    return statuses.map((s, i): OrderResult => {
      if (s === 'waitingForFill' || s === 'waitingForTrigger') return { kind: s };
      if ('resting' in s) return { kind: 'resting', oid: s.resting.oid, cloid: s.resting.cloid };
      if ('filled' in s) {
        return {
          kind: 'filled',
          oid: s.filled.oid,
          totalSz: toDecimal(s.filled.totalSz),
          avgPx: toDecimal(s.filled.avgPx),
          cloid: s.filled.cloid,
        };
      }
      return { kind: 'error', error: venueError(s.error, { cloid: orders[i]?.c, asset: orders[i]?.a }) };
    });
  }

  async #cancelStatuses(action: L1Action, n: number): Promise<Array<true | ExchangeError>> {
    const res = await this.sendAction(action, { batchLength: n });
    if (res.status !== 'ok' || res.response.type !== 'cancel') {
      throw new HyperliquidResponseError(`${action.type} answered something other than cancel statuses`);
    }
    const statuses = res.response.data.statuses as CancelResponseStatus[];
    const only = statuses[0];
    if (statuses.length !== n) {
      if (statuses.length === 1 && typeof only === 'object') return Array(n).fill(venueError(only.error));
      throw new HyperliquidResponseError(
        `${action.type} answered ${statuses.length} statuses for ${n} cancels`,
      );
    }
    return statuses.map((s) => (s === 'success' ? true : venueError(s.error)));
  }

  /** Cancels by oid; `true` per cancelled order, else the venue's error. */
  async cancel(cancels: readonly { symbol: string; oid: number }[]): Promise<Array<true | ExchangeError>> {
    const wire = await Promise.all(
      cancels.map(async (c) => ({ asset: (await this.#asset(c.symbol)).asset, oid: c.oid })),
    );
    return this.#cancelStatuses(buildCancelAction(wire), wire.length);
  }

  /** Cancels by cloid (any client order id maps to its cloid); `true` per cancelled order. */
  async cancelByCloid(
    cancels: readonly { symbol: string; cloid: string }[],
  ): Promise<Array<true | ExchangeError>> {
    const wire = await Promise.all(
      cancels.map(async (c) => ({ asset: (await this.#asset(c.symbol)).asset, cloid: toCloid(c.cloid) })),
    );
    return this.#cancelStatuses(buildCancelByCloidAction(wire), wire.length);
  }

  /** Replaces an open order (by oid or cloid) with `order`. @throws {HyperliquidActionError} */
  async modify(oid: number | string, order: OrderWire): Promise<void> {
    await this.sendAction(buildModifyAction(typeof oid === 'string' ? toCloid(oid) : oid, order));
  }

  /**
   * Replaces several open orders at once; one result per modify, in request order. The new oid comes from
   * the result (do not assume it equals the old one).
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {HyperliquidResponseError}
   */
  async batchModify(modifies: readonly { oid: number | string; order: OrderWire }[]): Promise<OrderResult[]> {
    const action = buildBatchModifyAction(
      modifies.map((m) => ({ oid: typeof m.oid === 'string' ? toCloid(m.oid) : m.oid, order: m.order })),
    );
    const res = await this.sendAction(action, { batchLength: modifies.length });
    return this.#orderResults(
      res,
      modifies.map((m) => m.order),
    );
  }

  /** Sets leverage of a symbol (cross by default). @throws {HyperliquidActionError} {ExchangeError} */
  async updateLeverage(symbol: string, leverage: number, opts: { isCross?: boolean } = {}): Promise<void> {
    const asset = await this.#asset(symbol);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > asset.maxLeverage) {
      throw new ExchangeError(
        'INVALID_LEVERAGE',
        `leverage must be an integer in [1, ${asset.maxLeverage}] for ${symbol}`,
        {
          details: { symbol, leverage, maxLeverage: asset.maxLeverage },
        },
      );
    }
    await this.sendAction(buildUpdateLeverageAction(asset.asset, opts.isCross ?? true, leverage));
  }

  /**
   * Dead man's switch: cancel every open order at `time` (≥ 5 s ahead); no time clears it. Accounts
   * under $1M traded volume are refused by the venue (HyperliquidActionError with its message).
   */
  async scheduleCancel(time?: number): Promise<void> {
    await this.sendAction(buildScheduleCancelAction(time));
  }

  async #sendUserSigned(action: UserSignedAction, nonce: number): Promise<void> {
    const signer = this.#signer;
    if (signer === undefined) {
      throw new HyperliquidClientError(
        'HL_INVALID_ARGUMENT',
        'this client has no privateKey; it cannot sign actions',
      );
    }
    const signature = signUserSignedAction({ privateKey: signer, action });
    await this.#bucket.take(exchangeRequestWeight(1));
    const raw = (await postJson(this.baseUrl, 'exchange', { action, signature, nonce }, this.#timeoutMs))
      .body;
    const parsed = ExchangeResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new HyperliquidResponseError(`exchange ${action.type} answered an unexpected shape`, {
        cause: parsed.error,
      });
    }
    if (parsed.data.status === 'err') {
      const venueMessage = parsed.data.response;
      throw new HyperliquidActionError(`Hyperliquid refused ${action.type}: ${venueMessage}`, venueMessage);
    }
  }

  /**
   * Sends perp USDC to another address. Must be signed by the account's own key (not an agent).
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {UnrepresentableNumberError}
   */
  async usdSend(destination: string, amount: DecimalInput): Promise<void> {
    const nonce = this.#nonces.next();
    const action = buildUsdSendAction({
      destination,
      amount: toWireDecimal(amount),
      time: nonce,
      isMainnet: this.isMainnet,
    });
    await this.#record({
      type: 'note',
      message: `usdSend ${action.amount} USDC to ${String(action.destination)}`,
    });
    await this.#sendUserSigned(action, nonce);
  }

  /**
   * Withdraws USDC to Arbitrum. Must be signed by the account's own key (not an agent).
   * @throws {HyperliquidActionError} {HyperliquidHttpError} {UnrepresentableNumberError}
   */
  async withdraw(destination: string, amount: DecimalInput): Promise<void> {
    const nonce = this.#nonces.next();
    const action = buildWithdrawAction({
      destination,
      amount: toWireDecimal(amount),
      time: nonce,
      isMainnet: this.isMainnet,
    });
    await this.#record({
      type: 'note',
      message: `withdraw ${action.amount} USDC to ${String(action.destination)}`,
    });
    await this.#sendUserSigned(action, nonce);
  }

  // ---- Exchange port ------------------------------------------------------------------------------

  async #protectionPrice(
    coin: string,
    reference: Decimal | undefined,
    side: 'buy' | 'sell',
  ): Promise<Decimal> {
    let ref = reference;
    if (ref === undefined) {
      const mids = await this.allMids(dexOfCoin(coin));
      ref = mids[coin];
      if (ref === undefined || ref.lte(0)) {
        throw new ExchangeError('NO_MARKET_PRICE', `no mid price for ${coin}; cannot bound a market order`, {
          details: { coin },
        });
      }
    }
    return side === 'buy'
      ? ref.times(ONE_PLUS(this.#slippage))
      : ref.times(new Decimal(1).minus(this.#slippage));
  }

  async #orderWire(order: OrderRequest, asset: PerpAsset, cloid: string): Promise<OrderWire> {
    const side = order.side;
    const price = (value: Decimal, round: boolean) =>
      formatPrice(value, asset.szDecimals, round ? { roundFor: side } : {});
    const size = formatSize(order.quantity, asset.szDecimals, { round: this.#round });
    const base = { asset: asset.asset, isBuy: side === 'buy', size, reduceOnly: order.reduceOnly, cloid };
    switch (order.orderType) {
      case 'market': {
        const p = await this.#protectionPrice(asset.coin, undefined, side);
        return orderWire({ ...base, price: price(p, true), orderType: { limit: { tif: 'Ioc' } } });
      }
      case 'limit':
        return orderWire({
          ...base,
          price: price(required(order.price, 'price'), this.#round),
          orderType: { limit: { tif: tifOf(order) } },
        });
      case 'stop-market':
      case 'stop-limit':
      case 'take-profit': {
        const trigger = required(order.triggerPrice, 'triggerPrice');
        const isMarket =
          order.orderType === 'stop-market' ||
          (order.orderType === 'take-profit' && order.price === undefined);
        const limit = isMarket
          ? await this.#protectionPrice(asset.coin, trigger, side)
          : required(order.price, 'price');
        return orderWire({
          ...base,
          price: price(limit, isMarket || this.#round),
          orderType: {
            trigger: {
              isMarket,
              triggerPx: price(trigger, this.#round),
              tpsl: order.orderType === 'take-profit' ? 'tp' : 'sl',
            },
          },
        });
      }
    }
  }

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
   */
  async placeOrder(input: OrderRequest, opts: { clientOrderId?: string } = {}): Promise<OrderAck> {
    const order = parseOrThrow(OrderRequest, input, 'order');
    const clientOrderId = opts.clientOrderId ?? order.clientOrderId;
    const cloid = clientOrderId === undefined ? randomCloid() : this.#ids.remember(clientOrderId);
    const ackId = clientOrderId ?? cloid;
    const asset = await this.#asset(order.symbol);
    let wire: OrderWire;
    try {
      wire = await this.#orderWire(order, asset, cloid);
    } catch (error) {
      throw error instanceof UnrepresentableNumberError
        ? new ExchangeError(
            error.code === 'HL_INVALID_SIZE' ? 'INVALID_SIZE' : 'INVALID_PRICE',
            error.message,
            {
              details: error.details,
              cause: error,
            },
          )
        : error;
    }
    // Order lifecycle facts (submitted, accepted, rejected, cancelled) belong to the caller that routes the
    // order (the engine); this client audits only what it alone sees: failed attempts and transport errors.
    const startedAt = this.#clock.now();
    let ack: OrderAck;
    try {
      const outcome = await this.#submitSafely(wire, cloid);
      ack =
        outcome.kind === 'status'
          ? await this.#ackFromStatus(outcome.response, order, ackId, cloid, startedAt)
          : this.#ackFromResult(outcome, order, ackId, cloid);
    } catch (error) {
      if (error instanceof ExchangeError) throw error;
      await this.#recordError(error, `placing ${order.symbol} ${order.side} order ${ackId}`);
      // A refusal of the whole action, a 4xx or a request never sent is a definite "not placed": reported as
      // an ExchangeError, the only error the Exchange port defines as such. Anything else may be live.
      const definite =
        error instanceof HyperliquidActionError ||
        error instanceof HyperliquidClientError ||
        (error instanceof HyperliquidHttpError && !error.transient);
      if (!definite) throw error;
      throw new ExchangeError('ORDER_REJECTED', (error as Error).message, {
        cause: error,
        details: { cloid, venueCode: (error as HyperliquidActionError).code },
      });
    }
    if (/^\d+$/.test(ack.orderId)) this.#ids.link(ack.orderId, ackId);
    return ack;
  }

  async #submitSafely(
    wire: OrderWire,
    cloid: string,
  ): Promise<OrderResult | { kind: 'status'; response: OrderStatusResponse & { status: 'order' } }> {
    for (let attempt = 1; ; attempt++) {
      // Capacity first, expiry second: a wait in the rate limiter must not eat the order's validity window.
      await this.#bucket.take(exchangeRequestWeight(1));
      const expiresAfter =
        this.#orderExpiryMs === null ? undefined : Math.floor(this.#clock.now()) + this.#orderExpiryMs;
      try {
        const [result] = await this.submitOrders([wire], {
          weightTaken: true,
          ...(expiresAfter === undefined ? {} : { expiresAfter }),
        });
        if (result === undefined) throw new HyperliquidResponseError('order action answered no status');
        return result;
      } catch (error) {
        // A transient HTTP failure or an unreadable answer leaves the order's fate open; anything else
        // (a 4xx, a refusal) is a definite answer.
        const ambiguous =
          (error instanceof HyperliquidHttpError && error.transient) ||
          error instanceof HyperliquidResponseError;
        if (!ambiguous) throw error;
        await this.#recordError(
          error,
          `order ${cloid} attempt ${attempt} may not have arrived; checking orderStatus`,
        );
        // Wait until a copy still in flight can no longer be accepted, then ask the venue about the cloid.
        const until = (expiresAfter ?? this.#clock.now()) + this.#orderSettleMs;
        await this.#sleep(Math.max(0, until - this.#clock.now()));
        let status: OrderStatusResponse;
        try {
          status = await this.orderStatus(cloid);
        } catch (statusError) {
          throw new OrderStateUnknownError(
            `order ${cloid}: submission failed (${error.message}) and orderStatus failed too; the order may be live`,
            { cause: statusError, details: { cloid } },
          );
        }
        if (status.status === 'order') return { kind: 'status', response: status };
        if (attempt >= this.#maxOrderAttempts) {
          if (expiresAfter === undefined) {
            throw new OrderStateUnknownError(
              `order ${cloid}: ${attempt} attempts failed and orderStatus does not know it, but without expiry a copy may still arrive`,
              { cause: error, details: { cloid } },
            );
          }
          // The signed copies have expired and the venue has none: definitely not placed.
          throw new ExchangeError(
            'ORDER_REJECTED',
            `order ${cloid} was not placed: ${attempt} attempts failed (${error.message}) and the venue has no such order after the signed copies expired`,
            { cause: error, details: { cloid } },
          );
        }
        await this.#sleep(this.#backoff(attempt - 1, undefined));
      }
    }
  }

  #ackFromResult(result: OrderResult, order: OrderRequest, ackId: string, cloid: string): OrderAck {
    switch (result.kind) {
      case 'error':
        throw result.error;
      case 'resting':
        return OrderAck.parse({
          orderId: String(result.oid),
          clientOrderId: ackId,
          status: 'resting',
          filledQuantity: ZERO,
        });
      case 'filled': {
        const complete = result.totalSz.gte(order.quantity);
        const ioc = order.orderType === 'market' || order.timeInForce === 'IOC';
        return OrderAck.parse({
          orderId: String(result.oid),
          clientOrderId: ackId,
          status: complete ? 'filled' : ioc ? 'cancelled' : 'partially_filled',
          filledQuantity: result.totalSz,
          averagePrice: result.avgPx,
        });
      }
      default:
        // Children of a TP/SL group carry no oid until they trigger; the cloid identifies them.
        return OrderAck.parse({
          orderId: cloid,
          clientOrderId: ackId,
          status: 'resting',
          filledQuantity: ZERO,
        });
    }
  }

  async #ackFromStatus(
    status: OrderStatusResponse & { status: 'order' },
    order: OrderRequest,
    ackId: string,
    cloid: string,
    since: number,
  ): Promise<OrderAck> {
    const o = status.order.order;
    const filled = o.origSz.gt(o.sz)
      ? o.origSz.minus(o.sz)
      : status.order.status === 'filled'
        ? o.origSz
        : ZERO;
    const mapped = mapOrderStatus(status.order.status, filled);
    if (mapped === 'rejected' || mapped === undefined) {
      throw venueError(status.order.status, { cloid, oid: o.oid });
    }
    if (filled.isZero()) {
      return OrderAck.parse({
        orderId: String(o.oid),
        clientOrderId: ackId,
        status: mapped,
        filledQuantity: ZERO,
      });
    }
    const fills = (await this.userFillsByTime({ startTime: since - 60_000 })).filter((f) => f.oid === o.oid);
    const qty = fills.reduce((acc, f) => acc.plus(f.sz), ZERO);
    if (qty.isZero()) {
      throw new OrderStateUnknownError(
        `order ${cloid} (oid ${o.oid}) is ${status.order.status} with ${filled.toFixed()} filled, but its fills are not visible yet`,
        { details: { cloid, oid: o.oid, symbol: order.symbol } },
      );
    }
    const avg = fills.reduce((acc, f) => acc.plus(f.sz.times(f.px)), ZERO).div(qty);
    return OrderAck.parse({
      orderId: String(o.oid),
      clientOrderId: ackId,
      status: mapped,
      filledQuantity: qty,
      averagePrice: avg,
    });
  }

  /**
   * Cancels one order by venue oid (digits) or client order id / cloid. Resolves true when it was open
   * and is now cancelled, false when the venue says it was not open.
   * @throws {ExchangeError} for other refusals; {HyperliquidHttpError} on transport failure.
   */
  async cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    let result: true | ExchangeError | undefined;
    try {
      [result] = /^\d+$/.test(orderId)
        ? await this.cancel([{ symbol, oid: Number(orderId) }])
        : await this.cancelByCloid([{ symbol, cloid: orderId }]);
    } catch (error) {
      await this.#recordError(error, `cancelling ${symbol} order ${orderId}`);
      throw error;
    }
    if (result === true) return true;
    if (result === undefined || result.code === 'UNKNOWN_ORDER') return false;
    await this.#recordError(result, `cancelling ${symbol} order ${orderId}`);
    throw result;
  }

  /**
   * Cancels every open order of the account (of one symbol when given) in batches; resolves with how many
   * the venue confirmed, across every perp dex the client trades (HIP-3 ones included). Orders on coins
   * outside the perp universe (spot) are left alone.
   */
  async cancelAllOrders(opts: { symbol?: string; reason?: string } = {}): Promise<number> {
    const assets = await this.loadAssets();
    const coin = opts.symbol === undefined ? undefined : (await this.#asset(opts.symbol)).coin;
    const dexes = opts.symbol === undefined ? assets.dexes() : [(await this.#asset(opts.symbol)).dex];
    const open = (await Promise.all(dexes.map((d) => this.openOrders(undefined, d))))
      .flat()
      .filter((o) => (coin === undefined ? assets.hasCoin(o.coin) : o.coin === coin));
    let cancelled = 0;
    for (let i = 0; i < open.length; i += 100) {
      const chunk = open.slice(i, i + 100);
      let results: Array<true | ExchangeError>;
      try {
        results = await this.#cancelStatuses(
          buildCancelAction(chunk.map((o) => ({ asset: assets.byCoin(o.coin).asset, oid: o.oid }))),
          chunk.length,
        );
      } catch (error) {
        await this.#recordError(
          error,
          `cancelling all orders${opts.reason === undefined ? '' : ` (${opts.reason})`}`,
        );
        throw error;
      }
      for (const [j, r] of results.entries()) {
        const o = chunk[j];
        if (o === undefined) continue;
        if (r === true) {
          cancelled += 1;
          // The count alone cannot settle an order: each confirmed cancel is reported like the venue's own
          // order update (a later one from the stream is the same fact; listeners key by order id).
          // `openOrders` may leave out origSz: the remaining size is then all that is known of it.
          this.#deliverUpdates([
            {
              order: { ...o, origSz: o.origSz ?? o.sz },
              status: 'canceled',
              statusTimestamp: this.#clock.now(),
            },
          ]);
        } else if (r.code !== 'UNKNOWN_ORDER') {
          await this.#recordError(r, `cancelling ${o.coin} order ${o.oid}`);
        }
      }
    }
    return cancelled;
  }

  /**
   * The venue's status of an order placed with `clientOrderId` (the Exchange port), or undefined when the
   * venue does not know its cloid. @throws {HyperliquidResponseError} for a status this package cannot map
   */
  async getOrderStatus(clientOrderId: string, _symbol: string): Promise<OrderUpdate | undefined> {
    const cloid = this.#ids.remember(clientOrderId);
    const status = await this.orderStatus(cloid);
    if (status.status !== 'order') return undefined;
    const venueUpdate = toOrderUpdate({
      order: status.order.order,
      status: status.order.status,
      statusTimestamp: status.order.statusTimestamp,
    });
    if (venueUpdate === undefined) {
      throw new HyperliquidResponseError(
        `orderStatus of ${clientOrderId} is ${status.order.status}, a status this client cannot map`,
      );
    }
    if (/^\d+$/.test(venueUpdate.orderId)) this.#ids.link(venueUpdate.orderId, clientOrderId);
    return { ...venueUpdate, clientOrderId };
  }

  /** Open orders as the project's OpenOrder (position-wide TP/SL orders without a size are skipped). */
  async getOpenOrders(symbol?: string): Promise<OpenOrder[]> {
    const assets = await this.loadAssets();
    const coin = symbol === undefined ? undefined : (await this.#asset(symbol)).coin;
    const dexes = symbol === undefined ? assets.dexes() : [(await this.#asset(symbol)).dex];
    const orders = (await Promise.all(dexes.map((d) => this.frontendOpenOrders(undefined, d)))).flat();
    const out: OpenOrder[] = [];
    for (const o of orders) {
      if (coin !== undefined ? o.coin !== coin : !assets.hasCoin(o.coin)) continue;
      const quantity = o.origSz.gt(0) ? o.origSz : o.sz;
      if (quantity.lte(0)) continue;
      out.push(
        parseOrThrow(
          OpenOrder,
          {
            orderId: String(o.oid),
            ...(o.cloid == null ? {} : { clientOrderId: this.#ids.resolve(o.cloid, o.oid) }),
            symbol: assets.byCoin(o.coin).symbol,
            side: o.side === 'B' ? 'buy' : 'sell',
            orderType: orderTypeOf(o),
            ...(o.limitPx.gt(0) ? { price: o.limitPx } : {}),
            ...(o.isTrigger && o.triggerPx.gt(0) ? { triggerPrice: o.triggerPx } : {}),
            quantity,
            filledQuantity: quantity.gt(o.sz) ? quantity.minus(o.sz) : ZERO,
            reduceOnly: o.reduceOnly,
            timeInForce: o.tif === 'Ioc' ? 'IOC' : o.tif === 'Alo' ? 'post-only' : 'GTC',
            createdAt: o.timestamp,
          },
          'Hyperliquid open order',
        ),
      );
    }
    return out;
  }

  /**
   * Balance, equity and margin in use. Equity is the venue's account value; balance is equity minus
   * unrealized PnL (the cash the account would hold flat).
   */
  async getAccountState(): Promise<AccountState> {
    const known = this.#mode;
    const mode =
      known !== undefined && this.#clock.now() - this.#modeReadAt < this.#modeTtlMs
        ? known
        : await this.accountMode();
    const assets = await this.loadAssets();
    const [dexes, spot] = await Promise.all([
      Promise.all(
        assets
          .dexes()
          .map(
            async (dex): Promise<DexState> => ({ dex, state: await this.clearinghouseState(undefined, dex) }),
          ),
      ),
      mode.kind === 'standard' ? undefined : this.spotClearinghouseState(),
    ]);
    const time = Math.max(...dexes.map((d) => d.state.time));
    return accountStateFor({ mode, dexes, spot, time });
  }

  /** @throws {ExchangeError} `UNKNOWN_SYMBOL` or `NO_MARKET_PRICE`. */
  async getMarketPrice(symbol: string): Promise<MarketPrice> {
    const asset = await this.#asset(symbol);
    const mid = (await this.allMids(asset.dex))[asset.coin];
    if (mid === undefined || mid.lte(0)) {
      throw new ExchangeError('NO_MARKET_PRICE', `no mid price for ${symbol}`, { details: { symbol } });
    }
    return MarketPrice.parse({ symbol, price: mid, timestamp: this.#clock.now() });
  }

  /** Mid, best bid and best ask of a symbol. @throws {ExchangeError} `UNKNOWN_SYMBOL`, `NO_MARKET_PRICE`. */
  async getMarketData(symbol: string): Promise<MarketData> {
    const asset = await this.#asset(symbol);
    const [mids, book] = await Promise.all([this.allMids(asset.dex), this.l2Book(asset.coin)]);
    const mid = mids[asset.coin];
    if (mid === undefined || mid.lte(0)) {
      throw new ExchangeError('NO_MARKET_PRICE', `no mid price for ${symbol}`, { details: { symbol } });
    }
    return {
      symbol,
      coin: asset.coin,
      price: mid,
      bestBid: book.levels[0][0]?.px,
      bestAsk: book.levels[1][0]?.px,
      timestamp: book.time,
    };
  }

  // ---- streams -------------------------------------------------------------------------------------

  onFill(listener: (fill: Fill) => void): () => void {
    this.#fillListeners.add(listener);
    return () => this.#fillListeners.delete(listener);
  }

  onOrderUpdate(listener: (update: OrderUpdate) => void): () => void {
    this.#updateListeners.add(listener);
    return () => this.#updateListeners.delete(listener);
  }

  onPrice(listener: (price: MarketPrice) => void): () => void {
    this.#priceListeners.add(listener);
    return () => this.#priceListeners.delete(listener);
  }

  /**
   * Hourly funding payments of the account's perp positions (the venue's `userFundings` stream). `amount`
   * is signed from the account's side: negative when it paid. Each (coin, time) is delivered once; payments
   * before `fillsSince` are history and not delivered. Not backfilled over REST after a reconnect: the
   * stream's snapshot on resubscribe covers the gap.
   */
  onFunding(listener: (payment: FundingPayment) => void): () => void {
    this.#fundingListeners.add(listener);
    return () => this.#fundingListeners.delete(listener);
  }

  /**
   * Fills the client could not read or map (each also audited as an `error` and fetched again over REST).
   * A TradingEngine trips the circuit breaker on each.
   */
  onFault(listener: (error: Error) => void): () => void {
    this.#faultListeners.add(listener);
    return () => this.#faultListeners.delete(listener);
  }

  /**
   * Non-funding ledger changes of the account (the venue's `userNonFundingLedgerUpdates` stream): each is
   * audited as `ledger_update` first, delivered once, and changes before `fillsSince` are history. Feed
   * them to risk so money moved in or out is never read as trading P&L.
   */
  onLedgerUpdate(listener: (change: LedgerChange) => void): () => void {
    this.#ledgerListeners.add(listener);
    return () => this.#ledgerListeners.delete(listener);
  }

  /** Stream and backfill problems (they are also audited as `error` events). */
  onError(listener: (error: Error) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /**
   * Opens the WebSocket (allMids, userFills, orderUpdates) and resolves once connected. Each (re)connect
   * backfills fills over REST from the newest fill seen; every fill reaches `onFill` once.
   * @throws {HyperliquidClientError} `HL_NOT_CONNECTED` when no connection opens within `timeoutMs` (30 s).
   */
  async start(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#ws !== undefined) return;
    const user = this.#requireAccount(undefined);
    // An account the client cannot measure must not trade: an unknown mode is a start-up error.
    await this.accountMode();
    await this.loadAssets();
    const ws = new HyperliquidWebSocket({
      url: this.wsUrl,
      ...this.#wsOptions,
      random: this.#random,
      onOpen: (info) => {
        if (info.reconnect) this.#reconnects += 1;
        this.#scheduleBackfill();
      },
      onMessage: (channel, data) => this.#onWsMessage(channel, data),
      onError: (error) => {
        this.#emitError(error);
        void this.#recordError(error, 'websocket');
      },
    });
    this.#ws = ws;
    ws.subscribe({ type: 'allMids' });
    ws.subscribe({ type: 'userFills', user });
    ws.subscribe({ type: 'orderUpdates', user });
    ws.subscribe({ type: 'userFundings', user });
    ws.subscribe({ type: 'userNonFundingLedgerUpdates', user });
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
                  `WebSocket ${this.wsUrl} did not open within ${timeoutMs} ms`,
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
  }

  /** How many times the WebSocket reconnected since `start()` (each one followed by a REST backfill). */
  get streamReconnects(): number {
    return this.#reconnects;
  }

  /**
   * Fetches fills over REST now and delivers the new ones, resolving once they were handed to `onFill`
   * listeners: after an account snapshot, every fill it includes has then been delivered.
   */
  async syncFills(): Promise<void> {
    this.#scheduleBackfill();
    await this.#backfill;
  }

  /** Waits for the backfills scheduled so far (tests and orderly shutdown). */
  async settled(): Promise<void> {
    await this.#backfill;
  }

  /** Closes the WebSocket. Safe to call twice. */
  close(): void {
    this.#ws?.close();
    this.#ws = undefined;
  }

  #scheduleBackfill(startTime?: number): void {
    this.#backfill = this.#backfill.then(async () => {
      try {
        const from = startTime ?? Math.max(this.#deduper.newestTime, this.#deduper.since);
        this.#deliverFills(await this.userFillsByTime({ startTime: from }));
      } catch (error) {
        this.#emitError(error instanceof Error ? error : new Error(String(error)));
        await this.#recordError(error, 'fill backfill after (re)connect');
      }
    });
  }

  /** Delivers each fill on its own: one that cannot be read is reported and left for a backfill. */
  #deliverFills(batch: readonly UserFill[]): void {
    const assets = this.#assets;
    let retryFrom: number | undefined;
    for (const f of this.#deduper.accept(batch)) {
      if (assets !== undefined && !assets.hasCoin(f.coin)) {
        // Spot, or a perp dex this client does not trade: not a position here, but never dropped unseen.
        void this.#record({
          type: 'note',
          message: `fill ${fillKey(f)} of ${f.coin} (${f.side === 'B' ? 'buy' : 'sell'} ${f.sz.toFixed()} @ ${f.px.toFixed()}) is outside the perp dexes this client trades; not booked as a position`,
        }).catch((error: unknown) =>
          this.#emitError(error instanceof Error ? error : new Error(String(error))),
        );
        continue;
      }
      let venueFill: Fill;
      try {
        venueFill = toFill(f);
      } catch (error) {
        this.#deduper.forget(f);
        this.#invalidFill(error);
        retryFrom = Math.min(retryFrom ?? f.time, f.time);
        continue;
      }
      const clientOrderId = this.#ids.resolve(f.cloid, f.oid);
      const fill = clientOrderId === undefined ? venueFill : { ...venueFill, clientOrderId };
      for (const l of this.#fillListeners) {
        try {
          l(fill);
        } catch (error) {
          this.#emitError(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
    if (retryFrom !== undefined) this.#scheduleBackfill(Math.max(retryFrom, this.#deduper.since));
  }

  #deliverUpdates(updates: readonly WsOrderUpdate[]): void {
    for (const u of updates) {
      if (this.#assets !== undefined && !this.#assets.hasCoin(u.order.coin)) continue;
      const venueUpdate = toOrderUpdate(u);
      if (venueUpdate === undefined) continue;
      const clientOrderId = this.#ids.resolve(u.order.cloid, u.order.oid);
      const update = clientOrderId === undefined ? venueUpdate : { ...venueUpdate, clientOrderId };
      for (const l of this.#updateListeners) {
        try {
          l(update);
        } catch (error) {
          this.#emitError(error instanceof Error ? error : new Error(String(error)));
        }
      }
    }
  }

  #onWsMessage(channel: string, data: unknown): void {
    if (channel === 'userFills') {
      const envelope = WsUserFillsEnvelopeSchema.safeParse(data);
      if (!envelope.success) {
        // A fill we cannot read must not be lost: fetch it over REST instead.
        this.#invalidMessage(channel);
        this.#scheduleBackfill();
        return;
      }
      // Each fill on its own: one malformed fill must not drop the good ones next to it.
      const from = Math.max(this.#deduper.newestTime, this.#deduper.since);
      const good: UserFill[] = [];
      let unreadable = 0;
      for (const raw of envelope.data.fills) {
        const parsed = UserFillSchema.safeParse(raw);
        if (parsed.success) good.push(parsed.data);
        else {
          unreadable += 1;
          this.#invalidFill(parsed.error);
        }
      }
      this.#deliverFills(good);
      // From before this message: the good fills in it moved the newest time past the unreadable one.
      if (unreadable > 0) this.#scheduleBackfill(from);
    } else if (channel === 'orderUpdates') {
      const parsed = WsOrderUpdatesSchema.safeParse(data);
      if (!parsed.success) {
        this.#invalidMessage(channel);
        return;
      }
      this.#deliverUpdates(parsed.data);
    } else if (channel === 'userFundings') {
      const parsed = WsUserFundingsSchema.safeParse(data);
      if (!parsed.success) {
        this.#invalidMessage(channel);
        return;
      }
      for (const f of [...parsed.data.fundings].sort((a, b) => a.time - b.time)) {
        const key = `${f.coin}:${f.time}`;
        if (this.#seenFundings.has(key)) continue;
        this.#seenFundings.add(key);
        if (f.time < this.#deduper.since || (this.#assets !== undefined && !this.#assets.hasCoin(f.coin)))
          continue;
        const payment = FundingPayment.parse({
          symbol: coinToSymbol(f.coin),
          amount: f.usdc,
          time: f.time,
          rate: f.fundingRate,
          positionSize: f.szi,
        });
        for (const l of this.#fundingListeners) {
          try {
            l(payment);
          } catch (error) {
            this.#emitError(error instanceof Error ? error : new Error(String(error)));
          }
        }
      }
    } else if (channel === 'userNonFundingLedgerUpdates') {
      const parsed = WsLedgerUpdatesSchema.safeParse(data);
      if (!parsed.success) {
        this.#invalidMessage(channel);
        return;
      }
      const account = this.account;
      if (account === undefined) return;
      for (const u of [...parsed.data.nonFundingLedgerUpdates].sort((a, b) => a.time - b.time)) {
        let change: LedgerChange;
        try {
          change = ledgerChange(u, account);
        } catch (error) {
          this.#emitError(error instanceof Error ? error : new Error(String(error)));
          void this.#recordError(error, `ledger update ${u.hash}`);
          continue;
        }
        if (this.#seenLedger.has(change.id)) continue;
        this.#seenLedger.add(change.id);
        if (change.time < this.#deduper.since) continue;
        void this.#deliverLedger(change);
      }
    } else if (channel === 'allMids') {
      const parsed = WsAllMidsSchema.safeParse(data);
      if (!parsed.success) {
        this.#invalidMessage(channel);
        return;
      }
      const assets = this.#assets;
      if (assets === undefined || this.#priceListeners.size === 0) return;
      const now = this.#clock.now();
      for (const [coin, px] of Object.entries(parsed.data.mids)) {
        if (!assets.hasCoin(coin) || px.lte(0)) continue;
        const price: MarketPrice = { symbol: assets.byCoin(coin).symbol, price: px, timestamp: now };
        for (const l of this.#priceListeners) {
          try {
            l(price);
          } catch (error) {
            this.#emitError(error instanceof Error ? error : new Error(String(error)));
          }
        }
      }
    }
  }

  /** A fill that cannot be read or mapped: reported and audited as an `error`, then fetched again. */
  #invalidFill(cause: unknown): void {
    const error = new HyperliquidResponseError(
      'WebSocket userFills message holds a fill that cannot be read; the other fills were delivered, this one is fetched again over REST',
      { cause },
    );
    this.#emitError(error);
    for (const l of this.#faultListeners) {
      try {
        l(error);
      } catch (thrown) {
        this.#emitError(thrown instanceof Error ? thrown : new Error(String(thrown)));
      }
    }
    void this.#recordError(error, 'websocket fill');
  }

  async #deliverLedger(change: LedgerChange): Promise<void> {
    try {
      await this.#record({
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
          `ledger update of unknown kind ${change.kind}; counted as no cash`,
        );
      }
    } catch (error) {
      this.#emitError(error instanceof Error ? error : new Error(String(error)));
      await this.#recordError(error, 'ledger update');
    }
    for (const l of this.#ledgerListeners) {
      try {
        l(change);
      } catch (error) {
        this.#emitError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  #invalidMessage(channel: string): void {
    const error = new HyperliquidResponseError(
      `WebSocket ${channel} message has an unexpected shape; dropped`,
    );
    this.#emitError(error);
    void this.#recordError(error, 'websocket');
  }
}

/** `dex` is sent only for HIP-3 dexes: the first dex's requests stay exactly as before. */
function dexParam(dex: string): { dex?: string } {
  return dex === MAIN_DEX ? {} : { dex };
}

function ONE_PLUS(x: Decimal): Decimal {
  return new Decimal(1).plus(x);
}

function required(value: Decimal | undefined, field: string): Decimal {
  if (value === undefined) {
    throw new ExchangeError('INVALID_PRICE', `order needs a ${field}`, { details: { field } });
  }
  return value;
}

function orderTypeOf(o: FrontendOpenOrder): OpenOrder['orderType'] {
  const t = o.orderType.toLowerCase();
  if (t.startsWith('take profit')) return 'take-profit';
  if (t === 'stop limit') return 'stop-limit';
  if (t.startsWith('stop')) return 'stop-market';
  if (t === 'market') return 'market';
  return o.isTrigger ? 'stop-market' : 'limit';
}
