import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { AuditLogger } from '@hl-bot/audit';
import {
  type AuditEventInput,
  Decimal,
  ExchangeError,
  ManualClock,
  OrderRequest,
  type OrderUpdate,
} from '@hl-bot/core-types';
import { ExchangeClient, HttpTransport } from '@nktkas/hyperliquid';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HyperliquidClient, type HyperliquidClientOptions, PrivateKeySigner } from '../src/index.js';
import {
  orderWire,
  recoverL1ActionSigner,
  recoverUserSignedActionSigner,
  type UserSignedAction,
} from '../src/wire.js';
import { FakeVenue, fill, META } from './helpers/fake-venue.js';
import { fixture } from './helpers/fixtures.js';

const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const ACCOUNT = '0x1111111111111111111111111111111111111111';
const T0 = 1_700_000_000_000;

let venue: FakeVenue;
let clock: ManualClock;
let sleeps: number[];
let audit: AuditEventInput[];

function client(over: Partial<HyperliquidClientOptions> = {}): HyperliquidClient {
  return new HyperliquidClient({
    privateKey: KEY,
    walletAddress: ACCOUNT,
    baseUrl: venue.url,
    wsUrl: venue.wsUrl,
    clock,
    // Virtual time: a sleep advances the clock instead of waiting.
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
    auditLogger: {
      append: async (e) => {
        audit.push(e);
        return e as never;
      },
    },
    ...over,
  });
}

function infoRouter(extra: Record<string, (body: Record<string, unknown>) => unknown> = {}) {
  return (body: Record<string, unknown>) => {
    const type = String(body.type);
    const h = extra[type];
    if (h !== undefined) return { json: h(body) };
    if (type === 'meta') return { json: META };
    if (type === 'userAbstraction') return { json: 'disabled' };
    if (type === 'perpDexs') return { json: [null] };
    if (type === 'allMids') return { json: { BTC: '60000', ETH: '3000.5', SOL: '150.25', '@107': '18.6' } };
    return { status: 500, text: `unhandled info ${type}` };
  };
}

const limitBuy = OrderRequest.parse({
  symbol: 'BTC-USD',
  side: 'buy',
  orderType: 'limit',
  price: '60000',
  quantity: '0.01',
});

beforeEach(async () => {
  venue = await FakeVenue.start();
  clock = new ManualClock(T0);
  sleeps = [];
  audit = [];
});
afterEach(async () => {
  await venue.stop();
});

describe('info reads', () => {
  it('validates responses and turns decimal strings into Decimals', async () => {
    venue.info = infoRouter({
      clearinghouseState: () => ({
        marginSummary: {
          accountValue: '10100.5',
          totalNtlPos: '600',
          totalRawUsd: '9500',
          totalMarginUsed: '60',
        },
        crossMarginSummary: {
          accountValue: '10100.5',
          totalNtlPos: '600',
          totalRawUsd: '9500',
          totalMarginUsed: '60',
        },
        crossMaintenanceMarginUsed: '15',
        withdrawable: '10000',
        time: T0,
        assetPositions: [
          {
            type: 'oneWay',
            position: {
              coin: 'BTC',
              szi: '0.01',
              leverage: { type: 'cross', value: 10 },
              entryPx: '50000',
              positionValue: '600',
              unrealizedPnl: '100.5',
              returnOnEquity: '0.2',
              liquidationPx: null,
              marginUsed: '60',
              maxLeverage: 40,
              cumFunding: { allTime: '1', sinceOpen: '1', sinceChange: '1' },
            },
          },
        ],
      }),
    });
    const c = client();
    const state = await c.getAccountState();
    expect(state.equity.toFixed()).toBe('10100.5');
    expect(state.balance.toFixed()).toBe('10000');
    expect(state.marginUsed.toFixed()).toBe('60');
    expect(venue.requestsOf('/info', 'clearinghouseState')[0]?.body.user).toBe(ACCOUNT);
    const price = await c.getMarketPrice('ETH-USD');
    expect(price.price).toBeInstanceOf(Decimal);
    expect(price.price.toFixed()).toBe('3000.5');
  });

  it('fails closed with HL_BAD_RESPONSE when a response has the wrong shape', async () => {
    venue.info = infoRouter({ allMids: () => ({ BTC: 60000 }) });
    await expect(client().allMids()).rejects.toMatchObject({ code: 'HL_BAD_RESPONSE' });
  });

  it('retries 429 and 5xx reads with growing backoff, then succeeds', async () => {
    const answers = [
      { status: 429, text: 'rate limited' },
      { status: 502, text: 'bad gateway' },
      { status: 503, text: 'unavailable' },
    ];
    venue.info = (body) => answers.shift() ?? infoRouter()(body);
    const mids = await client().allMids();
    expect(mids.BTC?.toFixed()).toBe('60000');
    expect(venue.requestsOf('/info', 'allMids')).toHaveLength(4);
    expect(sleeps).toEqual([188, 375, 750]);
  });

  it('gives up after maxRetries and reports the HTTP status', async () => {
    venue.info = () => ({ status: 500, text: 'down' });
    await expect(client({ retry: { maxRetries: 2 } }).allMids()).rejects.toMatchObject({
      code: 'HL_HTTP_ERROR',
      status: 500,
    });
    expect(venue.requestsOf('/info')).toHaveLength(3);
  });

  it('does not retry a 4xx answer', async () => {
    venue.info = () => ({ status: 422, text: 'Failed to deserialize the JSON body' });
    await expect(client().allMids()).rejects.toThrow(/HTTP 422: Failed to deserialize/);
    expect(venue.requestsOf('/info')).toHaveLength(1);
  });

  it('follows userFillsByTime pages and returns each fill once, oldest first', async () => {
    const all = Array.from({ length: 1200 }, (_, i) => fill({ tid: i, time: T0 + Math.floor(i / 3) }));
    venue.info = infoRouter({
      userFillsByTime: (b) => all.filter((f) => (f.time as number) >= (b.startTime as number)).slice(0, 500),
    });
    const fills = await client().userFillsByTime({ startTime: T0 });
    expect(fills).toHaveLength(1200);
    expect(new Set(fills.map((f) => f.tid)).size).toBe(1200);
    expect(fills.map((f) => f.time)).toEqual([...fills.map((f) => f.time)].sort((a, b) => a - b));
    expect(venue.requestsOf('/info', 'userFillsByTime').length).toBeGreaterThan(2);
  });

  const pagings: Array<[string, (inRange: Record<string, unknown>[]) => Record<string, unknown>[]]> = [
    ['the oldest fills first', (r) => r.slice(0, 500)],
    ['the newest fills first', (r) => [...r].reverse().slice(0, 500)],
    ['the newest fills, sorted oldest first', (r) => r.slice(-500)],
  ];
  for (const [order, page] of pagings) {
    it(`backfills every fill exactly once when pages hold ${order}`, async () => {
      // 2300 fills, up to 7 in one millisecond, across a page edge or two.
      const all = Array.from({ length: 2300 }, (_, i) => fill({ tid: i, time: T0 + Math.floor(i / 7) * 5 }));
      venue.info = infoRouter({
        userFillsByTime: (b) =>
          page(
            all.filter(
              (f) =>
                (f.time as number) >= (b.startTime as number) &&
                (b.endTime === undefined || (f.time as number) <= (b.endTime as number)),
            ),
          ),
      });
      const fills = await client().userFillsByTime({ startTime: T0 });
      expect(fills.map((f) => f.tid)).toEqual(all.map((f) => f.tid));
      expect(venue.requestsOf('/info', 'userFillsByTime').length).toBeGreaterThan(4);
    });
  }

  it('refuses to return a fill history it cannot page through (a full page in one millisecond)', async () => {
    const same = Array.from({ length: 500 }, (_, i) => fill({ tid: i, time: T0 }));
    venue.info = infoRouter({ userFillsByTime: () => same });
    await expect(client().userFillsByTime({ startTime: T0 })).rejects.toMatchObject({
      code: 'HL_BAD_RESPONSE',
    });
  });

  it('maps symbols to coins and asset ids from meta, never from a hardcoded table', async () => {
    venue.info = infoRouter();
    const assets = await client().loadAssets();
    expect(assets.bySymbol('SOL-USD')).toMatchObject({ asset: 3, coin: 'SOL', szDecimals: 2 });
    expect(assets.byAsset(2).isDelisted).toBe(true);
    expect(assets.byCoin('ETH').symbol).toBe('ETH-USD');
    expect(() => assets.bySymbol('DOGE-USD')).toThrow(/unknown symbol/);
    expect(() => assets.bySymbol('BTC')).toThrow(/not a Hyperliquid perp symbol/);
  });
});

function sentOrder(): Record<string, unknown> | undefined {
  const req = venue.requestsOf('/exchange')[0];
  if (req === undefined) throw new Error('no order was sent');
  return (req.body.action as { orders: Array<Record<string, unknown>> }).orders[0];
}

function orderOk(statuses: unknown[]) {
  return { json: { status: 'ok', response: { type: 'order', data: { statuses } } } };
}

describe('leverage and the margin mode an asset allows', () => {
  it('defaults to isolated on an isolated-only asset (the docs’ HIP-3 dex), refuses cross there unsent, keeps cross elsewhere', async () => {
    const [xyzMeta] = fixture('docs/metaAndAssetCtxs_37').response as [unknown];
    venue.info = (b) =>
      b.type === 'perpDexs'
        ? {
            json: [
              null,
              { name: 'xyz', fullName: 'XYZ', deployer: `0x${'5e'.repeat(20)}`, oracleUpdater: null },
            ],
          }
        : b.type === 'meta' && b.dex === 'xyz'
          ? { json: xyzMeta }
          : infoRouter()(b);
    venue.exchange = () => ({ json: { status: 'ok', response: { type: 'default' } } });
    const c = client();
    await c.updateLeverage('xyz:TSLA-USD', 5);
    await c.updateLeverage('BTC-USD', 5);
    await expect(c.updateLeverage('xyz:TSLA-USD', 5, { isCross: true })).rejects.toMatchObject({
      code: 'INVALID_LEVERAGE',
      message: expect.stringMatching(/isolated margin only/),
    });
    const sent = venue.requestsOf('/exchange').map((r) => r.body.action);
    expect(sent).toEqual([
      { type: 'updateLeverage', asset: 110001, isCross: false, leverage: 5 },
      { type: 'updateLeverage', asset: 0, isCross: true, leverage: 5 },
    ]);
  });
});

describe('placing orders', () => {
  it('sends a signed limit order whose signer recovers to the key, leaving order facts to the router', async () => {
    venue.info = infoRouter();
    venue.exchange = () => orderOk([{ resting: { oid: 77 } }]);
    const c = client();
    const ack = await c.placeOrder(limitBuy, { clientOrderId: 'strategy-1' });
    expect(ack).toMatchObject({ orderId: '77', clientOrderId: 'strategy-1', status: 'resting' });
    const [req] = venue.requestsOf('/exchange');
    const body = req?.body as {
      action: { orders: Array<Record<string, unknown>> };
      nonce: number;
      signature: never;
      expiresAfter: number;
    };
    expect(body.action.orders[0]).toMatchObject({
      a: 0,
      b: true,
      p: '60000',
      s: '0.01',
      r: false,
      t: { limit: { tif: 'Gtc' } },
    });
    expect(body.expiresAfter).toBe(T0 + 15_000);
    const signer = recoverL1ActionSigner({ ...body, isMainnet: true });
    expect(signer).toBe(new PrivateKeySigner(KEY).address);
    // One owner per fact: submitted/accepted belong to the engine that routes the order.
    expect(audit.map((e) => e.type)).toEqual([]);
  });

  it('sends exactly the body the independent client sends for the same order', async () => {
    venue.info = infoRouter();
    venue.exchange = () => orderOk([{ resting: { oid: 1 } }]);
    const c = client({ orderExpiryMs: 15_000 });
    await c.placeOrder(limitBuy, { clientOrderId: '0x00000000000000000000000000000abc' });
    const ours = venue.requestsOf('/exchange')[0]?.body;
    const nk = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: venue.url }),
      wallet: privateKeyToAccount(KEY),
      nonceManager: () => (ours as { nonce: number }).nonce,
      defaultExpiresAfter: T0 + 15_000,
    });
    await nk.order({
      orders: [
        {
          a: 0,
          b: true,
          p: '60000',
          s: '0.01',
          r: false,
          t: { limit: { tif: 'Gtc' } },
          c: '0x00000000000000000000000000000abc',
        },
      ],
      grouping: 'na',
    });
    const theirs = venue.requestsOf('/exchange')[1]?.body;
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  });

  it('sends a market order as an IOC limit at mid plus 5%, rounded down for a buy', async () => {
    venue.info = infoRouter({ allMids: () => ({ BTC: '60001.3' }) });
    venue.exchange = () => orderOk([{ filled: { totalSz: '0.01', avgPx: '60010', oid: 5 } }]);
    const ack = await client().placeOrder(
      OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.01' }),
    );
    expect(ack).toMatchObject({ orderId: '5', status: 'filled' });
    expect(ack.averagePrice?.toFixed()).toBe('60010');
    const order = sentOrder();
    // 60001.3 * 1.05 = 63001.365 -> 5 significant figures, rounded down for a buy.
    expect(order).toMatchObject({ p: '63001', t: { limit: { tif: 'Ioc' } } });
  });

  it('maps a stop-market sell to a reduce-only sl trigger with a protection price', async () => {
    venue.info = infoRouter();
    venue.exchange = () => orderOk([{ resting: { oid: 9 } }]);
    await client().placeOrder(
      OrderRequest.parse({
        symbol: 'ETH-USD',
        side: 'sell',
        orderType: 'stop-market',
        triggerPrice: '2900',
        quantity: '1',
        reduceOnly: true,
      }),
    );
    const order = sentOrder();
    expect(order).toMatchObject({
      a: 1,
      b: false,
      p: '2755',
      s: '1',
      r: true,
      t: { trigger: { isMarket: true, triggerPx: '2900', tpsl: 'sl' } },
    });
  });

  it('rejects an unrepresentable limit price before sending anything', async () => {
    venue.info = infoRouter();
    const err = await client()
      .placeOrder(OrderRequest.parse({ ...limitBuy, price: '60000.5' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeError);
    expect(err).toMatchObject({ code: 'INVALID_PRICE' });
    expect(venue.requestsOf('/exchange')).toHaveLength(0);
    expect(audit.map((e) => e.type)).toEqual([]);
  });

  it('rounds a limit price to the safe side when roundToValid is set', async () => {
    venue.info = infoRouter();
    venue.exchange = () => orderOk([{ resting: { oid: 3 } }]);
    await client({ roundToValid: true }).placeOrder(
      OrderRequest.parse({ ...limitBuy, side: 'sell', price: '60000.5' }),
    );
    const order = sentOrder();
    expect(order?.p).toBe('60001');
  });

  it('turns a per-order venue error into a typed ExchangeError carrying the venue message', async () => {
    venue.info = infoRouter();
    venue.exchange = () => orderOk([{ error: 'Insufficient margin to place order. asset=0' }]);
    const err = (await client()
      .placeOrder(limitBuy)
      .catch((e: unknown) => e)) as ExchangeError;
    expect(err.code).toBe('INSUFFICIENT_MARGIN');
    expect(err.message).toContain('Insufficient margin to place order. asset=0');
    expect(err.details.venueMessage).toBe('Insufficient margin to place order. asset=0');
    expect(audit.map((e) => e.type)).toEqual([]);
  });

  it('reports a whole-action refusal as a definite ExchangeError carrying the venue refusal', async () => {
    venue.info = infoRouter();
    venue.exchange = () => ({
      json: { status: 'err', response: 'User or API Wallet 0xabc does not exist.' },
    });
    const err = (await client()
      .placeOrder(limitBuy)
      .catch((e: unknown) => e)) as ExchangeError;
    expect(err).toBeInstanceOf(ExchangeError);
    expect(err.code).toBe('ORDER_REJECTED');
    expect(err.details.venueCode).toBe('HL_ACTION_REJECTED');
    expect(err.cause).toMatchObject({ venueMessage: 'User or API Wallet 0xabc does not exist.' });
  });

  it('never re-sends an order that arrived although the answer was a 502', async () => {
    const placed = new Map<string, number>();
    venue.info = infoRouter({
      orderStatus: (b) =>
        placed.has(String(b.oid))
          ? {
              status: 'order',
              order: {
                order: {
                  coin: 'BTC',
                  side: 'B',
                  limitPx: '60000',
                  sz: '0.01',
                  oid: placed.get(String(b.oid)),
                  timestamp: T0,
                  origSz: '0.01',
                  cloid: b.oid,
                },
                status: 'open',
                statusTimestamp: T0,
              },
            }
          : { status: 'unknownOid' },
    });
    venue.exchange = (b) => {
      const order = (b.action as { orders: Array<{ c: string }> }).orders[0];
      placed.set(String(order?.c), 4242);
      return { status: 502, text: 'bad gateway' };
    };
    const ack = await client().placeOrder(limitBuy);
    expect(ack).toMatchObject({ orderId: '4242', status: 'resting' });
    expect(venue.requestsOf('/exchange')).toHaveLength(1);
    // It waited until the signed copy expired before asking.
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(15_000);
    expect(audit.map((e) => e.type)).toEqual(['error']);
  });

  it('re-sends an order that never arrived, with the same cloid and a fresh nonce, after it expired', async () => {
    venue.info = infoRouter({ orderStatus: () => ({ status: 'unknownOid' }) });
    let calls = 0;
    venue.exchange = () => {
      calls += 1;
      return calls === 1 ? { drop: true } : orderOk([{ resting: { oid: 8 } }]);
    };
    const ack = await client().placeOrder(limitBuy, { clientOrderId: 'retry-me' });
    expect(ack.orderId).toBe('8');
    const sent = venue
      .requestsOf('/exchange')
      .map(
        (r) => r.body as { nonce: number; expiresAfter: number; action: { orders: Array<{ c: string }> } },
      );
    expect(sent).toHaveLength(2);
    expect(sent[0]?.action.orders[0]?.c).toBe(sent[1]?.action.orders[0]?.c);
    expect(sent[1]?.nonce).toBeGreaterThan(sent[0]?.nonce ?? Number.POSITIVE_INFINITY);
    expect(sent[1]?.nonce).toBeGreaterThan(sent[0]?.expiresAfter ?? Number.POSITIVE_INFINITY);
  });

  it('signs an order to expire by its notAfter (a shared lease’s end), and sends none once it has passed', async () => {
    venue.info = infoRouter();
    venue.exchange = () => orderOk([{ resting: { oid: 9 } }]);
    const c = client();
    await c.placeOrder(limitBuy, { clientOrderId: 'leased', notAfter: T0 + 700 });
    const expiryOf = (i: number) =>
      (venue.requestsOf('/exchange')[i]?.body as { expiresAfter?: number } | undefined)?.expiresAfter;
    expect(expiryOf(0)).toBe(T0 + 700);
    // A later deadline than the client's own 15 s keeps the client's.
    await c.placeOrder(limitBuy, { clientOrderId: 'far', notAfter: T0 + 60_000 });
    expect(expiryOf(1)).toBe(T0 + 15_000);
    const late = await c.placeOrder(limitBuy, { clientOrderId: 'late', notAfter: T0 - 1 }).catch((e) => e);
    expect(late).toBeInstanceOf(ExchangeError);
    expect(late).toMatchObject({
      code: 'ORDER_REJECTED',
      message: expect.stringMatching(/not sent: its deadline/),
    });
    expect(venue.requestsOf('/exchange')).toHaveLength(2);
  });

  it('does not re-send an order that never arrived once its notAfter has passed: definitely not placed', async () => {
    venue.info = infoRouter({ orderStatus: () => ({ status: 'unknownOid' }) });
    venue.exchange = () => ({ drop: true });
    const error = await client()
      .placeOrder(limitBuy, { clientOrderId: 'leased', notAfter: T0 + 2_000 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ExchangeError);
    expect(error.message).toMatch(/deadline .* passed before it could be re-sent/);
    const sent = venue.requestsOf('/exchange').map((r) => r.body as { expiresAfter: number });
    expect(sent).toEqual([expect.objectContaining({ expiresAfter: T0 + 2_000 })]);
  });

  it('treats an unreadable answer to an order as ambiguous and asks orderStatus instead of re-sending', async () => {
    venue.info = infoRouter({
      orderStatus: (b) => ({
        status: 'order',
        order: {
          order: {
            coin: 'BTC',
            side: 'B',
            limitPx: '60000',
            sz: '0.01',
            oid: 31,
            timestamp: T0,
            origSz: '0.01',
            cloid: b.oid,
          },
          status: 'open',
          statusTimestamp: T0,
        },
      }),
    });
    venue.exchange = () => ({ json: { status: 'ok', response: { type: 'surprise' } } });
    const ack = await client().placeOrder(limitBuy);
    expect(ack).toMatchObject({ orderId: '31', status: 'resting' });
    expect(venue.requestsOf('/exchange')).toHaveLength(1);
  });

  it('throws HL_ORDER_STATE_UNKNOWN when neither the order nor orderStatus answers', async () => {
    venue.info = (b) => (b.type === 'orderStatus' ? { status: 503, text: 'down' } : infoRouter()(b));
    venue.exchange = () => ({ status: 503, text: 'down' });
    await expect(client({ retry: { maxRetries: 1 } }).placeOrder(limitBuy)).rejects.toMatchObject({
      code: 'HL_ORDER_STATE_UNKNOWN',
    });
    expect(venue.requestsOf('/exchange')).toHaveLength(1);
  });

  it('signs a throttled order only once the rate limiter lets it go, so its expiry window is intact', async () => {
    venue.info = infoRouter();
    let sentAt = 0;
    venue.exchange = () => {
      sentAt = clock.now();
      return orderOk([{ resting: { oid: 5 } }]);
    };
    // 20 weight a minute with no headroom: meta (20) spends the minute, so the order waits for the next one.
    const c = client({ rateLimit: { weightPerMinute: 20, headroom: 0 }, orderExpiryMs: 5_000 });
    await c.loadAssets();
    await c.placeOrder(limitBuy);
    const [req] = venue.requestsOf('/exchange');
    const body = req?.body as { expiresAfter: number; nonce: number };
    expect(Math.max(...sleeps)).toBeGreaterThan(5_000);
    expect(body.expiresAfter).toBe(sentAt + 5_000);
    expect(body.nonce).toBeGreaterThanOrEqual(T0 + Math.max(...sleeps));
  });

  it('gives concurrent actions strictly increasing, distinct nonces', async () => {
    venue.info = infoRouter();
    venue.exchange = () => ({
      json: { status: 'ok', response: { type: 'cancel', data: { statuses: ['success'] } } },
    });
    const c = client();
    await Promise.all(Array.from({ length: 25 }, (_, i) => c.cancel([{ symbol: 'BTC-USD', oid: i }])));
    const nonces = venue.requestsOf('/exchange').map((r) => r.body.nonce as number);
    expect(new Set(nonces).size).toBe(25);
    expect(Math.min(...nonces)).toBe(T0);
  });
});

describe('batches', () => {
  const wire = (asset: number, cloid: string) =>
    orderWire({
      asset,
      isBuy: true,
      price: '100',
      size: '1',
      reduceOnly: false,
      orderType: { limit: { tif: 'Gtc' } },
      cloid,
    });

  it('returns one result per order and applies a single batch-wide error to every order', async () => {
    const answers = [
      orderOk([
        { resting: { oid: 1 } },
        { filled: { totalSz: '1', avgPx: '99.5', oid: 2 } },
        { error: 'Order must have minimum value of $10.' },
      ]),
      orderOk([{ error: 'Invalid TP/SL price.' }]),
    ];
    venue.exchange = () => answers.shift() ?? { status: 500, text: 'no more' };
    const c = client();
    const batch = [
      wire(0, '0x00000000000000000000000000000001'),
      wire(1, '0x00000000000000000000000000000002'),
      wire(3, '0x00000000000000000000000000000003'),
    ];
    const first = await c.submitOrders(batch);
    expect(first.map((r) => r.kind)).toEqual(['resting', 'filled', 'error']);
    expect(first[2]).toMatchObject({ kind: 'error', error: { code: 'MIN_NOTIONAL' } });
    const second = await c.submitOrders(batch, { grouping: 'normalTpsl' });
    expect(second.map((r) => (r.kind === 'error' ? r.error.code : r.kind))).toEqual([
      'INVALID_PRICE',
      'INVALID_PRICE',
      'INVALID_PRICE',
    ]);
    expect(venue.requestsOf('/exchange')[1]?.body.action).toMatchObject({ grouping: 'normalTpsl' });
  });

  it('batchModify sends canonical modifies and returns the new order ids', async () => {
    venue.exchange = () => orderOk([{ resting: { oid: 501 } }, { resting: { oid: 502 } }]);
    const results = await client().batchModify([
      { oid: 11, order: wire(0, '0x00000000000000000000000000000001') },
      { oid: 'client-2', order: wire(1, '0x00000000000000000000000000000002') },
    ]);
    expect(results).toEqual([
      { kind: 'resting', oid: 501 },
      { kind: 'resting', oid: 502 },
    ]);
    const action = venue.requestsOf('/exchange')[0]?.body.action as { modifies: Array<{ oid: unknown }> };
    expect(action.modifies[0]?.oid).toBe(11);
    expect(action.modifies[1]?.oid).toMatch(/^0x[0-9a-f]{32}$/);
  });
});

describe('cancelling and listing orders', () => {
  const open = [
    { coin: 'BTC', side: 'B', limitPx: '59000', sz: '0.01', oid: 1, timestamp: T0, origSz: '0.02' },
    { coin: 'ETH', side: 'A', limitPx: '3100', sz: '1', oid: 2, timestamp: T0, origSz: '1' },
    { coin: '@107', side: 'A', limitPx: '20', sz: '5', oid: 3, timestamp: T0, origSz: '5' },
  ];

  it('cancelAllOrders cancels every perp order, counts confirmations and audits the reason', async () => {
    venue.info = infoRouter({ openOrders: () => open });
    venue.exchange = (b) => {
      const n = (b.action as { cancels: unknown[] }).cancels.length;
      return {
        json: {
          status: 'ok',
          response: {
            type: 'cancel',
            data: {
              statuses: ['success', { error: 'Order was never placed, already canceled, or filled.' }].slice(
                0,
                n,
              ),
            },
          },
        },
      };
    };
    const c = client();
    const updates: OrderUpdate[] = [];
    c.onOrderUpdate((u) => updates.push(u));
    const n = await c.cancelAllOrders({ reason: 'circuit_breaker' });
    expect(n).toBe(1);
    const action = venue.requestsOf('/exchange')[0]?.body.action;
    expect(action).toEqual({
      type: 'cancel',
      cancels: [
        { a: 0, o: 1 },
        { a: 1, o: 2 },
      ],
    });
    // Each confirmed cancel is reported as an order update (the engine records it once); no audit here.
    expect(audit).toEqual([]);
    expect(updates.map((u) => [u.orderId, u.symbol, u.status])).toEqual([['1', 'BTC-USD', 'cancelled']]);
  });

  it('cancelOrder resolves false for an order that is no longer open', async () => {
    venue.info = infoRouter();
    venue.exchange = () => ({
      json: {
        status: 'ok',
        response: {
          type: 'cancel',
          data: { statuses: [{ error: 'Order was never placed, already canceled, or filled.' }] },
        },
      },
    });
    expect(await client().cancelOrder('BTC-USD', '12345')).toBe(false);
    expect(await client().cancelOrder('BTC-USD', 'my-client-id')).toBe(false);
    expect(venue.requestsOf('/exchange', 'cancelByCloid')).toHaveLength(1);
  });

  it('getOpenOrders maps frontend orders to OpenOrder with filled quantities', async () => {
    venue.info = infoRouter({
      frontendOpenOrders: () =>
        open.map((o, i) => ({
          ...o,
          orderType: i === 1 ? 'Stop Market' : 'Limit',
          tif: i === 1 ? null : 'Alo',
          isTrigger: i === 1,
          triggerPx: i === 1 ? '3050' : '0.0',
          triggerCondition: 'N/A',
          isPositionTpsl: false,
          reduceOnly: i === 1,
          children: [],
        })),
    });
    const orders = await client().getOpenOrders();
    expect(orders).toHaveLength(2);
    expect(orders[0]).toMatchObject({
      orderId: '1',
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      timeInForce: 'post-only',
    });
    expect(orders[0]?.filledQuantity.toFixed()).toBe('0.01');
    expect(orders[1]).toMatchObject({ symbol: 'ETH-USD', orderType: 'stop-market', reduceOnly: true });
    expect(orders[1]?.triggerPrice?.toFixed()).toBe('3050');
  });
});

describe('user-signed transfers', () => {
  it('usdSend posts a user-signed action whose time equals the nonce and whose signer is the key', async () => {
    venue.exchange = () => ({ json: { status: 'ok', response: { type: 'default' } } });
    await client({ testnet: true }).usdSend('0x2222222222222222222222222222222222222222', '12.50');
    const body = venue.requestsOf('/exchange')[0]?.body as {
      action: UserSignedAction;
      nonce: number;
      signature: never;
    };
    expect(body.action).toEqual({
      type: 'usdSend',
      signatureChainId: '0x66eee',
      hyperliquidChain: 'Testnet',
      destination: '0x2222222222222222222222222222222222222222',
      amount: '12.5',
      time: T0,
    });
    expect(body.nonce).toBe(T0);
    expect(recoverUserSignedActionSigner({ action: body.action, signature: body.signature })).toBe(
      new PrivateKeySigner(KEY).address,
    );
  });
});

describe('stream start', () => {
  it('fails with HL_NOT_CONNECTED when the WebSocket never opens', async () => {
    venue.info = infoRouter();
    const c = client({ wsUrl: 'ws://127.0.0.1:9/ws', ws: { reconnectDelayMs: 5, maxReconnectDelayMs: 10 } });
    await expect(c.start({ timeoutMs: 200 })).rejects.toMatchObject({ code: 'HL_NOT_CONNECTED' });
    c.close();
  });
});

describe('secret hygiene', () => {
  it('never shows the private key in inspection, JSON, errors, stacks or audit files of a failing run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-secret-'));
    const logger = await AuditLogger.open(dir);
    const produced: string[] = [];
    try {
      venue.info = (b) =>
        b.type === 'meta'
          ? { json: META }
          : b.type === 'perpDexs'
            ? { json: [null] }
            : { status: 500, text: 'boom' };
      let calls = 0;
      venue.exchange = () => {
        calls += 1;
        if (calls === 1) return orderOk([{ error: 'Insufficient margin to place order.' }]);
        if (calls === 2)
          return { json: { status: 'err', response: 'User or API Wallet 0xabc does not exist.' } };
        return { status: 500, text: 'internal' };
      };
      const c = client({ auditLogger: logger, retry: { maxRetries: 1 } });
      produced.push(inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c), String(c));
      produced.push(
        inspect(new PrivateKeySigner(KEY), { showHidden: true, depth: 10 }),
        JSON.stringify(new PrivateKeySigner(KEY)),
      );
      for (const run of [
        () => c.placeOrder(limitBuy),
        () => c.placeOrder(limitBuy),
        () => c.placeOrder(limitBuy),
        () => c.allMids(),
        async () => new HyperliquidClient({ privateKey: `${KEY.slice(0, -1)}x` }),
      ]) {
        const e = await run().catch((error: unknown) => error);
        produced.push(
          inspect(e, { depth: 10, showHidden: true }),
          String((e as Error)?.stack),
          JSON.stringify(e),
        );
      }
      await logger.close();
      for (const f of await readdir(dir, { recursive: true })) {
        const p = join(dir, String(f));
        try {
          produced.push(await readFile(p, 'utf8'));
        } catch {
          // directories
        }
      }
      const everything = produced.join('\n').toLowerCase();
      expect(everything).toContain('insufficient margin'); // the run did fail and was recorded
      expect(everything).toContain('order_rejected');
      const bare = KEY.slice(2).toLowerCase();
      expect(everything).not.toContain(bare);
      expect(everything).not.toContain(bare.slice(0, 32));
      expect(everything).not.toContain(bare.slice(32));
    } finally {
      await logger.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('several bots on one account (orderScope)', () => {
  const TAG = '0a0b0c0d';
  const PEER = 'ffeeddcc';
  const scope = {
    cloidTag: TAG,
    // This bot trades BTC; a cloid of its own tag is its own wherever it is, an untagged order only on BTC.
    owns: ({ cloid, symbol }: { cloid: string | undefined; symbol: string }) =>
      cloid?.startsWith(`0x${TAG}`) === true ||
      (symbol === 'BTC-USD' && cloid?.startsWith(`0x${PEER}`) !== true),
  };
  const frontend = (o: Record<string, unknown>) => ({
    side: 'B',
    limitPx: '59000',
    sz: '0.01',
    timestamp: T0,
    origSz: '0.01',
    orderType: 'Limit',
    tif: 'Gtc',
    isTrigger: false,
    triggerPx: '0.0',
    triggerCondition: 'N/A',
    isPositionTpsl: false,
    reduceOnly: false,
    children: [],
    ...o,
  });
  const open = [
    frontend({ coin: 'BTC', oid: 1, cloid: `0x${TAG}${'1'.repeat(24)}` }),
    frontend({ coin: 'ETH', oid: 2, cloid: `0x${PEER}${'2'.repeat(24)}` }),
    frontend({ coin: 'BTC', oid: 3, cloid: null }),
    frontend({ coin: 'SOL', oid: 4, cloid: null }),
  ];

  it('sends cloids carrying the bot tag, so the venue reports back whose order it is', async () => {
    venue.info = infoRouter();
    venue.exchange = () => orderOk([{ resting: { oid: 77 } }]);
    await client({ orderScope: scope }).placeOrder(limitBuy, { clientOrderId: 'bot-1-1' });
    const action = venue.requestsOf('/exchange')[0]?.body.action as { orders: { c: string }[] } | undefined;
    expect(action?.orders[0]?.c).toMatch(new RegExp(`^0x${TAG}[0-9a-f]{24}$`));
  });

  it('lists and cancels only its own orders, never another bot’s on the same account', async () => {
    venue.info = infoRouter({ frontendOpenOrders: () => open });
    venue.exchange = (b) => {
      const n = (b.action as { cancels: unknown[] }).cancels.length;
      return {
        json: { status: 'ok', response: { type: 'cancel', data: { statuses: Array(n).fill('success') } } },
      };
    };
    const c = client({ orderScope: scope });
    expect((await c.getOpenOrders()).map((o) => o.orderId)).toEqual(['1', '3']);
    // The rest are someone else's: listed apart, by the cloid the venue reported.
    expect((await c.getForeignOpenOrders()).map((o) => [o.orderId, o.clientOrderId])).toEqual([
      ['2', `0x${PEER}${'2'.repeat(24)}`],
      ['4', undefined],
    ]);
    expect(await c.cancelAllOrders({ reason: 'stop' })).toBe(2);
    expect(venue.requestsOf('/exchange')[0]?.body.action).toEqual({
      type: 'cancel',
      cancels: [
        { a: 0, o: 1 },
        { a: 0, o: 3 },
      ],
    });
  });

  it('hands another bot’s fills to onForeignFill, never to onFill', async () => {
    const fills = [
      fill({ tid: 1, time: T0 + 1, cloid: `0x${TAG}${'1'.repeat(24)}` }),
      fill({ tid: 2, time: T0 + 2, coin: 'ETH', px: '3000', cloid: `0x${PEER}${'2'.repeat(24)}` }),
      fill({ tid: 3, time: T0 + 3, coin: 'SOL', px: '150' }),
    ];
    venue.info = infoRouter({ userFillsByTime: () => fills });
    const c = client({ orderScope: scope, fillsSince: T0 });
    const own: string[] = [];
    const foreign: string[] = [];
    c.onFill((f) => own.push(f.symbol));
    c.onForeignFill((f) => foreign.push(`${f.symbol} ${f.clientOrderId ?? '-'}`));
    await c.syncFills();
    expect(own).toEqual(['BTC-USD']);
    expect(foreign).toEqual([`ETH-USD 0x${PEER}${'2'.repeat(24)}`, 'SOL-USD -']);
    // Delivered once: a second sync of the same fills books nothing and reports nothing again.
    await c.syncFills();
    expect([own.length, foreign.length]).toEqual([1, 2]);
  });
});
