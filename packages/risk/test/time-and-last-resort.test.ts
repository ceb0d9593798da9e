import { describe, expect, it } from 'vitest';
import { RiskCode, RiskConfig, RiskManager } from '../src/index.js';
import { codes, limitBuy, limitSell, long, MemorySink, setup } from './helpers.js';

describe('a clock that steps back', () => {
  it("keeps the day's recorded loss when an NTP correction moves the clock back across midnight", async () => {
    // A wall clock that can step back, as the system clock does under NTP.
    let t = Date.parse('2026-03-03T00:00:05Z');
    const clock = { now: () => t };
    const risk = new RiskManager({
      config: RiskConfig.from({
        maxDailyLoss: '500',
        maxPositionSizeUsd: '1000000',
        maxOrderNotional: '1000000',
      }),
      auditLogger: new MemorySink(),
      clock,
    });
    risk.updateMarketPrice('BTC-USD', '50000');
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    expect(risk.state.tradingDay).toBe('2026-03-03');
    await risk.updateAccount({ balance: '9400', equity: '9400' });
    expect(risk.state.tradingState).toBe('REDUCING');
    t = Date.parse('2026-03-02T23:59:55Z'); // the correction: 10 s back, to yesterday
    await risk.updateAccount({ balance: '9400', equity: '9400' });
    expect(risk.state.tradingDay).toBe('2026-03-03');
    expect(risk.state.dailyPnl.toString()).toBe('-600');
    expect(risk.state.tradingState).toBe('REDUCING');
    risk.updateMarketPrice('BTC-USD', '50000');
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toContain(RiskCode.TRADING_STATE_REDUCING);
  });
});

describe('marks from the future', () => {
  it('rejects a mark stamped beyond the clock-skew tolerance, so it cannot freeze the price', () => {
    const { risk, clock } = setup({ maxMarketPriceAgeMs: 5_000 });
    expect(risk.updateMarketPrice('BTC-USD', '51000', clock.now() + 60_000)).toBe(false);
    // A real mark after it is still applied, and marks go stale as before.
    clock.advance(1_000);
    expect(risk.updateMarketPrice('BTC-USD', '50500')).toBe(true);
    clock.advance(6_000);
    return risk.checkOrder(limitBuy('0.001')).then((r) => {
      expect(codes(r)).toContain(RiskCode.MARKET_PRICE_STALE);
    });
  });

  it('keeps a mark within the tolerance (ordinary clock skew)', () => {
    const { risk, clock } = setup();
    expect(risk.updateMarketPrice('BTC-USD', '51000', clock.now() + 1_500)).toBe(true);
  });
});

describe('equity at or below zero', () => {
  it('still approves a reduce-only close, and nothing else', async () => {
    const { risk } = setup();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    await risk.updateAccount({ balance: '0', equity: '-50' });
    const close = await risk.checkOrder({ ...limitSell('0.1'), reduceOnly: true });
    expect(close.approved).toBe(true);
    expect(codes(await risk.checkOrder(limitSell('0.1')))).toContain(RiskCode.ACCOUNT_EQUITY_NON_POSITIVE);
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toContain(RiskCode.ACCOUNT_EQUITY_NON_POSITIVE);
  });
});
