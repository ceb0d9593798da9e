import { ExchangeError } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { isLiquidationFill } from '../src/index.js';
import { bar, flat, MINUTE, order, setup, str, T0 } from './helpers.js';

const BTC = 'BTC-USD';

async function rejects(promise: Promise<unknown>, code: string): Promise<ExchangeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExchangeError);
  expect((error as ExchangeError).code).toBe(code);
  return error as ExchangeError;
}

describe('market orders', () => {
  it('fill at the next bar open plus adverse slippage, not at the previous close, paying the taker fee', async () => {
    const { paper, fills } = setup({ slippage: '0.001', fees: { taker: '0.00045', maker: '0.00015' } });
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }),
    );
    expect(ack.status).toBe('resting');
    expect(str(ack.filledQuantity)).toBe('0');
    expect(fills).toHaveLength(0);

    await paper.onBar(bar(BTC, T0 + MINUTE, '60100', '60200', '60000', '60150'));
    expect(fills).toHaveLength(1);
    const fill = fills[0];
    expect(str(fill?.price)).toBe('60160.1'); // 60100 x 1.001
    expect(fill?.liquidity).toBe('taker');
    expect(str(fill?.fee)).toBe('2.7072045'); // 0.1 x 60160.1 x 0.00045
    expect(fill?.feeCurrency).toBe('USDC');
    expect(fill?.timestamp).toBe(T0 + MINUTE);
    expect(str(fill?.closedPnl)).toBe('0');
    const account = await paper.getAccountState();
    expect(str(account.balance)).toBe('9997.2927955');
    // marked at the close 60150: unrealized 0.1 x (60150 - 60160.1) = -1.01
    expect(str(account.equity)).toBe('9996.2827955');
    expect(str(account.marginUsed)).toBe('300.75'); // 0.1 x 60150 / 20 (default leverage)
  });

  it('sell slippage rounds down onto the price grid (away from the trader)', async () => {
    const { paper, fills } = setup({ slippage: '0.0003' });
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.placeOrder(order({ symbol: BTC, side: 'sell', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60001'));
    // 60001 x 0.9997 = 59982.9997 -> 59982.9
    expect(str(fills[0]?.price)).toBe('59982.9');
  });

  it("fill at once at the last close in 'last-close' mode and the ack says filled", async () => {
    const { paper, fills } = setup({ fillMarketOrdersAt: 'last-close', slippage: '0.001' });
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }),
    );
    expect(ack.status).toBe('filled');
    expect(str(ack.averagePrice)).toBe('60060');
    expect(fills).toHaveLength(1);
  });

  it('are refused before any price is known, like every other order type', async () => {
    const { paper } = setup();
    await rejects(
      paper.placeOrder(
        order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '70000', quantity: '0.1' }),
      ),
      'NO_MARKET_PRICE',
    );
    await rejects(
      paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' })),
      'NO_MARKET_PRICE',
    );
  });

  it('fill only up to the volume participation cap; the rest is cancelled like an IOC', async () => {
    const { paper, fills, updates } = setup({ maxVolumeParticipation: '0.1' });
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }),
    );
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000', '0.5'));
    expect(fills.map((f) => str(f.quantity))).toEqual(['0.05']);
    const last = updates.filter((u) => u.orderId === ack.orderId).at(-1);
    expect(last?.status).toBe('cancelled');
    expect(str(last?.filledQuantity)).toBe('0.05');
    expect(await paper.getOpenOrders()).toEqual([]);
  });
});

describe('limit orders', () => {
  it('rest, do not fill when the bar only touches the price, and fill at the limit as maker when it trades through', async () => {
    const { paper, fills } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.1' }),
    );
    expect(ack.status).toBe('resting');
    await paper.onBar(bar(BTC, T0 + MINUTE, '60000', '60000', '59000', '59500'));
    expect(fills).toHaveLength(0);
    expect(await paper.getOpenOrders(BTC)).toHaveLength(1);
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '59500', '59600', '58999', '59100'));
    expect(fills).toHaveLength(1);
    expect(str(fills[0]?.price)).toBe('59000');
    expect(fills[0]?.liquidity).toBe('maker');
    expect(str(fills[0]?.fee)).toBe('0.885'); // 0.1 x 59000 x 0.00015
    expect(fills[0]?.orderId).toBe(ack.orderId);
    expect(await paper.getOpenOrders()).toEqual([]);
  });

  it('a sell limit fills only when the high is strictly above it', async () => {
    const { paper, fills } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.placeOrder(
      order({ symbol: BTC, side: 'sell', orderType: 'limit', price: '61000', quantity: '0.1' }),
    );
    await paper.onBar(bar(BTC, T0 + MINUTE, '60000', '61000', '60000', '60500'));
    expect(fills).toHaveLength(0);
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '60500', '61000.5', '60400', '60900'));
    expect(str(fills[0]?.price)).toBe('61000');
    expect(fills[0]?.side).toBe('sell');
  });

  it('fill partially by bar volume and stay open with the remainder', async () => {
    const { paper, fills, updates } = setup({ maxVolumeParticipation: '0.5' });
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '1' }),
    );
    await paper.onBar(bar(BTC, T0 + MINUTE, '59500', '59500', '58000', '59000', '0.6'));
    expect(str(fills[0]?.quantity)).toBe('0.3');
    expect(updates.at(-1)?.status).toBe('partially_filled');
    const open = await paper.getOpenOrders();
    expect(str(open[0]?.filledQuantity)).toBe('0.3');
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '59000', '59500', '58000', '59000', '10'));
    expect(fills.map((f) => str(f.quantity))).toEqual(['0.3', '0.7']);
    expect(updates.filter((u) => u.orderId === ack.orderId).at(-1)?.status).toBe('filled');
  });

  it('a flat zero-volume bar fills nothing when volume participation is capped', async () => {
    const { paper, fills } = setup({ maxVolumeParticipation: '1' });
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000', '0'));
    expect(fills).toHaveLength(0);
  });

  it('a GTC limit that crosses the last price takes liquidity at the next open as taker', async () => {
    const { paper, fills } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '60500', quantity: '0.1' }),
    );
    await paper.onBar(bar(BTC, T0 + MINUTE, '60100', '60200', '60050', '60100'));
    expect(str(fills[0]?.price)).toBe('60100');
    expect(fills[0]?.liquidity).toBe('taker');
  });

  it('IOC cancels what cannot fill at the next price within its limit', async () => {
    const { paper, fills, updates } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'buy',
        orderType: 'limit',
        price: '59000',
        quantity: '0.1',
        timeInForce: 'IOC',
      }),
    );
    await paper.onBar(bar(BTC, T0 + MINUTE, '60000', '60000', '58000', '59000'));
    expect(fills).toHaveLength(0);
    const last = updates.filter((u) => u.orderId === ack.orderId).at(-1);
    expect(last?.status).toBe('cancelled');
    expect(await paper.getOpenOrders()).toEqual([]);
  });

  it('IOC fills the part the volume allows and cancels the remainder', async () => {
    const { paper, fills, updates } = setup({ maxVolumeParticipation: '0.1' });
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'buy',
        orderType: 'limit',
        price: '61000',
        quantity: '0.1',
        timeInForce: 'IOC',
      }),
    );
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000', '0.4'));
    expect(fills.map((f) => str(f.quantity))).toEqual(['0.04']);
    const last = updates.filter((u) => u.orderId === ack.orderId).at(-1);
    expect(last?.status).toBe('cancelled');
    expect(str(last?.filledQuantity)).toBe('0.04');
  });

  it('post-only is refused when it would cross the last price and otherwise rests and fills as maker', async () => {
    const { paper, fills } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    await rejects(
      paper.placeOrder(
        order({
          symbol: BTC,
          side: 'buy',
          orderType: 'limit',
          price: '60000',
          quantity: '0.1',
          timeInForce: 'post-only',
        }),
      ),
      'POST_ONLY_WOULD_CROSS',
    );
    await rejects(
      paper.placeOrder(
        order({
          symbol: BTC,
          side: 'sell',
          orderType: 'limit',
          price: '59999',
          quantity: '0.1',
          timeInForce: 'post-only',
        }),
      ),
      'POST_ONLY_WOULD_CROSS',
    );
    const ack = await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'buy',
        orderType: 'limit',
        price: '59990',
        quantity: '0.1',
        timeInForce: 'post-only',
      }),
    );
    expect(ack.status).toBe('resting');
    await paper.onBar(bar(BTC, T0 + MINUTE, '60000', '60000', '59900', '59950'));
    expect(fills[0]?.liquidity).toBe('maker');
    expect(str(fills[0]?.price)).toBe('59990');
  });
});

describe('reduce-only orders', () => {
  it('are refused without an opposite position', async () => {
    const { paper } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    const error = await rejects(
      paper.placeOrder(
        order({ symbol: BTC, side: 'sell', orderType: 'market', quantity: '0.1', reduceOnly: true }),
      ),
      'REDUCE_ONLY_VIOLATION',
    );
    expect(error.message).toMatch(/would increase position/);
  });

  it('fill only up to the position size, cancel the rest, and never flip', async () => {
    const { paper, fills, updates } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    await rejects(
      paper.placeOrder(
        order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1', reduceOnly: true }),
      ),
      'REDUCE_ONLY_VIOLATION',
    );
    const ack = await paper.placeOrder(
      order({ symbol: BTC, side: 'sell', orderType: 'market', quantity: '0.3', reduceOnly: true }),
    );
    await paper.onBar(flat(BTC, T0 + 2 * MINUTE, '60500'));
    expect(str(fills[1]?.quantity)).toBe('0.1');
    expect(str(fills[1]?.closedPnl)).toBe('50');
    expect(paper.getPositions()).toEqual([]);
    const last = updates.filter((u) => u.orderId === ack.orderId).at(-1);
    expect(last?.status).toBe('cancelled');
    expect(str(last?.filledQuantity)).toBe('0.1');
  });

  it('a resting reduce-only order is cancelled when the position is already gone at execution', async () => {
    const { paper, fills, updates } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    const tp = await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'sell',
        orderType: 'limit',
        price: '61000',
        quantity: '0.1',
        reduceOnly: true,
      }),
    );
    await paper.placeOrder(order({ symbol: BTC, side: 'sell', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '60000', '61500', '60000', '61200'));
    expect(fills).toHaveLength(2);
    const last = updates.filter((u) => u.orderId === tp.orderId).at(-1);
    expect(last?.status).toBe('cancelled');
    expect(last?.reason).toMatch(/reduce-only/);
  });
});

describe('trigger orders', () => {
  async function longAt60000() {
    const ctx = setup();
    await ctx.paper.onBar(flat(BTC, T0, '60000'));
    await ctx.paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await ctx.paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    return ctx;
  }

  it('a stop-market sell waits until the low reaches the trigger, then fills there as taker', async () => {
    const { paper, fills } = await longAt60000();
    await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'sell',
        orderType: 'stop-market',
        triggerPrice: '59000',
        quantity: '0.1',
        reduceOnly: true,
      }),
    );
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '60000', '60000', '59000.1', '59500'));
    expect(fills).toHaveLength(1);
    await paper.onBar(bar(BTC, T0 + 3 * MINUTE, '59500', '59600', '58800', '58900'));
    expect(fills).toHaveLength(2);
    expect(str(fills[1]?.price)).toBe('59000');
    expect(fills[1]?.liquidity).toBe('taker');
    expect(str(fills[1]?.closedPnl)).toBe('-100');
    expect(paper.getPositions()).toEqual([]);
  });

  it('a stop that the bar gaps through fills at the open, the worse price', async () => {
    const { paper, fills } = await longAt60000();
    await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'sell',
        orderType: 'stop-market',
        triggerPrice: '59000',
        quantity: '0.1',
        reduceOnly: true,
      }),
    );
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '58500', '58600', '58000', '58100'));
    expect(str(fills[1]?.price)).toBe('58500');
  });

  it('a take-profit sell fires when the high reaches its trigger and books the gain', async () => {
    const { paper, fills } = await longAt60000();
    await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'sell',
        orderType: 'take-profit',
        triggerPrice: '61000',
        quantity: '0.1',
        reduceOnly: true,
      }),
    );
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '60000', '60999', '59000', '59500'));
    expect(fills).toHaveLength(1);
    await paper.onBar(bar(BTC, T0 + 3 * MINUTE, '60500', '61000', '60400', '60800'));
    expect(str(fills[1]?.price)).toBe('61000');
    expect(str(fills[1]?.closedPnl)).toBe('100');
  });

  it('a triggered stop-limit whose limit cannot take rests as a limit', async () => {
    const { paper, fills } = await longAt60000();
    await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'sell',
        orderType: 'stop-limit',
        triggerPrice: '59000',
        price: '59500',
        quantity: '0.1',
        reduceOnly: true,
      }),
    );
    // gaps to 58500: selling at 58500 is below the 59500 limit, so it rests
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '58500', '59000', '58000', '58800'));
    expect(fills).toHaveLength(1);
    const open = await paper.getOpenOrders();
    expect(open).toHaveLength(1);
    await paper.onBar(bar(BTC, T0 + 3 * MINUTE, '58800', '59600', '58700', '59400'));
    expect(str(fills[1]?.price)).toBe('59500');
    expect(fills[1]?.liquidity).toBe('maker');
  });
});

describe('instrument rules', () => {
  it.each([
    ['a size with more decimals than szDecimals', { quantity: '0.000001', price: '59000' }, 'INVALID_SIZE'],
    ['a price with too many decimals', { quantity: '0.1', price: '59000.05' }, 'INVALID_PRICE'],
    ['an order under $10', { quantity: '0.0001', price: '59000' }, 'MIN_NOTIONAL'],
  ])('refuses %s instead of rounding it', async (_label, patch, code) => {
    const { paper } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    await rejects(paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'limit', ...patch })), code);
  });

  it('refuses more than five significant figures on a non-integer price', async () => {
    const { paper } = setup();
    await paper.onBar(flat('ETH-USD', T0, '3000'));
    await rejects(
      paper.placeOrder(
        order({ symbol: 'ETH-USD', side: 'buy', orderType: 'limit', price: '2999.15', quantity: '1' }),
      ),
      'INVALID_PRICE',
    );
    const ack = await paper.placeOrder(
      order({ symbol: 'ETH-USD', side: 'buy', orderType: 'limit', price: '2999.1', quantity: '1' }),
    );
    expect(ack.status).toBe('resting');
  });

  it('refuses unknown symbols, for orders and for bars', async () => {
    const { paper } = setup();
    await rejects(
      paper.placeOrder(order({ symbol: 'DOGE-USD', side: 'buy', orderType: 'market', quantity: '1' })),
      'UNKNOWN_SYMBOL',
    );
    await expect(paper.onBar(flat('DOGE-USD', T0, '1'))).rejects.toMatchObject({ code: 'UNKNOWN_SYMBOL' });
  });

  it('refuses to configure an instrument whose name is not a valid symbol', () => {
    expect(() => setup({ instruments: { 'BTC USD': { szDecimals: 5, maxLeverage: 40 } } })).toThrow(
      /not a valid symbol/,
    );
  });

  it('refuses a duplicate open clientOrderId', async () => {
    const { paper } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    const o = order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.1' });
    const ack = await paper.placeOrder(o, { clientOrderId: 'c-1' });
    expect(ack.clientOrderId).toBe('c-1');
    await rejects(paper.placeOrder(o, { clientOrderId: 'c-1' }), 'DUPLICATE_CLIENT_ORDER_ID');
  });
});

describe('margin', () => {
  it('refuses an order that needs more initial margin than is free, counting resting orders', async () => {
    const { paper } = setup({ startBalance: '1000' });
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.setLeverage(BTC, 1);
    const error = await rejects(
      paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.02' })),
      'INSUFFICIENT_MARGIN',
    );
    expect(error.details).toMatchObject({ available: '1000' });
    await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.01' }),
    );
    await rejects(
      paper.placeOrder(
        order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.01' }),
      ),
      'INSUFFICIENT_MARGIN',
    );
    // a reduce-only order needs no margin, an opposite order only for the part beyond the position
    await paper.setLeverage(BTC, 40);
    await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.01' }),
    );
  });

  it('refuses invalid leverage', async () => {
    const { paper } = setup();
    await rejects(paper.setLeverage(BTC, 41), 'INVALID_LEVERAGE');
    await rejects(paper.setLeverage(BTC, 0), 'INVALID_LEVERAGE');
    expect(paper.getLeverage(BTC)).toBe(20);
  });

  it('liquidates a long when the low passes the price where equity meets maintenance margin', async () => {
    const { paper, fills, updates } = setup({ startBalance: '1000', fees: { taker: '0', maker: '0' } });
    const liquidations: unknown[] = [];
    paper.onLiquidation((e) => liquidations.push(e));
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.setLeverage(BTC, 40);
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.5' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    const resting = await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '50000', quantity: '0.001' }),
    );
    // maintenance = 1/(2 x 40) = 1.25% of notional; liquidation price solves
    // 1000 + 0.5 (p - 60000) = 0.5 p 0.0125  =>  p = 29000 / 0.49375 = 58734.177...
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '60000', '60000', '58800', '58900'));
    expect(fills).toHaveLength(1);
    await paper.onBar(bar(BTC, T0 + 3 * MINUTE, '58900', '58900', '58700', '58750'));
    expect(fills).toHaveLength(2);
    const liq = fills[1];
    expect(liq?.orderId).toMatch(/^liq-/);
    expect(liq !== undefined && isLiquidationFill(liq)).toBe(true);
    expect(isLiquidationFill(fills[0] ?? { orderId: 'x' })).toBe(false);
    expect(liq?.side).toBe('sell');
    expect(str(liq?.price)).toBe('58734.1');
    expect(str(liq?.closedPnl)).toBe('-632.95');
    expect(liquidations).toHaveLength(1);
    expect(paper.getPositions()).toEqual([]);
    expect(str((await paper.getAccountState()).balance)).toBe('367.05');
    expect(updates.filter((u) => u.orderId === resting.orderId).at(-1)?.reason).toBe('liquidation');
    expect(await paper.getOpenOrders()).toEqual([]);
  });

  it('liquidates a short at the open when the bar gaps above the liquidation price', async () => {
    const { paper, fills } = setup({ startBalance: '1000', fees: { taker: '0', maker: '0' } });
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.setLeverage(BTC, 40);
    await paper.placeOrder(order({ symbol: BTC, side: 'sell', orderType: 'market', quantity: '0.5' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '63000', '63500', '62900', '63100'));
    expect(str(fills[1]?.price)).toBe('63000');
    expect(str(fills[1]?.closedPnl)).toBe('-1500');
    // bad debt is reported, not hidden
    expect(str((await paper.getAccountState()).balance)).toBe('-500');
  });
});

describe('cancelling', () => {
  it('cancelOrder closes one open order and reports false for unknown or already closed ones', async () => {
    const { paper, updates } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    const ack = await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.1' }),
    );
    expect(await paper.cancelOrder('ETH-USD', ack.orderId)).toBe(false);
    expect(await paper.cancelOrder(BTC, ack.orderId)).toBe(true);
    expect(await paper.cancelOrder(BTC, ack.orderId)).toBe(false);
    expect(await paper.cancelOrder(BTC, 'nope')).toBe(false);
    expect(updates.at(-1)).toMatchObject({ orderId: ack.orderId, status: 'cancelled' });
    expect(await paper.getOpenOrders()).toEqual([]);
  });

  it('cancelAllOrders cancels per symbol or everything and returns the count, and cancelled orders never fill', async () => {
    const { paper, fills } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.onBar(flat('ETH-USD', T0, '3000'));
    await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.1' }),
    );
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.placeOrder(
      order({ symbol: 'ETH-USD', side: 'buy', orderType: 'limit', price: '2900', quantity: '1' }),
    );
    expect(await paper.cancelAllOrders({ symbol: 'ETH-USD', reason: 'test' })).toBe(1);
    expect(await paper.getOpenOrders()).toHaveLength(2);
    expect(await paper.cancelAllOrders({ reason: 'circuit_breaker' })).toBe(2);
    expect(await paper.cancelAllOrders()).toBe(0);
    await paper.onBar(bar(BTC, T0 + MINUTE, '60000', '60000', '50000', '55000'));
    expect(fills).toEqual([]);
  });
});

describe('bar stream', () => {
  it('refuses bars out of time order and malformed bars', async () => {
    const { paper } = setup();
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    await expect(paper.onBar(flat(BTC, T0 + MINUTE, '60000'))).rejects.toMatchObject({
      code: 'BAR_OUT_OF_ORDER',
    });
    await expect(paper.onBar(flat('ETH-USD', T0, '3000'))).rejects.toMatchObject({
      code: 'BAR_OUT_OF_ORDER',
    });
    await expect(
      paper.onBar(bar(BTC, T0 + 2 * MINUTE, '60000', '59000', '60000', '60000')),
    ).rejects.toMatchObject({
      code: 'INVALID_BAR',
    });
  });

  it('emits the close as the market price and advances the clock to the bar end', async () => {
    const { paper } = setup();
    const prices: string[] = [];
    paper.onPrice((p) => prices.push(`${p.symbol}:${p.price}`));
    await paper.onBar(bar(BTC, T0, '60000', '60100', '59900', '60050'));
    expect(prices).toEqual(['BTC-USD:60050']);
    expect(str((await paper.getMarketPrice(BTC)).price)).toBe('60050');
    expect(paper.clock.now()).toBe(T0 + MINUTE - 1);
  });

  it('a throwing listener does not stop the bar; its error surfaces after the bar is processed', async () => {
    const { paper } = setup();
    paper.onPrice(() => {
      throw new Error('boom');
    });
    const seen: string[] = [];
    paper.onPrice((p) => seen.push(p.price.toString()));
    await expect(paper.onBar(flat(BTC, T0, '60000'))).rejects.toThrow(AggregateError);
    expect(seen).toEqual(['60000']);
    expect(str((await paper.getMarketPrice(BTC)).price)).toBe('60000');
  });

  it('listener errors go to onListenerError when one is given, and the operation does not throw', async () => {
    const seen: unknown[] = [];
    const { paper } = setup({ onListenerError: (e) => seen.push(e) });
    paper.onPrice(() => {
      throw new Error('boom');
    });
    await paper.onBar(flat(BTC, T0, '60000'));
    expect(seen).toHaveLength(1);
  });

  it('unsubscribing stops delivery', async () => {
    const { paper } = setup();
    const seen: string[] = [];
    const off = paper.onPrice((p) => seen.push(p.price.toString()));
    await paper.onBar(flat(BTC, T0, '60000'));
    off();
    await paper.onBar(flat(BTC, T0 + MINUTE, '60001'));
    expect(seen).toEqual(['60000']);
  });
});

describe('cross margin', () => {
  it('profit on one symbol pushes back the liquidation price of another', async () => {
    const { paper, fills } = setup({ startBalance: '1000', fees: { taker: '0', maker: '0' } });
    const ETH = 'ETH-USD';
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.onBar(flat(ETH, T0, '3000'));
    await paper.setLeverage(BTC, 40);
    await paper.setLeverage(ETH, 25);
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.placeOrder(order({ symbol: ETH, side: 'buy', orderType: 'market', quantity: '5' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    await paper.onBar(flat(ETH, T0 + MINUTE, '3000'));
    await paper.onBar(flat(BTC, T0 + 2 * MINUTE, '62000'));
    // Alone, ETH would be liquidated below (15000 - 1000) / (5 x 0.98) = 2857.14. With BTC's +200 and its
    // maintenance 0.1 x 62000 / 80 = 77.5: (77.5 - 1000 - 200 + 15000) / 4.9 = 2832.142857...
    await paper.onBar(bar(ETH, T0 + 2 * MINUTE, '3000', '3000', '2840', '2850'));
    expect(fills).toHaveLength(2);
    await paper.onBar(bar(ETH, T0 + 3 * MINUTE, '2850', '2850', '2830', '2835'));
    expect(fills).toHaveLength(3);
    expect(fills[2]).toMatchObject({ symbol: ETH, side: 'sell' });
    expect(str(fills[2]?.price)).toBe('2832.14');
    expect(str(fills[2]?.closedPnl)).toBe('-839.3');
    expect(paper.getPositions().map((p) => p.symbol)).toEqual([BTC]);
  });

  it('a triggered post-only stop-limit rests instead of taking, or is cancelled if it would cross', async () => {
    const { paper, fills, updates } = setup();
    await paper.onBar(flat(BTC, T0, '60000'));
    const resting = await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'buy',
        orderType: 'stop-limit',
        triggerPrice: '60500',
        price: '60400',
        quantity: '0.1',
        timeInForce: 'post-only',
      }),
    );
    const crossing = await paper.placeOrder(
      order({
        symbol: BTC,
        side: 'buy',
        orderType: 'stop-limit',
        triggerPrice: '60500',
        price: '60600',
        quantity: '0.1',
        timeInForce: 'post-only',
      }),
    );
    await paper.onBar(bar(BTC, T0 + MINUTE, '60000', '60600', '60000', '60550'));
    expect(fills).toHaveLength(0);
    expect((await paper.getOpenOrders()).map((o) => o.orderId)).toEqual([resting.orderId]);
    expect(updates.filter((u) => u.orderId === crossing.orderId).at(-1)?.status).toBe('cancelled');
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '60550', '60600', '60300', '60350'));
    expect(fills[0]).toMatchObject({ liquidity: 'maker' });
    expect(str(fills[0]?.price)).toBe('60400');
  });
});

describe('orders placed from listeners during a bar', () => {
  it('wait for the next bar instead of filling against the bar that is being processed', async () => {
    const { paper, fills } = setup({ fillMarketOrdersAt: 'last-close' });
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.placeOrder(
      order({ symbol: BTC, side: 'buy', orderType: 'limit', price: '59000', quantity: '0.1' }),
    );
    const placed: Promise<unknown>[] = [];
    paper.onFill((f) => {
      if (f.side !== 'buy') return;
      placed.push(
        paper.placeOrder(
          order({ symbol: BTC, side: 'sell', orderType: 'limit', price: '59500', quantity: '0.05' }),
        ),
        paper.placeOrder(order({ symbol: BTC, side: 'sell', orderType: 'market', quantity: '0.05' })),
      );
    });
    await paper.onBar(bar(BTC, T0 + MINUTE, '59900', '60000', '58000', '59200'));
    await Promise.all(placed);
    expect(fills.map((f) => f.side)).toEqual(['buy']);
    await paper.onBar(bar(BTC, T0 + 2 * MINUTE, '59300', '59400', '59100', '59200'));
    // The market sell takes this open. The 59500 sell crossed the last price known when it was placed (60000),
    // so it tried to take at this open too, could not within its limit, and now rests (high 59400 < 59500).
    expect(fills.map((f) => [f.side, f.price.toString()])).toEqual([
      ['buy', '59000'],
      ['sell', '59300'],
    ]);
    expect((await paper.getOpenOrders()).map((o) => o.price?.toString())).toEqual(['59500']);
  });
});

describe('leverage changes', () => {
  it('lowering leverage is refused when the open position would need more margin than the account has', async () => {
    const { paper } = setup({ startBalance: '1000', fees: { taker: '0', maker: '0' } });
    await paper.onBar(flat(BTC, T0, '60000'));
    await paper.setLeverage(BTC, 10);
    await paper.placeOrder(order({ symbol: BTC, side: 'buy', orderType: 'market', quantity: '0.1' }));
    await paper.onBar(flat(BTC, T0 + MINUTE, '60000'));
    expect(str((await paper.getAccountState()).marginUsed)).toBe('600');
    await rejects(paper.setLeverage(BTC, 5), 'INSUFFICIENT_MARGIN'); // would need 1200
    expect(paper.getLeverage(BTC)).toBe(10);
    await paper.setLeverage(BTC, 20);
    expect(str((await paper.getAccountState()).marginUsed)).toBe('300');
  });
});
