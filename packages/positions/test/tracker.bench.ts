import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { Decimal, Fill, type FillInput, parseValidated, ZERO } from '@hl-bot/core-types';
import { afterAll, bench, describe } from 'vitest';
import { nullAuditSink, PositionTracker } from '../src/index.js';

// Each bench iteration applies CHUNK operations, so fills/s = hz x CHUNK (printed at the end as well).
const CHUNK = 1000;
const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${i}-USD`);

let seq = 0;
/** A realistic mix: opens, adds, partial closes and flips over 50 symbols, string decimals as a venue sends. */
function nextFills(n: number): FillInput[] {
  const out: FillInput[] = [];
  for (let i = 0; i < n; i += 1) {
    seq += 1;
    out.push({
      id: `f${seq}`,
      orderId: `o${seq}`,
      symbol: SYMBOLS[seq % SYMBOLS.length] as string,
      side: seq % 3 === 0 ? 'sell' : 'buy',
      quantity: `0.0${1 + (seq % 9)}`,
      price: `${100 + (seq % 17)}.${seq % 100}`,
      fee: '0.0123',
      timestamp: 1_767_225_600_000 + seq,
    });
  }
  return out;
}

/**
 * The same fills as a venue adapter delivers them: parsed once at the boundary (`parseValidated`), complete
 * (timestamp, marketKind), so the tracker audits the very object and the logger takes it as parsed.
 */
function nextValidatedFills(n: number): Fill[] {
  return nextFills(n).map((f) => parseValidated(Fill, { ...f, marketKind: 'perp' }, 'fill'));
}

// Fills/s from the time spent in the tracker alone (rows with validated fills parse them first, outside
// it), printed at the end next to the floor's, measured in the same run: the ratio is what to compare.
const timed = new Map<string, { ms: number; fills: number }>();
async function measure(label: string, fills: number, run: () => unknown): Promise<void> {
  const t0 = performance.now();
  await run();
  const t = timed.get(label) ?? { ms: 0, fills: 0 };
  t.ms += performance.now() - t0;
  t.fills += fills;
  timed.set(label, t);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const rate = (t: { ms: number; fills: number }) => (t.fills / t.ms) * 1000;
  const floor = timed.get(FLOOR);
  if (floor === undefined) return;
  const lines = [...timed].map(
    ([label, t]) =>
      `  ${Math.round(rate(t)).toLocaleString('en')}/s = ${(rate(t) / rate(floor)).toFixed(2)}x floor  ${label}`,
  );
  console.log(`positions: fills/s in the tracker, next to the floor of the same run\n${lines.join('\n')}`);
});

const FLOOR = "floor: the fills' P&L math in decimal.js alone";

describe('updateFromFill', () => {
  const plain = new PositionTracker(nullAuditSink);
  bench(
    `${CHUNK} fills, one await each, without audit I/O (nullAuditSink)`,
    async () => {
      const fills = nextFills(CHUNK);
      await measure(
        'raw fills (zod parse in the tracker), one await each, nullAuditSink',
        CHUNK,
        async () => {
          for (const f of fills) await plain.updateFromFill(f);
        },
      );
    },
    { time: 3000, warmupTime: 500 },
  );

  const burst = new PositionTracker(nullAuditSink);
  bench(
    `${CHUNK} fills, concurrent, without audit I/O (nullAuditSink)`,
    async () => {
      const fills = nextFills(CHUNK);
      await measure('raw fills, 1,000 concurrent, nullAuditSink', CHUNK, () =>
        Promise.all(fills.map((f) => burst.updateFromFill(f))),
      );
    },
    { time: 3000, warmupTime: 500 },
  );

  const validated = new PositionTracker(nullAuditSink);
  bench(
    `${CHUNK} validated fills (parseValidated at the boundary, as venue adapters deliver them), one await each, without audit I/O`,
    async () => {
      const fills = nextValidatedFills(CHUNK);
      await measure('validated fills, one await each, nullAuditSink', CHUNK, async () => {
        for (const f of fills) await validated.updateFromFill(f);
      });
    },
    { time: 3000, warmupTime: 500 },
  );

  const validatedBurst = new PositionTracker(nullAuditSink);
  bench(
    `${CHUNK} validated fills, concurrent, without audit I/O`,
    async () => {
      const fills = nextValidatedFills(CHUNK);
      await measure('validated fills, 1,000 concurrent, nullAuditSink', CHUNK, () =>
        Promise.all(fills.map((f) => validatedBurst.updateFromFill(f))),
      );
    },
    { time: 3000, warmupTime: 500 },
  );

  // The floor, in the same run: the same fills' P&L math in decimal.js alone (parse the strings, average
  // entry on adds, realized P&L on reductions, fees), one plain object per symbol, no validation, no audit.
  const books = new Map<string, { qty: Decimal; cost: Decimal; realized: Decimal; fees: Decimal }>();
  bench(
    `floor: ${CHUNK} fills' P&L math in decimal.js alone`,
    () => {
      const fills = nextFills(CHUNK);
      const t0 = performance.now();
      for (const f of fills) {
        const q = new Decimal(f.quantity as string);
        const p = new Decimal(f.price as string);
        const signed = f.side === 'buy' ? q : q.neg();
        const b = books.get(f.symbol) ?? { qty: ZERO, cost: ZERO, realized: ZERO, fees: ZERO };
        if (b.qty.isZero() || b.qty.isPositive() === signed.isPositive()) {
          b.cost = b.cost.plus(signed.times(p));
        } else {
          // Cost of the closed share leaves the basis; proceeds minus that cost is realized.
          const held = b.qty.abs();
          const traded = q.lt(held) ? q : held;
          const removed = b.cost.times(traded).div(held);
          const proceeds = p.times(traded);
          b.realized = b.realized.plus((b.qty.isPositive() ? proceeds : proceeds.neg()).minus(removed));
          b.cost = b.cost.minus(removed).plus(q.gt(held) ? signed.plus(b.qty).times(p) : ZERO);
        }
        b.qty = b.qty.plus(signed);
        b.fees = b.fees.plus(new Decimal(f.fee as string));
        books.set(f.symbol, b);
      }
      const t = timed.get(FLOOR) ?? { ms: 0, fills: 0 };
      t.ms += performance.now() - t0;
      t.fills += CHUNK;
      timed.set(FLOOR, t);
    },
    { time: 3000, warmupTime: 500 },
  );

  const dir = mkdtempSync(join(tmpdir(), 'hl-positions-bench-'));
  dirs.push(dir);
  const audit = new AuditLogger(dir, { durability: 'group' });
  const audited = new PositionTracker(audit);
  bench(
    `${CHUNK} fills, concurrent, group-commit AuditLogger (fdatasync per group, real files)`,
    async () => {
      const fills = nextFills(CHUNK);
      await measure('raw fills, 1,000 concurrent, group-commit AuditLogger', CHUNK, () =>
        Promise.all(fills.map((f) => audited.updateFromFill(f))),
      );
    },
    { time: 5000, warmupTime: 500, teardown: async () => audit.flush() },
  );

  const dir3 = mkdtempSync(join(tmpdir(), 'hl-positions-bench-'));
  dirs.push(dir3);
  const audit3 = new AuditLogger(dir3, { durability: 'group' });
  const auditedValid = new PositionTracker(audit3);
  bench(
    `${CHUNK} validated fills, concurrent, group-commit AuditLogger (fdatasync per group, real files)`,
    async () => {
      const fills = nextValidatedFills(CHUNK);
      await measure('validated fills, 1,000 concurrent, group-commit AuditLogger', CHUNK, () =>
        Promise.all(fills.map((f) => auditedValid.updateFromFill(f))),
      );
    },
    { time: 5000, warmupTime: 500, teardown: async () => audit3.flush() },
  );

  const dir2 = mkdtempSync(join(tmpdir(), 'hl-positions-bench-'));
  dirs.push(dir2);
  const audit2 = new AuditLogger(dir2, { durability: 'group' });
  const serial = new PositionTracker(audit2);
  bench(
    '20 fills, one await each, group-commit AuditLogger (every fill waits for its own fdatasync)',
    async () => {
      for (const f of nextFills(20)) await serial.updateFromFill(f);
    },
    { time: 2000, iterations: 3 },
  );
});

describe('updateMarketPrice (fast path: marks inside the MAE/MFE range seen so far)', () => {
  async function openTracker(positions: number): Promise<PositionTracker> {
    const t = new PositionTracker(nullAuditSink);
    await Promise.all(
      Array.from({ length: positions }, (_, i) =>
        t.updateFromFill({
          id: `open${i}`,
          orderId: 'o',
          symbol: `M${i}-USD`,
          side: i % 2 ? 'buy' : 'sell',
          quantity: '1',
          price: '100',
        }),
      ),
    );
    // establish the excursion range, so the benchmarked marks are ordinary (unaudited) ones
    for (let i = 0; i < positions; i += 1) {
      await t.updateMarketPrice(`M${i}-USD`, '80');
      await t.updateMarketPrice(`M${i}-USD`, '120');
    }
    return t;
  }
  const prices = Array.from({ length: 97 }, (_, i) => `${90 + (i % 20)}.${i}`);
  for (const positions of [10, 1000, 10_000]) {
    let tracker: PositionTracker | undefined;
    let k = 0;
    bench(
      `${CHUNK} marks with ${positions} open positions`,
      async () => {
        const t = tracker as PositionTracker;
        for (let i = 0; i < CHUNK; i += 1) {
          k += 1;
          await t.updateMarketPrice(`M${k % positions}-USD`, prices[k % prices.length] as string);
        }
      },
      {
        time: 2000,
        setup: async () => {
          tracker ??= await openTracker(positions);
        },
      },
    );
  }
});

describe('recovery', () => {
  const fills = Number(process.env.HL_BENCH_RECOVERY_FILLS ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'hl-positions-recover-'));
  dirs.push(dir);
  let written = false;
  // The log is written by a tracker with the default checkpoints (every 10,000 events), as a bot writes it.
  const setup = async () => {
    if (written) return;
    written = true;
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    const t = new PositionTracker(audit);
    for (let done = 0; done < fills; done += 5000) {
      await Promise.all(nextFills(Math.min(5000, fills - done)).map((f) => t.updateFromFill(f)));
    }
    await audit.close();
  };
  const once = { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0, setup };
  bench(
    `recover(dir) from a log of ${fills.toLocaleString('en')} fills: the latest checkpoint, then the entries after it`,
    async () => {
      const t = await PositionTracker.recover(dir, { durability: 'none' });
      if (t.processedFillCount !== fills) throw new Error(`recovered ${t.processedFillCount} fills`);
      await t.close();
    },
    once,
  );
  bench(
    `recover(dir, { checkpoint: null }) from the same log: a full replay of every order_filled (each parsed by the reader and by the tracker)`,
    async () => {
      const t = await PositionTracker.recover(dir, { durability: 'none', checkpoint: null });
      if (t.processedFillCount !== fills) throw new Error(`recovered ${t.processedFillCount} fills`);
      await t.close();
    },
    once,
  );
});
