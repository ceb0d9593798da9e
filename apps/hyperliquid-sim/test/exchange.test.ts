import { OrderRequest } from '@hl-bot/core-types';
import { type OrderWire, signL1Action } from '@hl-bot/exchange-hyperliquid/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import {
  AGENT_KEY,
  clientFor,
  eventually,
  MASTER,
  MASTER_KEY,
  post,
  STRANGER,
  STRANGER_KEY,
  startSim,
} from './helpers.js';

let sim: HyperliquidSim;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
});

const limit = (side: 'buy' | 'sell', price: string, quantity = '0.01', extra: Record<string, unknown> = {}) =>
  OrderRequest.parse({ symbol: 'BTC-USD', side, orderType: 'limit', price, quantity, ...extra });

async function signedPost(key: string, action: Record<string, unknown>, nonce: number) {
  const signature = signL1Action({ privateKey: key, action, nonce, isMainnet: true });
  return post(sim, '/exchange', { action, nonce, signature });
}

const order = (over: Partial<OrderWire> = {}): Record<string, unknown> => ({
  type: 'order',
  orders: [{ a: 0, b: true, p: '59000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } }, ...over }],
  grouping: 'na',
});

describe('signatures', () => {
  it('rejects a signature from an unknown key with the venue text naming the recovered address', async () => {
    const res = await signedPost(STRANGER_KEY, order(), Date.now());
    expect(res.body).toEqual({ status: 'err', response: `User or API Wallet ${STRANGER} does not exist.` });
    await expect(
      clientFor(sim, { privateKey: STRANGER_KEY }).placeOrder(limit('buy', '59000')),
    ).rejects.toThrow(/does not exist/);
    expect(await clientFor(sim).openOrders()).toEqual([]);
  });

  it('accepts orders signed by the master key and by its approved agent', async () => {
    const byAgent = await clientFor(sim).placeOrder(limit('buy', '59000'));
    const byMaster = await clientFor(sim, { privateKey: MASTER_KEY }).placeOrder(limit('buy', '58000'));
    expect(byAgent.status).toBe('resting');
    expect(byMaster.status).toBe('resting');
    expect((await clientFor(sim).openOrders()).map((o) => o.limitPx.toFixed()).sort()).toEqual([
      '58000',
      '59000',
    ]);
  });

  it('accepts an agent approved later through the control endpoint', async () => {
    const res = await signedPost(STRANGER_KEY, { type: 'noop' }, Date.now());
    expect(res.body).toMatchObject({ status: 'err' });
    expect((await post(sim, '/sim/accounts', { agent: STRANGER, master: MASTER })).status).toBe(200);
    expect((await signedPost(STRANGER_KEY, { type: 'noop' }, Date.now() + 1)).body).toEqual({
      status: 'ok',
      response: { type: 'default' },
    });
  });

  it('treats a tampered action as signed by someone else', async () => {
    const action = order();
    const nonce = Date.now();
    const signature = signL1Action({ privateKey: AGENT_KEY, action, nonce, isMainnet: true });
    const tampered = order({ s: '0.02' });
    const res = await post(sim, '/exchange', { action: tampered, nonce, signature });
    expect((res.body as { response: string }).response).toMatch(
      /^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/,
    );
  });
});

describe('nonces', () => {
  it('rejects a reused nonce and a nonce outside the time window', async () => {
    const n = Date.now();
    expect((await signedPost(AGENT_KEY, { type: 'noop' }, n)).body).toMatchObject({ status: 'ok' });
    expect((await signedPost(AGENT_KEY, { type: 'noop' }, n)).body).toEqual({
      status: 'err',
      response: `Invalid nonce: duplicate nonce ${n}`,
    });
    const old = n - 3 * 24 * 60 * 60 * 1000;
    expect((await signedPost(AGENT_KEY, { type: 'noop' }, old)).body).toMatchObject({
      status: 'err',
      response: expect.stringMatching(/^Invalid nonce: .*time window/),
    });
    const future = n + 2 * 24 * 60 * 60 * 1000;
    expect((await signedPost(AGENT_KEY, { type: 'noop' }, future)).body).toMatchObject({ status: 'err' });
  });

  it('rejects a nonce below the smallest of the 100 highest once 100 are held, per signer', async () => {
    const base = Date.now();
    for (let i = 1; i <= 100; i++) {
      expect((await signedPost(AGENT_KEY, { type: 'noop' }, base + i)).body).toMatchObject({ status: 'ok' });
    }
    // base is below all 100 kept nonces: too low; base + 150 is new and above them: fine.
    expect((await signedPost(AGENT_KEY, { type: 'noop' }, base)).body).toMatchObject({
      status: 'err',
      response: expect.stringMatching(/too low/),
    });
    expect((await signedPost(AGENT_KEY, { type: 'noop' }, base + 150)).body).toMatchObject({ status: 'ok' });
    // Another signer has its own set.
    expect((await signedPost(MASTER_KEY, { type: 'noop' }, base)).body).toMatchObject({ status: 'ok' });
  });

  it('refuses an action whose expiresAfter has passed', async () => {
    const action = { type: 'noop' };
    const nonce = Date.now();
    const expiresAfter = nonce - 1000;
    const signature = signL1Action({ privateKey: AGENT_KEY, action, nonce, expiresAfter, isMainnet: true });
    const res = await post(sim, '/exchange', { action, nonce, signature, expiresAfter });
    expect(res.body).toMatchObject({ status: 'err', response: expect.stringMatching(/expired/) });
  });
});

describe('tick and lot rules', () => {
  it('answers bad prices, sizes and small orders with the venue texts, per order', async () => {
    const res = await signedPost(
      AGENT_KEY,
      {
        type: 'order',
        orders: [
          { a: 0, b: true, p: '59000.5', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } },
          { a: 0, b: true, p: '59000', s: '0.000001', r: false, t: { limit: { tif: 'Gtc' } } },
          { a: 0, b: true, p: '59000', s: '0.0001', r: false, t: { limit: { tif: 'Gtc' } } },
          { a: 1, b: true, p: '2999.12', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } },
          { a: 0, b: true, p: '59000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } },
        ],
        grouping: 'na',
      },
      Date.now(),
    );
    const statuses = (res.body as { response: { data: { statuses: unknown[] } } }).response.data.statuses;
    expect(statuses.slice(0, 4)).toEqual([
      { error: 'Price must be divisible by tick size. asset=0' },
      { error: 'Order has invalid size.' },
      { error: 'Order must have minimum value of $10. asset=0' },
      { error: 'Price must be divisible by tick size. asset=1' },
    ]);
    expect(statuses[4]).toEqual({ resting: { oid: expect.any(Number) } });
  });

  it('lets a reduce-only order below $10 through and refuses post-only orders that would cross', async () => {
    const client = clientFor(sim);
    await client.placeOrder(
      OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.001' }),
    );
    const small = await client.placeOrder(limit('sell', '70000', '0.0001', { reduceOnly: true }));
    expect(small.status).toBe('resting');
    await expect(
      client.placeOrder(limit('buy', '61000', '0.01', { timeInForce: 'post-only' })),
    ).rejects.toMatchObject({
      code: 'POST_ONLY_WOULD_CROSS',
      message: expect.stringMatching(
        /Post only order would have immediately matched, bbo was [\d.]+@[\d.]+\. asset=0/,
      ),
    });
  });
});

describe('orders, fills and the ledger', () => {
  it('rests an order, fills it when a bar trades through, and shows it in userFills, the WebSocket and clearinghouseState', async () => {
    const client = clientFor(sim);
    const wsFills: string[] = [];
    client.onFill((f) => wsFills.push(`${f.side} ${f.quantity.toFixed()} @ ${f.price.toFixed()}`));
    await client.start();
    const ack = await client.placeOrder(
      limit('buy', '59000', '0.01', { clientOrderId: '0x0000000000000000000000000000abcd' }),
    );
    expect(ack.status).toBe('resting');
    const updates: string[] = [];
    client.onOrderUpdate((u) => updates.push(u.status));
    // A bar that only touches the price does not fill; one that trades through does.
    await sim.pushBar({ coin: 'BTC', open: '59500', high: '59600', low: '59000', close: '59400' });
    expect(await client.userFills()).toEqual([]);
    await sim.pushBar({ coin: 'BTC', open: '59400', high: '59500', low: '58900', close: '59200' });
    const fills = await client.userFills();
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({
      coin: 'BTC',
      side: 'B',
      dir: 'Open Long',
      crossed: false,
      oid: Number(ack.orderId),
    });
    expect(fills[0]?.px.toFixed()).toBe('59000');
    expect(fills[0]?.startPosition.toFixed()).toBe('0');
    expect(fills[0]?.cloid).toBe('0x0000000000000000000000000000abcd');
    // maker fee 0.015% of 590
    expect(fills[0]?.fee.toFixed()).toBe('0.0885');
    await eventually(() => wsFills.length === 1 && updates.includes('filled'), 'the fill on the WebSocket');
    expect(wsFills).toEqual(['buy 0.01 @ 59000']);
    const state = await client.clearinghouseState();
    const pos = state.assetPositions[0]?.position;
    expect(pos?.coin).toBe('BTC');
    expect(pos?.szi.toFixed()).toBe('0.01');
    expect(pos?.entryPx.toFixed()).toBe('59000');
    expect(pos?.positionValue.toFixed()).toBe('592');
    expect(pos?.unrealizedPnl.toFixed()).toBe('2');
    expect(pos?.marginUsed.toFixed()).toBe('29.6');
    expect(pos?.leverage).toEqual({ type: 'cross', value: 20 });
    // 10000 USDC behind a 590 USDC long: no price liquidates it.
    expect(pos?.liquidationPx).toBeNull();
    expect(state.marginSummary.accountValue.toFixed()).toBe('10001.9115');
    const account = await client.getAccountState();
    expect(account.balance.toFixed()).toBe('9999.9115');
    expect((await client.orderStatus(Number(ack.orderId))).status).toBe('order');
    client.close();
  });

  it('cancels by oid and by cloid, and a second cancel reports the order as not open', async () => {
    const client = clientFor(sim);
    const a = await client.placeOrder(limit('buy', '58000'));
    const cloid = '0x000000000000000000000000000000ff';
    await client.placeOrder(limit('buy', '57000', '0.01', { clientOrderId: cloid }));
    expect(await client.openOrders()).toHaveLength(2);
    expect(await client.cancelOrder('BTC-USD', a.orderId)).toBe(true);
    expect(await client.cancelOrder('BTC-USD', cloid)).toBe(true);
    expect(await client.openOrders()).toEqual([]);
    expect(await client.cancelOrder('BTC-USD', a.orderId)).toBe(false);
    expect(await client.cancelOrder('BTC-USD', cloid)).toBe(false);
    const status = await client.orderStatus(cloid);
    expect(status).toMatchObject({ status: 'order', order: { status: 'canceled' } });
    expect(await client.orderStatus(123)).toEqual({ status: 'unknownOid' });
  });

  it('fills a market order at once as an aggressive IOC, and answers an IOC that cannot match with the venue text', async () => {
    const client = clientFor(sim);
    const ack = await client.placeOrder(
      OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.01' }),
    );
    expect(ack.status).toBe('filled');
    expect(ack.filledQuantity.toFixed()).toBe('0.01');
    // last price plus 5 bps of slippage, rounded against the buyer
    const mid = (await client.allMids()).BTC;
    expect(ack.averagePrice?.toFixed()).toBe(mid?.times('1.0005').toDecimalPlaces(1, 2).toFixed());
    const fills = await client.userFills();
    expect(fills[0]).toMatchObject({ crossed: true, dir: 'Open Long' });
    await expect(
      client.placeOrder(limit('buy', '50000', '0.01', { timeInForce: 'IOC' })),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        'Order could not immediately match against any resting orders. asset=0',
      ),
    });
    // Closing: a reduce-only market sell flattens the position; dir and startPosition follow.
    await client.placeOrder(
      OrderRequest.parse({
        symbol: 'BTC-USD',
        side: 'sell',
        orderType: 'market',
        quantity: '0.01',
        reduceOnly: true,
      }),
    );
    const after = await client.userFills();
    expect(after[0]).toMatchObject({ side: 'A', dir: 'Close Long' });
    expect(after[0]?.startPosition.toFixed()).toBe('0.01');
    expect((await client.clearinghouseState()).assetPositions).toEqual([]);
  });

  it('modifies an order, updates leverage, and fires a stop-loss trigger', async () => {
    const client = clientFor(sim);
    const ack = await client.placeOrder(limit('buy', '58000'));
    const assets = await client.loadAssets();
    await client.modify(Number(ack.orderId), {
      a: assets.bySymbol('BTC-USD').asset,
      b: true,
      p: '57500',
      s: '0.02',
      r: false,
      t: { limit: { tif: 'Gtc' } },
    });
    const open = await client.openOrders();
    expect(open.map((o) => [o.limitPx.toFixed(), o.sz.toFixed()])).toEqual([['57500', '0.02']]);
    await client.updateLeverage('BTC-USD', 5);
    await client.placeOrder(
      OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.01' }),
    );
    const state = await client.clearinghouseState();
    expect(state.assetPositions[0]?.position.leverage).toEqual({ type: 'cross', value: 5 });
    await client.placeOrder(
      OrderRequest.parse({
        symbol: 'BTC-USD',
        side: 'sell',
        orderType: 'stop-market',
        triggerPrice: '59000',
        quantity: '0.01',
        reduceOnly: true,
      }),
    );
    expect(
      (await client.frontendOpenOrders()).some((o) => o.isTrigger && o.orderType === 'Stop Market'),
    ).toBe(true);
    await sim.pushBar({ coin: 'BTC', open: '59800', high: '59900', low: '58800', close: '58900' });
    expect((await client.clearinghouseState()).assetPositions).toEqual([]);
    expect((await client.userFills())[0]).toMatchObject({ side: 'A', dir: 'Close Long' });
  });

  it('serves meta, allMids, l2Book, candleSnapshot, userFillsByTime and userRateLimit', async () => {
    const client = clientFor(sim);
    const meta = await client.meta();
    expect(meta.universe.map((u) => [u.name, u.szDecimals])).toEqual([
      ['BTC', 5],
      ['ETH', 4],
      ['SOL', 2],
    ]);
    await sim.step(3);
    const mids = await client.allMids();
    const book = await client.l2Book('BTC');
    expect(book.levels[0][0]?.px.lt(mids.BTC ?? 0)).toBe(true);
    expect(book.levels[1][0]?.px.gt(mids.BTC ?? 0)).toBe(true);
    const candles = await client.candleSnapshot({
      coin: 'BTC',
      interval: '1m',
      startTime: 0,
      endTime: Date.now() + 600_000,
    });
    expect(candles.length).toBeGreaterThan(0);
    expect(candles.at(-1)?.c.toFixed()).toBe(mids.BTC?.toFixed());
    for (let i = 0; i < 3; i++) {
      await client.placeOrder(
        OrderRequest.parse({
          symbol: 'BTC-USD',
          side: i % 2 === 0 ? 'buy' : 'sell',
          orderType: 'market',
          quantity: '0.001',
        }),
      );
    }
    const byTime = await client.userFillsByTime({ startTime: 0 });
    expect(byTime).toHaveLength(3);
    expect(new Set(byTime.map((f) => f.tid)).size).toBe(3);
    const limits = await client.userRateLimit();
    expect(limits.nRequestsUsed).toBe(3);
    expect(limits.cumVlm.gt(0)).toBe(true);
  });

  it('cancels every open order when a scheduled cancel time passes', async () => {
    const client = clientFor(sim);
    await client.placeOrder(limit('buy', '58000'));
    await expect(client.scheduleCancel(Date.now() + 1000)).rejects.toThrow(/at least 5 seconds/);
    const t = Date.now() + 5500;
    await client.scheduleCancel(t);
    expect(await client.openOrders()).toHaveLength(1);
    await eventually(async () => (await client.openOrders()).length === 0, 'the scheduled cancel', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(t);
    const status = await client.orderStatus((await client.frontendOpenOrders()).length);
    expect(status.status).toBe('unknownOid');
  }, 20_000);
});
