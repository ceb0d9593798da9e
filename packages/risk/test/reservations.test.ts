import { Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { RiskCode } from '../src/index.js';
import { codes, limitBuy, long, setup } from './helpers.js';

describe('atomic check-and-reserve', () => {
  it('approves exactly 5 of 100 concurrent orders for 100 new symbols with maxPositions 5', async () => {
    const { risk } = setup({ maxPositions: 5 });
    const symbols = Array.from({ length: 100 }, (_, i) => `S${i}-USD`);
    for (const s of symbols) risk.updateMarketPrice(s, '10');
    const results = await Promise.all(symbols.map((s) => risk.checkOrder(limitBuy('1', '10', s))));
    expect(results.filter((r) => r.approved)).toHaveLength(5);
    const rejected = results.filter((r) => !r.approved);
    expect(rejected.every((r) => r.code === RiskCode.MAX_POSITIONS_EXCEEDED)).toBe(true);
  });

  it('approves concurrent orders only up to the exposure limit', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    const results = await Promise.all(Array.from({ length: 50 }, () => risk.checkOrder(limitBuy('0.003'))));
    expect(results.filter((r) => r.approved)).toHaveLength(6);
    expect(risk.state.exposure.toString()).toBe('900');
  });

  it('gives the position slot back when the exchange rejects the order', async () => {
    const { risk } = setup({ maxPositions: 1 });
    risk.updateMarketPrice('ETH-USD', '2000');
    const a = await risk.checkOrder(limitBuy('0.001'));
    expect(codes(await risk.checkOrder(limitBuy('0.001', '2000', 'ETH-USD')))).toEqual([
      RiskCode.MAX_POSITIONS_EXCEEDED,
    ]);
    expect(risk.releaseReservation(a.reservation?.id ?? '', 'rejected')).toBe(true);
    expect((await risk.checkOrder(limitBuy('0.001', '2000', 'ETH-USD'))).approved).toBe(true);
  });

  it('keeps a submitted order holding its exposure until it is filled', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    const a = await risk.checkOrder(limitBuy('0.02'));
    risk.releaseReservation(a.reservation?.id ?? '', 'submitted');
    expect(codes(await risk.checkOrder(limitBuy('0.0001')))).toEqual([RiskCode.EXPOSURE_EXCEEDED]);
    risk.updatePosition(long('BTC-USD', '0.01', '50000'));
    expect(risk.orderFilled(a.reservation?.id ?? '', '0.01')).toBe(true);
    expect(risk.state.exposure.toString()).toBe('1000');
    risk.updatePosition(long('BTC-USD', '0.02', '50000'));
    expect(risk.orderFilled(a.reservation?.id ?? '')).toBe(true);
    expect(risk.state.openOrders).toBe(0);
    expect(risk.state.exposure.toString()).toBe('1000');
  });

  it('never lets an order in flight lapse: a hold not yet reported counts however long the send takes', async () => {
    const { risk, clock } = setup({ maxOpenOrders: 1, reservationTimeoutMs: 30_000 });
    await risk.checkOrder(limitBuy('0.001'));
    clock.advance(3_600_000);
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.MAX_OPEN_ORDERS_EXCEEDED]);
  });

  it('lets only the awaited fills of a finished order lapse, after reservationTimeoutMs', async () => {
    const { risk, clock } = setup({ maxOpenOrders: 1, reservationTimeoutMs: 30_000 });
    const a = await risk.checkOrder({ ...limitBuy('0.003'), clientOrderId: 'ioc-1' });
    risk.releaseReservation(a.reservation?.id ?? '', 'submitted');
    // An IOC filled 0.001 of 0.003 and was cancelled: 0.002 is free at once, 0.001 waits for its fill.
    expect(risk.orderFinished('ioc-1', '0.001')).toBe(true);
    expect(risk.reservations()[0]?.quantity.toString()).toBe('0.001');
    expect(risk.reservations()[0]?.status).toBe('finished');
    clock.advance(29_999);
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.MAX_OPEN_ORDERS_EXCEEDED]);
    clock.advance(1);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('never lets a working (submitted) order lapse on its own', async () => {
    const { risk, clock } = setup({ maxOpenOrders: 1, reservationTimeoutMs: 1000 });
    const a = await risk.checkOrder(limitBuy('0.001'));
    risk.releaseReservation(a.reservation?.id ?? '', 'submitted');
    clock.advance(3_600_000);
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.MAX_OPEN_ORDERS_EXCEEDED]);
  });

  it('finds a reservation by clientOrderId as well as by id', async () => {
    const { risk } = setup();
    await risk.checkOrder({ ...limitBuy('0.001'), clientOrderId: 'c-1' });
    expect(risk.releaseReservation('c-1', 'submitted')).toBe(true);
    expect(risk.reservations()[0]?.status).toBe('working');
    expect(risk.orderCancelled('c-1')).toBe(true);
    expect(risk.reservations()).toEqual([]);
  });

  it('reports false for an unknown reservation id', () => {
    const { risk } = setup();
    expect(risk.releaseReservation('nope', 'filled')).toBe(false);
    expect(risk.orderFilled('nope')).toBe(false);
  });

  it('counts an adopted working order against limits after a restart', async () => {
    const { risk } = setup({ maxTotalExposure: '1000' });
    risk.adoptWorkingOrder(limitBuy('0.02'), 'venue-1');
    expect(codes(await risk.checkOrder(limitBuy('0.0001')))).toEqual([RiskCode.EXPOSURE_EXCEEDED]);
    expect(risk.orderCancelled('venue-1')).toBe(true);
  });

  it('refuses to adopt the same working order twice', () => {
    const { risk } = setup();
    risk.adoptWorkingOrder(limitBuy('0.02'), 'venue-1');
    expect(() => risk.adoptWorkingOrder(limitBuy('0.02'), 'venue-1')).toThrow('already held');
    expect(risk.state.openOrders).toBe(1);
  });
});

describe('positions given with each check', () => {
  it('replaces the kept positions with the given list on every call', async () => {
    const { risk } = setup({ maxPositions: 1 });
    risk.updateMarketPrice('ETH-USD', '2000');
    const eth = {
      symbol: 'ETH-USD',
      side: 'long' as const,
      quantity: new Decimal('0.1'),
      entryPrice: new Decimal('2000'),
    };
    // A parsed PositionSnapshot (Decimals), as a position tracker hands it out.
    expect(codes(await risk.checkOrder(limitBuy('0.001'), [eth]))).toEqual([RiskCode.MAX_POSITIONS_EXCEEDED]);
    expect((await risk.checkOrder(limitBuy('0.001'), [])).approved).toBe(true);
  });

  it('accepts unparsed snapshots (decimal strings) and parses them', async () => {
    const { risk } = setup({ maxPositions: 1 });
    risk.updateMarketPrice('ETH-USD', '2000');
    const r = await risk.checkOrder(limitBuy('0.001'), [long('ETH-USD', '0.1', '2000')]);
    expect(codes(r)).toEqual([RiskCode.MAX_POSITIONS_EXCEEDED]);
  });

  it('rejects a list with the same symbol twice', async () => {
    const { risk } = setup();
    const p = {
      symbol: 'BTC-USD',
      side: 'long' as const,
      quantity: new Decimal('0.1'),
      entryPrice: new Decimal('50000'),
    };
    expect((await risk.checkOrder(limitBuy('0.001'), [p, p])).code).toBe(RiskCode.CHECK_FAILED);
  });
});
