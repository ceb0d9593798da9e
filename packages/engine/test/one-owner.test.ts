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

function fill(id: string, side: 'buy' | 'sell', quantity: string, price: string): Fill {
  return Fill.parse({
    id,
    orderId: `o-${id}`,
    symbol: 'BTC-USD',
    side,
    quantity,
    price,
    fee: '0',
    timestamp: clock.now(),
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-engine-owner-'));
  clock = new ManualClock('2026-01-05T10:00:00Z');
  audit = await AuditLogger.open(dir, { clock, durability: 'none' });
  exchange = new RecordingExchange(() => clock.now());
  risk = new RiskManager({
    config: RiskConfig.from({ maxOrderNotional: 1000, maxPositions: 3 }),
    auditLogger: audit,
    initialBalance: 10_000,
    clock,
  });
  tracker = new PositionTracker(audit, { clock });
  engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
  await engine.start();
});

afterEach(async () => {
  await engine.stop().catch(() => undefined);
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

describe('one owner per fact', () => {
  it('a mark is held once, by risk: the strategy reads it there and the tracker is valued at it', async () => {
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
});
