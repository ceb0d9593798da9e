import {
  type AuditEntry,
  type AuditEventInput,
  type AuditSink,
  ManualClock,
  PositionSnapshot,
} from '@hl-bot/core-types';
import { afterAll, bench, describe } from 'vitest';
import { RiskConfig, RiskManager } from '../src/index.js';

/** Approvals write nothing; a sink that drops events keeps the benchmark on the decision itself. */
const nullSink: AuditSink = {
  append: async (event: AuditEventInput) =>
    ({ ...event, seq: 1, timestamp: 0, prevHash: '', hash: '' }) as unknown as AuditEntry,
};

const config = RiskConfig.from({
  maxPositionSizeUsd: '1000000000',
  maxPositionSizePercent: '1',
  maxOrderNotional: '1000000000',
  maxOrderNotionalPercent: '1',
  maxOpenOrders: 1_000_000,
  maxTotalExposure: '1000000000000',
  maxExposurePercent: '1',
  maxLeverage: '1000',
  maxPositions: 1_000_000,
  maxOrdersPerMinute: 1_000_000_000,
  maxOrdersPerSecond: 1_000_000_000,
});

function manager(positions: number): { risk: RiskManager; snapshots: PositionSnapshot[] } {
  const clock = new ManualClock(Date.parse('2026-03-02T12:00:00Z'));
  const risk = new RiskManager({ config, auditLogger: nullSink, initialBalance: '100000000000', clock });
  const snapshots: PositionSnapshot[] = [];
  for (let i = 0; i < positions; i++) {
    const symbol = `S${i}-USD`;
    risk.updateMarketPrice(symbol, '10');
    const snap = PositionSnapshot.parse({ symbol, side: 'long', quantity: '1', entryPrice: '10' });
    risk.updatePosition(snap);
    snapshots.push(snap);
  }
  risk.updateMarketPrice('BTC-USD', '50000');
  return { risk, snapshots };
}

const order = {
  symbol: 'BTC-USD',
  side: 'buy',
  orderType: 'limit',
  quantity: '0.01',
  price: '50000',
} as const;

async function once(risk: RiskManager, positions?: PositionSnapshot[]): Promise<void> {
  const r = await risk.checkOrder(order, positions);
  if (!r.approved || r.reservation === undefined) throw new Error(`benchmark order rejected: ${r.reason}`);
  risk.releaseReservation(r.reservation.id, 'cancelled');
}

const SIZES = [1, 100, 10_000];
const managers = new Map(SIZES.map((n) => [n, manager(n)]));

describe('checkOrder, positions kept incrementally (updatePosition)', () => {
  for (const n of SIZES) {
    const m = managers.get(n);
    if (m === undefined) continue;
    bench(`${n} open positions`, () => once(m.risk));
  }
});

describe('checkOrder, positions passed with every call (same snapshot objects)', () => {
  for (const n of SIZES) {
    const m = managers.get(n);
    if (m === undefined) continue;
    bench(`${n} open positions`, () => once(m.risk, m.snapshots));
  }
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

afterAll(async () => {
  const rows: string[] = [];
  for (const [label, withArray] of [
    ['incremental', false],
    ['array', true],
  ] as const) {
    for (const n of SIZES) {
      const m = managers.get(n);
      if (m === undefined) continue;
      const times: number[] = [];
      // Passing 10,000 positions per call is O(n): fewer samples keep the run short.
      const samples = withArray && n > 1000 ? 500 : 20_000;
      for (let i = 0; i < Math.min(samples, 2_000); i++)
        await once(m.risk, withArray ? m.snapshots : undefined);
      for (let i = 0; i < samples; i++) {
        const t = process.hrtime.bigint();
        await once(m.risk, withArray ? m.snapshots : undefined);
        times.push(Number(process.hrtime.bigint() - t) / 1000);
      }
      times.sort((a, b) => a - b);
      rows.push(
        `${label.padEnd(12)} ${String(n).padStart(6)} positions  p50=${percentile(times, 0.5).toFixed(1)}us  p99=${percentile(times, 0.99).toFixed(1)}us`,
      );
    }
  }
  console.log(
    `\ncheckOrder latency (checkOrder + releaseReservation; 20,000 samples, 500 for array x 10,000)\n${rows.join('\n')}`,
  );
}, 300_000);
