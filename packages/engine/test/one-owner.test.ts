import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { Fill, ManualClock } from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TradingEngine } from '../src/index.js';
import { RecordingExchange } from './recording-exchange.js';

// Each fact the engine moves between its parts has one owner; the others read it, so there is no second
// copy that could drift. These tests feed the engine the way a venue does and read every part.

let dir: string;
let audit: AuditLogger;
let clock: ManualClock;
let exchange: RecordingExchange;
let risk: RiskManager;
let tracker: PositionTracker;
let engine: TradingEngine;

function fill(id: string, side: 'buy' | 'sell', quantity: string, price: string, symbol = 'BTC-USD'): Fill {
  return Fill.parse({
    id,
    orderId: `o-${id}`,
    symbol,
    side,
    quantity,
    price,
    fee: '0',
    timestamp: clock.now(),
  });
}

/** Risk and tracker on one audit log; `before` runs on the tracker before the engine exists. */
async function setup(maxPositions: number, before?: (t: PositionTracker) => Promise<unknown>) {
  risk = new RiskManager({
    config: RiskConfig.from({ maxOrderNotional: 1000, maxPositions }),
    auditLogger: audit,
    initialBalance: 10_000,
    clock,
  });
  tracker = new PositionTracker(audit, { clock });
  await before?.(tracker);
  engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
  await engine.start();
}

function buy(symbol: string, price: string) {
  return { symbol, side: 'buy' as const, orderType: 'limit' as const, quantity: '0.01', price };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-engine-owner-'));
  clock = new ManualClock('2026-01-05T10:00:00Z');
  audit = await AuditLogger.open(dir, { clock, durability: 'none' });
  exchange = new RecordingExchange(() => clock.now());
});

afterEach(async () => {
  await engine.stop().catch(() => undefined);
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

describe('one owner per fact', () => {
  it('a mark is held once, by risk: the strategy reads it there and the tracker is valued at it', async () => {
    await setup(3);
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000'));
    const t = clock.now();
    exchange.emitPrice('BTC-USD', '50500', t);
    // A late copy of an older mark: the owner keeps the newest, and nobody else holds the old one.
    exchange.emitPrice('BTC-USD', '49000', t - 1000);
    await engine.idle();
    const mark = risk.getMark('BTC-USD');
    expect(mark?.price.toString()).toBe('50500');
    expect(mark?.timestamp).toBe(t);
    // The strategy's price is risk's mark itself, not a copy of it.
    expect(engine.context.getMarketPrice('BTC-USD')).toBe(mark?.price);
    const position = tracker.getPosition('BTC-USD');
    expect(position?.markPrice?.toString()).toBe('50500');
    expect(position?.unrealizedPnl.toString()).toBe('5');

    // A mark stamped beyond the clock skew risk allows is refused by the owner, so no part shows it.
    exchange.emitPrice('BTC-USD', '60000', t + 60_000);
    await engine.idle();
    expect(engine.context.getMarketPrice('BTC-USD')?.toString()).toBe('50500');
    expect(tracker.getPosition('BTC-USD')?.markPrice?.toString()).toBe('50500');

    // A symbol without a position has a mark too: the strategy reads it from the same owner.
    exchange.emitPrice('ETH-USD', '3000');
    await engine.idle();
    expect(engine.context.getMarketPrice('ETH-USD')).toBe(risk.getMark('ETH-USD')?.price);
    expect(engine.context.getMarketPrice('SOL-USD')).toBeUndefined();
  });

  it('a position is held once, by the tracker: risk checks the position the tracker holds, nothing is pushed to it', async () => {
    await setup(1);
    exchange.emitPrice('BTC-USD', '50000');
    exchange.emitPrice('ETH-USD', '3000');
    exchange.emitFill(fill('f1', 'buy', '0.01', '50000'));
    await engine.idle();
    const held = tracker.getPosition('BTC-USD');
    expect(risk.positions()).toEqual([held?.toPosition()]);
    // The one position slot is taken by the tracker's position: a second symbol is refused.
    const second = await engine.submitOrder(buy('ETH-USD', '3000'));
    expect(second.status === 'rejected' && second.code).toBe('MAX_POSITIONS_EXCEEDED');

    // The tracker changes outside the engine's pipeline (as the bot's reconciliation adopts the venue's
    // position): risk sees it at once, with no engine in between to carry a copy.
    await tracker.updateFromFill(fill('f2', 'sell', '0.01', '50100'));
    expect(tracker.getPosition('BTC-USD')).toBeUndefined();
    expect(risk.state.openPositions).toBe(0);
    expect(risk.positions()).toEqual([]);
    expect((await engine.submitOrder(buy('ETH-USD', '3000'))).status).toBe('submitted');
    // And nobody else may write risk's positions.
    expect(() =>
      risk.updatePosition({ symbol: 'SOL-USD', side: 'long', quantity: '1', entryPrice: '100' }),
    ).toThrow(/read from the tracker/);
  });

  it('positions a tracker holds before the engine is built (a recovered one) count in risk from the start', async () => {
    await setup(1, (t) => t.updateFromFill(fill('r1', 'buy', '0.01', '50000')));
    expect(risk.state.openPositions).toBe(1);
    expect(risk.positions()).toEqual([tracker.getPosition('BTC-USD')?.toPosition()]);
    exchange.emitPrice('BTC-USD', '50000');
    exchange.emitPrice('ETH-USD', '3000');
    await engine.idle();
    const other = await engine.submitOrder(buy('ETH-USD', '3000'));
    expect(other.status === 'rejected' && other.code).toBe('MAX_POSITIONS_EXCEEDED');
  });

  it('what of a working order is unfilled is held once, by its risk reservation: the engine reads it there', async () => {
    await setup(3);
    exchange.emitPrice('BTC-USD', '50000');
    await engine.idle();
    const sent = await engine.submitOrder({ ...buy('BTC-USD', '49000'), quantity: '0.02' });
    if (sent.status !== 'submitted') throw new Error(`not sent: ${sent.status}`);
    const id = sent.clientOrderId;
    exchange.emitFill(Fill.parse({ ...fill('p1', 'buy', '0.005', '49000'), clientOrderId: id }));
    await engine.idle();
    expect(risk.reservation(id)?.quantity.toString()).toBe('0.015');
    const [open] = engine.workingOrders();
    expect(open?.filledQuantity.toString()).toBe('0.005');
    expect(engine.context.getOpenOrders()).toEqual(engine.workingOrders());

    // Whatever releases the hold (here risk is told of a fill directly), the engine's view moves with it:
    // it keeps no count of its own to fall behind.
    risk.orderFilled(id, '0.01');
    expect(engine.workingOrders()[0]?.filledQuantity.toString()).toBe('0.015');

    // The last fill ends the hold, and with it the working order.
    exchange.emitFill(Fill.parse({ ...fill('p2', 'buy', '0.005', '49000'), clientOrderId: id }));
    await engine.idle();
    expect(risk.reservation(id)).toBeUndefined();
    expect(engine.workingOrders()).toEqual([]);
  });
});
