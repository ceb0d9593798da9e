import {
  type AuditEntry,
  AuditEvent,
  type AuditEventInput,
  type AuditSink,
  ManualClock,
  type OrderRequestInput,
  type RiskBudget,
} from '@hl-bot/core-types';
import { RiskConfig, type RiskConfigInput, RiskManager } from '../src/index.js';

/** An in-memory sink that validates every event against the shared schema, like the real logger. */
export class MemorySink implements AuditSink {
  readonly entries: AuditEntry[] = [];
  failWith: Error | null = null;

  async append(event: AuditEventInput): Promise<AuditEntry> {
    if (this.failWith !== null) throw this.failWith;
    const parsed = AuditEvent.parse(event);
    const entry = {
      ...parsed,
      seq: this.entries.length + 1,
      timestamp: parsed.timestamp ?? 0,
      prevHash: '0'.repeat(64),
      hash: '0'.repeat(64),
    } as AuditEntry;
    this.entries.push(entry);
    return entry;
  }

  ofType<T extends AuditEntry['type']>(type: T): Extract<AuditEntry, { type: T }>[] {
    return this.entries.filter((e): e is Extract<AuditEntry, { type: T }> => e.type === type);
  }
}

export const T0 = Date.parse('2026-03-02T12:00:00Z');

/** Limits no test order reaches; a test lays the one limit it is about over them. */
export const GENEROUS_LIMITS = {
  maxPositionSizeUsd: '1000000',
  maxPositionSizePercent: '1',
  maxOrderNotional: '1000000',
  maxOrderNotionalPercent: '1',
  maxOpenOrders: 1000,
  maxDailyLoss: '1000000',
  maxDailyLossPercent: '1',
  maxDrawdownPercent: '1',
  maxTotalExposure: '1000000',
  maxExposurePercent: '1',
  maxLeverage: '100',
  maxPositions: 1000,
  maxOrdersPerMinute: 1000,
  maxOrdersPerSecond: 1000,
  // The widest price bands allowed: the venue's own 95 %.
  maxPriceDeviation: '0.95',
  maxSlippagePercent: '0.95',
} as const satisfies RiskConfigInput;

export interface Setup {
  risk: RiskManager;
  sink: MemorySink;
  clock: ManualClock;
  config: RiskConfig;
}

/** A manager with generous limits except those the test sets, $10,000 equity and BTC at 50,000. */
export function setup(
  limits: RiskConfigInput = {},
  initialBalance: string | null = '10000',
  budget?: RiskBudget,
): Setup {
  const clock = new ManualClock(T0);
  const sink = new MemorySink();
  const config = RiskConfig.from({ ...GENEROUS_LIMITS, ...limits });
  const risk = new RiskManager({
    config,
    auditLogger: sink,
    clock,
    ...(initialBalance === null ? {} : { initialBalance }),
    ...(budget === undefined ? {} : { budget }),
  });
  risk.updateMarketPrice('BTC-USD', '50000');
  return { risk, sink, clock, config };
}

export function limitBuy(quantity: string, price = '50000', symbol = 'BTC-USD'): OrderRequestInput {
  return { symbol, side: 'buy', orderType: 'limit', quantity, price };
}

export function limitSell(quantity: string, price = '50000', symbol = 'BTC-USD'): OrderRequestInput {
  return { symbol, side: 'sell', orderType: 'limit', quantity, price };
}

export function long(symbol: string, quantity: string, entryPrice: string) {
  return { symbol, side: 'long' as const, quantity, entryPrice };
}

export function short(symbol: string, quantity: string, entryPrice: string) {
  return { symbol, side: 'short' as const, quantity, entryPrice };
}

export function codes(result: { failures: readonly { code: string }[] }): string[] {
  return result.failures.map((f) => f.code);
}
