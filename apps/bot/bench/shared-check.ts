// checkOrder latency with the shared PostgreSQL budget vs the in-process default, same process, rounds
// interleaved: `node --expose-gc --import tsx bench/shared-check.ts` (HL_TEST_DATABASE_URL, or an embedded
// PostgreSQL from the test harness). Each sample: checkOrder + releaseReservation of an approved order,
// awaited, the clock 1 ms on per call.
import type { AuditEntry, AuditEventInput, AuditSink, RiskBudget } from '@hl-bot/core-types';
import { ManualClock } from '@hl-bot/core-types';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { PgRiskBudget } from '@hl-bot/risk-budget-pg';
import { startEmbeddedPg } from '@hl-bot/test-pg';

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
  maxMarketPriceAgeMs: 3_600_000,
});
const order = {
  symbol: 'BTC-USD',
  side: 'buy',
  orderType: 'limit',
  quantity: '0.01',
  price: '50000',
} as const;

function manager(budget?: RiskBudget) {
  const clock = new ManualClock(Date.parse('2026-03-02T12:00:00Z'));
  const risk = new RiskManager({
    config,
    audit: nullSink,
    initialBalance: '100000000000',
    clock,
    ...(budget === undefined ? {} : { budget }),
  });
  risk.updateMarketPrice('BTC-USD', '50000');
  return { risk, clock };
}

async function round(m: ReturnType<typeof manager>, n: number): Promise<Float64Array> {
  (globalThis as { gc?: () => void }).gc?.();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // A bot yields to its timers between events: without it the lease could not renew (and lapses).
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    m.clock.advance(1);
    const t = process.hrtime.bigint();
    const r = await m.risk.checkOrder(order);
    if (!r.approved || r.reservation === undefined) throw new Error(`rejected: ${r.reason}`);
    m.risk.releaseReservation(r.reservation.id, 'cancelled');
    out[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  return out;
}

const q = (a: Float64Array, p: number) => a[Math.min(a.length - 1, Math.floor(p * a.length))] ?? Number.NaN;

const external = process.env.HL_TEST_DATABASE_URL;
const server = external ? undefined : await startEmbeddedPg();
const url = external ?? (server?.url as string);
const budget = await PgRiskBudget.open({
  url,
  account: `bench-${Date.now()}`,
  botId: 'bench',
  caps: { maxExposure: '1000000000000', ordersPerMinute: 100_000_000, slice: '1' },
});
try {
  const local = manager();
  const shared = manager(budget);
  const N = Number(process.env.HL_BENCH_SAMPLES ?? 20_000);
  await round(local, 5000);
  await round(shared, 5000);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < 5; r++) {
    a.push(...(await round(local, N)));
    b.push(...(await round(shared, N)));
  }
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  console.log(`checkOrder + releaseReservation, 5 x ${N} samples each, interleaved rounds`);
  console.log(`in-process budget   p50 ${q(sa, 0.5).toFixed(2)} us  p99 ${q(sa, 0.99).toFixed(2)} us`);
  console.log(`PostgreSQL budget   p50 ${q(sb, 0.5).toFixed(2)} us  p99 ${q(sb, 0.99).toFixed(2)} us`);
  console.log(`p99 ratio ${(q(sb, 0.99) / q(sa, 0.99)).toFixed(2)}x`);
} finally {
  await budget.close();
  await server?.destroy();
}
