import { Decimal, TradingState } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { type HoldsView, type PositionsView, runChecks } from '../internals.js';
import { buy, NOW, sell, World } from './world.js';

const codes = (failures: readonly { code: string }[]) => failures.map((f) => f.code);

describe('the check pipeline', () => {
  it('reports every failure in a fixed order: state first, then price, rate, then the opening limits', () => {
    const w = new World({
      maxOrderNotional: '1',
      maxPositionSizeUsd: '1',
      maxTotalExposure: '1',
      maxOpenOrders: 1,
      maxOrdersPerMinute: 1,
      maxPriceDeviation: '0.01',
    }).mark('BTC-USD', '50000');
    w.hold(buy('0.001', '50000', 'ETH-USD'));
    w.rates.record('BTC-USD', NOW);
    const ctx = w.context(buy('0.1', '60000'), {
      auditFailure: new Error('disk full'),
      breaker: { reason: 'manual', trippedAt: NOW, cooldownUntil: NOW + 1 },
      tradingState: TradingState.HALTED,
    });
    expect(codes(runChecks(ctx))).toEqual([
      'AUDIT_UNAVAILABLE',
      'CIRCUIT_BREAKER_TRIPPED',
      'PRICE_DEVIATION_EXCEEDED',
      'SYMBOL_RATE_LIMIT_EXCEEDED',
      'MAX_OPEN_ORDERS_EXCEEDED',
      'ORDER_NOTIONAL_EXCEEDED',
      'POSITION_SIZE_EXCEEDED',
      'EXPOSURE_EXCEEDED',
    ]);
  });

  it('derives the mark, the valuation and the notional for the caller to reserve', () => {
    const w = new World().mark('BTC-USD', '50000');
    const ctx = w.context(buy('0.01', '49000'), { mark: undefined });
    expect(runChecks(ctx)).toEqual([]);
    expect([ctx.mark?.toString(), ctx.valuation?.toString(), ctx.notional?.toString(), ctx.reducing]).toEqual(
      ['50000', '50000', '500', false],
    );
  });

  it('gives an approved market order without a price its worst price', () => {
    const w = new World({ maxSlippagePercent: '0.01' }).mark('BTC-USD', '50000');
    const ctx = w.context({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.01' });
    expect(runChecks(ctx)).toEqual([]);
    expect(ctx.worstPrice?.toString()).toBe('50500');
  });

  it('skips the price-dependent checks without a fresh mark (the missing mark is the failure)', () => {
    const w = new World({ maxOrderNotional: '1', maxPriceDeviation: '0.01' });
    const ctx = w.context(buy('1', '60000'));
    expect(codes(runChecks(ctx))).toEqual(['MARKET_PRICE_MISSING']);
    expect(ctx.valuation).toBeUndefined();
  });

  it('exempts a reducing order from the opening limits but not from price or rate limits', () => {
    const w = new World({ maxOrderNotional: '1', maxTotalExposure: '1', maxOrdersPerSecond: 1 }).mark(
      'BTC-USD',
      '50000',
    );
    w.position({ symbol: 'BTC-USD', side: 'long', quantity: '1', entryPrice: '50000' });
    w.rates.record('ETH-USD', NOW);
    const ctx = w.context(sell('0.5'));
    expect(codes(runChecks(ctx))).toEqual(['GLOBAL_RATE_LIMIT_EXCEEDED']);
    expect(ctx.reducing).toBe(true);
  });

  it('turns a check that throws into CHECK_FAILED naming it, and still runs the others', () => {
    const w = new World({ maxOrderNotional: '1' }).mark('BTC-USD', '50000');
    const holds: HoldsView = Object.create(w.ledger, {
      hasClientOrderId: {
        value: () => {
          throw new Error('boom');
        },
      },
    });
    const ctx = w.context({ ...buy('0.01'), clientOrderId: 'x' }, { holds });
    const failures = runChecks(ctx);
    expect(failures[0]?.message).toBe('CHECK_FAILED: check=clientOrderId error=Error: boom');
    expect(codes(failures)).toEqual(['CHECK_FAILED', 'ORDER_NOTIONAL_EXCEEDED']);
  });

  it('names each check it lost: a broken positions view fails every check that reads it', () => {
    const w = new World().mark('BTC-USD', '50000');
    const positions: PositionsView = Object.create(w.book, {
      signedQuantity: {
        value: () => {
          throw new Error('gone');
        },
      },
    });
    const failures = runChecks(w.context(buy('0.01'), { positions }));
    expect(failures.map((f) => f.details.check)).toEqual(['reduceOnly', 'positionSize']);
    expect(codes(failures)).toEqual(['CHECK_FAILED', 'CHECK_FAILED']);
  });

  it('rejects at zero equity with every limit that depends on it skipped', () => {
    const w = new World({ maxOrderNotionalPercent: '0.01' }).mark('BTC-USD', '50000');
    expect(codes(runChecks(w.context(buy('1'), { equity: new Decimal(0) })))).toEqual([
      'ACCOUNT_EQUITY_NON_POSITIVE',
    ]);
  });
});
