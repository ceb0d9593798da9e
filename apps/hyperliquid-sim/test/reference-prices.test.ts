import { OrderRequest } from '@hl-bot/core-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, eventually, post, startSim } from './helpers.js';

let sim: HyperliquidSim;
beforeAll(async () => {
  sim = await startSim({
    hip3Dex: { name: 'xyz', coins: ['XYZ100:4:20'] },
    startPrices: { BTC: '60000', ETH: '3000', SOL: '150', 'xyz:XYZ100': '25000' },
  });
});
afterAll(async () => {
  await sim.close();
});

describe("the venue's mark and oracle prices on hl-sim", () => {
  it('metaAndAssetCtxs answers one context per universe entry of the dex asked, mark and oracle at the mid', async () => {
    await sim.pushBar({ coin: 'BTC', open: '60000', high: '60100', low: '59900', close: '60050' });
    const { body } = await post(sim, '/info', { type: 'metaAndAssetCtxs' });
    const [meta, ctxs] = body as [{ universe: Array<{ name: string }> }, Array<Record<string, unknown>>];
    expect(meta.universe.map((u) => u.name)).toEqual(['BTC', 'ETH', 'SOL']);
    expect(ctxs[0]).toMatchObject({ markPx: '60050.0', oraclePx: '60050.0', midPx: '60050.0' });
    const hip3 = (await post(sim, '/info', { type: 'metaAndAssetCtxs', dex: 'xyz' })).body as [
      { universe: Array<{ name: string }> },
      unknown[],
    ];
    expect([hip3[0].universe.map((u) => u.name), hip3[1].length]).toEqual([['xyz:XYZ100'], 1]);
    expect((await post(sim, '/info', { type: 'metaAndAssetCtxs', dex: 'nope' })).status).toBe(422);
  });

  it('streams activeAssetCtx: a snapshot on subscribe, then every change of the mark or oracle', async () => {
    const socket = new WebSocket(sim.wsUrl);
    const seen: Array<{ coin: string; ctx: { markPx: string; oraclePx: string } }> = [];
    const errors: string[] = [];
    socket.on('message', (raw) => {
      const text = raw.toString();
      if (!text.startsWith('{')) return;
      const m = JSON.parse(text) as { channel: string; data: never };
      if (m.channel === 'activeAssetCtx') seen.push(m.data);
      if (m.channel === 'error') errors.push(m.data);
    });
    await new Promise((r) => socket.once('open', r));
    try {
      socket.send(
        JSON.stringify({ method: 'subscribe', subscription: { type: 'activeAssetCtx', coin: 'ETH' } }),
      );
      socket.send(
        JSON.stringify({ method: 'subscribe', subscription: { type: 'activeAssetCtx', coin: 'DOGE' } }),
      );
      await eventually(() => seen.length >= 1 && errors.length >= 1, 'the snapshot and the refusal');
      expect(seen[0]?.coin).toBe('ETH');
      expect(errors[0]).toContain('Invalid subscription');
      sim.setAssetCtx('ETH', { markPx: '3010', oraclePx: '2990.5' });
      await eventually(() => seen.length >= 2, 'the change');
      expect(seen[1]).toMatchObject({ coin: 'ETH', ctx: { markPx: '3010.0', oraclePx: '2990.5' } });
    } finally {
      socket.close();
      sim.setAssetCtx('ETH', {});
    }
  });

  it("the client delivers the venue's mark and oracle of the symbols it watches, on every dex", async () => {
    const client = clientFor(sim, { referencePrices: ['BTC-USD', 'xyz:XYZ100-USD'] });
    const refs: Array<{ symbol: string; mark: string; oracle: string }> = [];
    client.onReferencePrice((r) =>
      refs.push({ symbol: r.symbol, mark: r.markPrice.toFixed(), oracle: r.oraclePrice.toFixed() }),
    );
    try {
      await client.start();
      // Known once start() resolves: read over REST at start (the stream's snapshot may come first).
      expect([...new Set(refs.map((r) => r.symbol))].sort()).toEqual(['BTC-USD', 'xyz:XYZ100-USD']);
      const res = await post(sim, '/sim/asset-ctx', {
        coin: 'xyz:XYZ100',
        markPx: '25100',
        oraclePx: '24000',
      });
      expect(res.status).toBe(200);
      await eventually(
        () => refs.some((r) => r.symbol === 'xyz:XYZ100-USD' && r.oracle === '24000'),
        'the streamed HIP-3 oracle',
      );
      expect(refs.at(-1)).toEqual({ symbol: 'xyz:XYZ100-USD', mark: '25100', oracle: '24000' });
      expect(refs.some((r) => r.symbol === 'ETH-USD')).toBe(false);
    } finally {
      client.close();
      sim.setAssetCtx('xyz:XYZ100', {});
    }
  });

  it("refuses an order more than 95 % from the oracle price, the venue's reference, not the mid", async () => {
    const client = clientFor(sim);
    const buy = (price: string) =>
      client.placeOrder(
        OrderRequest.parse({ symbol: 'SOL-USD', side: 'buy', orderType: 'limit', price, quantity: '1' }),
      );
    sim.setAssetCtx('SOL', { oraclePx: '1000' });
    try {
      // 40 is 73 % below the mid (150) but 96 % below the oracle.
      await expect(buy('40')).rejects.toMatchObject({ code: 'PRICE_TOO_FAR_FROM_REFERENCE' });
      sim.setAssetCtx('SOL', {});
      expect((await buy('40')).status).toBe('resting');
    } finally {
      sim.setAssetCtx('SOL', {});
      await client.cancelAllOrders();
      client.close();
    }
  });

  it('refuses a watched symbol the venue does not list at start', async () => {
    const client = clientFor(sim, { referencePrices: ['DOGE-USD'] });
    await expect(client.start()).rejects.toMatchObject({ code: 'HL_UNKNOWN_ASSET' });
    client.close();
  });
});
