import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TradingEngine } from '../src/index.js';
import { RecordingExchange } from './recording-exchange.js';

let dir: string;
let audit: AuditLogger;
let clock: ManualClock;
let exchange: RecordingExchange;
let risk: RiskManager;
let engine: TradingEngine;

const order = {
  symbol: 'BTC-USD',
  side: 'buy',
  orderType: 'limit',
  quantity: '0.001',
  price: '50000',
} as const;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-engine-fc-'));
  clock = new ManualClock('2026-01-05T10:00:00Z');
  audit = await AuditLogger.open(dir, { clock, durability: 'none' });
  exchange = new RecordingExchange(() => clock.now());
  risk = new RiskManager({ config: RiskConfig.from({}), auditLogger: audit, initialBalance: 10_000, clock });
  const tracker = new PositionTracker(audit, { clock });
  engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
  await engine.start();
  exchange.emitPrice('BTC-USD', '50000');
  await engine.idle();
});

afterEach(async () => {
  await engine.stop().catch(() => undefined);
  await audit.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('the engine fails closed on', () => {
  it('a venue fault (a fill the adapter could not read): the breaker trips and nothing is sent', async () => {
    expect((await engine.submitOrder(order)).status).toBe('submitted');
    const sent = exchange.placed.length;
    exchange.emitFault(new Error('WebSocket userFills message holds a fill that cannot be read'));
    await engine.idle();
    expect(risk.state.circuitBreakerTripped).toBe(true);
    expect(risk.state.circuitBreakerReason).toMatch(/venue fault: .*cannot be read/);
    expect((await engine.submitOrder(order)).status).not.toBe('submitted');
    expect(exchange.placed.length).toBe(sent);
  });

  it('the audit day file deleted under the running logger: trading halts, nothing is sent', async () => {
    expect((await engine.submitOrder(order)).status).toBe('submitted');
    const sent = exchange.placed.length;
    await rm(join(dir, 'audit-2026-01-05.jsonl'));
    const result = await engine.submitOrder(order);
    expect(result.status).not.toBe('submitted');
    expect(exchange.placed.length).toBe(sent);
    expect(audit.failure).toMatchObject({ code: 'AUDIT_FILE_REPLACED' });
    expect((await engine.submitOrder(order)).status).not.toBe('submitted');
    expect(exchange.placed.length).toBe(sent);
  });
});
