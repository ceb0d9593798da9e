import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import {
  type AuditEntry,
  ExchangeError,
  Fill,
  LocalRiskBudget,
  ManualClock,
  type OrderUpdate,
  toDecimal,
} from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Strategy, type StrategyContext, TradingEngine } from '../src/index.js';
import { RecordingExchange } from './recording-exchange.js';

let dir: string;
let audit: AuditLogger;
let clock: ManualClock;
let exchange: RecordingExchange;
let risk: RiskManager;
let tracker: PositionTracker;
let engine: TradingEngine;

async function entries(): Promise<AuditEntry[]> {
  await audit.flush();
  const out: AuditEntry[] = [];
  for await (const e of readAuditLog(dir)) out.push(e);
  return out;
}

function fill(
  id: string,
  side: 'buy' | 'sell',
  quantity: string,
  price: string,
  clientOrderId?: string,
): Fill {
  return Fill.parse({
    id,
    orderId: 'v1',
    symbol: 'BTC-USD',
    side,
    quantity,
    price,
    fee: '1',
    timestamp: clock.now(),
    ...(clientOrderId === undefined ? {} : { clientOrderId }),
  });
}

function limitBuy(price: string, quantity = '0.005') {
  return { symbol: 'BTC-USD', side: 'buy' as const, orderType: 'limit' as const, price, quantity };
}

async function setup(config: Partial<Parameters<typeof RiskConfig.from>[0]> = {}) {
  dir = await mkdtemp(join(tmpdir(), 'hl-engine-'));
  clock = new ManualClock('2026-01-05T10:00:00Z');
  audit = await AuditLogger.open(dir, { clock, durability: 'none' });
  exchange = new RecordingExchange(() => clock.now());
  risk = new RiskManager({
    config: RiskConfig.from({ maxOrderNotional: 1000, maxPositions: 3, maxConsecutiveLosses: 2, ...config }),
    auditLogger: audit,
    initialBalance: 10_000,
    clock,
  });
  tracker = new PositionTracker(audit, { clock });
  engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
  await engine.start();
  exchange.emitPrice('BTC-USD', '50000');
  await engine.idle();
}

beforeEach(async () => {
  await setup();
});

afterEach(async () => {
  await engine.stop().catch(() => undefined);
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

describe('TradingEngine', () => {
  it('never sends an order that fails risk, and audits the rejection', async () => {
    const result = await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '50000',
      quantity: '1', // 50,000 notional > 1,000 limit
    });
    expect(result.status).toBe('rejected');
    if (result.status !== 'rejected') return;
    expect(result.code).toBe('ORDER_NOTIONAL_EXCEEDED');
    expect(exchange.placed).toHaveLength(0);
    const types = (await entries()).map((e) => e.type);
    expect(types).toContain('risk_rejected');
    expect(types).not.toContain('order_submitted');
  });

  it('audits an approved order as submitted before it reaches the exchange', async () => {
    const result = await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '49000',
      quantity: '0.01',
    });
    expect(result.status).toBe('submitted');
    expect(exchange.placed).toHaveLength(1);
    const log = await entries();
    const submitted = log.find((e) => e.type === 'order_submitted');
    const accepted = log.find((e) => e.type === 'order_accepted');
    expect(submitted).toBeDefined();
    expect(accepted).toBeDefined();
    expect((submitted?.seq ?? 0) < (accepted?.seq ?? 0)).toBe(true);
    expect(exchange.placed[0]?.clientOrderId).toBe(result.status === 'submitted' ? result.clientOrderId : '');
  });

  it('applies fills to positions and keeps risk in step', async () => {
    await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '50000',
      quantity: '0.01',
    });
    const clientId = exchange.placed[0]?.clientOrderId;
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000', clientId));
    await engine.idle();
    expect(tracker.getPosition('BTC-USD')?.quantity.toString()).toBe('0.01');
    expect(risk.positions().map((p) => p.symbol)).toEqual(['BTC-USD']);
    expect(engine.workingOrders()).toHaveLength(0);
  });

  it('ignores a duplicate fill from the exchange: position, risk and stats do not change', async () => {
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000'));
    await engine.idle();
    const before = tracker.getPosition('BTC-USD')?.quantity.toString();
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000'));
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000'));
    await engine.idle();
    expect(tracker.getPosition('BTC-USD')?.quantity.toString()).toBe(before);
    expect(engine.stats.fills).toBe(1);
    expect(engine.stats.duplicateFills).toBe(2);
    expect((await entries()).filter((e) => e.type === 'fill_duplicate')).toHaveLength(2);
  });

  it('each round trip a fill completes (a close, a flip) reaches risk and the observer exactly once', async () => {
    await engine.stop();
    const closed: string[] = [];
    engine = new TradingEngine({
      exchange,
      risk,
      tracker,
      audit,
      clock,
      observer: { onPositionClosed: (p) => closed.push(`${p.side} ${p.netRealizedPnl.toFixed()}`) },
    });
    await engine.start();
    exchange.emitFill(fill('c1', 'buy', '0.01', '50000'));
    exchange.emitFill(fill('c2', 'sell', '0.005', '49000')); // partial close: no round trip yet
    exchange.emitFill(fill('c3', 'sell', '0.015', '49000')); // closes the long, opens 0.01 short
    exchange.emitFill(fill('c3', 'sell', '0.015', '49000')); // the venue re-sends it: nothing
    await engine.idle();
    // -10 realized; fees 1 + 1 + the closing third of c3's
    expect(closed).toEqual(['long -12.333333333333333333']);
    expect(engine.stats.closedPositions).toBe(1);
    expect(engine.halted).toBe(false);
    exchange.emitFill(fill('c4', 'buy', '0.01', '49500')); // closes the short at a loss: the second
    await engine.idle();
    // -5 realized; fees: the opening two thirds of c3's (the exact remainder) + 1
    expect(closed).toEqual(['long -12.333333333333333333', 'short -6.666666666666666667']);
    expect(engine.stats.closedPositions).toBe(2);
    expect(tracker.getPosition('BTC-USD')).toBeUndefined();
    expect(risk.positions()).toEqual([]);
    // Two losing round trips in a row: maxConsecutiveLosses 2 trips the breaker.
    expect(engine.halted).toBe(true);
  });

  it('a liquidation fill is audited as a risk event, trips the breaker and cancels resting orders', async () => {
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000'));
    await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'sell',
      orderType: 'limit',
      price: '51000',
      quantity: '0.01',
    });
    await engine.idle();
    expect(engine.halted).toBe(false);
    exchange.emitFill(
      Fill.parse({
        ...fill('liq1', 'sell', '0.01', '40000'),
        startPosition: '0.01',
        dir: 'Liquidated Long',
        liquidation: { liquidatedUser: '0xabc', markPx: '40010', method: 'market' },
      }),
    );
    await engine.idle();
    expect(engine.halted).toBe(true);
    expect(exchange.open.size).toBe(0);
    expect(tracker.getPosition('BTC-USD')).toBeUndefined();
    const log = await entries();
    expect(log.find((e) => e.type === 'liquidation_fill')).toMatchObject({
      fillId: 'liq1',
      method: 'market',
    });
    expect(log.find((e) => e.type === 'circuit_breaker_tripped')?.reason).toMatch(/liquidation fill liq1/);
  });

  it('a venue startPosition that disagrees with the tracker is audited and stops trading', async () => {
    exchange.emitFill(Fill.parse({ ...fill('f1', 'buy', '0.01', '50000'), startPosition: '0' }));
    await engine.idle();
    expect(engine.halted).toBe(false);
    // The venue held 0.03 before this fill: two fills never reached us.
    exchange.emitFill(Fill.parse({ ...fill('f2', 'buy', '0.01', '50000'), startPosition: '0.03' }));
    await engine.idle();
    expect(engine.halted).toBe(true);
    const log = await entries();
    expect(log.find((e) => e.type === 'position_mismatch')).toMatchObject({ fillId: 'f2' });
    expect(log.find((e) => e.type === 'circuit_breaker_tripped')?.reason).toMatch(
      /0\.03 BTC-USD, tracker had 0\.01/,
    );
    const again = await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '49000',
      quantity: '0.01',
    });
    expect(again.status).toBe('rejected');
  });

  it('feeds deposits and withdrawals to risk, so a withdrawal is not a daily loss', async () => {
    clock.advance(1000);
    exchange.emitLedger('withdraw', '-3000');
    exchange.emitLedger('liquidation', '0', true);
    await engine.idle();
    expect(risk.state.dayStartEquity?.toString()).toBe('7000');
    await risk.updateAccount({ balance: '7000', equity: '7000' });
    expect(risk.state.tradingState).toBe('ACTIVE');
  });

  it('passes a ledger change to risk with its id, so one the venue sends twice moves the day start once', async () => {
    clock.advance(1000);
    exchange.emitLedger('withdraw', '-3000', false, '1700000001000:0xabc:withdraw');
    exchange.emitLedger('withdraw', '-3000', false, '1700000001000:0xabc:withdraw');
    await engine.idle();
    expect(risk.state.dayStartEquity?.toString()).toBe('7000');
  });

  it('a withdrawal the account read already shows, pushed late, reaches risk before the read: no daily loss, no REDUCING', async () => {
    await setup({ maxDailyLoss: 1000 });
    clock.advance(1000);
    exchange.moveMoney('withdraw', '-3000', 'w1');
    // The read shows 7,000; the venue's push of the withdrawal has not come. The sync brings it first.
    await engine.refreshAccount();
    expect(risk.state.tradingState).toBe('ACTIVE');
    expect(risk.state.dailyPnl.toString()).toBe('0');
    expect(risk.state.dayStartEquity?.toString()).toBe('7000');
    // Its push later changes nothing (by id).
    exchange.emitLedger('withdraw', '-3000', false, 'w1');
    await engine.idle();
    expect(risk.state.dayStartEquity?.toString()).toBe('7000');
  });

  it('a deposit read before its push does not raise the day’s peak twice (no false drawdown later)', async () => {
    await setup({ maxDrawdownPercent: 0.2, maxDailyLoss: 100_000, maxDailyLossPercent: 0.5 });
    clock.advance(1000);
    exchange.moveMoney('deposit', '5000', 'd1');
    // Nothing to latch: no sync. The read sets a peak of 15,000 measured holding the deposit; its push
    // comes after.
    await engine.refreshAccount();
    expect(exchange.ledgerSyncs).toBe(0);
    exchange.pushLedger();
    await engine.idle();
    expect(risk.state.dayStartEquity?.toString()).toBe('15000');
    expect(risk.state.peakEquity?.toString()).toBe('15000');
    // 1,000 below the 15,000 peak: 6.7%. Had the peak been raised by the read and again by the flow
    // (20,000), this would be a 25% drawdown.
    exchange.balance = toDecimal(14_000);
    await engine.refreshAccount();
    expect(risk.state.tradingState).toBe('ACTIVE');
  });

  it('syncs the ledger only for a read that would latch REDUCING (each sync costs venue weight)', async () => {
    await setup({ maxDailyLoss: 1000 });
    const before = exchange.ledgerSyncs;
    clock.advance(1000);
    exchange.balance = toDecimal(9_900);
    await engine.refreshAccount();
    await engine.refreshAccount();
    expect(exchange.ledgerSyncs).toBe(before);
    exchange.balance = toDecimal(8_500);
    await engine.refreshAccount();
    expect(exchange.ledgerSyncs).toBe(before + 1);
    expect(risk.state.tradingState).toBe('REDUCING');
  });

  it('reads the account one refresh at a time, in call order: an older read never lands after a newer one', async () => {
    let release: () => void = () => undefined;
    exchange.holdNextAccountRead = new Promise((r) => {
      release = r;
    });
    const reads = exchange.accountReads;
    exchange.balance = toDecimal(9_900);
    const first = engine.refreshAccount();
    await new Promise((r) => setTimeout(r, 10));
    exchange.balance = toDecimal(9_800);
    const second = engine.refreshAccount();
    await new Promise((r) => setTimeout(r, 10));
    // The second waits for the first, which is still reading.
    expect(exchange.accountReads).toBe(reads + 1);
    release();
    expect((await first).equity.toString()).toBe('9900');
    expect((await second).equity.toString()).toBe('9800');
    expect(risk.state.dailyPnl.toString()).toBe('-200');
  });

  it('without a ledger sync the same read is a loss of the withdrawal (why the engine syncs)', async () => {
    await setup({ maxDailyLoss: 1000 });
    delete exchange.syncLedger;
    clock.advance(1000);
    exchange.moveMoney('withdraw', '-3000', 'w1');
    await engine.refreshAccount();
    expect(risk.state.tradingState).toBe('REDUCING');
  });

  it('a failed ledger sync still reports the read, then rejects with the failure', async () => {
    await setup({ maxDailyLoss: 1000 });
    clock.advance(1000);
    exchange.balance = exchange.balance.minus(1500);
    exchange.syncLedgerFailure = new Error('ledger read timed out');
    await expect(engine.refreshAccount()).rejects.toThrow('ledger read timed out');
    expect(risk.state.dailyPnl.toString()).toBe('-1500');
  });

  it("feeds the venue's mark and oracle to risk, which refuses an order near the mid but far from the oracle", async () => {
    exchange.emitReference('BTC-USD', '50000', '44000');
    await engine.idle();
    const far = await engine.submitOrder(limitBuy('49000'));
    expect(far.status).toBe('rejected');
    expect(exchange.placed).toHaveLength(0);
    exchange.emitReference('BTC-USD', '50000', '49500');
    await engine.idle();
    expect((await engine.submitOrder(limitBuy('49000'))).status).not.toBe('rejected');
    expect(exchange.placed).toHaveLength(1);
  });

  it('cancels every open order when the circuit breaker trips, and rejects new orders', async () => {
    await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '49000',
      quantity: '0.01',
    });
    await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'sell',
      orderType: 'limit',
      price: '51000',
      quantity: '0.01',
    });
    expect(exchange.open.size).toBe(2);
    await engine.tripCircuitBreaker('operator kill switch');
    await engine.idle();
    expect(exchange.open.size).toBe(0);
    expect(exchange.cancelAllCalls).toHaveLength(1);
    expect(engine.halted).toBe(true);
    const again = await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '49000',
      quantity: '0.01',
    });
    expect(again.status).toBe('rejected');
    expect(exchange.placed).toHaveLength(2);
    const log = await entries();
    expect(log.some((e) => e.type === 'circuit_breaker_tripped')).toBe(true);
    expect(log.some((e) => e.type === 'orders_cancelled')).toBe(true);
  });

  it('sends an opening order with the shared lease’s end as its deadline; a reducing one has none', async () => {
    await engine.stop();
    // A shared budget whose lease ends 700 ms from now (the in-process one has no deadline).
    class LeasedBudget extends LocalRiskBudget {
      readonly takesValidUntil = clock.now() + 700;
    }
    risk = new RiskManager({
      config: RiskConfig.from({}),
      audit,
      initialBalance: 10_000,
      clock,
      budget: new LeasedBudget(),
    });
    engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
    await engine.start();
    exchange.emitPrice('BTC-USD', '50000');
    await engine.idle();
    expect((await engine.submitOrder(limitBuy('49000'))).status).toBe('submitted');
    expect(exchange.placed.at(-1)?.notAfter).toBe(clock.now() + 700);
    // Long 0.01 (filled), then a sell that only reduces it: no budget take, so no deadline.
    exchange.emitFill(Fill.parse(fill('f1', 'buy', '0.01', '50000')));
    await engine.idle();
    const exit = await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'sell',
      orderType: 'limit',
      price: '50500',
      quantity: '0.01',
      reduceOnly: true,
    });
    expect(exit.status).toBe('submitted');
    expect(exchange.placed.at(-1)?.notAfter).toBeUndefined();
  });

  it('sends no deadline without a shared budget', async () => {
    expect((await engine.submitOrder(limitBuy('49000'))).status).toBe('submitted');
    expect(exchange.placed.at(-1)).not.toHaveProperty('notAfter', expect.anything());
  });

  it('halts and cancels its orders when another bot on the account trips the shared breaker', async () => {
    // Two bots on one account: this engine's risk and another manager share one budget.
    await engine.stop();
    const budget = new LocalRiskBudget();
    risk = new RiskManager({ config: RiskConfig.from({}), audit, initialBalance: 10_000, clock, budget });
    const other = new RiskManager({
      config: RiskConfig.from({}),
      audit,
      initialBalance: 10_000,
      clock,
      budget,
    });
    engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
    await engine.start();
    exchange.emitPrice('BTC-USD', '50000');
    await engine.idle();
    await engine.submitOrder(limitBuy('49000'));
    expect(exchange.open.size).toBe(1);
    await other.tripCircuitBreaker('kill from the other terminal');
    await engine.idle();
    expect(exchange.open.size).toBe(0);
    expect(engine.halted).toBe(true);
    expect(risk.state.circuitBreakerReason).toBe('shared breaker: kill from the other terminal');
    expect((await engine.submitOrder(limitBuy('49000'))).status).toBe('rejected');
    // One reset on the account resumes this bot, and a later trip cancels again.
    clock.advance(RiskConfig.from({}).circuitBreakerCooldownMinutes * 60_000);
    expect(other.resetCircuitBreaker()).toBe(true);
    expect(engine.halted).toBe(false);
    exchange.emitPrice('BTC-USD', '50000');
    await engine.idle();
    expect((await engine.submitOrder(limitBuy('49000'))).status).toBe('submitted');
    await other.tripCircuitBreaker('again');
    await engine.idle();
    expect(exchange.open.size).toBe(0);
  });

  it('trips the breaker after consecutive losing trades and cancels resting orders', async () => {
    await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '40000',
      quantity: '0.01',
    });
    for (const [i, exit] of ['49000', '48000'].entries()) {
      exchange.emitFill(fill(`open-${i}`, 'buy', '0.01', '50000'));
      exchange.emitFill(fill(`close-${i}`, 'sell', '0.01', exit));
      await engine.idle();
    }
    expect(tracker.getClosedPositions()).toHaveLength(2);
    expect(risk.state.circuitBreakerTripped).toBe(true);
    expect(exchange.open.size).toBe(0);
  });

  it('frees the reservation of an order the venue refused, and audits the refusal once', async () => {
    exchange.failNextWith = new ExchangeError('INSUFFICIENT_MARGIN', 'not enough margin');
    const result = await engine.submitOrder(limitBuy('49000'));
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.mayBeLive).toBe(false);
    expect(risk.state.consecutiveErrors).toBe(1);
    expect(risk.reservations()).toHaveLength(0);
    expect((await entries()).filter((e) => e.type === 'order_rejected')).toHaveLength(1);
  });

  it('keeps counting an order whose send failed without a verdict until the venue settles it', async () => {
    await setup({ maxOpenOrders: 1 });
    exchange.failNextWith = new Error('socket hang up');
    const first = await engine.submitOrder(limitBuy('49000'));
    expect(first.status === 'failed' && first.mayBeLive).toBe(true);
    expect(risk.reservations()).toHaveLength(1);
    // The possibly-live order holds its slot: a second one cannot pass.
    const second = await engine.submitOrder(limitBuy('49000'));
    expect(second.status === 'rejected' && second.code).toBe('MAX_OPEN_ORDERS_EXCEEDED');
    // Still unknown to the venue but inside the grace period: it keeps counting.
    clock.advance(30_000);
    expect(await engine.resolveUnknownOrders()).toBe(1);
    expect(risk.reservations()).toHaveLength(1);
    // Past the grace period the venue's silence is final: never placed.
    clock.advance(31_000);
    expect(await engine.resolveUnknownOrders()).toBe(0);
    expect(risk.reservations()).toHaveLength(0);
    const log = await entries();
    expect(log.filter((e) => e.type === 'order_rejected')).toHaveLength(1);
    expect(log.filter((e) => e.type === 'order_accepted')).toHaveLength(0);
  });

  it('accepts a possibly-live order once the venue reports it, writing order_accepted once', async () => {
    exchange.failNextWith = new Error('timeout');
    const r = await engine.submitOrder(limitBuy('49000'));
    const id = r.status === 'failed' ? r.clientOrderId : '';
    exchange.statuses.set(id, {
      orderId: '777',
      clientOrderId: id,
      symbol: 'BTC-USD',
      status: 'resting',
      filledQuantity: toDecimal(0),
      remainingQuantity: toDecimal('0.005'),
      timestamp: clock.now(),
    });
    expect(await engine.resolveUnknownOrders()).toBe(0);
    expect(engine.workingOrders().map((o) => o.orderId)).toEqual(['777']);
    expect(risk.reservations()[0]?.status).toBe('working');
    await engine.resolveUnknownOrders();
    exchange.emitUpdate({
      ...(exchange.statuses.get(id) as OrderUpdate),
      status: 'cancelled',
      reason: 'canceled',
    });
    await engine.idle();
    expect(engine.workingOrders()).toEqual([]);
    expect(risk.reservations()).toEqual([]);
    const log = await entries();
    expect(log.filter((e) => e.type === 'order_accepted')).toHaveLength(1);
    expect(log.filter((e) => e.type === 'order_cancelled')).toHaveLength(1);
  });

  it('drops a cancelled order and frees its hold, with one order_cancelled however many reports arrive', async () => {
    const r = await engine.submitOrder(limitBuy('49000'));
    expect(r.status).toBe('submitted');
    const id = r.status === 'submitted' ? r.clientOrderId : '';
    expect(engine.workingOrders()).toHaveLength(1);
    expect(await engine.cancelOrder('BTC-USD', id)).toBe(true);
    exchange.emitUpdate({
      orderId: 'v1',
      clientOrderId: id,
      symbol: 'BTC-USD',
      status: 'cancelled',
      filledQuantity: toDecimal(0),
      remainingQuantity: toDecimal('0.005'),
      reason: 'canceled',
      timestamp: clock.now(),
    });
    await engine.idle();
    expect(engine.workingOrders()).toEqual([]);
    expect(risk.reservations()).toEqual([]);
    await engine.submitOrder(limitBuy('49000'));
    await engine.submitOrder(limitBuy('48000'));
    expect(risk.reservations()).toHaveLength(2);
    expect(await engine.cancelAllOrders(undefined, 'test')).toBe(2);
    await engine.idle();
    expect(engine.workingOrders()).toEqual([]);
    expect(risk.reservations()).toEqual([]);
    expect((await entries()).filter((e) => e.type === 'order_cancelled')).toHaveLength(3);
  });

  it('entering REDUCING cancels every resting order that is not reduce-only', async () => {
    await setup({ maxDailyLoss: 100 });
    await engine.submitOrder(limitBuy('49000'));
    expect(exchange.open.size).toBe(1);
    exchange.balance = toDecimal(9_800);
    await engine.refreshAccount();
    expect(risk.state.tradingState).toBe('REDUCING');
    await engine.idle();
    expect(exchange.open.size).toBe(0);
    expect(engine.workingOrders()).toEqual([]);
    expect(risk.reservations()).toEqual([]);
  });

  it('after a failed cancel on halt, retries with backoff until the venue lists no open order', async () => {
    await engine.stop();
    engine = new TradingEngine({
      exchange,
      risk,
      tracker,
      audit,
      clock,
      cancelRetry: { baseDelayMs: 10, maxDelayMs: 40 },
    });
    await engine.start();
    await engine.submitOrder(limitBuy('49000'));
    exchange.cancelAllFailures = 3;
    await engine.tripCircuitBreaker('test');
    expect(engine.ordersMayBeLive).toBe(true);
    for (let i = 0; i < 200 && engine.ordersMayBeLive; i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.ordersMayBeLive).toBe(false);
    expect(exchange.open.size).toBe(0);
    const failures = (await entries()).filter(
      (e) => e.type === 'error' && e.message.includes('cancel on halt'),
    );
    expect(failures).toHaveLength(3);
  });

  it('cancels resting orders that could open risk and keeps reduce-only ones', async () => {
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000'));
    await engine.idle();
    await engine.submitOrder(limitBuy('49000'));
    await engine.submitOrder({ ...limitBuy('51000'), side: 'sell', reduceOnly: true });
    expect(await engine.cancelOpeningOrders('reducing')).toBe(1);
    await engine.idle();
    expect(engine.workingOrders().map((o) => o.reduceOnly)).toEqual([true]);
    expect(risk.reservations()).toHaveLength(1);
  });

  it('halts and rejects every order after a fill it cannot apply', async () => {
    exchange.emitFill({
      ...fill('f1', 'buy', '0.01', '50000'),
      quantity: fill('x', 'buy', '1', '1').quantity.neg(),
    });
    await engine.idle();
    expect(engine.halted).toBe(true);
    const result = await engine.submitOrder({
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      price: '49000',
      quantity: '0.01',
    });
    expect(result.status).toBe('rejected');
    if (result.status === 'rejected') expect(result.code).toBe('ENGINE_PIPELINE_FAILED');
    expect(exchange.placed).toHaveLength(0);
  });

  it('gives strategies a context without the exchange, and calls their hooks in order', async () => {
    const seen: string[] = [];
    let ctxKeys: string[] = [];
    const strategy: Strategy = {
      name: 'probe',
      onStart(ctx: StrategyContext) {
        ctxKeys = Object.keys(ctx);
        seen.push('start');
      },
      async onBar(_bar, ctx) {
        seen.push('bar');
        await ctx.submitOrder({
          symbol: 'BTC-USD',
          side: 'buy',
          orderType: 'limit',
          price: '49000',
          quantity: '0.01',
        });
      },
      onStop() {
        seen.push('stop');
      },
    };
    await engine.stop();
    engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
    await engine.start(strategy);
    const bar = {
      symbol: 'BTC-USD',
      openTime: clock.now(),
      open: fill('x', 'buy', '1', '50000').price,
      high: fill('x', 'buy', '1', '50000').price,
      low: fill('x', 'buy', '1', '50000').price,
      close: fill('x', 'buy', '1', '50000').price,
      volume: fill('x', 'buy', '1', '1').quantity,
    };
    await engine.onBar(bar);
    await engine.stop();
    expect(seen).toEqual(['start', 'bar', 'stop']);
    expect(ctxKeys).not.toContain('exchange');
    expect(exchange.placed).toHaveLength(1);
    expect(exchange.open.size).toBe(0); // stop cancels open orders
  });
});
