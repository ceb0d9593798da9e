import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { type ControlRequest, type ControlServer, startControlServer } from '../http/control-server.js';
import { writeFileNoFollow } from '../secure-file.js';
import type { BotCore } from './bot-core.js';

/** Where a running bot tells other processes (`hl-bot kill`, `status`) how to reach it. */
export const CONTROL_FILE = 'control.json';

export interface ControlInfo {
  pid: number;
  url: string;
  token: string;
}

/** What the endpoint's routes do: the bot's own operations. */
export interface ControlRoutes {
  health(): { code: number; body: Record<string, unknown> };
  metrics(): string;
  status(): unknown;
  kill(reason: string, flatten: boolean): Promise<unknown>;
  resetBreaker(): Promise<unknown>;
  reconcile(): Promise<unknown>;
}

/**
 * The 127.0.0.1 control and metrics endpoint, and the `control.json` that tells `hl-bot kill|status|...`
 * where it is and which token to send. `/health` and `/metrics` are public; the rest need the token.
 */
export class ControlEndpoint {
  private server: ControlServer | undefined;
  private info: ControlInfo | undefined;

  constructor(
    private readonly core: BotCore,
    private readonly routes: ControlRoutes,
  ) {}

  get url(): string | undefined {
    return this.info?.url;
  }

  async start(): Promise<void> {
    const token = randomBytes(24).toString('hex');
    this.server = await startControlServer({
      port: this.core.config.metrics.port,
      token,
      publicPaths: ['/health', '/metrics'],
      handler: (req, res) => this.handle(req, res),
    });
    this.info = { pid: process.pid, url: `http://127.0.0.1:${this.server.port}`, token };
    await writeFileNoFollow(join(this.core.config.stateDir, CONTROL_FILE), JSON.stringify(this.info));
  }

  async close(): Promise<void> {
    await this.server?.close();
    await rm(join(this.core.config.stateDir, CONTROL_FILE), { force: true });
  }

  /** Host, body cap, JSON and the token are checked by the server before a request gets here. */
  private async handle(req: ControlRequest, res: ServerResponse): Promise<void> {
    const { url, body } = req;
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/health') {
      const h = this.routes.health();
      return json(h.code, h.body);
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(this.routes.metrics());
      return;
    }
    if (req.method === 'GET' && url.pathname === '/status') return json(200, this.routes.status());
    if (req.method === 'POST' && url.pathname === '/kill') {
      const reason =
        typeof body.reason === 'string' && body.reason.length > 0 ? body.reason : 'operator kill';
      return json(200, await this.routes.kill(reason, body.flatten === true));
    }
    if (this.core.engine === undefined) return json(503, { error: 'the bot is still starting' });
    if (req.method === 'POST' && url.pathname === '/reset-breaker')
      return json(200, await this.routes.resetBreaker());
    if (req.method === 'POST' && url.pathname === '/reconcile')
      return json(200, await this.routes.reconcile());
    return json(404, { error: 'not found' });
  }
}
