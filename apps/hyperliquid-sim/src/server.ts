import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DecimalInput, fitsSizeDecimals, isOnPriceGrid, toDecimal } from '@hl-bot/core-types';
import {
  dexAssetId,
  dexOfCoin,
  ExchangeRequestSchema,
  type L1Action,
  type OrderWire,
  recoverL1ActionSigner,
  type Signature,
} from '@hl-bot/exchange-hyperliquid/wire';
import { type Candle, createPrng, intervalMs } from '@hl-bot/paper-exchange';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  SimAccount,
  type WireFill,
  type WireFunding,
  type WireOrderStatus,
  type WireOrderUpdate,
} from './account.js';
import { SimError } from './errors.js';
import { faultProblem, type SimFaults } from './faults.js';
import { MarketFeed, parseCoinSpec, type SimCoin, tickAt } from './market.js';
import { NonceBook } from './nonces.js';
import { wireDecimal } from './wire-decimal.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const MAX_FILLS = 2000;

/** Options of `startHyperliquidSim`. */
export interface HyperliquidSimOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Perps, as `BTC` or `COIN:szDecimals:maxLeverage`. Default BTC, ETH, SOL. */
  coins?: readonly string[];
  /** Master accounts with their starting USDC (default balance 100000). */
  accounts?: ReadonlyArray<{ address: string; balance?: DecimalInput }>;
  /** API (agent) wallets allowed to sign for a master. */
  agents?: ReadonlyArray<{ agent: string; master: string }>;
  /** Bars from a CSV file (one coin) instead of the synthetic market. */
  data?: { path: string; coin: string };
  /** Seed of the synthetic market and of random faults. Default 1. */
  seed?: number;
  /** Per-bar volatility of the synthetic market (fraction). */
  volatility?: number;
  /** Start prices of the synthetic market per coin. */
  startPrices?: Record<string, DecimalInput>;
  /** Wall-clock ms per bar, and the bars' own length (default 1000). */
  barMs?: number;
  /** Bars advance only through `step()` / `POST /sim/step` / `POST /sim/bar`. */
  manualBars?: boolean;
  /** Verify signatures as testnet (phantom agent source "b"). Default false: mainnet ("a"). */
  testnet?: boolean;
  /** Close a WebSocket the server has sent nothing to for this long (default 60000 ms, as the venue). */
  wsIdleMs?: number;
  /** Fault injection. */
  faults?: SimFaults;
  /**
   * One HIP-3 (builder-deployed) perp dex with its own `meta`: its name and coins as `COIN` or
   * `COIN:szDecimals:maxLeverage` (served as `name:COIN`, asset ids 110000 + index). Default: none.
   */
  hip3Dex?: { name: string; coins: readonly string[] };
  /**
   * Account abstraction mode of every account (default `standard`, answered as `disabled`). `unified`
   * answers `unifiedAccount` and keeps the USDC balance and holds in `spotClearinghouseState`, while the
   * perp state's account value carries no collateral, as the venue's docs describe.
   */
  accountMode?: 'standard' | 'unified';
  /** Server time (epoch ms); default Date.now. Nonce windows and fill times use it. */
  now?: () => number;
}

/** Counters for tests and operators. */
export interface SimStats {
  apiRequests: number;
  rateLimited: number;
  failed5xx: number;
  wsConnections: number;
  wsDropped: number;
  steps: number;
  /** Bars the timer could not apply (see `lastBarError` in GET /sim/state). */
  barErrors: number;
}

/** A running simulator. */
export interface HyperliquidSim {
  /** `http://127.0.0.1:PORT`: pass as the client's base URL. */
  readonly url: string;
  /** `ws://127.0.0.1:PORT/ws`. */
  readonly wsUrl: string;
  readonly port: number;
  readonly stats: Readonly<SimStats>;
  /** Advances n bars from the market data source (all accounts see them). */
  step(n?: number): Promise<void>;
  /** Feeds one explicit bar as the next time step (deterministic prices for tests). */
  pushBar(bar: {
    coin: string;
    open: DecimalInput;
    high: DecimalInput;
    low: DecimalInput;
    close: DecimalInput;
    volume?: DecimalInput;
  }): Promise<void>;
  /** Registers a master account. @throws {SimError} for a malformed address or balance. */
  addAccount(address: string, balance?: DecimalInput): void;
  /** Approves an agent wallet for a registered master. @throws {SimError} */
  approveAgent(agent: string, master: string): void;
  /** Replaces the fault settings. @throws {SimError} for invalid values. */
  setFaults(faults: SimFaults): void;
  /** Last price per coin. */
  mids(): Record<string, string>;
  /** Terminates every WebSocket connection now. */
  dropWebSockets(): void;
  /** Stops timers, closes sockets and the server. Safe to call twice. */
  close(): Promise<void>;
}

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
}

interface Client {
  socket: WebSocket;
  subs: Map<string, Record<string, unknown>>;
  lastSent: number;
}

const ok = (json: unknown): Reply => ({ status: 200, json });
const err = (response: string): Reply => ({ status: 200, json: { status: 'err', response } });
const unprocessable = (what: string): Reply => ({
  status: 422,
  text: `Failed to deserialize the JSON body into the target type: ${what}`,
});

function lower(address: string, what: string): string {
  if (!ADDRESS.test(address))
    throw new SimError('SIM_INVALID_OPTION', `${what} must be a 0x 20-byte address`);
  return address.toLowerCase();
}

/**
 * Starts a local Hyperliquid-compatible exchange on 127.0.0.1: `POST /info`, `POST /exchange`, the
 * `/ws` WebSocket, and `/sim/*` control endpoints, backed by one PaperExchange per account.
 *
 * @throws {SimError} `SIM_INVALID_OPTION` for invalid options.
 * @example
 * const sim = await startHyperliquidSim({ accounts: [{ address: '0xabc…', balance: '10000' }], manualBars: true });
 * const client = new HyperliquidClient({ privateKey, baseUrl: sim.url, wsUrl: sim.wsUrl });
 * await sim.step(5);
 * await sim.close();
 */
export async function startHyperliquidSim(options: HyperliquidSimOptions = {}): Promise<HyperliquidSim> {
  const coins: SimCoin[] = (options.coins ?? ['BTC', 'ETH', 'SOL'])
    .map(parseCoinSpec)
    .map((c, i) => ({ ...c, asset: i }));
  const hip3 = options.hip3Dex;
  if (hip3 !== undefined) {
    if (!/^[a-z]{1,8}$/.test(hip3.name))
      throw new SimError('SIM_INVALID_OPTION', 'a HIP-3 dex name is 1-8 lowercase letters');
    hip3.coins.map(parseCoinSpec).forEach((c, i) => {
      coins.push({ ...c, coin: `${hip3.name}:${c.coin}`, asset: dexAssetId(1, i), dex: hip3.name });
    });
  }
  const coinByAsset = (asset: number): SimCoin | undefined => coins.find((c) => c.asset === asset);
  const dexOf = (body: Record<string, unknown>): string | undefined => {
    const d = body.dex ?? '';
    return d === '' || (hip3 !== undefined && d === hip3.name) ? (d as string) : undefined;
  };
  if (coins.length === 0 || new Set(coins.map((c) => c.coin)).size !== coins.length) {
    throw new SimError('SIM_INVALID_OPTION', 'coins must be non-empty and unique');
  }
  const barMs = options.barMs ?? 1000;
  if (!Number.isInteger(barMs) || barMs < 1)
    throw new SimError('SIM_INVALID_OPTION', 'barMs must be an integer >= 1');
  const seed = options.seed ?? 1;
  const wsIdleMs = options.wsIdleMs ?? 60_000;
  const isMainnet = options.testnet !== true;
  const unified = options.accountMode === 'unified';
  if (options.accountMode !== undefined && options.accountMode !== 'standard' && !unified) {
    throw new SimError('SIM_INVALID_OPTION', 'accountMode must be standard or unified');
  }
  const clockNow = options.now ?? Date.now;
  let lastNow = 0;
  const now = (): number => {
    lastNow = Math.max(lastNow, Math.floor(clockNow()));
    return lastNow;
  };
  if (options.data !== undefined && !coins.some((c) => c.coin === options.data?.coin)) {
    throw new SimError('SIM_INVALID_OPTION', `data coin ${options.data.coin} is not one of the coins`);
  }
  const feed = new MarketFeed({
    coins,
    intervalMs: barMs,
    startTime: Math.floor(now() / barMs) * barMs,
    source:
      options.data === undefined
        ? {
            kind: 'synthetic',
            seed,
            ...(options.volatility === undefined ? {} : { volatility: options.volatility }),
            ...(options.startPrices === undefined ? {} : { startPrices: options.startPrices }),
          }
        : { kind: 'csv', path: options.data.path, coin: options.data.coin },
  });

  let oidSeq = 10_000_000_000;
  let tidSeq = 500_000_000_000_000;
  const ids = { now, nextOid: () => ++oidSeq, nextTid: () => ++tidSeq };
  const accounts = new Map<string, SimAccount>();
  const agents = new Map<string, string>();
  const nonces = new NonceBook();
  const mids = new Map<string, string>();
  const bars: Candle[][] = [];
  let faults: SimFaults = {};
  const prng = createPrng(seed ^ 0x5eed);
  const stats: SimStats = {
    apiRequests: 0,
    rateLimited: 0,
    failed5xx: 0,
    wsConnections: 0,
    wsDropped: 0,
    steps: 0,
    barErrors: 0,
  };
  let windowStart = now();
  let windowCount = 0;
  /** API requests since the fault settings were last replaced: `fail5xxEvery` counts from here. */
  let faultCount = 0;
  let closed = false;
  let lastBarError: string | undefined;

  function setFaults(f: SimFaults): void {
    const problem = faultProblem(f);
    if (problem !== undefined) throw new SimError('SIM_INVALID_OPTION', problem);
    faults = { ...f };
    windowStart = now();
    windowCount = 0;
    faultCount = 0;
    restartDropTimer();
  }

  function addAccount(address: string, balance: DecimalInput = '100000'): void {
    const a = lower(address, 'account address');
    let b: ReturnType<typeof toDecimal>;
    try {
      b = toDecimal(balance, 'balance');
    } catch (error) {
      throw new SimError('SIM_INVALID_OPTION', `balance of ${a} is not a decimal`, { cause: error });
    }
    if (b.isNegative()) throw new SimError('SIM_INVALID_OPTION', `balance of ${a} must be >= 0`);
    if (accounts.has(a) || agents.has(a))
      throw new SimError('SIM_INVALID_OPTION', `${a} is already registered`);
    const account = new SimAccount(a, b, coins, ids, seed);
    // A late account catches up on the market: it sees the last bar of each coin.
    accounts.set(a, account);
    const last = new Map<string, Candle>();
    for (const group of bars) for (const c of group) last.set(c.symbol, c);
    if (last.size > 0) {
      void serial(async () => {
        for (const c of last.values()) await account.onBar(c);
      }).catch((error: unknown) => {
        lastBarError = error instanceof Error ? error.message : String(error);
      });
    }
  }

  function approveAgent(agent: string, master: string): void {
    const a = lower(agent, 'agent address');
    const m = lower(master, 'master address');
    if (!accounts.has(m)) throw new SimError('SIM_INVALID_OPTION', `master ${m} is not a registered account`);
    if (accounts.has(a)) throw new SimError('SIM_INVALID_OPTION', `${a} is a master account, not an agent`);
    agents.set(a, m);
  }

  for (const a of options.accounts ?? []) addAccount(a.address, a.balance);
  for (const a of options.agents ?? []) approveAgent(a.agent, a.master);

  // ---- serialisation: exchange actions and bars never interleave ----------------------------------
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  // ---- WebSocket state -------------------------------------------------------------------------------
  const clients = new Set<Client>();
  function send(c: Client, message: unknown): void {
    if (c.socket.readyState !== c.socket.OPEN) return;
    c.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    c.lastSent = Date.now();
  }
  function subscribersOf(key: string): Client[] {
    return [...clients].filter((c) => c.subs.has(key));
  }
  function snapshotOf(user: string): WireFill[] {
    const fills = accounts.get(user)?.fills ?? [];
    return fills.slice(-MAX_FILLS);
  }
  function publish(
    user: string,
    fills: WireFill[],
    updates: WireOrderUpdate[],
    fundings: readonly WireFunding[] = [],
  ): void {
    if (fundings.length > 0) {
      for (const c of subscribersOf(`userFundings:${user}`))
        send(c, { channel: 'userFundings', data: { user, fundings } });
    }
    if (fills.length > 0) {
      for (const c of subscribersOf(`userFills:${user}`)) {
        const message = { channel: 'userFills', data: { user, fills } };
        send(c, message);
        if (faults.duplicateFills === true) send(c, message);
        if (faults.resendFillsSnapshot === true) {
          send(c, { channel: 'userFills', data: { user, isSnapshot: true, fills: snapshotOf(user) } });
        }
      }
    }
    if (updates.length > 0) {
      for (const c of subscribersOf(`orderUpdates:${user}`))
        send(c, { channel: 'orderUpdates', data: updates });
    }
  }
  function flush(): void {
    for (const account of accounts.values()) {
      const { fills, updates, fundings } = account.drain();
      publish(account.address, fills, updates, fundings);
    }
  }
  function publishMids(): void {
    const data = { channel: 'allMids', data: { mids: Object.fromEntries(mids) } };
    for (const c of subscribersOf('allMids')) send(c, data);
  }

  // ---- bars ----------------------------------------------------------------------------------------
  async function applyBars(group: Candle[]): Promise<void> {
    if (group.length === 0) return;
    bars.push(group);
    if (bars.length > 10) bars.shift();
    for (const account of accounts.values()) for (const c of group) await account.onBar(c);
    await releaseTpsl();
    for (const c of group) mids.set(c.symbol.slice(0, -4), wireDecimal(c.close));
    stats.steps += 1;
    await runScheduledCancels();
    flush();
    publishMids();
  }

  async function runScheduledCancels(): Promise<void> {
    const t = now();
    for (const account of accounts.values()) {
      if (account.scheduledCancel !== undefined && account.scheduledCancel <= t) {
        account.scheduledCancel = undefined;
        await account.cancelAll('scheduledCancel');
      }
    }
  }

  function step(n = 1): Promise<void> {
    if (!Number.isInteger(n) || n < 1 || n > 100_000) {
      return Promise.reject(new SimError('SIM_INVALID_OPTION', 'n must be an integer in 1..100000'));
    }
    return serial(async () => {
      for (let i = 0; i < n; i++) {
        const group = await feed.next();
        if (group.length === 0) break;
        await applyBars(group);
      }
    });
  }

  function pushBar(bar: Parameters<HyperliquidSim['pushBar']>[0]): Promise<void> {
    return serial(async () => {
      await applyBars([feed.explicit(bar)]);
    });
  }

  // ---- /info -----------------------------------------------------------------------------------------
  function coinIndex(name: unknown): SimCoin | undefined {
    return coins.find((c) => c.coin === name);
  }

  function userOf(body: Record<string, unknown>): string | undefined {
    const u = body.user;
    return typeof u === 'string' && ADDRESS.test(u) ? u.toLowerCase() : undefined;
  }

  async function info(body: Record<string, unknown>): Promise<Reply> {
    const type = body.type;
    const user = userOf(body);
    const account = user === undefined ? undefined : accounts.get(user);
    const needsUser = (): Reply | undefined =>
      user === undefined ? unprocessable('user: expected a 0x address') : undefined;
    switch (type) {
      case 'perpDexs':
        return ok([
          null,
          ...(hip3 === undefined
            ? []
            : [
                {
                  name: hip3.name,
                  fullName: `${hip3.name} (hl-sim)`,
                  deployer: `0x${'00'.repeat(20)}`,
                  oracleUpdater: null,
                  feeRecipient: null,
                  assetToStreamingOiCap: [],
                  assetToFundingMultiplier: [],
                },
              ]),
        ]);
      case 'meta': {
        const dex = dexOf(body);
        if (dex === undefined) return unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`);
        return ok({
          universe: coins
            .filter((c) => c.dex === dex)
            .map((c) => ({
              name: c.coin,
              szDecimals: c.szDecimals,
              maxLeverage: c.maxLeverage,
              marginTableId: c.maxLeverage,
            })),
          marginTables: [],
          collateralToken: 0,
        });
      }
      case 'allMids': {
        const dex = dexOf(body);
        if (dex === undefined) return unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`);
        return ok(Object.fromEntries([...mids].filter(([coin]) => dexOfCoin(coin) === dex)));
      }
      case 'clearinghouseState': {
        const bad = needsUser();
        if (bad !== undefined) return bad;
        if (account === undefined) {
          const zero = {
            accountValue: '0.0',
            totalNtlPos: '0.0',
            totalRawUsd: '0.0',
            totalMarginUsed: '0.0',
          };
          return ok({
            marginSummary: zero,
            crossMarginSummary: zero,
            crossMaintenanceMarginUsed: '0.0',
            withdrawable: '0.0',
            assetPositions: [],
            time: now(),
          });
        }
        const dex = dexOf(body);
        if (dex === undefined) return unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`);
        return ok(await account.clearinghouseState(now(), unified, dex));
      }
      case 'spotClearinghouseState':
        return needsUser() ?? ok((await account?.spotClearinghouseState(unified)) ?? { balances: [] });
      case 'userAbstraction':
        return needsUser() ?? ok(account === undefined ? 'default' : unified ? 'unifiedAccount' : 'disabled');
      case 'openOrders':
      case 'frontendOpenOrders':
        return (
          needsUser() ??
          (dexOf(body) === undefined
            ? unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`)
            : ok(account?.openOrders(type === 'frontendOpenOrders', dexOf(body)) ?? []))
        );
      case 'userFills':
        return needsUser() ?? ok((account?.fills ?? []).slice(-MAX_FILLS).reverse());
      case 'userFillsByTime': {
        const bad = needsUser();
        if (bad !== undefined) return bad;
        const start = body.startTime;
        const end = body.endTime ?? Number.MAX_SAFE_INTEGER;
        if (typeof start !== 'number' || typeof end !== 'number') return unprocessable('startTime/endTime');
        const fills = (account?.fills ?? []).filter((f) => f.time >= start && f.time <= end);
        return ok(fills.slice(0, MAX_FILLS));
      }
      case 'orderStatus': {
        const bad = needsUser();
        if (bad !== undefined) return bad;
        const oid = body.oid;
        if (typeof oid !== 'number' && typeof oid !== 'string') return unprocessable('oid');
        return ok(
          account?.orderStatus(typeof oid === 'string' ? oid.toLowerCase() : oid) ?? { status: 'unknownOid' },
        );
      }
      case 'userNonFundingLedgerUpdates':
        return needsUser() ?? ok([]);
      case 'userRateLimit':
        return (
          needsUser() ??
          ok(
            account?.userRateLimit() ?? {
              cumVlm: '0.0',
              nRequestsUsed: 0,
              nRequestsCap: 10000,
              nRequestsSurplus: 0,
            },
          )
        );
      case 'l2Book': {
        const coin = coinIndex(body.coin);
        const mid = coin === undefined ? undefined : mids.get(coin.coin);
        if (coin === undefined || mid === undefined) return ok(null);
        const mark = toDecimal(mid);
        const tick = tickAt(mark, coin.szDecimals);
        const lot = toDecimal(10).pow(-coin.szDecimals);
        const level = (k: number, sign: 1 | -1) => ({
          px: wireDecimal(mark.plus(tick.times(k * sign))),
          sz: wireDecimal(lot.times(100 * k)),
          n: k,
        });
        const bids = [];
        const asks = [];
        for (let k = 1; k <= 20; k++) {
          if (mark.minus(tick.times(k)).gt(0)) bids.push(level(k, -1));
          asks.push(level(k, 1));
        }
        return ok({ coin: coin.coin, time: now(), levels: [bids, asks] });
      }
      case 'candleSnapshot': {
        const req = body.req as Record<string, unknown> | undefined;
        const coin = coinIndex(req?.coin);
        if (req === undefined || coin === undefined) return unprocessable('req.coin');
        let bucket: number;
        try {
          bucket = intervalMs(String(req.interval));
        } catch {
          return unprocessable('req.interval');
        }
        const start = Number(req.startTime);
        const end = Number(req.endTime);
        if (!Number.isFinite(start) || !Number.isFinite(end)) return unprocessable('req.startTime/endTime');
        return ok(
          feed.candles(coin.coin, bucket, start, end).map((c) => ({
            t: c.openTime,
            T: c.closeTime,
            s: coin.coin,
            i: String(req.interval),
            o: wireDecimal(c.open),
            c: wireDecimal(c.close),
            h: wireDecimal(c.high),
            l: wireDecimal(c.low),
            v: wireDecimal(c.volume),
            n: feed.barsIn(bucket),
          })),
        );
      }
      default:
        return unprocessable(`unknown info type ${JSON.stringify(type)}`);
    }
  }

  // ---- /exchange ---------------------------------------------------------------------------------------
  function validateOrder(
    wire: OrderWire,
    account: SimAccount,
    modifying?: string,
  ): WireOrderStatus | undefined {
    const coin = coinByAsset(wire.a);
    if (coin === undefined) return { error: `Order has invalid asset. asset=${wire.a}` };
    const suffix = ` asset=${wire.a}`;
    const size = toDecimal(wire.s);
    if (size.lte(0) || !fitsSizeDecimals(size, coin.szDecimals)) return { error: 'Order has invalid size.' };
    if (!isOnPriceGrid(toDecimal(wire.p), coin.szDecimals)) {
      return { error: `Price must be divisible by tick size.${suffix}` };
    }
    if ('trigger' in wire.t && !isOnPriceGrid(toDecimal(wire.t.trigger.triggerPx), coin.szDecimals)) {
      return { error: `Invalid TP/SL price.${suffix}` };
    }
    const ioc = 'limit' in wire.t && wire.t.limit.tif === 'Ioc';
    const max = maxOrderValue(coin, ioc);
    if (size.times(toDecimal(wire.p)).gt(max)) {
      return { error: `Order value exceeds the maximum order value of $${max}.${suffix}` };
    }
    if (wire.c !== undefined && wire.c !== modifying && account.hasCloid(wire.c)) {
      return { error: `Duplicate cloid ${wire.c}.${suffix}` };
    }
    return undefined;
  }

  /**
   * The venue's pre-validation of a whole order action: a limit price more than 95% away from the
   * reference price refuses the payload with one error (docs: error-responses). The last price stands in
   * for the venue's oracle-based reference.
   */
  function prevalidate(orders: readonly OrderWire[]): string | undefined {
    for (const wire of orders) {
      const coin = coinByAsset(wire.a);
      const mid = coin === undefined ? undefined : mids.get(coin.coin);
      if (mid === undefined) continue;
      const ref = toDecimal(mid);
      const px = toDecimal(wire.p);
      if (px.gt(ref.times(1.95)) || px.lt(ref.times(0.05))) {
        return 'Order price cannot be more than 95% away from the reference price';
      }
    }
    return undefined;
  }

  /** Largest order value the venue's contract specifications allow (market; limit orders 10x). */
  function maxOrderValue(coin: SimCoin, ioc: boolean): number {
    const m = coin.maxLeverage;
    const market = m >= 25 ? 30_000_000 : m >= 20 ? 5_000_000 : m >= 10 ? 2_000_000 : 500_000;
    return ioc ? market : market * 10;
  }

  async function placeAll(account: SimAccount, orders: readonly OrderWire[]): Promise<WireOrderStatus[]> {
    const statuses: WireOrderStatus[] = [];
    for (const wire of orders) statuses.push(validateOrder(wire, account) ?? (await account.place(wire)));
    return statuses;
  }

  /**
   * `normalTpsl`: the first order is the entry, the rest its reduce-only TP/SL children. Like the venue,
   * the children wait (`waitingForFill`) until the entry has filled, then go live as triggers; they are
   * dropped when the entry ends without filling.
   */
  async function placeTpslGroup(
    account: SimAccount,
    orders: readonly OrderWire[],
  ): Promise<Array<WireOrderStatus | 'waitingForFill' | 'waitingForTrigger'>> {
    const [entry, ...children] = orders;
    if (entry === undefined) return [];
    if (children.some((c) => !('trigger' in c.t) || !c.r)) {
      return orders.map(() => ({
        error: 'TP/SL orders of a normalTpsl group must be reduce-only triggers.',
      }));
    }
    const first = validateOrder(entry, account) ?? (await account.place(entry));
    if ('error' in first) return [first, ...children.map(() => first)];
    if ('resting' in first) {
      tpslWaiting.push({ account, entryOid: first.resting.oid, children });
      return [first, ...children.map(() => 'waitingForFill' as const)];
    }
    const out: Array<WireOrderStatus | 'waitingForFill' | 'waitingForTrigger'> = [first];
    for (const child of children) {
      const placed = validateOrder(child, account) ?? (await account.place(child));
      out.push('error' in placed ? placed : 'waitingForTrigger');
    }
    return out;
  }

  /** Children of normalTpsl groups whose entry is still resting. */
  const tpslWaiting: Array<{ account: SimAccount; entryOid: number; children: readonly OrderWire[] }> = [];
  async function releaseTpsl(): Promise<void> {
    for (let i = tpslWaiting.length - 1; i >= 0; i--) {
      const group = tpslWaiting[i];
      const status = group === undefined ? undefined : group.account.find(group.entryOid)?.status;
      if (group === undefined || status === 'open') continue;
      tpslWaiting.splice(i, 1);
      if (status !== 'filled') continue;
      for (const child of group.children) {
        if (validateOrder(child, group.account) === undefined) await group.account.place(child);
      }
    }
  }

  async function modifyOne(
    account: SimAccount,
    id: number | string,
    wire: OrderWire,
  ): Promise<WireOrderStatus> {
    const old = account.find(id);
    if (old === undefined || old.status !== 'open')
      return { error: 'Cannot modify canceled or filled order' };
    const bad = validateOrder(wire, account, old.cloid);
    if (bad !== undefined) return bad;
    await account.cancel(old, 'canceled');
    return account.place(wire);
  }

  async function act(account: SimAccount, action: L1Action): Promise<Reply> {
    switch (action.type) {
      case 'order': {
        if (action.grouping === 'positionTpsl')
          return err('hl-sim does not model grouping "positionTpsl" (position-wide TP/SL)');
        account.actionsUsed += action.orders.length;
        const refused = prevalidate(action.orders);
        if (refused !== undefined) {
          return ok({ status: 'ok', response: { type: 'order', data: { statuses: [{ error: refused }] } } });
        }
        const statuses =
          action.grouping === 'normalTpsl'
            ? await placeTpslGroup(account, action.orders)
            : await placeAll(account, action.orders);
        return ok({ status: 'ok', response: { type: 'order', data: { statuses } } });
      }
      case 'cancel':
      case 'cancelByCloid': {
        account.actionsUsed += 1;
        const statuses: Array<'success' | { error: string }> = [];
        const list =
          action.type === 'cancel'
            ? action.cancels.map((c) => ({ asset: c.a, id: c.o as number | string }))
            : action.cancels.map((c) => ({ asset: c.asset, id: c.cloid as number | string }));
        for (const c of list) {
          const record = account.find(c.id);
          const done = record !== undefined && record.asset === c.asset && (await account.cancel(record));
          statuses.push(
            done
              ? 'success'
              : { error: `Order was never placed, already canceled, or filled. asset=${c.asset}` },
          );
        }
        return ok({ status: 'ok', response: { type: 'cancel', data: { statuses } } });
      }
      case 'modify': {
        account.actionsUsed += 1;
        const result = await modifyOne(account, action.oid, action.order);
        if ('error' in result) return err(result.error);
        return ok({ status: 'ok', response: { type: 'default' } });
      }
      case 'batchModify': {
        account.actionsUsed += action.modifies.length;
        const statuses: WireOrderStatus[] = [];
        for (const m of action.modifies) statuses.push(await modifyOne(account, m.oid, m.order));
        return ok({ status: 'ok', response: { type: 'order', data: { statuses } } });
      }
      case 'updateLeverage': {
        account.actionsUsed += 1;
        const coin = coinByAsset(action.asset);
        if (coin === undefined) return err(`Invalid asset ${action.asset}`);
        if (!action.isCross) return err('hl-sim supports cross margin only');
        try {
          await account.paper.setLeverage(`${coin.coin}-USD`, action.leverage);
        } catch (error) {
          return err(error instanceof Error ? error.message : String(error));
        }
        return ok({ status: 'ok', response: { type: 'default' } });
      }
      case 'scheduleCancel': {
        account.actionsUsed += 1;
        if (action.time === undefined) {
          account.scheduledCancel = undefined;
        } else {
          if (action.time < now() + 5000) {
            return err('Scheduled cancel time too early, must be at least 5 seconds from now.');
          }
          account.scheduledCancel = action.time;
          const timer = setTimeout(
            () =>
              void serial(async () => {
                await runScheduledCancels();
                flush();
              }),
            action.time - now() + 5,
          );
          timer.unref();
        }
        return ok({ status: 'ok', response: { type: 'default' } });
      }
      case 'noop':
        return ok({ status: 'ok', response: { type: 'default' } });
    }
  }

  async function exchange(body: unknown): Promise<Reply> {
    const parsed = ExchangeRequestSchema.safeParse(body);
    if (!parsed.success) {
      return unprocessable(
        parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      );
    }
    const { action, nonce, signature, vaultAddress, expiresAfter } = parsed.data;
    let signer: string;
    try {
      // The parsed action has the canonical key order: the same bytes the venue re-serialises.
      signer = recoverL1ActionSigner({
        action,
        nonce,
        signature: signature as Signature,
        vaultAddress,
        expiresAfter,
        isMainnet,
      });
    } catch {
      return err('Invalid signature');
    }
    const master = accounts.has(signer) ? signer : agents.get(signer);
    if (master === undefined) return err(`User or API Wallet ${signer} does not exist.`);
    if (vaultAddress != null && vaultAddress !== master) {
      return err(
        `hl-sim does not model vaults or sub-accounts: vaultAddress ${vaultAddress} is not ${master}`,
      );
    }
    const account = accounts.get(master);
    if (account === undefined) return err(`User or API Wallet ${signer} does not exist.`);
    const t = now();
    if (expiresAfter != null && expiresAfter < t) {
      return err(`Action expired: expiresAfter ${expiresAfter} is before server time ${t}`);
    }
    const nonceProblem = nonces.check(signer, nonce, t);
    if (nonceProblem !== undefined) return err(nonceProblem);
    const reply = await act(account, action);
    await releaseTpsl();
    flush();
    return reply;
  }

  // ---- HTTP ------------------------------------------------------------------------------------------
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 1_000_000) throw new Error('body too large');
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return text.length === 0 ? {} : (JSON.parse(text) as unknown);
  }

  function write(res: ServerResponse, reply: Reply): void {
    if (res.headersSent) return;
    if (reply.text !== undefined) {
      res.writeHead(reply.status, { 'content-type': 'text/plain' });
      res.end(reply.text);
    } else {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.json));
    }
  }

  /** Fault decisions for one API request, taken when it arrives. */
  function admit(): Reply | 'fail-after' | undefined {
    stats.apiRequests += 1;
    faultCount += 1;
    if (faults.rateLimitAfter !== undefined) {
      const t = now();
      if (t - windowStart >= (faults.rateLimitWindowMs ?? 60_000)) {
        windowStart = t;
        windowCount = 0;
      }
      windowCount += 1;
      if (windowCount > faults.rateLimitAfter) {
        stats.rateLimited += 1;
        return { status: 429, text: 'Too Many Requests' };
      }
    }
    const fail =
      (faults.fail5xxEvery !== undefined && faultCount % faults.fail5xxEvery === 0) ||
      (faults.fail5xxRate !== undefined && prng.next() < faults.fail5xxRate);
    if (!fail) return undefined;
    stats.failed5xx += 1;
    return faults.fail5xxPhase === 'after' ? 'fail-after' : { status: 500, text: 'Internal Server Error' };
  }

  async function api(path: '/info' | '/exchange', body: unknown): Promise<Reply> {
    const gate = admit();
    if (faults.latencyMs !== undefined && faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (gate !== undefined && gate !== 'fail-after') return gate;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return unprocessable('expected an object');
    const reply =
      path === '/info' ? await info(body as Record<string, unknown>) : await serial(() => exchange(body));
    // "after": the request did its work (an order may now exist) but the caller sees a server error.
    if (gate === 'fail-after') return { status: 502, text: 'Bad Gateway' };
    return reply;
  }

  async function control(method: string, path: string, body: Record<string, unknown>): Promise<Reply> {
    try {
      if (method === 'GET' && path === '/sim/state') {
        return ok({
          time: now(),
          lastBarTime: feed.lastBarTime ?? null,
          exhausted: feed.exhausted,
          coins,
          mids: Object.fromEntries(mids),
          accounts: [...accounts.keys()],
          agents: Object.fromEntries(agents),
          faults,
          stats,
          lastBarError: lastBarError ?? null,
        });
      }
      if (method !== 'POST') return { status: 405, text: 'method not allowed' };
      switch (path) {
        case '/sim/step':
          await step(body.n === undefined ? 1 : Number(body.n));
          return ok({ mids: Object.fromEntries(mids), lastBarTime: feed.lastBarTime ?? null });
        case '/sim/bar':
          await pushBar(body as Parameters<HyperliquidSim['pushBar']>[0]);
          return ok({ mids: Object.fromEntries(mids), lastBarTime: feed.lastBarTime ?? null });
        case '/sim/accounts':
          if (typeof body.agent === 'string') approveAgent(body.agent, String(body.master));
          else addAccount(String(body.address), (body.balance as DecimalInput | undefined) ?? '100000');
          return ok({ accounts: [...accounts.keys()], agents: Object.fromEntries(agents) });
        case '/sim/faults':
          setFaults(body as SimFaults);
          return ok({ faults });
        default:
          return { status: 404, text: 'unknown /sim endpoint' };
      }
    } catch (error) {
      return { status: 400, text: error instanceof Error ? error.message : String(error) };
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      let body: unknown;
      try {
        body = req.method === 'POST' ? await readJson(req) : {};
      } catch {
        write(res, { status: 400, text: 'invalid JSON body' });
        return;
      }
      if (path.startsWith('/sim/')) {
        write(res, await control(req.method ?? 'GET', path, (body ?? {}) as Record<string, unknown>));
        return;
      }
      if (req.method === 'POST' && (path === '/info' || path === '/exchange')) {
        write(res, await api(path, body));
        return;
      }
      write(res, { status: 404, text: 'not found' });
    })().catch((error: unknown) => {
      write(res, { status: 500, text: error instanceof Error ? error.message : 'internal error' });
    });
  });

  // ---- WebSocket -----------------------------------------------------------------------------------------
  const wss = new WebSocketServer({ server, path: '/ws' });
  const SUBSCRIPTIONS = new Set([
    'allMids',
    'userFills',
    'orderUpdates',
    'userFundings',
    'userNonFundingLedgerUpdates',
  ]);
  function subKey(sub: Record<string, unknown>): string | undefined {
    const type = sub.type;
    if (typeof type !== 'string' || !SUBSCRIPTIONS.has(type)) return undefined;
    if (type === 'allMids') return 'allMids';
    const user = userOf(sub);
    return user === undefined ? undefined : `${type}:${user}`;
  }
  wss.on('connection', (socket) => {
    stats.wsConnections += 1;
    const c: Client = { socket, subs: new Map(), lastSent: Date.now() };
    clients.add(c);
    socket.on('close', () => clients.delete(c));
    socket.on('error', () => clients.delete(c));
    send(c, 'Websocket connection established.');
    socket.on('message', (raw) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(raw.toString()) as Record<string, unknown>;
      } catch {
        send(c, { channel: 'error', data: `Invalid message: ${raw.toString().slice(0, 200)}` });
        return;
      }
      if (msg.method === 'ping') {
        send(c, { channel: 'pong' });
        return;
      }
      if (msg.method === 'subscribe' || msg.method === 'unsubscribe') {
        const sub = (msg.subscription ?? {}) as Record<string, unknown>;
        const key = subKey(sub);
        if (key === undefined) {
          send(c, { channel: 'error', data: `Invalid subscription ${JSON.stringify(sub)}` });
          return;
        }
        if (msg.method === 'unsubscribe') {
          if (!c.subs.delete(key)) {
            send(c, { channel: 'error', data: `Already unsubscribed: ${JSON.stringify(sub)}` });
            return;
          }
          send(c, { channel: 'subscriptionResponse', data: { method: 'unsubscribe', subscription: sub } });
          return;
        }
        if (c.subs.has(key)) {
          send(c, { channel: 'error', data: `Already subscribed: ${JSON.stringify(sub)}` });
          return;
        }
        c.subs.set(key, sub);
        send(c, { channel: 'subscriptionResponse', data: { method: 'subscribe', subscription: sub } });
        if (key.startsWith('userFills:')) {
          const user = key.slice('userFills:'.length);
          send(c, { channel: 'userFills', data: { user, isSnapshot: true, fills: snapshotOf(user) } });
        } else if (key.startsWith('userFundings:')) {
          const user = key.slice('userFundings:'.length);
          const fundings = (accounts.get(user)?.fundings ?? []).slice(-MAX_FILLS);
          send(c, { channel: 'userFundings', data: { user, isSnapshot: true, fundings } });
        } else if (key.startsWith('userNonFundingLedgerUpdates:')) {
          // hl-sim has no deposits, withdrawals or transfers: the snapshot is empty.
          const user = key.slice('userNonFundingLedgerUpdates:'.length);
          send(c, {
            channel: 'userNonFundingLedgerUpdates',
            data: { user, isSnapshot: true, nonFundingLedgerUpdates: [] },
          });
        } else if (key === 'allMids') {
          send(c, { channel: 'allMids', data: { mids: Object.fromEntries(mids) } });
        }
        return;
      }
      if (msg.method === 'post') {
        const id = msg.id;
        const request = (msg.request ?? {}) as { type?: unknown; payload?: unknown };
        const path = request.type === 'info' ? '/info' : request.type === 'action' ? '/exchange' : undefined;
        if (path === undefined || typeof id !== 'number') {
          send(c, { channel: 'error', data: `Invalid post request ${JSON.stringify(msg).slice(0, 200)}` });
          return;
        }
        void api(path, request.payload).then((reply) => {
          const response =
            reply.status !== 200
              ? { type: 'error', payload: reply.text ?? `HTTP ${reply.status}` }
              : path === '/info'
                ? {
                    type: 'info',
                    payload: { type: (request.payload as { type?: unknown }).type, data: reply.json },
                  }
                : { type: 'action', payload: reply.json };
          send(c, { channel: 'post', data: { id, response } });
        });
        return;
      }
      send(c, { channel: 'error', data: `Unknown method: ${JSON.stringify(msg).slice(0, 200)}` });
    });
  });

  const idleTimer = setInterval(
    () => {
      const t = Date.now();
      for (const c of clients) if (t - c.lastSent > wsIdleMs) c.socket.close(1000, 'idle');
    },
    Math.max(10, Math.min(1000, Math.floor(wsIdleMs / 4))),
  );
  idleTimer.unref();

  function dropWebSockets(): void {
    for (const c of clients) {
      stats.wsDropped += 1;
      c.socket.terminate();
    }
    clients.clear();
  }
  let dropTimer: NodeJS.Timeout | undefined;
  function restartDropTimer(): void {
    if (dropTimer !== undefined) clearInterval(dropTimer);
    dropTimer = undefined;
    if (faults.dropWsEverySec !== undefined && !closed) {
      dropTimer = setInterval(dropWebSockets, faults.dropWsEverySec * 1000);
      dropTimer.unref();
    }
  }
  setFaults(options.faults ?? {});

  // A first bar, so prices exist before the first order.
  await step(1);

  let barTimer: NodeJS.Timeout | undefined;
  let stepping = false;
  if (options.manualBars !== true) {
    barTimer = setInterval(() => {
      if (stepping) return;
      stepping = true;
      step(1)
        .catch((error: unknown) => {
          // A broken bar source must not crash the server; it shows in GET /sim/state.
          stats.barErrors += 1;
          lastBarError = error instanceof Error ? error.message : String(error);
        })
        .finally(() => {
          stepping = false;
        });
    }, barMs);
    barTimer.unref();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    stats,
    step,
    pushBar,
    addAccount,
    approveAgent,
    setFaults,
    mids: () => Object.fromEntries(mids),
    dropWebSockets,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (barTimer !== undefined) clearInterval(barTimer);
      if (dropTimer !== undefined) clearInterval(dropTimer);
      clearInterval(idleTimer);
      for (const c of clients) c.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
    },
  };
}
