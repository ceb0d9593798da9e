// `pnpm bench` for @hl-bot/engine: a placed order through the whole engine path (risk check and reservation,
// order_submitted durable before the venue sees it, the venue call, order_accepted) against an in-process
// venue, with a group-commit AuditLogger on real files vs a sink that writes nothing. The floor (the same
// path without audit) is measured in the same run, interleaved order by order, so machine load hits both.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { type AuditEntry, type AuditSink, Decimal, ManualClock } from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { TradingEngine } from '../src/index.js';
import { RecordingExchange } from '../test/recording-exchange.js';

const ORDERS = Number(process.env.HL_BENCH_ORDERS ?? 400);

const NOTHING: AuditSink = {
  append: () =>
    Promise.resolve({
      type: 'note',
      message: '',
      seq: 0,
      timestamp: 0,
      prevHash: '',
      hash: '',
    } as AuditEntry),
};

async function engineWith(dir: string | undefined) {
  const clock = new ManualClock('2026-01-05T10:00:00Z');
  const audit: AuditSink =
    dir === undefined ? NOTHING : await AuditLogger.open(dir, { clock, durability: 'group' });
  const exchange = new RecordingExchange(() => clock.now());
  exchange.balance = new Decimal(10_000_000);
  const risk = new RiskManager({
    config: RiskConfig.from({
      maxOrderNotional: 1_000_000,
      maxOrdersPerMinute: 1_000_000,
      maxOrdersPerSecond: 1_000_000,
    }),
    audit,
    initialBalance: 10_000_000,
    clock,
    checkpointEvery: false,
  });
  const tracker = new PositionTracker(audit, { clock, checkpointEvery: false });
  const engine = new TradingEngine({ exchange, risk, tracker, audit, clock });
  await engine.start();
  let n = 0;
  return {
    audit,
    engine,
    /** ms of one placed (resting) order; the order is cancelled afterwards, outside the timing. */
    async place(): Promise<number> {
      n += 1;
      clock.advance(1000);
      exchange.emitPrice('BTC-USD', '50000');
      await engine.idle();
      const t0 = performance.now();
      const result = await engine.submitOrder({
        symbol: 'BTC-USD',
        side: 'buy',
        orderType: 'limit',
        quantity: '0.001',
        price: String(49_000 + (n % 100)),
      });
      const ms = performance.now() - t0;
      if (result.status !== 'submitted') throw new Error(`order not placed: ${JSON.stringify(result)}`);
      await engine.cancelAllOrders({ reason: 'bench' });
      return ms;
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const dir = await mkdtemp(join(tmpdir(), 'hl-engine-bench-'));
try {
  const audited = await engineWith(dir);
  const floor = await engineWith(undefined);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    await audited.place();
    await floor.place();
  }
  for (let i = 0; i < ORDERS; i += 1) {
    a.push(await audited.place());
    b.push(await floor.place());
  }
  await audited.engine.stop();
  await floor.engine.stop();
  await (audited.audit as AuditLogger).close();
  const ma = median(a);
  const mb = median(b);
  console.log(
    `placed order through the engine, in-process venue, ${ORDERS} orders each, interleaved (load ${loadavg()[0]?.toFixed(1)})`,
  );
  console.table([
    { what: 'with group-commit AuditLogger (fdatasync)', 'p50 ms': ma.toFixed(3) },
    { what: 'floor: same order, no audit I/O', 'p50 ms': mb.toFixed(3) },
    { what: 'ratio', 'p50 ms': (ma / mb).toFixed(2) },
  ]);
} finally {
  await rm(dir, { recursive: true, force: true });
}
