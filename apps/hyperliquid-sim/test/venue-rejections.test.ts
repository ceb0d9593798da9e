import { OrderRequest } from '@hl-bot/core-types';
import { orderWire } from '@hl-bot/exchange-hyperliquid/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, startSim } from './helpers.js';

let sim: HyperliquidSim;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
});

const limit = (side: 'buy' | 'sell', price: string, quantity = '0.01') =>
  OrderRequest.parse({ symbol: 'BTC-USD', side, orderType: 'limit', price, quantity });

describe('rejections with the venue texts', () => {
  it('refuses a price more than 95% away from the reference, as one error for the whole action', async () => {
    const client = clientFor(sim);
    await expect(client.placeOrder(limit('buy', '120000'))).rejects.toMatchObject({
      code: 'PRICE_TOO_FAR_FROM_REFERENCE',
      message: expect.stringContaining('Order price cannot be more than 95% away from the reference price'),
    });
    const near = orderWire({
      asset: 0,
      isBuy: true,
      price: '59000',
      size: '0.01',
      reduceOnly: false,
      orderType: { limit: { tif: 'Gtc' } },
    });
    const far = orderWire({
      asset: 0,
      isBuy: true,
      price: '2000',
      size: '0.01',
      reduceOnly: false,
      orderType: { limit: { tif: 'Gtc' } },
    });
    const results = await client.submitOrders([near, far]);
    expect(results.map((r) => (r.kind === 'error' ? r.error.code : r.kind))).toEqual([
      'PRICE_TOO_FAR_FROM_REFERENCE',
      'PRICE_TOO_FAR_FROM_REFERENCE',
    ]);
    expect(await client.openOrders()).toEqual([]);
  });

  it('refuses an order above the maximum order value of the contract specifications', async () => {
    // BTC (40x): market orders up to $30M, limit orders 10x that; 6000 BTC at 59000 is $354M.
    await expect(clientFor(sim).placeOrder(limit('buy', '59000', '6000'))).rejects.toMatchObject({
      code: 'ORDER_VALUE_TOO_LARGE',
    });
  });

  it('accepts a normalTpsl group: the stop waits for the entry to fill, then goes live', async () => {
    const client = clientFor(sim);
    const entry = orderWire({
      asset: 0,
      isBuy: true,
      price: '59000',
      size: '0.01',
      reduceOnly: false,
      orderType: { limit: { tif: 'Gtc' } },
    });
    const stop = orderWire({
      asset: 0,
      isBuy: false,
      price: '57000',
      size: '0.01',
      reduceOnly: true,
      orderType: { trigger: { isMarket: true, triggerPx: '58000', tpsl: 'sl' } },
    });
    const results = await client.submitOrders([entry, stop], { grouping: 'normalTpsl' });
    expect(results.map((r) => r.kind)).toEqual(['resting', 'waitingForFill']);
    expect((await client.frontendOpenOrders()).filter((o) => o.isTrigger)).toHaveLength(0);
    await sim.pushBar({ coin: 'BTC', open: '59500', high: '59600', low: '58900', close: '59200' });
    const open = await client.frontendOpenOrders();
    expect(open.filter((o) => o.isTrigger).map((o) => [o.side, o.triggerPx.toFixed(), o.reduceOnly])).toEqual(
      [['A', '58000', true]],
    );
  });
});
