import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrderRequest } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, MASTER, post, startSim } from './helpers.js';

const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../packages/exchange-hyperliquid/test/fixtures/hyperliquid',
);
// Recorded from the live API: the account's historical orders, canceled ones among them.
const HISTORY = (
  JSON.parse(readFileSync(join(FIXTURES, 'pysdk/test_historical_orders.json'), 'utf8')) as {
    response: Array<{ status: string; order: { sz: string; origSz: string } }>;
  }
).response;

let sim: HyperliquidSim;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
});

const bid = (price: string, quantity: string) =>
  OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'limit', price, quantity });

describe('a cancelled order keeps the size it had left, as the venue reports it', () => {
  it('the venue recording: an unfilled canceled order has sz equal to origSz', () => {
    const canceled = HISTORY.filter((o) => o.status === 'canceled');
    expect(canceled.length).toBeGreaterThan(0);
    for (const o of canceled) expect(o.order.sz).toBe(o.order.origSz);
  });

  it('orderStatus and the client read an unfilled cancelled order as cancelled with nothing filled', async () => {
    const client = clientFor(sim, { testnet: false });
    const ack = await client.placeOrder(bid('59000', '0.01'), { clientOrderId: 'c-1' });
    expect(await client.cancelOrder('BTC-USD', ack.orderId)).toBe(true);
    const raw = (await post(sim, '/info', { type: 'orderStatus', user: MASTER, oid: Number(ack.orderId) }))
      .body as { order: { status: string; order: { sz: string; origSz: string } } };
    expect(raw.order.status).toBe('canceled');
    expect(raw.order.order.sz).toBe(raw.order.order.origSz);
    const update = await client.getOrderStatus('c-1', 'BTC-USD');
    expect(update).toMatchObject({ status: 'cancelled', clientOrderId: 'c-1' });
    expect(update?.filledQuantity.toString()).toBe('0');
    expect(update?.remainingQuantity.toString()).toBe('0.01');
    client.close();
  });
});
