import { Decimal, ExchangeError, type OrderRequest } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { RiskCode } from '../src/index.js';
import { limitBuy, setup } from './helpers.js';

const symbols = Array.from({ length: 6 }, (_, i) => `S${i}-USD`);

describe('submitOrder: approve, submit and settle in one call', () => {
  it('frees each hold when the order filled at once, so a sixth symbol is not blocked by five done orders', async () => {
    const { risk } = setup({ maxPositions: 5 });
    for (const s of symbols) risk.updateMarketPrice(s, '10');
    const sent: string[] = [];
    for (const s of symbols.slice(0, 5)) {
      const r = await risk.submitOrder(limitBuy('1', '10', s), async (order, clientOrderId) => {
        sent.push(`${order.symbol}:${clientOrderId}`);
        return { status: 'filled', filledQuantity: order.quantity };
      });
      expect(r.approved).toBe(true);
      expect(r.ack?.status).toBe('filled');
    }
    expect(sent).toHaveLength(5);
    expect(risk.reservations()).toEqual([]);
    // With checkOrder alone (no release), this sixth symbol was rejected MAX_POSITIONS_EXCEEDED.
    const sixth = await risk.submitOrder(limitBuy('1', '10', 'S5-USD'), async () => ({
      status: 'filled',
      filledQuantity: '1',
    }));
    expect(sixth.approved).toBe(true);
  });

  it('never sends a rejected order', async () => {
    const { risk } = setup({ maxOrderNotional: '100' });
    let calls = 0;
    const r = await risk.submitOrder(limitBuy('1'), async () => {
      calls += 1;
      return { status: 'filled' };
    });
    expect(r.approved).toBe(false);
    expect(r.code).toBe(RiskCode.ORDER_NOTIONAL_EXCEEDED);
    expect(calls).toBe(0);
  });

  it('keeps a resting order counted as working until it fills or is cancelled', async () => {
    const { risk } = setup({ maxOpenOrders: 1 });
    const r = await risk.submitOrder(limitBuy('0.01'), async () => ({
      status: 'resting',
      filledQuantity: '0',
    }));
    expect(r.approved).toBe(true);
    expect(risk.reservations().map((h) => h.status)).toEqual(['working']);
    expect((await risk.checkOrder(limitBuy('0.01'))).code).toBe(RiskCode.MAX_OPEN_ORDERS_EXCEEDED);
    const id = r.reservation?.id as string;
    expect(risk.orderFilled(id)).toBe(true);
    expect(risk.reservations()).toEqual([]);
  });

  it('holds only what is not yet filled of a partly filled order', async () => {
    const { risk } = setup();
    await risk.submitOrder(limitBuy('0.04'), async () => ({
      status: 'partially_filled',
      filledQuantity: '0.01',
    }));
    const [hold] = risk.reservations();
    expect(hold?.status).toBe('working');
    expect(hold?.quantity.toString()).toBe('0.03');
  });

  it('frees the hold when the venue refuses the order, and rethrows its error', async () => {
    const { risk } = setup({ maxPositions: 1 });
    await expect(
      risk.submitOrder(limitBuy('0.01'), async () => {
        throw new ExchangeError('INSUFFICIENT_MARGIN', 'not enough margin');
      }),
    ).rejects.toThrow(ExchangeError);
    expect(risk.reservations()).toEqual([]);
  });

  it('keeps an order whose fate is unknown counted (fail closed) when sending failed otherwise', async () => {
    const { risk } = setup({ maxOpenOrders: 1 });
    await expect(
      risk.submitOrder(limitBuy('0.01'), async () => {
        throw new Error('socket hang up');
      }),
    ).rejects.toThrow('socket hang up');
    expect(risk.reservations().map((h) => h.status)).toEqual(['working']);
    expect((await risk.checkOrder(limitBuy('0.01'))).code).toBe(RiskCode.MAX_OPEN_ORDERS_EXCEEDED);
  });

  it('sends a market order with its protective price filled in', async () => {
    const { risk } = setup({ maxSlippagePercent: '0.01' });
    let sent: OrderRequest | undefined;
    await risk.submitOrder(
      { symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.01' },
      async (o) => {
        sent = o;
        return { status: 'filled', filledQuantity: new Decimal('0.01') };
      },
    );
    expect(sent?.price?.toString()).toBe('50500');
  });
});
