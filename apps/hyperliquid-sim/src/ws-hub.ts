import type { Server } from 'node:http';
import { dexOfCoin } from '@hl-bot/exchange-hyperliquid/wire';
import { type WebSocket, WebSocketServer } from 'ws';
import type { WireFill, WireFunding, WireOrderUpdate } from './account.js';
import { assetCtxOf } from './asset-ctx.js';
import type { SimFaults } from './faults.js';
import type { Reply } from './http-reply.js';
import { MAX_FILLS, type SimState } from './sim-state.js';

interface Client {
  socket: WebSocket;
  subs: Map<string, Record<string, unknown>>;
  lastSent: number;
}

const SUBSCRIPTIONS = new Set([
  'allMids',
  'userFills',
  'orderUpdates',
  'userFundings',
  'userNonFundingLedgerUpdates',
  'activeAssetCtx',
]);

/**
 * The `/ws` endpoint: subscriptions and their snapshots, the streams of fills, order updates, fundings and
 * mids, `post` requests answered through the same API path as HTTP, the venue's idle close, and the
 * drop and duplicate faults.
 */
export class WsHub {
  readonly #state: SimState;
  readonly #faults: () => SimFaults;
  readonly #api: (path: '/info' | '/exchange', body: unknown) => Promise<Reply>;
  readonly #clients = new Set<Client>();
  readonly #wss: WebSocketServer;
  readonly #idleTimer: NodeJS.Timeout;
  #dropTimer: NodeJS.Timeout | undefined;

  constructor(options: {
    server: Server;
    state: SimState;
    /** The current fault settings (read at every send). */
    faults: () => SimFaults;
    /** Answers a `post` request as the HTTP API would. */
    api: (path: '/info' | '/exchange', body: unknown) => Promise<Reply>;
    /** Close a socket the server has sent nothing to for this long. */
    idleMs: number;
  }) {
    this.#state = options.state;
    this.#faults = options.faults;
    this.#api = options.api;
    this.#wss = new WebSocketServer({ server: options.server, path: '/ws' });
    this.#wss.on('connection', (socket) => this.#connect(socket));
    const idleMs = options.idleMs;
    this.#idleTimer = setInterval(
      () => {
        const t = Date.now();
        for (const c of this.#clients) if (t - c.lastSent > idleMs) c.socket.close(1000, 'idle');
      },
      Math.max(10, Math.min(1000, Math.floor(idleMs / 4))),
    );
    this.#idleTimer.unref();
  }

  /** Streams what every account produced since the last flush. */
  flush(): void {
    for (const account of this.#state.accounts.values()) {
      const { fills, updates, fundings, ledger } = account.drain();
      this.#publish(account.address, fills, updates, fundings);
      if (ledger.length > 0) {
        for (const c of this.#subscribersOf(`userNonFundingLedgerUpdates:${account.address}`)) {
          this.#send(c, {
            channel: 'userNonFundingLedgerUpdates',
            data: { user: account.address, nonFundingLedgerUpdates: ledger },
          });
        }
      }
    }
  }

  /** Each `allMids` subscription gets the mids of the one perp dex it named (the first dex without `dex`). */
  publishMids(): void {
    const byDex = new Map<string, Record<string, string>>();
    for (const c of this.#clients) {
      for (const key of c.subs.keys()) {
        if (!key.startsWith('allMids:')) continue;
        const dex = key.slice('allMids:'.length);
        let mids = byDex.get(dex);
        if (mids === undefined) {
          mids = this.#midsOf(dex);
          byDex.set(dex, mids);
        }
        this.#send(c, { channel: 'allMids', data: { mids } });
      }
    }
  }

  /** Each `activeAssetCtx` subscription gets its coin's context (the venue's mark and oracle among it). */
  publishAssetCtxs(): void {
    for (const c of this.#clients) {
      for (const key of c.subs.keys()) {
        if (key.startsWith('activeAssetCtx:')) this.#sendAssetCtx(c, key.slice('activeAssetCtx:'.length));
      }
    }
  }

  #sendAssetCtx(c: Client, coin: string): void {
    this.#send(c, { channel: 'activeAssetCtx', data: { coin, ctx: assetCtxOf(this.#state, coin) } });
  }

  #midsOf(dex: string): Record<string, string> {
    return Object.fromEntries([...this.#state.mids].filter(([coin]) => dexOfCoin(coin) === dex));
  }

  /** Terminates every connection now. */
  dropAll(): void {
    for (const c of this.#clients) {
      this.#state.stats.wsDropped += 1;
      c.socket.terminate();
    }
    this.#clients.clear();
  }

  /** Follows the `dropWsEverySec` fault setting. */
  restartDropTimer(faults: SimFaults): void {
    if (this.#dropTimer !== undefined) clearInterval(this.#dropTimer);
    this.#dropTimer = undefined;
    if (faults.dropWsEverySec !== undefined && !this.#state.closed) {
      this.#dropTimer = setInterval(() => this.dropAll(), faults.dropWsEverySec * 1000);
      this.#dropTimer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.#dropTimer !== undefined) clearInterval(this.#dropTimer);
    clearInterval(this.#idleTimer);
    for (const c of this.#clients) c.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #send(c: Client, message: unknown): void {
    if (c.socket.readyState !== c.socket.OPEN) return;
    c.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    c.lastSent = Date.now();
  }

  #subscribersOf(key: string): Client[] {
    return [...this.#clients].filter((c) => c.subs.has(key));
  }

  #snapshotOf(user: string): WireFill[] {
    const fills = this.#state.accounts.get(user)?.fills ?? [];
    return fills.slice(-MAX_FILLS);
  }

  #publish(
    user: string,
    fills: WireFill[],
    updates: WireOrderUpdate[],
    fundings: readonly WireFunding[],
  ): void {
    if (fundings.length > 0) {
      for (const c of this.#subscribersOf(`userFundings:${user}`))
        this.#send(c, { channel: 'userFundings', data: { user, fundings } });
    }
    if (fills.length > 0) {
      const faults = this.#faults();
      for (const c of this.#subscribersOf(`userFills:${user}`)) {
        const message = { channel: 'userFills', data: { user, fills } };
        this.#send(c, message);
        if (faults.duplicateFills === true) this.#send(c, message);
        if (faults.resendFillsSnapshot === true) {
          this.#send(c, {
            channel: 'userFills',
            data: { user, isSnapshot: true, fills: this.#snapshotOf(user) },
          });
        }
      }
    }
    if (updates.length > 0) {
      for (const c of this.#subscribersOf(`orderUpdates:${user}`))
        this.#send(c, { channel: 'orderUpdates', data: updates });
    }
  }

  #subKey(sub: Record<string, unknown>): string | undefined {
    const type = sub.type;
    if (typeof type !== 'string' || !SUBSCRIPTIONS.has(type)) return undefined;
    if (type === 'allMids') {
      // As on the venue: without `dex` the first perp dex; a HIP-3 dex's mids only when it is named.
      const dex = this.#state.dexOf(sub);
      return dex === undefined ? undefined : `allMids:${dex}`;
    }
    if (type === 'activeAssetCtx') {
      const coin = this.#state.coinByName(sub.coin);
      return coin === undefined ? undefined : `activeAssetCtx:${coin.coin}`;
    }
    const user = this.#state.userOf(sub);
    return user === undefined ? undefined : `${type}:${user}`;
  }

  #connect(socket: WebSocket): void {
    this.#state.stats.wsConnections += 1;
    const c: Client = { socket, subs: new Map(), lastSent: Date.now() };
    this.#clients.add(c);
    socket.on('close', () => this.#clients.delete(c));
    socket.on('error', () => this.#clients.delete(c));
    this.#send(c, 'Websocket connection established.');
    socket.on('message', (raw) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(raw.toString()) as Record<string, unknown>;
      } catch {
        this.#send(c, { channel: 'error', data: `Invalid message: ${raw.toString().slice(0, 200)}` });
        return;
      }
      if (msg.method === 'ping') {
        this.#send(c, { channel: 'pong' });
        return;
      }
      if (msg.method === 'subscribe' || msg.method === 'unsubscribe') {
        this.#subscription(c, msg.method, (msg.subscription ?? {}) as Record<string, unknown>);
        return;
      }
      if (msg.method === 'post') {
        this.#post(c, msg);
        return;
      }
      this.#send(c, { channel: 'error', data: `Unknown method: ${JSON.stringify(msg).slice(0, 200)}` });
    });
  }

  #subscription(c: Client, method: 'subscribe' | 'unsubscribe', sub: Record<string, unknown>): void {
    const key = this.#subKey(sub);
    if (key === undefined) {
      this.#send(c, { channel: 'error', data: `Invalid subscription ${JSON.stringify(sub)}` });
      return;
    }
    if (method === 'unsubscribe') {
      if (!c.subs.delete(key)) {
        this.#send(c, { channel: 'error', data: `Already unsubscribed: ${JSON.stringify(sub)}` });
        return;
      }
      this.#send(c, { channel: 'subscriptionResponse', data: { method: 'unsubscribe', subscription: sub } });
      return;
    }
    if (c.subs.has(key)) {
      this.#send(c, { channel: 'error', data: `Already subscribed: ${JSON.stringify(sub)}` });
      return;
    }
    c.subs.set(key, sub);
    this.#send(c, { channel: 'subscriptionResponse', data: { method: 'subscribe', subscription: sub } });
    if (key.startsWith('userFills:')) {
      const user = key.slice('userFills:'.length);
      this.#send(c, {
        channel: 'userFills',
        data: { user, isSnapshot: true, fills: this.#snapshotOf(user) },
      });
    } else if (key.startsWith('userFundings:')) {
      const user = key.slice('userFundings:'.length);
      const fundings = (this.#state.accounts.get(user)?.fundings ?? []).slice(-MAX_FILLS);
      this.#send(c, { channel: 'userFundings', data: { user, isSnapshot: true, fundings } });
    } else if (key.startsWith('userNonFundingLedgerUpdates:')) {
      // Deposits and withdrawals made with `/sim/ledger`.
      const user = key.slice('userNonFundingLedgerUpdates:'.length);
      const ledger = (this.#state.accounts.get(user)?.ledger ?? []).slice(-MAX_FILLS);
      this.#send(c, {
        channel: 'userNonFundingLedgerUpdates',
        data: { user, isSnapshot: true, nonFundingLedgerUpdates: ledger },
      });
    } else if (key.startsWith('allMids:')) {
      this.#send(c, { channel: 'allMids', data: { mids: this.#midsOf(key.slice('allMids:'.length)) } });
    } else if (key.startsWith('activeAssetCtx:')) {
      this.#sendAssetCtx(c, key.slice('activeAssetCtx:'.length));
    }
  }

  #post(c: Client, msg: Record<string, unknown>): void {
    const id = msg.id;
    const request = (msg.request ?? {}) as { type?: unknown; payload?: unknown };
    const path = request.type === 'info' ? '/info' : request.type === 'action' ? '/exchange' : undefined;
    if (path === undefined || typeof id !== 'number') {
      this.#send(c, { channel: 'error', data: `Invalid post request ${JSON.stringify(msg).slice(0, 200)}` });
      return;
    }
    void this.#api(path, request.payload).then((reply) => {
      const response =
        reply.status !== 200
          ? { type: 'error', payload: reply.text ?? `HTTP ${reply.status}` }
          : path === '/info'
            ? {
                type: 'info',
                payload: { type: (request.payload as { type?: unknown }).type, data: reply.json },
              }
            : { type: 'action', payload: reply.json };
      this.#send(c, { channel: 'post', data: { id, response } });
    });
  }
}
