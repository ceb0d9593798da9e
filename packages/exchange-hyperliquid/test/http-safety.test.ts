import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, describe, expect, it } from 'vitest';
import { HyperliquidClient, HyperliquidResponseError } from '../src/index.js';

const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const ACCOUNT = '0x1111111111111111111111111111111111111111';
const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(baseUrl: string): HyperliquidClient {
  return new HyperliquidClient({
    privateKey: KEY,
    walletAddress: ACCOUNT,
    baseUrl,
    wsUrl: 'ws://127.0.0.1:9/ws',
    clock: new ManualClock(1_700_000_000_000),
    sleep: async () => undefined,
    random: () => 0.5,
    auditLogger: { append: async (e) => e as never },
  });
}

async function refusal(promise: Promise<unknown>): Promise<HyperliquidResponseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HyperliquidResponseError);
  return error as HyperliquidResponseError;
}

describe('HTTP answers the client refuses', () => {
  it.each([301, 302, 303, 307, 308])('does not follow a %i redirect to another host', async (status) => {
    const reached: string[] = [];
    const elsewhere = await serve((req, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end('{"BTC":"60000"}');
    });
    const venue = await serve((_req, res) => {
      res.statusCode = status;
      res.setHeader('location', `${elsewhere}/info`);
      res.end();
    });
    const error = await refusal(client(venue).allMids());
    expect(error.code).toBe('HL_REDIRECT_REFUSED');
    expect(reached).toEqual([]);
  });

  it('never re-posts a signed order to the host a redirect names', async () => {
    const reached: string[] = [];
    const elsewhere = await serve((req, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    const venue = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const type = (JSON.parse(body) as { type?: string }).type;
        if (req.url === '/info' && type === 'meta') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ universe: [{ name: 'BTC', szDecimals: 5, maxLeverage: 50 }] }));
          return;
        }
        res.statusCode = 307;
        res.setHeader('location', `${elsewhere}${req.url}`);
        res.end();
      });
    });
    const c = client(venue);
    const order = { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.001', price: '50000' };
    const error = await c.placeOrder(order as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect((error as { code?: string }).code).toMatch(/^HL_/);
    expect(reached).toEqual([]);
  });

  it.each([
    ['with a Content-Length', true],
    ['chunked, without a Content-Length', false],
  ])('refuses a 64 MiB answer (%s) without buffering it', async (_label, declareLength) => {
    const size = 64 * 1024 * 1024;
    let sent = 0;
    const venue = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      if (declareLength) res.setHeader('content-length', String(size));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => undefined);
      pump();
    });
    const error = await refusal(client(venue).allMids());
    expect(error.code).toBe('HL_RESPONSE_TOO_LARGE');
    // The client stopped reading long before the end.
    expect(sent).toBeLessThan(size);
  });

  it('still reads an ordinary answer', async () => {
    const venue = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"BTC":"60000"}');
    });
    const mids = await client(venue).allMids();
    expect(mids.BTC?.toString()).toBe('60000');
  });
});
