import { describe, expect, it } from 'vitest';
import {
  Decimal,
  EXCHANGE_ERROR_CODES,
  ExchangeError,
  FundingPayment,
  HlBotError,
  OpenOrder,
  OrderAck,
  OrderUpdate,
  parseOrThrow,
  ValidationError,
} from '../src/index.js';

describe('OrderAck', () => {
  it('parses a filled ack with string numbers into Decimals', () => {
    const ack = OrderAck.parse({
      orderId: '1',
      status: 'filled',
      filledQuantity: '0.5',
      averagePrice: '60000.5',
    });
    expect(ack.filledQuantity).toBeInstanceOf(Decimal);
    expect(ack.averagePrice?.toString()).toBe('60000.5');
  });

  it('rejects a filled quantity without an average price and a filled ack with nothing filled', () => {
    expect(() =>
      parseOrThrow(OrderAck, { orderId: '1', status: 'partially_filled', filledQuantity: '1' }, 'ack'),
    ).toThrow(/averagePrice/);
    expect(() =>
      parseOrThrow(OrderAck, { orderId: '1', status: 'filled', filledQuantity: '0' }, 'ack'),
    ).toThrow(ValidationError);
  });

  it('rejects an unknown status and a negative filled quantity', () => {
    expect(OrderAck.safeParse({ orderId: '1', status: 'open', filledQuantity: '0' }).success).toBe(false);
    expect(OrderAck.safeParse({ orderId: '1', status: 'resting', filledQuantity: '-1' }).success).toBe(false);
  });
});

describe('OpenOrder', () => {
  const base = {
    orderId: 'o-1',
    symbol: 'BTC-USD',
    side: 'buy',
    orderType: 'limit',
    price: '59000',
    quantity: '0.01',
    reduceOnly: false,
    timeInForce: 'GTC',
    createdAt: 1_700_000_000_000,
  };

  it('defaults filledQuantity to zero', () => {
    expect(OpenOrder.parse(base).filledQuantity.isZero()).toBe(true);
  });

  it('refuses an open order that is already fully filled', () => {
    expect(OpenOrder.safeParse({ ...base, filledQuantity: '0.01' }).success).toBe(false);
  });
});

describe('OrderUpdate', () => {
  it('round-trips cumulative quantities and a reason', () => {
    const update = OrderUpdate.parse({
      orderId: 'o-1',
      symbol: 'ETH-USD',
      status: 'cancelled',
      filledQuantity: '0.4',
      remainingQuantity: '0.6',
      reason: 'ioc remainder',
      timestamp: 5,
    });
    expect(update.remainingQuantity.toString()).toBe('0.6');
    expect(OrderUpdate.safeParse({ ...update, remainingQuantity: '-0.1' }).success).toBe(false);
  });
});

describe('FundingPayment', () => {
  it('keeps the sign of the amount (negative = the account paid)', () => {
    const p = FundingPayment.parse({ symbol: 'BTC-USD', amount: '-0.075', time: 3_600_000 });
    expect(p.amount.toString()).toBe('-0.075');
  });
});

describe('ExchangeError', () => {
  it('is an HlBotError carrying one of the stable codes', () => {
    const error = new ExchangeError('INSUFFICIENT_MARGIN', 'not enough', { details: { required: '10' } });
    expect(error).toBeInstanceOf(HlBotError);
    expect(HlBotError.is(error)).toBe(true);
    expect(error.code).toBe('INSUFFICIENT_MARGIN');
    expect(error.name).toBe('ExchangeError');
    expect(EXCHANGE_ERROR_CODES).toContain(error.code);
  });
});
