import WebSocket from 'ws';

export interface WsOptions {
  url: string;
  /** Ping interval; the venue drops a connection idle for 60 s (default 30 s, as the TS SDK does). */
  pingIntervalMs?: number;
  /** Reconnect when no pong arrives this long after a ping (default 10 s). */
  pongTimeoutMs?: number;
  /** First reconnect delay (default 500 ms); doubles per failed attempt up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Random source for the jitter, in [0, 1). */
  random?: () => number;
  /** Called on every successful open; `reconnect` is false the first time. */
  onOpen?: (info: { reconnect: boolean }) => void;
  /** Called for every JSON message other than pong and subscription acks. */
  onMessage?: (channel: string, data: unknown) => void;
  /** Called for socket errors, `channel: "error"` messages and unparsable frames; never throws. */
  onError?: (error: Error) => void;
  onClose?: (info: { code: number; willReconnect: boolean }) => void;
}

/**
 * A Hyperliquid WebSocket that keeps itself alive: pings before the idle timeout, treats a missing pong
 * as a dead link, reconnects with jittered exponential backoff and re-sends every subscription on each
 * new connection. It does not replay missed data; the client backfills over REST on `onOpen`.
 *
 * @example
 * const ws = new HyperliquidWebSocket({ url, onMessage: (ch, data) => … });
 * ws.subscribe({ type: 'allMids' });
 * await ws.connect();
 */
export class HyperliquidWebSocket {
  readonly #opts: Required<Omit<WsOptions, 'onOpen' | 'onMessage' | 'onError' | 'onClose'>> & WsOptions;
  readonly #subscriptions = new Map<string, Record<string, unknown>>();
  #socket: WebSocket | undefined;
  #closed = false;
  #attempt = 0;
  #opened = 0;
  #pingTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #firstOpen: Promise<void> | undefined;

  constructor(options: WsOptions) {
    this.#opts = {
      pingIntervalMs: 30_000,
      pongTimeoutMs: 10_000,
      reconnectDelayMs: 500,
      maxReconnectDelayMs: 30_000,
      random: Math.random,
      ...options,
    };
  }

  /** Number of successful opens so far (1 after the first connect). */
  get opens(): number {
    return this.#opened;
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the connection; resolves on the first open, then keeps reconnecting until `close`. */
  connect(): Promise<void> {
    if (this.#firstOpen !== undefined) return this.#firstOpen;
    this.#firstOpen = new Promise<void>((resolve) => {
      this.#open(resolve);
    });
    return this.#firstOpen;
  }

  /** Adds a subscription (kept across reconnects) and sends it when connected. */
  subscribe(subscription: Record<string, unknown>): void {
    const key = JSON.stringify(subscription);
    if (this.#subscriptions.has(key)) return;
    this.#subscriptions.set(key, subscription);
    this.#send({ method: 'subscribe', subscription });
  }

  unsubscribe(subscription: Record<string, unknown>): void {
    const key = JSON.stringify(subscription);
    if (!this.#subscriptions.delete(key)) return;
    this.#send({ method: 'unsubscribe', subscription });
  }

  /** Closes for good: no reconnect afterwards. */
  close(): void {
    this.#closed = true;
    this.#clearTimers();
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#socket?.close(1000);
    this.#socket = undefined;
  }

  #send(message: unknown): void {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(message));
  }

  #clearTimers(): void {
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    if (this.#pongTimer !== undefined) clearTimeout(this.#pongTimer);
    this.#pingTimer = undefined;
    this.#pongTimer = undefined;
  }

  #report(error: Error): void {
    try {
      this.#opts.onError?.(error);
    } catch {
      // A listener's failure must not kill the connection loop.
    }
  }

  #open(resolveFirst?: () => void): void {
    if (this.#closed) return;
    const socket = new WebSocket(this.#opts.url, { handshakeTimeout: 10_000 });
    this.#socket = socket;
    socket.on('open', () => {
      this.#attempt = 0;
      this.#opened += 1;
      for (const subscription of this.#subscriptions.values())
        this.#send({ method: 'subscribe', subscription });
      this.#pingTimer = setInterval(() => this.#ping(), this.#opts.pingIntervalMs);
      this.#pingTimer.unref?.();
      resolveFirst?.();
      try {
        this.#opts.onOpen?.({ reconnect: this.#opened > 1 });
      } catch (error) {
        this.#report(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on('message', (raw, isBinary) => this.#onFrame(isBinary ? undefined : raw.toString()));
    // Errors are followed by 'close', which reconnects; the first connect() keeps waiting meanwhile.
    socket.on('error', (error) => this.#report(error));
    socket.on('close', (code) => {
      if (this.#socket !== socket) return;
      this.#clearTimers();
      this.#socket = undefined;
      const willReconnect = !this.#closed;
      try {
        this.#opts.onClose?.({ code, willReconnect });
      } catch {
        // ignore listener failures
      }
      if (willReconnect) this.#scheduleReconnect(resolveFirst);
    });
  }

  #scheduleReconnect(resolveFirst?: () => void): void {
    const base = Math.min(this.#opts.maxReconnectDelayMs, this.#opts.reconnectDelayMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    // Equal jitter: at least half the backoff, so a flapping server is not hammered, plus a random half
    // so many clients do not reconnect in lockstep.
    const delay = base / 2 + this.#opts.random() * (base / 2);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      // Until the first open, the original connect() promise is still waiting for it.
      this.#open(this.#opened === 0 ? resolveFirst : undefined);
    }, delay);
  }

  #ping(): void {
    if (this.#pongTimer !== undefined) return;
    this.#send({ method: 'ping' });
    this.#pongTimer = setTimeout(() => {
      this.#pongTimer = undefined;
      this.#report(new Error(`no pong within ${this.#opts.pongTimeoutMs} ms; reconnecting`));
      this.#socket?.terminate();
    }, this.#opts.pongTimeoutMs);
  }

  #onFrame(text: string | undefined): void {
    if (text === undefined) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // The venue greets with the plain text "Websocket connection established.".
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const { channel, data } = message as { channel?: unknown; data?: unknown };
    if (channel === 'pong') {
      if (this.#pongTimer !== undefined) clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
      return;
    }
    if (channel === 'subscriptionResponse') return;
    if (channel === 'error') {
      this.#report(
        new Error(`WebSocket error from venue: ${typeof data === 'string' ? data : JSON.stringify(data)}`),
      );
      return;
    }
    if (typeof channel !== 'string') return;
    try {
      this.#opts.onMessage?.(channel, data);
    } catch (error) {
      this.#report(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
