import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** What a handler returns: a JSON body (status 200), an HTTP error, or a dropped connection. */
export type Reply =
  | { json: unknown; status?: number }
  | { status: number; text: string; headers?: Record<string, string> }
  | { drop: true };

export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
}

/**
 * A real HTTP + WebSocket server on 127.0.0.1 that answers Hyperliquid-shaped requests from handlers the
 * test provides. Every request is recorded.
 */
export class FakeVenue {
  readonly requests: RecordedRequest[] = [];
  readonly wsMessages: unknown[] = [];
  readonly sockets = new Set<WebSocket>();
  info: (body: Record<string, unknown>) => Reply = () => ({ status: 500, text: 'no info handler' });
  exchange: (body: Record<string, unknown>) => Reply = () => ({ status: 500, text: 'no exchange handler' });
  /** Called on each WS connection; return false to not answer pings. */
  onWsConnection: (socket: WebSocket) => void = () => {};
  answerPings = true;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  url = '';
  wsUrl = '';
  connections = 0;

  static async start(): Promise<FakeVenue> {
    const v = new FakeVenue();
    await v.#start();
    return v;
  }

  async #start(): Promise<void> {
    this.#http = createServer((req, res) => void this.#handle(req, res));
    this.#wss = new WebSocketServer({ server: this.#http, path: '/ws' });
    this.#wss.on('connection', (socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.send('Websocket connection established.');
      socket.on('message', (raw) => {
        const msg = JSON.parse(raw.toString()) as Record<string, unknown>;
        this.wsMessages.push(msg);
        if (msg.method === 'ping') {
          if (this.answerPings) socket.send(JSON.stringify({ channel: 'pong' }));
          return;
        }
        if (msg.method === 'subscribe') {
          socket.send(JSON.stringify({ channel: 'subscriptionResponse', data: msg }));
        }
      });
      this.onWsConnection(socket);
    });
    await new Promise<void>((resolve) => this.#http?.listen(0, '127.0.0.1', resolve));
    const { port } = this.#http.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/ws`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const path = req.url ?? '';
    this.requests.push({ path, body });
    const reply =
      path === '/info'
        ? this.info(body)
        : path === '/exchange'
          ? this.exchange(body)
          : { status: 404, text: 'not found' };
    if ('drop' in reply) {
      req.socket.destroy();
      return;
    }
    if ('json' in reply) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.json));
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'text/plain', ...(reply.headers ?? {}) });
    res.end(reply.text);
  }

  /** Sends a channel message to every connected socket. */
  push(channel: string, data: unknown): void {
    for (const s of this.sockets) s.send(JSON.stringify({ channel, data }));
  }

  /** Drops every WebSocket connection abruptly. */
  dropSockets(): void {
    for (const s of this.sockets) s.terminate();
  }

  requestsOf(path: '/info' | '/exchange', type?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        r.path === path &&
        (type === undefined ||
          (path === '/info' ? r.body.type === type : (r.body.action as { type?: string }).type === type)),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.#wss?.close(() => resolve()));
    this.#http?.closeAllConnections();
    await new Promise<void>((resolve) => this.#http?.close(() => resolve()));
  }
}

export const META = {
  universe: [
    { name: 'BTC', szDecimals: 5, maxLeverage: 40, marginTableId: 56 },
    { name: 'ETH', szDecimals: 4, maxLeverage: 25, marginTableId: 55 },
    { name: 'OLD', szDecimals: 0, maxLeverage: 3, isDelisted: true },
    { name: 'SOL', szDecimals: 2, maxLeverage: 20 },
  ],
  marginTables: [],
};

export function fill(
  over: Partial<Record<string, unknown>> & { tid: number; time: number },
): Record<string, unknown> {
  return {
    coin: 'BTC',
    px: '60000.5',
    sz: '0.01',
    side: 'B',
    startPosition: '0',
    dir: 'Open Long',
    closedPnl: '0.0',
    hash: '0xabc',
    oid: 1000 + over.tid,
    crossed: true,
    fee: '0.27',
    feeToken: 'USDC',
    ...over,
  };
}

/** Waits until `check` holds, polling on real time (for asynchronous socket effects). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
