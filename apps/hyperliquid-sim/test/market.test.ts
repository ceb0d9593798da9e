import { OrderRequest } from '@hl-bot/core-types';
import { HyperliquidClient, PrivateKeySigner } from '@hl-bot/exchange-hyperliquid';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, eventually, MASTER, post, startSim } from './helpers.js';

let sim: HyperliquidSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('market data and control', () => {
  it('advances bars on a timer unless bars are manual, and the same seed gives the same prices', async () => {
    sim = await startSim({ manualBars: false, barMs: 20, seed: 7 });
    await eventually(() => (sim?.stats.steps ?? 0) >= 5, 'five bars');
    await sim.close();
    const manual = await startSim({ seed: 7, barMs: 20 });
    const again = await startSim({ seed: 7, barMs: 20 });
    await manual.step(10);
    await again.step(10);
    expect(manual.mids()).toEqual(again.mids());
    expect(manual.stats.steps).toBe(11);
    await manual.close();
    await again.close();
  });

  it('registers an account at runtime that trades at the current price', async () => {
    sim = await startSim();
    await sim.step(2);
    const key = `0x${'44'.repeat(32)}`;
    const address = new PrivateKeySigner(key).address;
    expect((await post(sim, '/sim/accounts', { address, balance: '500' })).status).toBe(200);
    expect((await post(sim, '/sim/accounts', { address })).status).toBe(400);
    const client = new HyperliquidClient({
      privateKey: key,
      baseUrl: sim.url,
      rateLimit: { weightPerMinute: 1_000_000 },
    });
    expect((await client.getAccountState()).equity.toFixed()).toBe('500');
    const ack = await client.placeOrder(
      OrderRequest.parse({ symbol: 'ETH-USD', side: 'buy', orderType: 'market', quantity: '0.01' }),
    );
    expect(ack.status).toBe('filled');
    const state = (await (await fetch(`${sim.url}/sim/state`)).json()) as { accounts: string[] };
    expect(state.accounts).toEqual([MASTER.toLowerCase(), address]);
  });

  it('answers malformed requests like the venue: 422 for bodies it cannot read', async () => {
    sim = await startSim();
    expect((await post(sim, '/info', { type: 'bogus' })).status).toBe(422);
    expect((await post(sim, '/exchange', { action: { type: 'order' }, nonce: 1 })).status).toBe(422);
    expect((await post(sim, '/info', { type: 'clearinghouseState', user: 'nope' })).status).toBe(422);
    const empty = await post(sim, '/info', { type: 'clearinghouseState', user: `0x${'9'.repeat(40)}` });
    expect(empty.body).toMatchObject({ assetPositions: [], marginSummary: { accountValue: '0.0' } });
  });

  it('reports invalid and repeated subscriptions and answers info posts over the WebSocket', async () => {
    sim = await startSim();
    const socket = new WebSocket(sim.wsUrl);
    const messages: Array<{ channel: string; data: unknown }> = [];
    socket.on('message', (raw) => {
      const text = raw.toString();
      if (text.startsWith('{')) messages.push(JSON.parse(text) as { channel: string; data: unknown });
    });
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'trades' } }));
    socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'allMids' } }));
    socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'allMids' } }));
    socket.send(
      JSON.stringify({ method: 'post', id: 7, request: { type: 'info', payload: { type: 'allMids' } } }),
    );
    await eventually(() => messages.some((m) => m.channel === 'post'), 'the post answer');
    expect(messages.filter((m) => m.channel === 'error').map((m) => m.data)).toEqual([
      'Invalid subscription {"type":"trades"}',
      'Already subscribed: {"type":"allMids"}',
    ]);
    expect(messages.find((m) => m.channel === 'post')?.data).toMatchObject({
      id: 7,
      response: { type: 'info', payload: { type: 'allMids', data: { BTC: expect.any(String) } } },
    });
    await sim.step(1);
    await eventually(() => messages.filter((m) => m.channel === 'allMids').length >= 2, 'a streamed allMids');
    socket.close();
  });
});

describe('network and random faults', () => {
  it('verifies testnet signatures with --testnet and treats mainnet-signed actions as unknown signers', async () => {
    sim = await startSim({ testnet: true });
    const testnet = clientFor(sim, { testnet: true, baseUrl: sim.url });
    expect(
      (
        await testnet.placeOrder(
          OrderRequest.parse({
            symbol: 'BTC-USD',
            side: 'buy',
            orderType: 'limit',
            price: '59000',
            quantity: '0.01',
          }),
        )
      ).status,
    ).toBe('resting');
    const mainnet = clientFor(sim);
    await expect(
      mainnet.placeOrder(
        OrderRequest.parse({
          symbol: 'BTC-USD',
          side: 'buy',
          orderType: 'limit',
          price: '59000',
          quantity: '0.01',
        }),
      ),
    ).rejects.toThrow(/User or API Wallet 0x[0-9a-f]{40} does not exist\./);
  });

  it('fails API requests at --fail-5xx-rate, reproducibly for a seed', async () => {
    const pattern = async (seed: number): Promise<number[]> => {
      const s = await startSim({ seed, faults: { fail5xxRate: 0.5 } });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await post(s, '/info', { type: 'allMids' })).status);
      await s.close();
      return out;
    };
    const a = await pattern(3);
    expect(a).toEqual(await pattern(3));
    expect(a).toContain(500);
    expect(a).toContain(200);
    sim = await startSim({ faults: { fail5xxRate: 1 } });
    expect((await post(sim, '/info', { type: 'meta' })).status).toBe(500);
    expect((await post(sim, '/sim/step', {})).status).toBe(200);
  });
});
