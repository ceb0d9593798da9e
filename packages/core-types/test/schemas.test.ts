import { describe, expect, it } from 'vitest';
import {
  AUDIT_EVENT_TYPES,
  AuditEvent,
  Decimal,
  Fill,
  OrderRequest,
  parseOrThrow,
  ValidationError,
} from '../src/index.js';

describe('Fill', () => {
  it("parses the spec's example fill and gives Decimals", () => {
    const fill = Fill.parse({
      id: 'fill-123',
      orderId: 'order-456',
      symbol: 'BTC-USD',
      side: 'buy',
      quantity: new Decimal('0.1'),
      price: new Decimal('50000'),
      fee: new Decimal('5'),
    });
    expect(fill.quantity.toString()).toBe('0.1');
    expect(fill.price).toBeInstanceOf(Decimal);
    expect(fill.fee.toString()).toBe('5');
  });

  it('defaults a missing fee to zero and accepts a negative fee (maker rebate)', () => {
    const base = { id: 'f', orderId: 'o', symbol: 'ETH-USD', side: 'sell', quantity: '1', price: '3000' };
    expect(Fill.parse(base).fee.toString()).toBe('0');
    expect(Fill.parse({ ...base, fee: '-0.15' }).fee.toString()).toBe('-0.15');
  });

  it.each([
    ['zero quantity', { quantity: '0' }, 'quantity'],
    ['negative price', { price: '-1' }, 'price'],
    ['NaN price', { price: Number.NaN }, 'price'],
    ['unknown side', { side: 'long' }, 'side'],
    ['missing id', { id: undefined }, 'id'],
    ['empty symbol', { symbol: '' }, 'symbol'],
  ])('rejects a fill with %s, naming the field', (_label, patch, field) => {
    const raw = {
      id: 'f',
      orderId: 'o',
      symbol: 'ETH-USD',
      side: 'buy',
      quantity: '1',
      price: '3000',
      ...patch,
    };
    try {
      parseOrThrow(Fill, raw, 'fill');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).message).toContain(`${field}:`);
    }
  });
});

describe('OrderRequest', () => {
  it('fills in GTC and reduceOnly=false', () => {
    const order = OrderRequest.parse({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      quantity: 0.01,
      price: 50000,
    });
    expect(order.timeInForce).toBe('GTC');
    expect(order.reduceOnly).toBe(false);
    expect(order.quantity.toString()).toBe('0.01');
  });

  it('requires a price for limit orders and a trigger for stops', () => {
    expect(
      OrderRequest.safeParse({ symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: 1 }).success,
    ).toBe(false);
    expect(
      OrderRequest.safeParse({ symbol: 'BTC-USD', side: 'sell', orderType: 'stop-market', quantity: 1 })
        .success,
    ).toBe(false);
  });

  it('rejects unknown fields rather than silently dropping them', () => {
    expect(
      OrderRequest.safeParse({
        symbol: 'BTC-USD',
        side: 'buy',
        orderType: 'market',
        quantity: 1,
        leverage: 50,
      }).success,
    ).toBe(false);
  });
});

describe('AuditEvent', () => {
  it('round-trips through JSON with Decimals intact', () => {
    const event = AuditEvent.parse({
      type: 'order_filled',
      fill: {
        id: 'f1',
        orderId: 'o1',
        symbol: 'BTC-USD',
        side: 'buy',
        quantity: '0.1',
        price: '50000.5',
        fee: '5',
      },
    });
    const back = AuditEvent.parse(JSON.parse(JSON.stringify(event)));
    expect(back).toEqual(event);
    if (back.type !== 'order_filled') throw new Error('wrong type');
    expect(back.fill.price.toString()).toBe('50000.5');
  });

  it('lists every event type by name', () => {
    expect(AUDIT_EVENT_TYPES).toContain('order_submitted');
    expect(AUDIT_EVENT_TYPES).toContain('circuit_breaker_tripped');
    expect(new Set(AUDIT_EVENT_TYPES).size).toBe(AUDIT_EVENT_TYPES.length);
  });

  it('rejects an unknown event type', () => {
    expect(AuditEvent.safeParse({ type: 'nope' }).success).toBe(false);
  });
});
