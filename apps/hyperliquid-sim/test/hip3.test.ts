import { type Fill, OrderRequest } from '@hl-bot/core-types';
import { signL1Action } from '@hl-bot/exchange-hyperliquid/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, eventually, MASTER, MASTER_KEY, post, startSim } from './helpers.js';

let sim: HyperliquidSim;
beforeEach(async () => {
  sim = await startSim({
    hip3Dex: { name: 'xyz', coins: ['XYZ100:4:20'] },
    startPrices: { BTC: '60000', ETH: '3000', SOL: '150', 'xyz:XYZ100': '25000' },
  });
});
afterEach(async () => {
  await sim.close();
});

const order = (symbol: string, side: 'buy' | 'sell', orderType: 'market' | 'limit', price?: string) =>
  OrderRequest.parse({
    symbol,
    side,
    orderType,
    quantity: '0.01',
    ...(price === undefined ? {} : { price }),
  });

describe('a HIP-3 dex on hl-sim', () => {
  it('streams allMids per dex, as the venue: without dex the first dex only, with dex that dex only', async () => {
    const socket = new WebSocket(sim.wsUrl);
    const mids: Array<Record<string, string>> = [];
    socket.on('message', (raw) => {
      const text = raw.toString();
      if (!text.startsWith('{')) return;
      const m = JSON.parse(text) as { channel: string; data: { mids?: Record<string, string> } };
      if (m.channel === 'allMids' && m.data.mids !== undefined) mids.push(m.data.mids);
    });
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'allMids' } }));
    socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'allMids', dex: 'xyz' } }));
    await sim.step(1);
    await eventually(() => mids.length >= 2, 'both allMids streams');
    socket.close();
    expect(mids.map((m) => Object.keys(m).sort())).toContainEqual(['BTC', 'ETH', 'SOL']);
    expect(mids.map((m) => Object.keys(m).sort())).toContainEqual(['xyz:XYZ100']);
    expect(mids.every((m) => !('xyz:XYZ100' in m) || Object.keys(m).length === 1)).toBe(true);
  });

  it('the client streams the price of a HIP-3 coin (it subscribes to every dex it trades)', async () => {
    const client = clientFor(sim);
    const seen = new Set<string>();
    client.onPrice((p) => seen.add(p.symbol));
    await client.start();
    try {
      await sim.step(1);
      await eventually(() => seen.has('xyz:XYZ100-USD') && seen.has('BTC-USD'), 'a streamed HIP-3 price');
    } finally {
      client.close();
    }
  });

  it('lists the dex in perpDexs and serves its own meta with dex-prefixed coins', async () => {
    const dexs = (await post(sim, '/info', { type: 'perpDexs' })).body as unknown[];
    expect(dexs[0]).toBeNull();
    expect(dexs[1]).toMatchObject({ name: 'xyz' });
    const meta = (await post(sim, '/info', { type: 'meta', dex: 'xyz' })).body as { universe: unknown[] };
    expect(meta.universe).toEqual([expect.objectContaining({ name: 'xyz:XYZ100', szDecimals: 4 })]);
    const main = (await post(sim, '/info', { type: 'meta' })).body as { universe: Array<{ name: string }> };
    expect(main.universe.map((u) => u.name)).toEqual(['BTC', 'ETH', 'SOL']);
    // As in the docs' HIP-3 dex example: isolated margin only.
    expect(meta.universe[0]).toMatchObject({ onlyIsolated: true, marginMode: 'strictIsolated' });
    expect(main.universe.some((u) => 'onlyIsolated' in u)).toBe(false);
    const assets = await clientFor(sim).loadAssets();
    expect(assets.bySymbol('xyz:XYZ100-USD')).toMatchObject({
      asset: 110000,
      dex: 'xyz',
      crossAllowed: false,
    });
    expect(assets.dexes()).toEqual(['', 'xyz']);
  });

  it('trades a HIP-3 coin: the order, the fill, the position, the account and cancel-all across dexes', async () => {
    const client = clientFor(sim);
    const fills: Fill[] = [];
    client.onFill((f) => fills.push(f));
    await client.start();
    try {
      const ack = await client.placeOrder(order('xyz:XYZ100-USD', 'buy', 'market'));
      expect(ack.status).toBe('filled');
      await eventually(() => fills.length === 1, 'the HIP-3 fill');
      expect(fills[0]).toMatchObject({ symbol: 'xyz:XYZ100-USD', side: 'buy', dir: 'Open Long' });
      expect(fills[0]?.startPosition?.toFixed()).toBe('0');

      const xyz = await client.clearinghouseState(undefined, 'xyz');
      expect(xyz.assetPositions.map((p) => [p.position.coin, p.position.szi.toFixed()])).toEqual([
        ['xyz:XYZ100', '0.01'],
      ]);
      // Reported isolated, with the venue's identity marginUsed = rawUsd + szi x mark.
      const held = xyz.assetPositions[0]?.position;
      expect(held?.leverage.type).toBe('isolated');
      const raw = held?.leverage.type === 'isolated' ? held.leverage.rawUsd : undefined;
      expect(raw?.plus(held?.positionValue ?? 0).toFixed()).toBe(held?.marginUsed.toFixed());
      expect((await client.clearinghouseState()).assetPositions).toEqual([]);

      // The coin rises 1000: the account's equity counts the HIP-3 position's gain.
      await sim.pushBar({ coin: 'xyz:XYZ100', open: '26000', high: '26000', low: '26000', close: '26000' });
      const a = await client.getAccountState();
      const main = await client.clearinghouseState();
      const dex = await client.clearinghouseState(undefined, 'xyz');
      expect(a.equity.toFixed()).toBe(
        main.marginSummary.accountValue.plus(dex.marginSummary.accountValue).toFixed(),
      );
      expect(dex.marginSummary.accountValue.gt(0)).toBe(true);

      await client.placeOrder(order('xyz:XYZ100-USD', 'buy', 'limit', '20000'));
      await client.placeOrder(order('BTC-USD', 'buy', 'limit', '50000'));
      const open = await client.getOpenOrders();
      expect(open.map((o) => o.symbol).sort()).toEqual(['BTC-USD', 'xyz:XYZ100-USD']);
      expect(await client.cancelAllOrders({ reason: 'test' })).toBe(2);
      expect(await client.openOrders(MASTER, 'xyz')).toEqual([]);
      expect(await client.openOrders()).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('sets leverage isolated on the HIP-3 coin (the client’s default there) and refuses cross, as the venue', async () => {
    const client = clientFor(sim);
    await client.updateLeverage('xyz:XYZ100-USD', 5);
    await expect(client.updateLeverage('xyz:XYZ100-USD', 5, { isCross: true })).rejects.toMatchObject({
      code: 'INVALID_LEVERAGE',
    });
    await client.updateLeverage('BTC-USD', 5);
    // Sent signed but past the client's check: the sim refuses cross there too, and isolated on BTC.
    const send = async (asset: number, isCross: boolean, nonce: number) => {
      const action = { type: 'updateLeverage', asset, isCross, leverage: 5 };
      const signature = signL1Action({ privateKey: MASTER_KEY, action, nonce, isMainnet: true });
      return (await post(sim, '/exchange', { action, nonce, signature })).body;
    };
    const now = Date.now();
    expect(await send(110000, true, now)).toEqual({
      status: 'err',
      response: 'Cross margin is not allowed for xyz:XYZ100.',
    });
    expect(await send(0, false, now + 1)).toMatchObject({ status: 'err' });
    expect(await send(110000, false, now + 2)).toMatchObject({ status: 'ok' });
  });
});
