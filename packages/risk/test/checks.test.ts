import { describe, expect, it } from 'vitest';
import { RiskCode } from '../src/index.js';
import { codes, limitBuy, limitSell, long, setup } from './helpers.js';

describe('order notional (absolute)', () => {
  it('approves an order exactly at maxOrderNotional', async () => {
    const { risk } = setup({ maxOrderNotional: '1000' });
    expect((await risk.checkOrder(limitBuy('0.02'))).approved).toBe(true);
  });

  it('approves an order just under maxOrderNotional', async () => {
    const { risk } = setup({ maxOrderNotional: '1000' });
    expect((await risk.checkOrder(limitBuy('0.0199'))).approved).toBe(true);
  });

  it('rejects an order just over maxOrderNotional with the numbers in the message', async () => {
    const { risk } = setup({ maxOrderNotional: '1000' });
    const r = await risk.checkOrder(limitBuy('0.0201'));
    expect(r.approved).toBe(false);
    expect(r.code).toBe(RiskCode.ORDER_NOTIONAL_EXCEEDED);
    expect(r.failures[0]?.message).toBe('ORDER_NOTIONAL_EXCEEDED: notional=1005 limit=1000');
    expect(r.failures[0]?.details).toEqual({ notional: '1005', limit: '1000' });
  });
});

describe('order notional (% of equity)', () => {
  it('approves an order at exactly maxOrderNotionalPercent of equity', async () => {
    const { risk } = setup({ maxOrderNotionalPercent: '0.1' });
    expect((await risk.checkOrder(limitBuy('0.02'))).approved).toBe(true);
  });

  it('rejects an order just over maxOrderNotionalPercent of equity', async () => {
    const { risk } = setup({ maxOrderNotionalPercent: '0.1' });
    const r = await risk.checkOrder(limitBuy('0.0201'));
    expect(codes(r)).toEqual([RiskCode.ORDER_NOTIONAL_PERCENT_EXCEEDED]);
    expect(r.failures[0]?.details).toMatchObject({ notional: '1005', limit: '1000', equity: '10000' });
  });

  it('approves an order just under maxOrderNotionalPercent of equity', async () => {
    const { risk } = setup({ maxOrderNotionalPercent: '0.1' });
    expect((await risk.checkOrder(limitBuy('0.0199'))).approved).toBe(true);
  });
});

describe('position size', () => {
  it('approves an order that brings the position exactly to maxPositionSizeUsd', async () => {
    const { risk } = setup({ maxPositionSizeUsd: '1000' });
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    expect((await risk.checkOrder(limitBuy('0.01'))).approved).toBe(true);
  });

  it('approves an order that leaves the position just under maxPositionSizeUsd', async () => {
    const { risk } = setup({ maxPositionSizeUsd: '1000' });
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    expect((await risk.checkOrder(limitBuy('0.0099'))).approved).toBe(true);
  });

  it('rejects an order that takes the position just over maxPositionSizeUsd', async () => {
    const { risk } = setup({ maxPositionSizeUsd: '1000' });
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    const r = await risk.checkOrder(limitBuy('0.0101'));
    expect(codes(r)).toEqual([RiskCode.POSITION_SIZE_EXCEEDED]);
    expect(r.failures[0]?.message).toBe('POSITION_SIZE_EXCEEDED: size=1005 limit=1000 quantity=0.0201');
  });

  it('counts working orders on the same side toward the position size', async () => {
    const { risk } = setup({ maxPositionSizeUsd: '1000' });
    expect((await risk.checkOrder(limitBuy('0.015'))).approved).toBe(true);
    const r = await risk.checkOrder(limitBuy('0.0051'));
    expect(codes(r)).toEqual([RiskCode.POSITION_SIZE_EXCEEDED]);
  });

  it('rejects a position just over maxPositionSizePercent of equity and approves one at it', async () => {
    const { risk } = setup({ maxPositionSizePercent: '0.1' });
    expect((await risk.checkOrder(limitBuy('0.02'))).approved).toBe(true);
    const r = await risk.checkOrder(limitBuy('0.0001'));
    expect(codes(r)).toEqual([RiskCode.POSITION_SIZE_PERCENT_EXCEEDED]);
  });
});

describe('position count', () => {
  async function withTwoPositions(maxPositions: number) {
    const s = setup({ maxPositions });
    for (const sym of ['ETH-USD', 'SOL-USD']) {
      s.risk.updateMarketPrice(sym, '100');
      s.risk.updatePosition(long(sym, '1', '100'));
    }
    return s;
  }

  it('approves a new symbol that reaches exactly maxPositions', async () => {
    const { risk } = await withTwoPositions(3);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('approves a new symbol while under maxPositions', async () => {
    const { risk } = await withTwoPositions(4);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('rejects a new symbol that would exceed maxPositions', async () => {
    const { risk } = await withTwoPositions(2);
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(codes(r)).toEqual([RiskCode.MAX_POSITIONS_EXCEEDED]);
    expect(r.failures[0]?.message).toBe('MAX_POSITIONS_EXCEEDED: positions=2 reserved=0 limit=2');
  });

  it('approves adding to an existing position when at maxPositions', async () => {
    const { risk } = await withTwoPositions(2);
    expect((await risk.checkOrder(limitBuy('1', '100', 'ETH-USD'))).approved).toBe(true);
  });

  it('counts a reserved new position only once after it fills', async () => {
    const { risk } = await withTwoPositions(3);
    const first = await risk.checkOrder(limitBuy('0.001'));
    expect(first.approved).toBe(true);
    risk.updatePosition(long('BTC-USD', '0.001', '50000'));
    expect(risk.state.openPositions).toBe(3);
    // BTC is both held and reserved; it still counts as one of the three.
    const r = await risk.checkOrder(limitBuy('1', '100', 'DOGE-USD'));
    expect(r.failures.map((f) => f.code)).toContain(RiskCode.MARKET_PRICE_MISSING);
    risk.updateMarketPrice('DOGE-USD', '1');
    expect(codes(await risk.checkOrder(limitBuy('1', '1', 'DOGE-USD')))).toEqual([
      RiskCode.MAX_POSITIONS_EXCEEDED,
    ]);
  });
});

describe('open orders', () => {
  it('approves the order that fills the last open-order slot and rejects the next', async () => {
    const { risk } = setup({ maxOpenOrders: 2 });
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(r.failures[0]?.message).toBe('MAX_OPEN_ORDERS_EXCEEDED: openOrders=2 limit=2');
  });

  it('frees an open-order slot when the order is cancelled', async () => {
    const { risk } = setup({ maxOpenOrders: 1 });
    const a = await risk.checkOrder(limitBuy('0.001'));
    expect(risk.releaseReservation(a.reservation?.id ?? '', 'submitted')).toBe(true);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(false);
    expect(risk.orderCancelled(a.reservation?.id ?? '')).toBe(true);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });
});

describe('exposure', () => {
  it('approves an order that brings total exposure exactly to maxTotalExposure', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    expect((await risk.checkOrder(limitBuy('0.01'))).approved).toBe(true);
  });

  it('approves an order that leaves total exposure just under the limit', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    expect((await risk.checkOrder(limitBuy('0.0099'))).approved).toBe(true);
  });

  it('rejects an order that takes total exposure just over maxTotalExposure', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    const r = await risk.checkOrder(limitBuy('0.0101'));
    expect(r.failures[0]?.message).toBe('EXPOSURE_EXCEEDED: exposure=1005 limit=1000');
  });

  it('counts working opening orders on other symbols toward exposure', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    risk.updateMarketPrice('ETH-USD', '2000');
    expect((await risk.checkOrder(limitBuy('0.25', '2000', 'ETH-USD'))).approved).toBe(true);
    expect(codes(await risk.checkOrder(limitBuy('0.0101')))).toEqual([RiskCode.EXPOSURE_EXCEEDED]);
  });

  it('revalues exposure when the mark moves', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    risk.updateMarketPrice('BTC-USD', '60000');
    expect(risk.state.exposure.toString()).toBe('600');
    expect(codes(await risk.checkOrder(limitBuy('0.0067', '60000')))).toEqual([RiskCode.EXPOSURE_EXCEEDED]);
  });

  it('rejects exposure just over maxExposurePercent of equity and approves it at the limit', async () => {
    const { risk } = setup({ maxExposurePercent: '0.1' });
    expect((await risk.checkOrder(limitBuy('0.02'))).approved).toBe(true);
    expect(codes(await risk.checkOrder(limitBuy('0.0001')))).toEqual([RiskCode.EXPOSURE_PERCENT_EXCEEDED]);
  });
});

describe('leverage', () => {
  it('approves exposure of exactly maxLeverage times equity', async () => {
    const { risk } = setup({ maxLeverage: '0.5' });
    risk.updatePosition(long('BTC-USD', '0.06', '50000'));
    expect((await risk.checkOrder(limitBuy('0.04'))).approved).toBe(true);
  });

  it('rejects exposure just over maxLeverage times equity', async () => {
    const { risk } = setup({ maxLeverage: '0.5' });
    risk.updatePosition(long('BTC-USD', '0.06', '50000'));
    const r = await risk.checkOrder(limitBuy('0.0401'));
    expect(r.failures[0]?.message).toBe(
      'LEVERAGE_EXCEEDED: leverage=0.5005 limit=0.5 exposure=5005 equity=10000',
    );
  });

  it('approves exposure just under maxLeverage times equity', async () => {
    const { risk } = setup({ maxLeverage: '0.5' });
    risk.updatePosition(long('BTC-USD', '0.06', '50000'));
    expect((await risk.checkOrder(limitBuy('0.0399'))).approved).toBe(true);
  });
});

describe('price sanity', () => {
  it('approves a limit price exactly maxPriceDeviation above the mark', async () => {
    const { risk } = setup({ maxPriceDeviation: '0.05' });
    expect((await risk.checkOrder(limitBuy('0.001', '52500'))).approved).toBe(true);
  });

  it('approves a limit price just inside maxPriceDeviation below the mark', async () => {
    const { risk } = setup({ maxPriceDeviation: '0.05' });
    expect((await risk.checkOrder(limitSell('0.001', '47500.01'))).approved).toBe(true);
  });

  it('rejects a limit price just beyond maxPriceDeviation from the mark', async () => {
    const { risk } = setup({ maxPriceDeviation: '0.05' });
    const r = await risk.checkOrder(limitBuy('0.001', '52505'));
    expect(r.failures[0]?.message).toBe(
      'PRICE_DEVIATION_EXCEEDED: price=52505 mark=50000 deviation=0.0501 limit=0.05',
    );
  });

  it('rejects a stop trigger far from the mark', async () => {
    const { risk } = setup({ maxPriceDeviation: '0.05' });
    const r = await risk.checkOrder({
      symbol: 'BTC-USD',
      side: 'sell',
      orderType: 'stop-market',
      quantity: '0.001',
      triggerPrice: '40000',
    });
    expect(codes(r)).toEqual([RiskCode.PRICE_DEVIATION_EXCEEDED]);
  });
});

describe("price sanity against the venue's mark and oracle", () => {
  it('refuses a price near the mid but far from the oracle the venue reported, and approves it once they agree', async () => {
    const { risk, clock } = setup({ maxPriceDeviation: '0.05' });
    expect(risk.updateReferencePrices('BTC-USD', { venueMark: '50000', oracle: '47000' })).toBe(true);
    const r = await risk.checkOrder(limitBuy('0.001', '52000'));
    expect(r.failures.map((f) => f.message)).toEqual([
      'PRICE_DEVIATION_EXCEEDED: price=52000 oracle=47000 deviation=0.106383 limit=0.05',
    ]);
    clock.advance(1);
    risk.updateReferencePrices('BTC-USD', { oracle: '50000' });
    expect((await risk.checkOrder(limitBuy('0.001', '52000'))).approved).toBe(true);
  });

  it('refuses orders of a symbol the venue streams references for until they arrive', async () => {
    const { risk } = setup();
    risk.expectReferencePrices(['BTC-USD']);
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([
      RiskCode.REFERENCE_PRICE_MISSING,
      RiskCode.REFERENCE_PRICE_MISSING,
    ]);
    risk.updateReferencePrices('BTC-USD', { venueMark: '50000', oracle: '50000' });
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('ignores a reference from the future and refuses a malformed one', () => {
    const { risk, clock } = setup();
    expect(risk.updateReferencePrices('BTC-USD', { oracle: '50000' }, clock.now() + 60_000)).toBe(false);
    expect(() => risk.updateReferencePrices('BTC-USD', { venueMark: '0' })).toThrow('venueMark must be > 0');
  });
});

describe('market-order slippage', () => {
  const market = (price?: string) => ({
    symbol: 'BTC-USD',
    side: 'buy' as const,
    orderType: 'market' as const,
    quantity: '0.001',
    ...(price === undefined ? {} : { price }),
  });

  it('approves a protective price exactly maxSlippagePercent from the mark', async () => {
    const { risk } = setup({ maxSlippagePercent: '0.01' });
    expect((await risk.checkOrder(market('50500'))).approved).toBe(true);
  });

  it('approves a protective price just inside maxSlippagePercent', async () => {
    const { risk } = setup({ maxSlippagePercent: '0.01' });
    expect((await risk.checkOrder(market('50499'))).approved).toBe(true);
  });

  it('rejects a protective price just beyond maxSlippagePercent', async () => {
    const { risk } = setup({ maxSlippagePercent: '0.01' });
    const r = await risk.checkOrder(market('50501'));
    expect(r.failures[0]?.message).toBe(
      'SLIPPAGE_EXCEEDED: price=50501 mark=50000 slippage=0.01002 limit=0.01',
    );
  });

  it('gives a market order without a price the worst acceptable price', async () => {
    const { risk } = setup({ maxSlippagePercent: '0.01' });
    const r = await risk.checkOrder(market());
    expect(r.approved).toBe(true);
    expect(r.worstPrice?.toString()).toBe('50500');
  });
});

describe('per-symbol order rate', () => {
  it('approves the order that reaches maxOrdersPerMinute and rejects the next one', async () => {
    const { risk, clock } = setup({ maxOrdersPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
      clock.advance(1000);
    }
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(r.failures[0]?.message).toBe(
      'SYMBOL_RATE_LIMIT_EXCEEDED: symbol=BTC-USD orders=3 limit=3 windowMs=60000',
    );
  });

  it('slides the window: a slot frees exactly 60 s after the oldest approval', async () => {
    const { risk, clock } = setup({ maxOrdersPerMinute: 2 });
    await risk.checkOrder(limitBuy('0.001'));
    clock.advance(10_000);
    await risk.checkOrder(limitBuy('0.001'));
    clock.advance(49_999);
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.SYMBOL_RATE_LIMIT_EXCEEDED]);
    clock.advance(1);
    risk.updateMarketPrice('BTC-USD', '50000');
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('keeps the rate slot of an order the exchange rejected', async () => {
    const { risk } = setup({ maxOrdersPerMinute: 1 });
    const a = await risk.checkOrder(limitBuy('0.001'));
    risk.releaseReservation(a.reservation?.id ?? '', 'rejected');
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.SYMBOL_RATE_LIMIT_EXCEEDED]);
  });

  it('does not count rejected orders against the rate', async () => {
    const { risk } = setup({ maxOrdersPerMinute: 1, maxOrderNotional: '100' });
    expect((await risk.checkOrder(limitBuy('1'))).approved).toBe(false);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('limits each symbol separately', async () => {
    const { risk } = setup({ maxOrdersPerMinute: 1 });
    risk.updateMarketPrice('ETH-USD', '2000');
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
    expect((await risk.checkOrder(limitBuy('0.001', '2000', 'ETH-USD'))).approved).toBe(true);
  });
});

describe('global order rate', () => {
  it('approves up to maxOrdersPerSecond across symbols and rejects the next within the second', async () => {
    const { risk, clock } = setup({ maxOrdersPerSecond: 2 });
    risk.updateMarketPrice('ETH-USD', '2000');
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
    expect((await risk.checkOrder(limitBuy('0.001', '2000', 'ETH-USD'))).approved).toBe(true);
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(r.failures[0]?.message).toBe('GLOBAL_RATE_LIMIT_EXCEEDED: orders=2 limit=2 windowMs=1000');
    clock.advance(1000);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });
});

describe('reduce-only validity', () => {
  it('approves a reduce-only sell no larger than the long position', async () => {
    const { risk } = setup();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    expect((await risk.checkOrder({ ...limitSell('0.1'), reduceOnly: true })).approved).toBe(true);
  });

  it('rejects a reduce-only order when flat', async () => {
    const { risk } = setup();
    const r = await risk.checkOrder({ ...limitSell('0.1'), reduceOnly: true });
    expect(r.failures[0]?.message).toBe('REDUCE_ONLY_INVALID: position=0 pendingSameSide=0 quantity=0.1');
  });

  it('rejects a reduce-only order on the same side as the position', async () => {
    const { risk } = setup();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    expect(codes(await risk.checkOrder({ ...limitBuy('0.01'), reduceOnly: true }))).toEqual([
      RiskCode.REDUCE_ONLY_INVALID,
    ]);
  });

  it('rejects a reduce-only order that would flip the position', async () => {
    const { risk } = setup();
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    expect(codes(await risk.checkOrder({ ...limitSell('0.0101'), reduceOnly: true }))).toEqual([
      RiskCode.REDUCE_ONLY_INVALID,
    ]);
  });

  it('counts working reducing orders: two exits cannot together exceed the position', async () => {
    const { risk } = setup();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    expect((await risk.checkOrder({ ...limitSell('0.06'), reduceOnly: true })).approved).toBe(true);
    expect(codes(await risk.checkOrder({ ...limitSell('0.05'), reduceOnly: true }))).toEqual([
      RiskCode.REDUCE_ONLY_INVALID,
    ]);
  });
});

describe('risk-reducing orders are never blocked by opening limits', () => {
  it('approves closing a position while position count, exposure and order-percent limits are exceeded', async () => {
    const { risk } = setup({
      maxPositions: 1,
      maxTotalExposure: '100',
      maxOrderNotionalPercent: '0.01',
      maxOpenOrders: 1,
    });
    risk.updatePosition(long('BTC-USD', '1', '50000'));
    risk.updateMarketPrice('ETH-USD', '2000');
    risk.updatePosition(long('ETH-USD', '1', '2000'));
    const r = await risk.checkOrder(limitSell('1'));
    expect(r.failures).toEqual([]);
    expect(r.approved).toBe(true);
    expect(r.reservation?.opening).toBe(false);
  });
});

describe('every failed check is reported', () => {
  it('lists all failures, not only the first', async () => {
    const { risk } = setup({ maxOrderNotional: '100', maxTotalExposure: '100', maxPriceDeviation: '0.01' });
    const r = await risk.checkOrder(limitBuy('1', '60000'));
    expect(codes(r)).toEqual([
      RiskCode.PRICE_DEVIATION_EXCEEDED,
      RiskCode.ORDER_NOTIONAL_EXCEEDED,
      RiskCode.ORDER_NOTIONAL_PERCENT_EXCEEDED,
      RiskCode.POSITION_SIZE_PERCENT_EXCEEDED,
      RiskCode.EXPOSURE_EXCEEDED,
      RiskCode.EXPOSURE_PERCENT_EXCEEDED,
    ]);
    expect(r.reason).toContain('ORDER_NOTIONAL_EXCEEDED: notional=60000 limit=100');
  });

  it('rejects a clientOrderId that is already reserved', async () => {
    const { risk } = setup();
    expect((await risk.checkOrder({ ...limitBuy('0.001'), clientOrderId: 'c1' })).approved).toBe(true);
    expect(codes(await risk.checkOrder({ ...limitBuy('0.001'), clientOrderId: 'c1' }))).toEqual([
      RiskCode.DUPLICATE_CLIENT_ORDER_ID,
    ]);
  });
});
