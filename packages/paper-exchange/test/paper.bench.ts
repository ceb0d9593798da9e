import { OrderRequest } from '@hl-bot/core-types';
import { bench, describe } from 'vitest';
import { type Candle, HYPERLIQUID_PERPS, PaperExchange, syntheticMarket } from '../src/index.js';

const BARS = 20_000;
const START = Date.UTC(2024, 0, 1);

async function materialise(): Promise<Candle[]> {
  const out: Candle[] = [];
  for await (const c of syntheticMarket({ seed: 1, symbols: ['BTC-USD'], bars: BARS, startTime: START }))
    out.push(c);
  return out;
}
const candles = await materialise();

describe(`syntheticMarket (${BARS} candles per iteration)`, () => {
  bench('generate', async () => {
    for await (const _ of syntheticMarket({ seed: 1, symbols: ['BTC-USD'], bars: BARS, startTime: START })) {
      // drain
    }
  });
});

describe(`PaperExchange.onBar (${BARS} candles per iteration)`, () => {
  bench('no orders', async () => {
    const paper = new PaperExchange({
      startBalance: '100000',
      instruments: HYPERLIQUID_PERPS,
      startTime: START,
    });
    for (const c of candles) await paper.onBar(c);
  });

  bench('two resting orders far from the market and an open position', async () => {
    const paper = new PaperExchange({
      startBalance: '100000',
      instruments: HYPERLIQUID_PERPS,
      startTime: START,
    });
    const [first, second] = candles;
    if (first === undefined || second === undefined) throw new Error('no candles');
    await paper.onBar(first);
    await paper.placeOrder(
      OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.01' }),
    );
    await paper.onBar(second);
    await paper.placeOrder(
      OrderRequest.parse({
        symbol: 'BTC-USD',
        side: 'buy',
        orderType: 'limit',
        price: '1000',
        quantity: '0.01',
      }),
    );
    await paper.placeOrder(
      OrderRequest.parse({
        symbol: 'BTC-USD',
        side: 'sell',
        orderType: 'stop-market',
        triggerPrice: '1000',
        quantity: '0.01',
        reduceOnly: true,
      }),
    );
    for (let i = 2; i < candles.length; i++) {
      const c = candles[i];
      if (c !== undefined) await paper.onBar(c);
    }
  });
});
