import { Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { checkOrderSize, valuationPrice } from '../internals.js';
import { buy, run, valued, World } from './world.js';

describe('check 1, order size: valuation', () => {
  it('values an order at the larger of its price and the mark, so a low limit price cannot understate it', () => {
    const w = new World().mark('BTC-USD', '50000');
    expect(valuationPrice(w.context(buy('1', '40000')))?.toString()).toBe('50000');
    expect(valuationPrice(w.context(buy('1', '51000')))?.toString()).toBe('51000');
  });

  it('values a trigger order at its trigger when that is higher', () => {
    const w = new World().mark('BTC-USD', '50000');
    const ctx = w.context({
      symbol: 'BTC-USD',
      side: 'sell',
      orderType: 'stop-market',
      quantity: '1',
      triggerPrice: '52000',
    });
    expect(valuationPrice(ctx)?.toString()).toBe('52000');
  });

  it('has no valuation without a fresh mark', () => {
    const w = new World();
    expect(valuationPrice(w.context(buy('1')))).toBeUndefined();
  });
});

describe('check 1, order size: notional against maxOrderNotional', () => {
  it('passes an order exactly at the limit and fails one unit over, with the numbers', () => {
    const w = new World({ maxOrderNotional: '1000' }).mark('BTC-USD', '50000');
    expect(run(checkOrderSize, valued(w.context(buy('0.02'))))).toEqual([]);
    const [f, ...rest] = run(checkOrderSize, valued(w.context(buy('0.0201'))));
    expect(rest).toEqual([]);
    expect(f?.message).toBe('ORDER_NOTIONAL_EXCEEDED: notional=1005 limit=1000');
  });
});

describe('check 1, order size: notional against maxOrderNotionalPercent of equity', () => {
  it('passes at the percentage of equity and fails just over it', () => {
    const w = new World({ maxOrderNotionalPercent: '0.1' }).mark('BTC-USD', '50000');
    expect(run(checkOrderSize, valued(w.context(buy('0.02'))))).toEqual([]);
    const out = run(checkOrderSize, valued(w.context(buy('0.0201'))));
    expect(out.map((f) => f.message)).toEqual([
      'ORDER_NOTIONAL_PERCENT_EXCEEDED: notional=1005 limit=1000 percent=0.1 equity=10000',
    ]);
  });

  it('measures against the context equity (the estimate), not a fixed balance', () => {
    const w = new World({ maxOrderNotionalPercent: '0.1' }).mark('BTC-USD', '50000');
    const ctx = valued(w.context(buy('0.02'), { equity: new Decimal('9000') }));
    expect(run(checkOrderSize, ctx).map((f) => f.details.limit)).toEqual(['900']);
  });

  it('skips the percentage limit without a positive equity (the account check rejects that)', () => {
    const w = new World({ maxOrderNotionalPercent: '0.1' }).mark('BTC-USD', '50000');
    expect(run(checkOrderSize, valued(w.context(buy('1'), { equity: new Decimal(0) })))).toEqual([]);
  });

  it('reports both limits when both are exceeded, the absolute one first', () => {
    const w = new World({ maxOrderNotional: '100', maxOrderNotionalPercent: '0.01' }).mark(
      'BTC-USD',
      '50000',
    );
    expect(run(checkOrderSize, valued(w.context(buy('0.01')))).map((f) => f.code)).toEqual([
      'ORDER_NOTIONAL_EXCEEDED',
      'ORDER_NOTIONAL_PERCENT_EXCEEDED',
    ]);
  });
});
