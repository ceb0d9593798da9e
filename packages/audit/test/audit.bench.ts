import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AuditEventInput } from '@hl-bot/core-types';
import { afterAll, bench, describe } from 'vitest';
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

async function freshLogger(durability: AuditDurability): Promise<AuditLogger> {
  const dir = await mkdtemp(join(tmpdir(), 'hl-audit-bench-'));
  dirs.push(dir);
  return Logger.open(dir, { durability });
}

describe('append throughput', () => {
  // Throughput = events per iteration x hz. "at once": all appends issued together, then awaited (how a burst
  // of fills and position updates arrives). "producers": 256 writers that each await their own append, so
  // with group commit at most 256 appends share one fdatasync.
  const shapes: Array<[AuditDurability, 'at once' | 'producers', number]> = [
    ['group', 'at once', PER_ITERATION],
    ['group', 'producers', PER_ITERATION],
    ['none', 'at once', PER_ITERATION],
    ['fsync', 'at once', 500], // one fsync per append: fewer appends keep the run short
  ];
  for (const [durability, shape, total] of shapes) {
    let audit: AuditLogger;
    bench(
      `append ${total} events ${shape === 'at once' ? 'issued at once' : `from ${PRODUCERS} producers`}, durability ${durability}`,
      async () => {
        if (shape === 'producers') await appendConcurrently(audit, total, PRODUCERS);
        else await Promise.all(Array.from({ length: total }, (_, i) => audit.append(event(i))));
      },
      {
        iterations: 3,
        time: 0,
        setup: async () => {
          audit = await freshLogger(durability);
        },
        teardown: async () => {
          await audit.close();
        },
      },
    );
  }
});

let million: Promise<string> | undefined;

/** The 1,000,000-event log, written once through the real logger (durability 'none' to save time). */
function millionEventLog(): Promise<string> {
  million ??= (async () => {
    const audit = await freshLogger('none');
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
    return audit.dir;
  })();
  return million;
}

describe('read and verify 1,000,000 events', () => {
  let dir = '';
  const once = {
    iterations: 1,
    time: 0,
    warmupIterations: 0,
    warmupTime: 0,
    setup: async () => {
      dir = await millionEventLog();
    },
  };

  bench(
    'verifyAuditLog, 1,000,000 events (worker threads)',
    async () => {
      const report = await verifyAuditLog(dir);
      if (!report.ok || report.entries !== MILLION)
        throw new Error(`verify failed: ${JSON.stringify(report)}`);
    },
    once,
  );

  bench(
    'verifyAuditLog, 1,000,000 events (one thread)',
    async () => {
      const report = await verifyAuditLog(dir, { workers: 0 });
      if (!report.ok || report.entries !== MILLION)
        throw new Error(`verify failed: ${JSON.stringify(report)}`);
    },
    once,
  );

  bench(
    'readAuditLog, 1,000,000 typed entries (chain checked)',
    async () => {
      let n = 0;
      for await (const _ of readAuditLog(dir)) n += 1;
      if (n !== MILLION) throw new Error(`read ${n}`);
    },
    once,
  );
});
