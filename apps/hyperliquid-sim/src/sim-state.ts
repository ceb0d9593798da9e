import { type DecimalInput, toDecimal } from '@hl-bot/core-types';
import type { Candle } from '@hl-bot/paper-exchange';
import { SimAccount, type SimIds } from './account.js';
import type { AssetCtxOverride } from './asset-ctx.js';
import { SimError } from './errors.js';
import type { SimCoin } from './market.js';
import { NonceBook } from './nonces.js';

export const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** Most fills one answer or snapshot carries, as the venue. */
export const MAX_FILLS = 2000;

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

function lower(address: string, what: string): string {
  if (!ADDRESS.test(address))
    throw new SimError('SIM_INVALID_OPTION', `${what} must be a 0x 20-byte address`);
  return address.toLowerCase();
}

/**
 * Everything the simulator knows, owned once: coins, accounts and agents, nonces, last prices, recent bars,
 * counters, the server clock and the queue that keeps exchange actions and bars from interleaving. Routes,
 * the WebSocket hub and the bar clock read and change it; nothing else holds a copy.
 */
export class SimState {
  readonly coins: readonly SimCoin[];
  /** The one HIP-3 dex's name, if any. */
  readonly hip3Dex: string | undefined;
  readonly seed: number;
  readonly unified: boolean;
  readonly accounts = new Map<string, SimAccount>();
  /** Agent wallet -> its master. */
  readonly agents = new Map<string, string>();
  readonly nonces = new NonceBook();
  /** Last price per coin, as the venue writes it. */
  readonly mids = new Map<string, string>();
  /** Mark and oracle prices set by a test or operator (`setAssetCtx`); otherwise they follow the mid. */
  readonly assetCtxOverrides = new Map<string, AssetCtxOverride>();
  /** The last 10 time steps' bars, so a late account sees the market. */
  readonly bars: Candle[][] = [];
  readonly stats: SimStats = {
    apiRequests: 0,
    rateLimited: 0,
    failed5xx: 0,
    wsConnections: 0,
    wsDropped: 0,
    steps: 0,
    barErrors: 0,
  };
  readonly ids: SimIds;
  lastBarError: string | undefined;
  closed = false;
  readonly #clock: () => number;
  #lastNow = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #oidSeq = 10_000_000_000;
  #tidSeq = 500_000_000_000_000;

  constructor(options: {
    coins: readonly SimCoin[];
    hip3Dex: string | undefined;
    seed: number;
    unified: boolean;
    now: () => number;
  }) {
    this.coins = options.coins;
    this.hip3Dex = options.hip3Dex;
    this.seed = options.seed;
    this.unified = options.unified;
    this.#clock = options.now;
    this.ids = { now: () => this.now(), nextOid: () => ++this.#oidSeq, nextTid: () => ++this.#tidSeq };
  }

  /** Server time: the clock's, never going backwards. */
  now(): number {
    this.#lastNow = Math.max(this.#lastNow, Math.floor(this.#clock()));
    return this.#lastNow;
  }

  /** Runs `fn` after everything queued before it: exchange actions and bars never interleave. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Settles once everything queued so far has run. */
  idle(): Promise<unknown> {
    return this.#queue;
  }

  coinByAsset(asset: number): SimCoin | undefined {
    return this.coins.find((c) => c.asset === asset);
  }

  coinByName(name: unknown): SimCoin | undefined {
    return this.coins.find((c) => c.coin === name);
  }

  /** The perp dex a request names (`""` for the first), or undefined for an unknown one. */
  dexOf(body: Record<string, unknown>): string | undefined {
    const d = body.dex ?? '';
    return d === '' || (this.hip3Dex !== undefined && d === this.hip3Dex) ? (d as string) : undefined;
  }

  /** The request's `user` in lower case, or undefined when it is not a 0x address. */
  userOf(body: Record<string, unknown>): string | undefined {
    const u = body.user;
    return typeof u === 'string' && ADDRESS.test(u) ? u.toLowerCase() : undefined;
  }

  /** Registers a master account. @throws {SimError} for a malformed address or balance. */
  addAccount(address: string, balance: DecimalInput = '100000'): void {
    const a = lower(address, 'account address');
    let b: ReturnType<typeof toDecimal>;
    try {
      b = toDecimal(balance, 'balance');
    } catch (error) {
      throw new SimError('SIM_INVALID_OPTION', `balance of ${a} is not a decimal`, { cause: error });
    }
    if (b.isNegative()) throw new SimError('SIM_INVALID_OPTION', `balance of ${a} must be >= 0`);
    if (this.accounts.has(a) || this.agents.has(a))
      throw new SimError('SIM_INVALID_OPTION', `${a} is already registered`);
    const account = new SimAccount(a, b, this.coins, this.ids, this.seed);
    // A late account catches up on the market: it sees the last bar of each coin.
    this.accounts.set(a, account);
    const last = new Map<string, Candle>();
    for (const group of this.bars) for (const c of group) last.set(c.symbol, c);
    if (last.size > 0) {
      void this.serial(async () => {
        for (const c of last.values()) await account.onBar(c);
      }).catch((error: unknown) => {
        this.lastBarError = error instanceof Error ? error.message : String(error);
      });
    }
  }

  /** Approves an agent wallet for a registered master. @throws {SimError} */
  approveAgent(agent: string, master: string): void {
    const a = lower(agent, 'agent address');
    const m = lower(master, 'master address');
    if (!this.accounts.has(m))
      throw new SimError('SIM_INVALID_OPTION', `master ${m} is not a registered account`);
    if (this.accounts.has(a))
      throw new SimError('SIM_INVALID_OPTION', `${a} is a master account, not an agent`);
    this.agents.set(a, m);
  }

  /** Cancels every order of each account whose `scheduleCancel` time has come. */
  async runScheduledCancels(): Promise<void> {
    const t = this.now();
    for (const account of this.accounts.values()) {
      if (account.scheduledCancel !== undefined && account.scheduledCancel <= t) {
        account.scheduledCancel = undefined;
        await account.cancelAll('scheduledCancel');
      }
    }
  }
}
