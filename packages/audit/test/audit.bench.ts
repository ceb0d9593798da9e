import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AuditEventInput } from '@hl-bot/core-types';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import type { AuditDurability, AuditLogger } from '../src/index.js';

// The built package, as users run it (`pnpm bench` builds first); its verify can start its worker threads.
const distIndex = join(fileURLToPath(new URL('.', import.meta.url)), '../dist/index.js');
const {
  AuditLogger: Logger,
  readAuditLog,
  verifyAuditLog,
} = (await import(pathToFileURL(distIndex).href)) as typeof import('../src/index.js');

// Appends/s = (events per iteration) x hz. The 1M-event log is written once (durability 'none') and then
// read and verified; each of those benches is one iteration of 1,000,000 events.

const PER_ITERATION = 20_000;
const PRODUCERS = 256;
const MILLION = 1_000_000;

const event = (i: number): AuditEventInput => ({
  type: 'order_submitted',
  orderId: `o${i}`,
  order: { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000.5' },
});

/** PRODUCERS concurrent writers, each awaiting its own appends, like components sharing one logger. */
async function appendConcurrently(audit: AuditLogger, total: number, producers: number): Promise<void> {
  let next = 0;
  const producer = async () => {
    while (next < total) {
      next += 1;
      await audit.append(event(next));
    }
  };
  await Promise.all(Array.from({ length: producers }, producer));
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('append throughput (20,000 appends per iteration, 256 concurrent producers)', () => {
  for (const durability of ['group', 'fsync', 'none'] as AuditDurability[]) {
    let audit: AuditLogger;
    // fsync pays one fsync per append: fewer appends keep the run short.
    const total = durability === 'fsync' ? 500 : PER_ITERATION;
    bench(
      `append ${total} events, durability ${durability}`,
      async () => {
        await appendConcurrently(audit, total, PRODUCERS);
      },
      {
        iterations: 3,
        time: 0,
        setup: async () => {
          const dir = await mkdtemp(join(tmpdir(), 'hl-audit-bench-'));
          dirs.push(dir);
          audit = await Logger.open(dir, { durability });
        },
        teardown: async () => {
          await audit.close();
        },
      },
    );
  }
});

describe('read and verify 1,000,000 events', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hl-audit-bench-1m-'));
    dirs.push(dir);
    const audit = await Logger.open(dir, { durability: 'none' });
    let batch: Promise<unknown>[] = [];
    for (let i = 0; i < MILLION; i += 1) {
      batch.push(audit.append(event(i)));
      if (batch.length === 10_000) {
        await Promise.all(batch);
        batch = [];
      }
    }
    await Promise.all(batch);
    await audit.close();
  }, 600_000);

  bench(
    'verifyAuditLog, 1,000,000 events (worker threads)',
    async () => {
      const report = await verifyAuditLog(dir);
      if (!report.ok || report.entries !== MILLION)
        throw new Error(`verify failed: ${JSON.stringify(report)}`);
    },
    { iterations: 1, time: 0, warmupIterations: 0 },
  );

  bench(
    'verifyAuditLog, 1,000,000 events (one thread)',
    async () => {
      const report = await verifyAuditLog(dir, { workers: 0 });
      if (!report.ok || report.entries !== MILLION)
        throw new Error(`verify failed: ${JSON.stringify(report)}`);
    },
    { iterations: 1, time: 0, warmupIterations: 0 },
  );

  bench(
    'readAuditLog, 1,000,000 typed entries (chain checked)',
    async () => {
      let n = 0;
      for await (const _ of readAuditLog(dir)) n += 1;
      if (n !== MILLION) throw new Error(`read ${n}`);
    },
    { iterations: 1, time: 0, warmupIterations: 0 },
  );
});
