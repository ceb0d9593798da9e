import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DecimalInput } from '@hl-bot/core-types';
import { dexAssetId } from '@hl-bot/exchange-hyperliquid/wire';
import { type AssetCtxOverride, setAssetCtx } from './asset-ctx.js';
import { BarClock } from './bar-clock.js';
import { SimError } from './errors.js';
import { FaultGate, type SimFaults } from './faults.js';
import { type Reply, readJson, unprocessable, write } from './http-reply.js';
import { MarketFeed, parseCoinSpec, type SimCoin } from './market.js';
import { controlRoute } from './routes/control.js';
import { ExchangeRoute } from './routes/exchange.js';
import { infoRoute } from './routes/info.js';
import { SimState, type SimStats } from './sim-state.js';
import { WsHub } from './ws-hub.js';

// The simulator is composed of one owner per job: SimState (accounts, prices, clock, queue), the routes
// (routes/info, routes/exchange, routes/control), FaultGate, WsHub and BarClock. This file parses the
// options, wires them together and serves HTTP.

export type { SimStats } from './sim-state.js';

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
  /**
   * Sets the venue's mark and oracle price of a coin (`metaAndAssetCtxs`, `activeAssetCtx`, streamed at
   * once); an omitted one follows the mid again. @throws {SimError} for an unknown coin or a bad price.
   */
  setAssetCtx(coin: string, ctx: AssetCtxOverride): void;
  /** Last price per coin. */
  mids(): Record<string, string>;
  /** Terminates every WebSocket connection now. */
  dropWebSockets(): void;
  /** Stops timers, closes sockets and the server. Safe to call twice. */
  close(): Promise<void>;
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
      coins.push({
        ...c,
        coin: `${hip3.name}:${c.coin}`,
        asset: dexAssetId(1, i),
        dex: hip3.name,
        isolatedOnly: true,
      });
    });
  }
  if (coins.length === 0 || new Set(coins.map((c) => c.coin)).size !== coins.length) {
    throw new SimError('SIM_INVALID_OPTION', 'coins must be non-empty and unique');
  }
  const barMs = options.barMs ?? 1000;
  if (!Number.isInteger(barMs) || barMs < 1)
    throw new SimError('SIM_INVALID_OPTION', 'barMs must be an integer >= 1');
  const seed = options.seed ?? 1;
  const unified = options.accountMode === 'unified';
  if (options.accountMode !== undefined && options.accountMode !== 'standard' && !unified) {
    throw new SimError('SIM_INVALID_OPTION', 'accountMode must be standard or unified');
  }
  const state = new SimState({ coins, hip3Dex: hip3?.name, seed, unified, now: options.now ?? Date.now });
  if (options.data !== undefined && !coins.some((c) => c.coin === options.data?.coin)) {
    throw new SimError('SIM_INVALID_OPTION', `data coin ${options.data.coin} is not one of the coins`);
  }
  const feed = new MarketFeed({
    coins,
    intervalMs: barMs,
    startTime: Math.floor(state.now() / barMs) * barMs,
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
  const gate = new FaultGate({
    seed,
    stats: state.stats,
    now: () => state.now(),
    onChange: (faults) => hub.restartDropTimer(faults),
  });
  for (const a of options.accounts ?? []) state.addAccount(a.address, a.balance);
  for (const a of options.agents ?? []) state.approveAgent(a.agent, a.master);

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  async function api(path: '/info' | '/exchange', body: unknown): Promise<Reply> {
    const decision = gate.admit();
    const faults = gate.faults;
    if (faults.latencyMs !== undefined && faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (decision !== undefined && decision !== 'fail-after') return decision;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return unprocessable('expected an object');
    const reply =
      path === '/info'
        ? await infoRoute(state, feed, body as Record<string, unknown>)
        : await state.serial(() => exchange.exchange(body));
    // "after": the request did its work (an order may now exist) but the caller sees a server error.
    if (decision === 'fail-after') return { status: 502, text: 'Bad Gateway' };
    return reply;
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
        const reply = await controlRoute(
          { state, feed, gate, clock, hub },
          req.method ?? 'GET',
          path,
          (body ?? {}) as Record<string, unknown>,
        );
        write(res, reply);
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
  const hub = new WsHub({
    server,
    state,
    faults: () => gate.faults,
    api,
    idleMs: options.wsIdleMs ?? 60_000,
  });
  const exchange = new ExchangeRoute({ state, hub, isMainnet: options.testnet !== true });
  const clock = new BarClock({ state, feed, hub, afterBars: () => exchange.releaseTpsl() });
  gate.set(options.faults ?? {});

  // A first bar, so prices exist before the first order.
  await clock.step(1);
  if (options.manualBars !== true) clock.start(barMs);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    stats: state.stats,
    step: (n) => clock.step(n),
    pushBar: (bar) => clock.pushBar(bar),
    addAccount: (address, balance) => state.addAccount(address, balance),
    approveAgent: (agent, master) => state.approveAgent(agent, master),
    setFaults: (faults: SimFaults) => gate.set(faults),
    setAssetCtx: (coin, ctx) => {
      setAssetCtx(state, coin, ctx);
      hub.publishAssetCtxs();
    },
    mids: () => Object.fromEntries(state.mids),
    dropWebSockets: () => hub.dropAll(),
    async close(): Promise<void> {
      if (state.closed) return;
      state.closed = true;
      clock.stop();
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await state.idle();
    },
  };
}
