import { Decimal, ZERO } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Candle, PaperExchange, syntheticMarket } from '../src/index.js';
import { bar, flat, HOUR, MINUTE, order, setup, str, T0 } from './helpers.js';

const BTC = 'BTC-USD';
const ETH = 'ETH-USD';

describe('funding', () => {
  it('charges a long at every hour boundary crossed, at the previous close, including over gaps', async () => {
    const { paper, funding } = setup({ fundingRate: '0.0000125' });
    await paper.onBar(flat(BTC, T0 + 58 * MINUTE, '60000'));
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + 59 * MINUTE, '60000'));
    expect(funding).toHaveLength(0);
    await paper.onBar(bar(BTC, T0 + HOUR, '60000', '61000', '60000', '61000'));
    expect(funding).toHaveLength(1);
    expect(funding[0]).toMatchObject({ symbol: BTC, time: T0 + HOUR });
    expect(str(funding[0]?.amount)).toBe('-0.075'); // 0.1 x 60000 x 0.0000125, paid by the long
    // a gap from 01:00 to 04:00 crosses 02:00, 03:00 and 04:00, all at the last close 61000
    await paper.onBar(flat(BTC, T0 + 4 * HOUR, '61000'));
    expect(funding.map((f) => [f.time, str(f.amount)])).toEqual([
      [T0 + HOUR, '-0.075'],
      [T0 + 2 * HOUR, '-0.07625'],
      [T0 + 3 * HOUR, '-0.07625'],
      [T0 + 4 * HOUR, '-0.07625'],
    ]);
    const account = await paper.getAccountState();
    // 10000 - taker fee 2.7 - funding 0.30375
    expect(str(account.balance)).toBe('9996.99625');
  });

  it('pays a short when the rate is positive and charges it when negative, per symbol and hour', async () => {
    const { paper, funding } = setup({
      fundingRate: (symbol, time) => (symbol === ETH && time === T0 + HOUR ? '-0.0001' : '0.0001'),
    });
    await paper.onBar(flat(ETH, T0 + 59 * MINUTE, '3000'));
    await paper.placeOrder(
      order({ symbol: ETH, side: 'sell', orderType: 'limit', price: '3000', quantity: '1' }),
    );
    // sell limit at the last price crosses: it takes at the next open
    await paper.onBar(flat(ETH, T0 + HOUR - 1000, '3000'));
    await paper.onBar(flat(ETH, T0 + HOUR, '3000'));
    await paper.onBar(flat(ETH, T0 + 2 * HOUR, '3000'));
    expect(funding.map((f) => str(f.amount))).toEqual(['-0.3', '0.3']);
  });

  it('does not charge a position opened at the boundary itself, nor a flat account', async () => {
    const { paper, funding } = setup({ fundingRate: '0.0000125' });
    await paper.onBar(flat(BTC, T0 + 59 * MINUTE, '60000'));
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + HOUR, '60000'));
    expect(funding).toHaveLength(0);
    expect(paper.getPositions()).toHaveLength(1);
  });
});

interface RunLog {
  fills: unknown[];
  funding: unknown[];
  updates: unknown[];
  account: unknown;
}

async function strategyRun(marketSeed: number, exchangeSeed: number): Promise<RunLog> {
  const paper = new PaperExchange({
    startBalance: '100000',
    instruments: { [BTC]: { szDecimals: 5, maxLeverage: 40 }, [ETH]: { szDecimals: 4, maxLeverage: 25 } },
    slippage: { min: '0', max: '0.001' },
    seed: exchangeSeed,
    maxVolumeParticipation: '0.2',
    startTime: T0,
  });
  const log: RunLog = { fills: [], funding: [], updates: [], account: undefined };
  paper.onFill((f) => log.fills.push(JSON.parse(JSON.stringify(f))));
  paper.onFunding((f) => log.funding.push(JSON.parse(JSON.stringify(f))));
  paper.onOrderUpdate((u) => log.updates.push(JSON.parse(JSON.stringify(u))));
  let i = 0;
  for await (const candle of syntheticMarket({
    seed: marketSeed,
    symbols: [BTC, ETH],
    bars: 1500,
    startTime: T0,
  })) {
    await paper.onBar(candle);
    i++;
    if (i % 37 !== 0) continue;
    const qty = candle.symbol === BTC ? '0.05' : '1';
    const side = i % 74 === 0 ? 'buy' : 'sell';
    const offset = candle.close.times(side === 'buy' ? '0.998' : '1.002').toSignificantDigits(5);
    await paper.placeOrder(order({ symbol: candle.symbol, side, orderType: 'market', quantity: qty }));
    await paper.placeOrder(
      order({ symbol: candle.symbol, side, orderType: 'limit', price: offset, quantity: qty }),
    );
    if (i % 111 === 0) await paper.cancelAllOrders({ symbol: candle.symbol });
  }
  log.account = JSON.parse(JSON.stringify(await paper.getAccountState()));
  return log;
}

describe('determinism', () => {
  it('the same market seed and exchange seed give identical fills, funding and order updates', async () => {
    const a = await strategyRun(7, 3);
    const b = await strategyRun(7, 3);
    expect(a.fills.length).toBeGreaterThan(50);
    expect(a.funding.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });

  it('a different exchange seed changes the random slippage and so the fills', async () => {
    const a = await strategyRun(7, 3);
    const c = await strategyRun(7, 4);
    expect(c.fills).not.toEqual(a.fills);
  });
});

describe('accounting invariants', () => {
  type Action =
    | { kind: 'bar'; move: number; range: number; volume: number }
    | { kind: 'market'; buy: boolean; lots: number; reduceOnly: boolean }
    | { kind: 'limit'; buy: boolean; lots: number; offset: number };

  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({
      kind: fc.constant('bar' as const),
      move: fc.integer({ min: -400, max: 400 }),
      range: fc.integer({ min: 0, max: 300 }),
      volume: fc.integer({ min: 0, max: 50 }),
    }),
    fc.record({
      kind: fc.constant('market' as const),
      buy: fc.boolean(),
      lots: fc.integer({ min: 1, max: 40 }),
      reduceOnly: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('limit' as const),
      buy: fc.boolean(),
      lots: fc.integer({ min: 1, max: 40 }),
      offset: fc.integer({ min: -300, max: 300 }),
    }),
  );

  it('balance = start + closed pnl - fees + funding, position = sum of fills, equity = balance + unrealized', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 60 }), async (actions) => {
        const { paper, fills, funding } = setup({
          startBalance: '5000',
          fundingRate: '0.0001',
          slippage: '0.0007',
          maxVolumeParticipation: '0.5',
          fees: { taker: '0.00045', maker: '-0.0001' },
        });
        let price = new Decimal(2000);
        let time = T0;
        await paper.onBar(flat(ETH, time, '2000'));
        for (const a of actions) {
          if (a.kind === 'bar') {
            time += 20 * MINUTE;
            const open = price;
            const close = Decimal.max(new Decimal(100), price.plus(a.move));
            const high = Decimal.max(open, close).plus(a.range);
            const low = Decimal.max(new Decimal(50), Decimal.min(open, close).minus(a.range));
            const candle: Candle = {
              symbol: ETH,
              openTime: time,
              closeTime: time + 20 * MINUTE - 1,
              open,
              high,
              low,
              close,
              volume: new Decimal(a.volume),
            };
            await paper.onBar(candle);
            price = close;
            continue;
          }
          const quantity = new Decimal(a.lots).div(100);
          const side = a.buy ? 'buy' : 'sell';
          const request =
            a.kind === 'market'
              ? order({ symbol: ETH, side, orderType: 'market', quantity, reduceOnly: a.reduceOnly })
              : order({
                  symbol: ETH,
                  side,
                  orderType: 'limit',
                  quantity,
                  price: price.plus(a.offset).toDecimalPlaces(1),
                });
          await paper.placeOrder(request).catch((e: unknown) => {
            if (!(e instanceof Error) || !('code' in e)) throw e;
          });
        }
        const account = await paper.getAccountState();
        const expected = fills
          .reduce((sum, f) => sum.plus(f.closedPnl ?? ZERO).minus(f.fee), new Decimal(5000))
          .plus(funding.reduce((sum, f) => sum.plus(f.amount), ZERO));
        expect(account.balance.toString()).toBe(expected.toString());
        const net = fills.reduce(
          (sum, f) => sum.plus(f.side === 'buy' ? f.quantity : f.quantity.neg()),
          ZERO,
        );
        const position = paper.getPositions()[0];
        expect((position?.signedQuantity ?? ZERO).toString()).toBe(net.toString());
        const unrealized = position?.unrealizedPnl ?? ZERO;
        expect(account.equity.toString()).toBe(account.balance.plus(unrealized).toString());
        for (const o of await paper.getOpenOrders()) expect(o.filledQuantity.lt(o.quantity)).toBe(true);
      }),
      { numRuns: 60, seed: 20241125 },
    );
  });
});

describe('funding rate failures', () => {
  it('a rate function that throws leaves the bar unprocessed and nothing paid, so the bar can be fed again', async () => {
    let broken = true;
    const { paper, funding } = setup({
      fundingRate: (_symbol, time) => {
        if (broken && time === T0 + 2 * HOUR) throw new Error('rate feed down');
        return '0.0001';
      },
    });
    await paper.onBar(flat(BTC, T0 + 59 * MINUTE, '60000'));
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + 59 * MINUTE + 30_000, '60000'));
    const before = (await paper.getAccountState()).balance;
    await expect(paper.onBar(flat(BTC, T0 + 3 * HOUR, '60000'))).rejects.toThrow(/rate feed down/);
    expect(funding).toHaveLength(0);
    expect((await paper.getAccountState()).balance.eq(before)).toBe(true);
    broken = false;
    await paper.onBar(flat(BTC, T0 + 3 * HOUR, '60000'));
    expect(funding.map((f) => str(f.amount))).toEqual(['-0.6', '-0.6', '-0.6']);
  });
});
