import { ExchangeClient, HttpTransport, InfoClient } from '@nktkas/hyperliquid';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import { AGENT_KEY, MASTER, MASTER_KEY, startSim } from './helpers.js';

let sim: HyperliquidSim;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
});

describe('the independent @nktkas/hyperliquid client', () => {
  it.each([
    ['the master key', MASTER_KEY],
    ['the agent key', AGENT_KEY],
  ])('places and cancels orders signed with %s', async (_, key) => {
    const transport = new HttpTransport({ apiUrl: sim.url });
    const exchange = new ExchangeClient({ transport, wallet: privateKeyToAccount(key as `0x${string}`) });
    const info = new InfoClient({ transport });
    const placed = await exchange.order({
      orders: [
        { a: 0, b: true, p: '59000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } },
        {
          a: 1,
          b: false,
          p: '3100',
          s: '0.1',
          r: false,
          t: { limit: { tif: 'Alo' } },
          c: '0x0000000000000000000000000000beef',
        },
      ],
      grouping: 'na',
    });
    const statuses = placed.response.data.statuses;
    expect(statuses).toEqual([
      { resting: { oid: expect.any(Number) } },
      { resting: { oid: expect.any(Number), cloid: '0x0000000000000000000000000000beef' } },
    ]);
    const oid = (statuses[0] as { resting: { oid: number } }).resting.oid;
    const open = await info.openOrders({ user: MASTER });
    expect(open.map((o) => o.coin).sort()).toEqual(['BTC', 'ETH']);
    const cancelled = await exchange.cancel({ cancels: [{ a: 0, o: oid }] });
    expect(cancelled.response.data.statuses).toEqual(['success']);
    const byCloid = await exchange.cancelByCloid({
      cancels: [{ asset: 1, cloid: '0x0000000000000000000000000000beef' }],
    });
    expect(byCloid.response.data.statuses).toEqual(['success']);
    expect(await info.openOrders({ user: MASTER })).toEqual([]);
    await expect(exchange.cancel({ cancels: [{ a: 0, o: oid }] })).rejects.toThrow(
      /Order was never placed, already canceled, or filled/,
    );
  });

  it('reads the ledger the independent client understands', async () => {
    const transport = new HttpTransport({ apiUrl: sim.url });
    const exchange = new ExchangeClient({
      transport,
      wallet: privateKeyToAccount(AGENT_KEY as `0x${string}`),
    });
    const info = new InfoClient({ transport });
    const mid = Number((await info.allMids()).BTC);
    const placed = await exchange.order({
      orders: [
        {
          a: 0,
          b: true,
          p: String(Math.round(mid * 1.05)),
          s: '0.001',
          r: false,
          t: { limit: { tif: 'Ioc' } },
        },
      ],
      grouping: 'na',
    });
    expect(placed.response.data.statuses[0]).toMatchObject({ filled: { totalSz: '0.001' } });
    const state = await info.clearinghouseState({ user: MASTER });
    expect(state.assetPositions[0]?.position).toMatchObject({ coin: 'BTC', szi: '0.001' });
    const fills = await info.userFills({ user: MASTER });
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ coin: 'BTC', side: 'B', dir: 'Open Long', sz: '0.001' });
  });
});
