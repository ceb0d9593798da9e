// A placed order through the bot's live wiring (TradingEngine, RiskManager, PositionTracker, HyperliquidClient
// signing and posting the order) against hl-sim processes on loopback, with a group-commit AuditLogger on real
// files shared by all of them vs the same wiring with a sink that writes nothing. One hl-sim process each, so
// neither sees the other's orders; orders interleaved one by one, so machine load hits both alike. Each order
// is a resting limit well below the market, cancelled afterwards outside the timing.
// `node --import tsx bench/placed-order-sim.ts` after a build (hl-sim runs from its dist); HL_BENCH_ORDERS.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import type { AuditEntry, AuditSink } from '@hl-bot/core-types';
import { TradingEngine } from '@hl-bot/engine';
import { HyperliquidClient } from '@hl-bot/exchange-hyperliquid';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { AGENT_KEY, MASTER, type RunningSim, startSim } from '../test/live-harness.js';

const ORDERS = Number(process.env.HL_BENCH_ORDERS ?? 150);

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

async function wire(sim: RunningSim, dir: string | undefined) {
  const audit: AuditSink = dir === undefined ? NOTHING : await AuditLogger.open(dir, { durability: 'group' });
  const risk = new RiskManager({
    config: RiskConfig.from({
      maxOrdersPerSecond: 10_000,
      maxOrdersPerMinute: 100_000,
      maxMarketPriceAgeMs: 60_000,
    }),
    audit,
    checkpointEvery: false,
  });
  const tracker = new PositionTracker(audit, { checkpointEvery: false });
  const client = new HyperliquidClient({
    privateKey: AGENT_KEY,
    walletAddress: MASTER,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    testnet: true,
    ...(dir === undefined ? {} : { audit }),
    fillsSince: Date.now(),
    rateLimit: { weightPerMinute: 1_000_000_000 },
    orderSettleMs: 100,
  });
  const engine = new TradingEngine({
    exchange: client,
    risk,
    tracker,
    audit,
    clientOrderIdPrefix: dir === undefined ? 'floor' : 'audited',
  });
  await engine.start();
  await client.start();
  await client.settled();
  await engine.refreshAccount();
  return {
    async place(): Promise<number> {
      // 3% below the market: rests, and stays within risk's price-deviation limit as the sim's price walks.
      const mid = (await client.getMarketPrice('BTC-USD')).price;
      const price = mid.times('0.97').toSignificantDigits(5).toDecimalPlaces(0).toString();
      const t0 = performance.now();
      const result = await engine.submitOrder({
        symbol: 'BTC-USD',
        side: 'buy',
        orderType: 'limit',
        quantity: '0.001',
        price,
      });
      const ms = performance.now() - t0;
      if (result.status !== 'submitted') throw new Error(`order not placed: ${JSON.stringify(result)}`);
      await engine.cancelAllOrders({ reason: 'bench' });
      return ms;
    },
    async close() {
      await engine.stop('bench over');
      client.close();
      if (audit instanceof AuditLogger) await audit.close();
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const dir = await mkdtemp(join(tmpdir(), 'hl-bot-bench-'));
const sims: RunningSim[] = [];
try {
  sims.push(await startSim(), await startSim());
  const audited = await wire(sims[0] as RunningSim, join(dir, 'audit'));
  const floor = await wire(sims[1] as RunningSim, undefined);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    await audited.place();
    await floor.place();
  }
  for (let i = 0; i < ORDERS; i += 1) {
    a.push(await audited.place());
    b.push(await floor.place());
  }
  await audited.close();
  await floor.close();
  const ma = median(a);
  const mb = median(b);
  console.log(
    `placed order, bot wiring vs hl-sim over loopback, ${ORDERS} orders each, interleaved (node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  console.table([
    { what: 'with group-commit AuditLogger (fdatasync)', 'p50 ms': ma.toFixed(3) },
    { what: 'floor: same order, no audit I/O', 'p50 ms': mb.toFixed(3) },
    { what: 'ratio', 'p50 ms': (ma / mb).toFixed(2) },
  ]);
} finally {
  for (const s of sims) await s.stop();
  await rm(dir, { recursive: true, force: true });
}
