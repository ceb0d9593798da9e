import { describe, expect, it } from 'vitest';
import { RiskCode } from '../src/index.js';
import { codes, limitBuy, limitSell, long, setup, short, T0 } from './helpers.js';

describe('daily loss', () => {
  it('stays ACTIVE with a loss just under maxDailyLoss', async () => {
    const { risk } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '9501', equity: '9501' });
    expect(risk.state.tradingState).toBe('ACTIVE');
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('moves to REDUCING when the loss reaches exactly maxDailyLoss', async () => {
    const { risk, sink } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '9500', equity: '9500' });
    expect(risk.state.tradingState).toBe('REDUCING');
    expect(risk.state.dailyPnl.toString()).toBe('-500');
    const [change] = sink.ofType('trading_state_changed');
    expect(change).toMatchObject({ from: 'ACTIVE', to: 'REDUCING' });
    expect(change?.reason).toContain('daily loss 500 >= limit 500');
  });

  it('rejects an opening order over the daily loss limit with both the state and the loss numbers', async () => {
    const { risk } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '9499', equity: '9499' });
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(codes(r)).toEqual([RiskCode.TRADING_STATE_REDUCING, RiskCode.DAILY_LOSS_EXCEEDED]);
    expect(r.failures[1]?.message).toBe('DAILY_LOSS_EXCEEDED: loss=501 limit=500 dayStartEquity=10000');
  });

  it('moves to REDUCING at maxDailyLossPercent of day-start equity', async () => {
    const { risk } = setup({ maxDailyLossPercent: '0.05' });
    await risk.updateAccount({ balance: '9500.01', equity: '9500.01' });
    expect(risk.state.tradingState).toBe('ACTIVE');
    await risk.updateAccount({ balance: '9500', equity: '9500' });
    expect(risk.state.tradingState).toBe('REDUCING');
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(r.failures[1]?.message).toBe(
      'DAILY_LOSS_PERCENT_EXCEEDED: loss=500 limit=500 percent=0.05 dayStartEquity=10000',
    );
  });

  it('counts unrealized losses of open positions from marks between account reports', async () => {
    const { risk } = setup({ maxDailyLoss: '500' });
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    risk.updateMarketPrice('BTC-USD', '45001');
    expect(risk.state.tradingState).toBe('ACTIVE');
    risk.updateMarketPrice('BTC-USD', '45000');
    expect(risk.state.dailyPnl.toString()).toBe('-500');
    expect(risk.state.tradingState).toBe('REDUCING');
  });

  it('counts realized trade results between account reports', async () => {
    const { risk } = setup({ maxDailyLoss: '500', maxConsecutiveLosses: 10 });
    await risk.recordTradeResult('-300');
    expect(risk.state.tradingState).toBe('ACTIVE');
    await risk.recordTradeResult('-200');
    expect(risk.state.tradingState).toBe('REDUCING');
  });

  it('stays REDUCING for the rest of the day even when equity recovers', async () => {
    const { risk } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '9400', equity: '9400' });
    await risk.updateAccount({ balance: '10100', equity: '10100' });
    expect(risk.state.tradingState).toBe('REDUCING');
  });

  it('moves to REDUCING when equity falls maxDrawdownPercent from the day peak', async () => {
    const { risk } = setup({ maxDrawdownPercent: '0.1' });
    await risk.updateAccount({ balance: '12000', equity: '12000' });
    await risk.updateAccount({ balance: '10801', equity: '10801' });
    expect(risk.state.tradingState).toBe('ACTIVE');
    await risk.updateAccount({ balance: '10800', equity: '10800' });
    expect(risk.state.tradingState).toBe('REDUCING');
    expect(risk.state.reducingReason).toBe('drawdown 1200 >= 0.1 of peak equity 12000');
  });
});

describe('REDUCING', () => {
  async function reducing() {
    const s = setup({ maxDailyLoss: '500' });
    await s.risk.updateAccount({ balance: '9000', equity: '9000' });
    return s;
  }

  it('approves an order that strictly reduces a long position', async () => {
    const { risk } = await reducing();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    expect((await risk.checkOrder(limitSell('0.05'))).approved).toBe(true);
  });

  it('approves an order that reduces a short position', async () => {
    const { risk } = await reducing();
    risk.updatePosition(short('BTC-USD', '0.1', '50000'));
    expect((await risk.checkOrder(limitBuy('0.1'))).approved).toBe(true);
  });

  it('rejects an order that would flip the position', async () => {
    const { risk } = await reducing();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    expect(codes(await risk.checkOrder(limitSell('0.1001')))).toContain(RiskCode.TRADING_STATE_REDUCING);
  });

  it('rejects any order when flat', async () => {
    const { risk } = await reducing();
    expect(codes(await risk.checkOrder(limitSell('0.001')))).toContain(RiskCode.TRADING_STATE_REDUCING);
  });

  it('rejects an order that adds to the position', async () => {
    const { risk } = await reducing();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toContain(RiskCode.TRADING_STATE_REDUCING);
  });

  it('counts working reducing orders so two exits cannot together flip the position', async () => {
    const { risk } = await reducing();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    const a = await risk.checkOrder(limitSell('0.06'));
    risk.releaseReservation(a.reservation?.id ?? '', 'submitted');
    expect(codes(await risk.checkOrder(limitSell('0.05')))).toContain(RiskCode.TRADING_STATE_REDUCING);
    expect((await risk.checkOrder(limitSell('0.04'))).approved).toBe(true);
  });
});

describe('circuit breaker', () => {
  it('trips after maxConsecutiveLosses losing trades in a row and halts every order', async () => {
    const { risk, sink } = setup({ maxConsecutiveLosses: 3 });
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    await risk.recordTradeResult('-1');
    await risk.recordTradeResult('-1');
    expect(risk.state.circuitBreakerTripped).toBe(false);
    await risk.recordTradeResult('-1');
    expect(risk.state).toMatchObject({
      tradingState: 'HALTED',
      circuitBreakerTripped: true,
      circuitBreakerReason: 'consecutive losses: 3 >= 3',
      trippedAt: T0,
      consecutiveLosses: 3,
    });
    // Even a reducing order is rejected while HALTED.
    const r = await risk.checkOrder(limitSell('0.05'));
    expect(codes(r)).toEqual([RiskCode.CIRCUIT_BREAKER_TRIPPED]);
    expect(sink.ofType('circuit_breaker_tripped')[0]).toMatchObject({ cooldownUntil: T0 + 30 * 60_000 });
  });

  it('refuses a malformed symbol before changing the streak', async () => {
    const { risk } = setup();
    await expect(risk.recordTradeResult('-1', 'bad symbol!')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(risk.state.consecutiveLosses).toBe(0);
    expect(risk.state.auditFailure).toBeNull();
  });

  it('does not trip when a winning or break-even trade interrupts the losing streak', async () => {
    const { risk } = setup({ maxConsecutiveLosses: 2 });
    await risk.recordTradeResult('-1');
    await risk.recordTradeResult('0');
    await risk.recordTradeResult('-1');
    expect(risk.state.circuitBreakerTripped).toBe(false);
    expect(risk.state.consecutiveLosses).toBe(1);
  });

  it('trips after maxConsecutiveErrors errors in a row, and a success resets the streak', async () => {
    const { risk } = setup({ maxConsecutiveErrors: 2 });
    await risk.recordError(new Error('timeout'));
    await risk.recordSuccess();
    await risk.recordError(new Error('timeout'));
    expect(risk.state.circuitBreakerTripped).toBe(false);
    await risk.recordError(new Error('timeout'));
    expect(risk.state.circuitBreakerReason).toBe('consecutive errors: 2 >= 2');
  });

  it('trips by hand with the given reason, audited', async () => {
    const { risk, sink } = setup();
    await risk.tripCircuitBreaker('operator: venue incident');
    expect(risk.state.tradingState).toBe('HALTED');
    expect(sink.ofType('circuit_breaker_tripped')[0]?.reason).toBe('operator: venue incident');
    expect(sink.ofType('trading_state_changed').at(-1)).toMatchObject({ from: 'ACTIVE', to: 'HALTED' });
  });

  it('refuses a reset one millisecond before the cooldown ends', async () => {
    const { risk, clock } = setup({ circuitBreakerCooldownMinutes: 30 });
    await risk.tripCircuitBreaker('manual');
    clock.advance(30 * 60_000 - 1);
    expect(await risk.resetCircuitBreaker('try')).toBe(false);
    expect(risk.state.tradingState).toBe('HALTED');
  });

  it('resets exactly at the end of the cooldown, clears the streaks and audits the reset', async () => {
    const { risk, clock, sink } = setup({ circuitBreakerCooldownMinutes: 30, maxConsecutiveLosses: 1 });
    await risk.recordTradeResult('-5');
    clock.advance(30 * 60_000);
    expect(await risk.resetCircuitBreaker('reviewed')).toBe(true);
    expect(risk.state).toMatchObject({
      tradingState: 'ACTIVE',
      circuitBreakerTripped: false,
      consecutiveLosses: 0,
    });
    expect(sink.ofType('circuit_breaker_reset')[0]?.reason).toBe('reviewed');
    risk.updateMarketPrice('BTC-USD', '50000');
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('answers a reset synchronously, so `if (risk.resetCircuitBreaker())` branches on the real answer', async () => {
    const { risk, clock, sink } = setup({ circuitBreakerCooldownMinutes: 30 });
    await risk.tripCircuitBreaker('manual');
    const early = risk.resetCircuitBreaker();
    // A Promise would be truthy here and read as "reset" while the breaker is still tripped.
    expect(early).toBe(false);
    expect(risk.state.tradingState).toBe('HALTED');
    clock.advance(30 * 60_000);
    const reset = risk.resetCircuitBreaker('reviewed');
    expect(reset).toBe(true);
    // Effective at once; the audit record follows with flush().
    expect(risk.state.tradingState).toBe('ACTIVE');
    await risk.flush();
    expect(sink.ofType('circuit_breaker_reset')).toHaveLength(1);
  });

  it('goes back to REDUCING, not ACTIVE, on reset when the daily loss limit was reached today', async () => {
    const { risk, clock } = setup({ circuitBreakerCooldownMinutes: 1, maxDailyLoss: '100' });
    await risk.updateAccount({ balance: '9800', equity: '9800' });
    await risk.tripCircuitBreaker('manual');
    clock.advance(60_000);
    await risk.resetCircuitBreaker();
    expect(risk.state.tradingState).toBe('REDUCING');
  });

  it('restarts the cooldown when tripped again while tripped', async () => {
    const { risk, clock } = setup({ circuitBreakerCooldownMinutes: 10 });
    await risk.tripCircuitBreaker('first');
    clock.advance(5 * 60_000);
    await risk.tripCircuitBreaker('second');
    expect(risk.state.cooldownUntil).toBe(T0 + 15 * 60_000);
  });
});

describe('trading day boundary', () => {
  it('keeps the day-start equity until the boundary and starts a new day from the equity at the boundary', async () => {
    const { risk, clock, sink } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '9600', equity: '9600' });
    clock.set('2026-03-02T23:59:59.999Z');
    expect(risk.state.dayStartEquity?.toString()).toBe('10000');
    clock.set('2026-03-03T00:00:00.000Z');
    await risk.updateAccount({ balance: '9600', equity: '9600' });
    expect(risk.state.tradingDay).toBe('2026-03-03');
    expect(risk.state.dayStartEquity?.toString()).toBe('9600');
    expect(risk.state.dailyPnl.toString()).toBe('0');
    expect(sink.ofType('trading_day_started').map((e) => e.day)).toEqual(['2026-03-02', '2026-03-03']);
  });

  it('lifts REDUCING at the start of the next trading day', async () => {
    const { risk, clock } = setup({ maxDailyLoss: '500' });
    await risk.updateAccount({ balance: '9000', equity: '9000' });
    expect(risk.state.tradingState).toBe('REDUCING');
    clock.set('2026-03-03T00:00:00.000Z');
    risk.updateMarketPrice('BTC-USD', '50000');
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
    expect(risk.state.tradingState).toBe('ACTIVE');
  });

  it('honours a configured UTC offset for the trading day', async () => {
    const { risk, clock } = setup({ tradingDayUtcOffsetMinutes: -300 });
    expect(risk.state.tradingDay).toBe('2026-03-02');
    clock.set('2026-03-03T04:59:59.999Z');
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(risk.state.tradingDay).toBe('2026-03-02');
    clock.set('2026-03-03T05:00:00.000Z');
    risk.updateMarketPrice('BTC-USD', '50000');
    await risk.checkOrder(limitBuy('0.001'));
    expect(risk.state.tradingDay).toBe('2026-03-03');
  });

  it('does not lift a tripped breaker at the day boundary', async () => {
    const { risk, clock } = setup();
    await risk.tripCircuitBreaker('manual');
    clock.set('2026-03-03T00:00:00.000Z');
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.CIRCUIT_BREAKER_TRIPPED]);
  });
});

describe('tradingState', () => {
  it('is the snapshot’s tradingState at every step: ACTIVE, REDUCING, HALTED, REDUCING after a reset, ACTIVE next day', async () => {
    const { risk, clock } = setup({ maxDailyLoss: '500', circuitBreakerCooldownMinutes: 1 });
    const both = () => [risk.tradingState, risk.state.tradingState];
    expect(both()).toEqual(['ACTIVE', 'ACTIVE']);
    await risk.updateAccount({ balance: '9500', equity: '9500' });
    expect(both()).toEqual(['REDUCING', 'REDUCING']);
    await risk.tripCircuitBreaker('manual');
    expect(both()).toEqual(['HALTED', 'HALTED']);
    expect(risk.state.circuitBreakerTripped).toBe(true);
    clock.advance(60_000);
    expect(risk.resetCircuitBreaker('reviewed')).toBe(true);
    expect(both()).toEqual(['REDUCING', 'REDUCING']);
    clock.set('2026-03-03T00:00:00.000Z');
    risk.updateMarketPrice('BTC-USD', '50000');
    await risk.checkOrder(limitBuy('0.001'));
    expect(both()).toEqual(['ACTIVE', 'ACTIVE']);
  });
});
