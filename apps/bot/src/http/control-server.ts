import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  allowedHosts,
  bearerTokenCheck,
  checkHost,
  HttpRequestError,
  MAX_BODY_BYTES,
  parseJsonObject,
  readBody,
} from './guard.js';

/** A request that passed every check: right Host, body within the cap, JSON object, token where needed. */
export interface ControlRequest {
  method: string;
  url: URL;
  body: Record<string, unknown>;
}

export interface ControlServerOptions {
  /** 0 for a free port. */
  port: number;
  token: string;
  /** GET paths served without the token (health and metrics, for probes and Prometheus). */
  publicPaths: readonly string[];
  handler: (req: ControlRequest, res: ServerResponse) => Promise<void>;
  maxBodyBytes?: number;
}

export interface ControlServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

// Bounds for slow or idle clients: a request has 10 s to arrive whole, headers 5 s.
const REQUEST_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 5_000;
const MAX_HEADER_BYTES = 8 * 1024;
const MAX_CONNECTIONS = 32;

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify(body));
}

/**
 * The bot's HTTP endpoint on 127.0.0.1. Before the handler sees a request: the Host header must name the
 * address and port the server listens on (DNS rebinding), the body is capped, a path outside `publicPaths`
 * needs the bearer token (compared in constant time), and the body must be a JSON object. Refusals answer
 * 400/401/413/421 with a JSON error; only a failure of the handler itself answers 500.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  let hosts: ReadonlySet<string> = new Set();
  const tokenMatches = bearerTokenCheck(options.token);
  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    checkHost(req.headers.host, hosts);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const isPublic = method === 'GET' && options.publicPaths.includes(url.pathname);
    if (!isPublic && !tokenMatches(req.headers.authorization)) {
      throw new HttpRequestError(401, 'unauthorized');
    }
    const body = parseJsonObject(await readBody(req, limit));
    await options.handler({ method, url, body }, res);
  };
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout: REQUEST_TIMEOUT_MS,
      headersTimeout: HEADERS_TIMEOUT_MS,
    },
    (req, res) => {
      onRequest(req, res).catch((error: unknown) => {
        if (error instanceof HttpRequestError) {
          // 413: the rest of the body is not read; closing the connection is how to stop it.
          send(res, error.status, { error: error.message }, error.status === 413);
          return;
        }
        send(res, 500, { error: error instanceof Error ? error.message : String(error) });
      });
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(port);
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
