import { OrderRequest } from '@hl-bot/core-types';
import { afterEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, MASTER, post, startSim } from './helpers.js';

let sim: HyperliquidSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const buy = OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.1' });

// The same trade in both modes: 10000 USDC, buy 0.1 BTC near 60000, BTC then trades at 61000.
async function tradeAndMark(s: HyperliquidSim): Promise<void> {
  const client = clientFor(s);
  await client.placeOrder(buy);
  await s.pushBar({ coin: 'BTC', open: '61000', high: '61000', low: '61000', close: '61000' });
}

describe('account modes end to end', () => {
  it('a standard account keeps its USDC in the perp state', async () => {
    sim = await startSim({ accountMode: 'standard' });
    await tradeAndMark(sim);
    const client = clientFor(sim);
    const mode = await client.accountMode();
    expect(mode).toMatchObject({ venue: 'disabled', kind: 'standard' });
    expect((await client.spotClearinghouseState()).balances).toEqual([]);
    const a = await client.getAccountState();
    const perp = await client.clearinghouseState();
    expect(a.equity.toFixed()).toBe(perp.marginSummary.accountValue.toFixed());
    expect(a.equity.gt(10_000)).toBe(true);
  });

  it('a unified account keeps its USDC in spot, and the client measures the same equity there', async () => {
    const standard = await startSim({ accountMode: 'standard' });
    sim = await startSim({ accountMode: 'unified' });
    try {
      await tradeAndMark(standard);
      await tradeAndMark(sim);
      const std = await clientFor(standard).getAccountState();
      const client = clientFor(sim);
      const uni = await client.getAccountState();
      expect(client.actionCap.cap).toBe(50_000);
      // The perp state alone would say the account is worth only its unrealized P&L.
      const perp = await client.clearinghouseState();
      expect(perp.marginSummary.accountValue.lt(1000)).toBe(true);
      const spot = await client.spotClearinghouseState();
      expect(spot.balances[0]).toMatchObject({ coin: 'USDC', token: 0 });
      expect(uni.equity.toFixed()).toBe(std.equity.toFixed());
      expect(uni.balance.toFixed()).toBe(std.balance.toFixed());
      expect(uni.equity.gt(10_000)).toBe(true);
    } finally {
      await standard.close();
    }
  });

  it('answers userAbstraction like the venue: a bare string, "default" for an unknown user', async () => {
    sim = await startSim({ accountMode: 'unified' });
    expect(await post(sim, '/info', { type: 'userAbstraction', user: MASTER })).toMatchObject({
      status: 200,
      body: 'unifiedAccount',
    });
    expect(await post(sim, '/info', { type: 'userAbstraction', user: `0x${'99'.repeat(20)}` })).toMatchObject(
      { body: 'default' },
    );
  });
});
