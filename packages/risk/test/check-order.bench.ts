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
  maxOrdersPerMinute: 1_000_000,
  maxOrdersPerSecond: 1_000_000,
  // The clock moves 1 ms per call (below), so marks set once must stay fresh for the whole run.
  maxMarketPriceAgeMs: 3_600_000,
});

interface Bench {
  risk: RiskManager;
  clock: ManualClock;
  snapshots: PositionSnapshot[];
}

function manager(positions: number): Bench {
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
  return { risk, clock, snapshots };
}

const order = {
  symbol: 'BTC-USD',
  side: 'buy',
  orderType: 'limit',
  quantity: '0.01',
  price: '50000',
} as const;

/**
 * One user-visible decision: checkOrder, then releaseReservation. Time moves 1 ms per call, as it does for a
 * busy bot, so the rate-limit windows evict old entries as they do in production (a frozen clock would keep
 * every approval of the run inside the window and grow those arrays without bound).
 */
async function once(m: Bench, positions?: PositionSnapshot[]): Promise<void> {
  m.clock.advance(1);
  const r = await m.risk.checkOrder(order, positions);
  if (!r.approved || r.reservation === undefined) throw new Error(`benchmark order rejected: ${r.reason}`);
  m.risk.releaseReservation(r.reservation.id, 'cancelled');
}

const SIZES = [1, 100, 10_000];
const managers = new Map(SIZES.map((n) => [n, manager(n)]));

describe('checkOrder, positions kept incrementally (updatePosition)', () => {
  for (const n of SIZES) {
    const m = managers.get(n);
    if (m === undefined) continue;
    bench(`${n} open positions`, () => once(m));
  }
});

describe('checkOrder, positions passed with every call (same snapshot objects)', () => {
  for (const n of SIZES) {
    const m = managers.get(n);
    if (m === undefined) continue;
    bench(`${n} open positions`, () => once(m, m.snapshots));
  }
});

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

const ROUNDS = 5;
const fmt = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${us.toFixed(1)}us`);

/**
 * Latency as a caller sees it: each sample is one awaited checkOrder + releaseReservation, GC pauses
 * included. After a warm-up, ROUNDS rounds of samples are taken; p50/p99/p99.9 are over all samples pooled,
 * and the lowest and highest per-round p99 show how stable the figure is on this machine.
 */
afterAll(async () => {
  const rows: string[] = [];
  for (const [label, withArray] of [
    ['incremental', false],
    ['array', true],
  ] as const) {
    for (const n of SIZES) {
      const m = managers.get(n);
      if (m === undefined) continue;
      const positions = withArray ? m.snapshots : undefined;
      // Passing 10,000 positions per call is O(n): fewer samples keep the run short.
      const perRound = withArray && n > 1000 ? 400 : 20_000;
      for (let i = 0; i < Math.min(perRound, 5_000); i++) await once(m, positions);
      const all = new Float64Array(perRound * ROUNDS);
      const roundP99: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const times = new Float64Array(perRound);
        for (let i = 0; i < perRound; i++) {
          const t = process.hrtime.bigint();
          await once(m, positions);
          times[i] = Number(process.hrtime.bigint() - t) / 1000;
        }
        all.set(times, round * perRound);
        times.sort();
        roundP99.push(percentile(times, 0.99));
      }
      all.sort();
      rows.push(
        `${label.padEnd(12)} ${String(n).padStart(6)} positions  p50=${fmt(percentile(all, 0.5))}  p99=${fmt(percentile(all, 0.99))}  p99.9=${fmt(percentile(all, 0.999))}  p99 per round ${fmt(Math.min(...roundP99))}..${fmt(Math.max(...roundP99))}`,
      );
    }
  }
  console.log(
    `\ncheckOrder latency (checkOrder + releaseReservation; ${ROUNDS} rounds x 20,000 samples, 400 for array x 10,000; after warm-up)\n${rows.join('\n')}`,
  );
}, 300_000);
