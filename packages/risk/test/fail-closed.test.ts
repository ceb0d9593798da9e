import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { RiskCode, RiskConfig, RiskManager } from '../src/index.js';
import { codes, limitBuy, limitSell, long, MemorySink, setup, T0 } from './helpers.js';

describe('fail closed', () => {
  it('rejects an order on a symbol that never had a market price', async () => {
    const { risk } = setup();
    const r = await risk.checkOrder(limitBuy('0.001', '100', 'ETH-USD'));
    expect(codes(r)).toEqual([RiskCode.MARKET_PRICE_MISSING]);
  });

  it('rejects a market order with no market price instead of passing it through', async () => {
    const { risk } = setup();
    const r = await risk.checkOrder({ symbol: 'ETH-USD', side: 'buy', orderType: 'market', quantity: '1' });
    expect(r.approved).toBe(false);
    expect(codes(r)).toEqual([RiskCode.MARKET_PRICE_MISSING]);
  });

  it('approves with a price exactly maxMarketPriceAgeMs old and rejects one a millisecond older', async () => {
    const { risk, clock } = setup({ maxMarketPriceAgeMs: 5000 });
    clock.advance(5000);
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
    clock.advance(1);
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(r.failures[0]?.message).toBe('MARKET_PRICE_STALE: symbol=BTC-USD ageMs=5001 limitMs=5000');
  });

  it('ignores a price update older than the one it holds', async () => {
    const { risk, clock } = setup({ maxMarketPriceAgeMs: 5000 });
    clock.advance(6000);
    expect(risk.updateMarketPrice('BTC-USD', '40000', T0 - 1)).toBe(false);
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.MARKET_PRICE_STALE]);
  });

  it('rejects opening orders while another open position has a stale mark', async () => {
    const { risk, clock } = setup({ maxMarketPriceAgeMs: 5000 });
    risk.updateMarketPrice('ETH-USD', '2000');
    risk.updatePosition(long('ETH-USD', '1', '2000'));
    clock.advance(6000);
    risk.updateMarketPrice('BTC-USD', '50000');
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(r.failures[0]?.message).toBe(
      'POSITION_PRICE_UNAVAILABLE: unmarkedPositions=0 oldestMarkAgeMs=6000 limitMs=5000',
    );
  });

  it('rejects opening orders while another open position has no mark at all', async () => {
    const { risk } = setup();
    risk.updatePosition(long('ETH-USD', '1', '2000'));
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.POSITION_PRICE_UNAVAILABLE]);
  });

  it('still lets a position be reduced while another position has a stale mark', async () => {
    const { risk, clock } = setup({ maxMarketPriceAgeMs: 5000 });
    risk.updateMarketPrice('ETH-USD', '2000');
    risk.updatePosition(long('ETH-USD', '1', '2000'));
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    clock.advance(6000);
    risk.updateMarketPrice('BTC-USD', '50000');
    expect((await risk.checkOrder(limitSell('0.1'))).approved).toBe(true);
  });

  it('rejects every order when there is no account state', async () => {
    const { risk } = setup({}, null);
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(codes(r)).toEqual([RiskCode.ACCOUNT_STATE_MISSING]);
  });

  it('approves once the account is reported', async () => {
    const { risk } = setup({}, null);
    await risk.updateAccount({ balance: '10000', equity: '10000' });
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
  });

  it('rejects every order when equity is not positive', async () => {
    const { risk } = setup();
    await risk.updateAccount({ balance: '0', equity: '0' });
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toContain(RiskCode.ACCOUNT_EQUITY_NON_POSITIVE);
  });

  it('rejects a malformed order with INVALID_ORDER instead of throwing', async () => {
    const { risk, sink } = setup();
    for (const bad of [
      null,
      42,
      {},
      { ...limitBuy('-1') },
      { ...limitBuy('0.1'), price: undefined },
      { ...limitBuy('1'), extra: 1 },
    ]) {
      const r = await risk.checkOrder(bad);
      expect(r.approved).toBe(false);
      expect(r.code).toBe(RiskCode.INVALID_ORDER);
    }
    expect(sink.ofType('risk_order_invalid')).toHaveLength(6);
  });

  it('rejects a hostile order object whose property access throws, without throwing', async () => {
    const { risk, sink } = setup();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    const r = await risk.checkOrder(hostile);
    expect(r.approved).toBe(false);
    expect(sink.ofType('risk_order_invalid').length + sink.ofType('risk_rejected').length).toBe(1);
  });

  it('rejects with CHECK_FAILED when a caller-supplied position is malformed', async () => {
    const { risk } = setup();
    const bogus = [{ symbol: 'BTC-USD', side: 'long' as const, quantity: '-1', entryPrice: '1' }];
    const r = await risk.checkOrder(limitBuy('0.001'), bogus);
    expect(r.approved).toBe(false);
    expect(r.code).toBe(RiskCode.CHECK_FAILED);
    expect(r.failures[0]?.details.check).toBe('positions');
  });

  it('rejects with CHECK_FAILED when a check throws, and still reports the other failures', async () => {
    const { risk } = setup({ maxOrderNotional: '1' });
    // Sabotage the ledger's lookup used by the duplicate clientOrderId check.
    (risk as unknown as { ledger: { hasClientOrderId: () => never } }).ledger.hasClientOrderId = () => {
      throw new Error('boom');
    };
    const r = await risk.checkOrder({ ...limitBuy('0.001'), clientOrderId: 'x' });
    expect(r.approved).toBe(false);
    expect(r.failures[0]?.message).toBe('CHECK_FAILED: check=clientOrderId error=Error: boom');
    expect(codes(r)).toContain(RiskCode.ORDER_NOTIONAL_EXCEEDED);
  });

  it('rejects everything after a durable audit write failed', async () => {
    const { risk, sink } = setup();
    sink.failWith = new Error('disk full');
    await expect(risk.tripCircuitBreaker('manual')).rejects.toMatchObject({ code: 'RISK_AUDIT_UNAVAILABLE' });
    sink.failWith = null;
    const r = await risk.checkOrder(limitBuy('0.001'));
    expect(codes(r)).toContain(RiskCode.AUDIT_UNAVAILABLE);
  });

  it('rejects everything after a rejection could not be audited', async () => {
    const { risk, sink } = setup();
    sink.failWith = new Error('disk full');
    expect((await risk.checkOrder(limitBuy('0.001', '100', 'ETH-USD'))).approved).toBe(false);
    sink.failWith = null;
    expect(codes(await risk.checkOrder(limitBuy('0.001')))).toEqual([RiskCode.AUDIT_UNAVAILABLE]);
  });

  it('audits every rejection as risk_rejected with the order and all failures', async () => {
    const { risk, sink } = setup({ maxOrderNotional: '10', maxTotalExposure: '10' });
    await risk.checkOrder(limitBuy('0.001'));
    const [event] = sink.ofType('risk_rejected');
    expect(event?.code).toBe(RiskCode.ORDER_NOTIONAL_EXCEEDED);
    expect(event?.order.quantity.toString()).toBe('0.001');
    expect(event?.failures.map((f) => f.code)).toEqual([
      RiskCode.ORDER_NOTIONAL_EXCEEDED,
      RiskCode.EXPOSURE_EXCEEDED,
    ]);
  });

  it('does not write an audit event for an approval', async () => {
    const { risk, sink } = setup();
    const before = sink.entries.length;
    expect((await risk.checkOrder(limitBuy('0.001'))).approved).toBe(true);
    expect(sink.entries.length).toBe(before);
  });

  it('uses RiskConfig defaults when no config is given', async () => {
    const risk = new RiskManager({
      auditLogger: new MemorySink(),
      initialBalance: '10000',
      clock: new ManualClock(T0),
    });
    expect(risk.config.maxOrderNotional.eq(RiskConfig.defaults().maxOrderNotional)).toBe(true);
  });
});
