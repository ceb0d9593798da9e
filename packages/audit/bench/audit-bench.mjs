// `pnpm bench` for @hl-bot/audit (built package). Each figure is printed next to a floor measured in the same
// run on the same lines: what the work costs with nothing but JSON, SHA-256 and the file system.
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrderRequest, parseValidated } from '@hl-bot/core-types';
import { AuditLogger, readAuditLog, verifyAuditLog } from '../dist/index.js';

const APPENDS = Number(process.env.HL_BENCH_APPENDS ?? 200_000);
const MILLION = Number(process.env.HL_BENCH_EVENTS ?? 1_000_000);
const ROUND = 1000;

const RAW_ORDER = { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000.5' };
/** An event from outside: a plain object, parsed in full by the logger. */
const event = (i) => ({ type: 'order_submitted', orderId: `o${i}`, order: { ...RAW_ORDER } });
// As the engine builds them: the order parsed once at its boundary (parseValidated, before the clock runs,
// as an engine parses an order before it is logged), the event composed of it, so the logger does not parse
// the order again.
const parsedOrders = Array.from({ length: 1024 }, () => parseValidated(OrderRequest, RAW_ORDER, 'order'));
const composed = (i) => ({ type: 'order_submitted', orderId: `o${i}`, order: parsedOrders[i % 1024] });

const dirs = [];
async function fresh() {
  const dir = await mkdtemp(join(tmpdir(), 'hl-audit-bench-'));
  dirs.push(dir);
  return dir;
}
const rows = [];
function row(what, figure, floor, unit, better = 'higher', ratio = figure / floor) {
  rows.push({
    what,
    figure: `${figure.toFixed(unit === '/s' ? 0 : 3)} ${unit}`,
    floor: `${floor.toFixed(unit === '/s' ? 0 : 3)} ${unit}`,
    'figure/floor': ratio.toFixed(2),
    better,
  });
}

/**
 * Floor and figure measured in turns, `rounds` times: on a shared machine the load swings between two runs
 * by 2x, so each figure is compared with the floor measured next to it. Reports the medians of the figures,
 * of the floors and of the per-round ratios (the ratio is what to read).
 */
async function paired(rounds, floorRun, figureRun) {
  const floors = [];
  const figures = [];
  const ratios = [];
  for (let r = 0; r < rounds; r += 1) {
    const floor = await floorRun();
    const figure = await figureRun();
    floors.push(floor);
    figures.push(figure);
    ratios.push(figure / floor);
  }
  return { figure: median(figures), floor: median(floors), ratio: median(ratios) };
}

/** Raw floor: JSON + chained SHA-256 per line, one write + fdatasync per group of what arrived in `ms`. */
async function rawGroupFloor(total, round) {
  const dir = await fresh();
  const fh = await open(join(dir, 'raw.jsonl'), 'a');
  let prev = '0'.repeat(64);
  const t0 = performance.now();
  for (let start = 0; start < total; start += round) {
    const parts = [];
    for (let i = start; i < Math.min(total, start + round); i += 1) {
      const body = JSON.stringify({
        timestamp: new Date().toISOString(),
        ...event(i),
        seq: i + 1,
        prevHash: prev,
      });
      prev = createHash('sha256').update(prev).update(body).digest('hex');
      parts.push(`${body.slice(0, -1)},"hash":"${prev}"}\n`);
    }
    await fh.write(Buffer.from(parts.join('')));
    await fh.datasync();
  }
  const s = (performance.now() - t0) / 1000;
  await fh.close();
  return total / s;
}

async function groupAppends(total, round, make = composed) {
  const audit = await AuditLogger.open(await fresh(), { durability: 'group' });
  const t0 = performance.now();
  for (let start = 0; start < total; start += round) {
    const batch = [];
    for (let i = start; i < Math.min(total, start + round); i += 1) batch.push(audit.append(make(i)));
    await Promise.all(batch);
  }
  const s = (performance.now() - t0) / 1000;
  await audit.close();
  return total / s;
}

async function producers(total, count) {
  const audit = await AuditLogger.open(await fresh(), { durability: 'group' });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: count }, async () => {
      while (next < total) {
        next += 1;
        await audit.append(composed(next));
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  await audit.close();
  return total / s;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** p50 of one append to an idle logger vs one raw write + fdatasync of the same line. */
async function idleAppend(n) {
  const audit = await AuditLogger.open(await fresh(), { durability: 'group' });
  const fh = await open(join(await fresh(), 'raw.jsonl'), 'a');
  const a = [];
  const b = [];
  const line = Buffer.from(`${JSON.stringify(event(0))}\n`);
  for (let i = 0; i < n; i += 1) {
    let t = performance.now();
    await audit.append(composed(i));
    a.push(performance.now() - t);
    t = performance.now();
    await fh.write(line);
    await fh.datasync();
    b.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 1));
  }
  await audit.close();
  await fh.close();
  return [median(a), median(b)];
}

async function millionLog() {
  const audit = await AuditLogger.open(await fresh(), { durability: 'none' });
  let batch = [];
  for (let i = 0; i < MILLION; i += 1) {
    batch.push(audit.append(composed(i)));
    if (batch.length === 10_000) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  await audit.close();
  return audit.dir;
}

/** Floor for verify: read the same file in 1 MiB chunks, JSON.parse and SHA-256 every line. */
async function parseHashFloor(dir) {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
  const t0 = performance.now();
  let n = 0;
  for (const f of files) {
    const fh = await open(join(dir, f), 'r');
    const buf = Buffer.allocUnsafe(1024 * 1024);
    let carry = Buffer.alloc(0);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const data = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl === -1) break;
        JSON.parse(data.toString('utf8', start, nl));
        createHash('sha256').update(data.subarray(start, nl)).digest('hex');
        n += 1;
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    await fh.close();
  }
  if (n !== MILLION) throw new Error(`floor read ${n}`);
  return (performance.now() - t0) / 1000;
}

try {
  console.log(
    `@hl-bot/audit benchmarks (node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  const ROUNDS = Number(process.env.HL_BENCH_ROUNDS ?? 3);
  const groupFloor = () => rawGroupFloor(APPENDS, ROUND);
  const composedRun = await paired(ROUNDS, groupFloor, () => groupAppends(APPENDS, ROUND));
  row(
    `group-commit appends, ${APPENDS} in rounds of ${ROUND} concurrent, orders parsed at their boundary (median of ${ROUNDS} paired runs)`,
    composedRun.figure,
    composedRun.floor,
    '/s',
    'higher',
    composedRun.ratio,
  );
  const plainRun = await paired(ROUNDS, groupFloor, () => groupAppends(APPENDS, ROUND, event));
  row(
    `group-commit appends, ${APPENDS} in rounds of ${ROUND}, plain events from outside (parsed in full)`,
    plainRun.figure,
    plainRun.floor,
    '/s',
    'higher',
    plainRun.ratio,
  );
  const producersRun = await paired(ROUNDS, groupFloor, () => producers(APPENDS / 4, 256));
  row(
    `group-commit appends from 256 producers each awaiting its own`,
    producersRun.figure,
    producersRun.floor,
    '/s',
    'higher',
    producersRun.ratio,
  );
  const [idle, raw] = await idleAppend(200);
  row('append to an idle logger, p50 (floor: one raw write + fdatasync)', idle, raw, 'ms', 'lower');
  const dir = await millionLog();
  const verifyRun = await paired(
    ROUNDS,
    () => parseHashFloor(dir),
    async () => {
      const t0 = performance.now();
      const report = await verifyAuditLog(dir, { workers: 0 });
      const verify = (performance.now() - t0) / 1000;
      if (!report.ok || report.entries !== MILLION) throw new Error(`verify: ${JSON.stringify(report)}`);
      return verify;
    },
  );
  row(
    `verifyAuditLog of ${MILLION} events, one thread (floor: JSON.parse + SHA-256 per line)`,
    verifyRun.figure,
    verifyRun.floor,
    's',
    'lower',
    verifyRun.ratio,
  );
  const readRun = await paired(
    1,
    () => parseHashFloor(dir),
    async () => {
      const t0 = performance.now();
      let n = 0;
      for await (const _ of readAuditLog(dir)) n += 1;
      if (n !== MILLION) throw new Error(`read ${n}`);
      return (performance.now() - t0) / 1000;
    },
  );
  row(
    `readAuditLog of ${MILLION} typed entries (Decimals built)`,
    readRun.figure,
    readRun.floor,
    's',
    'lower',
    readRun.ratio,
  );
  console.table(rows);
  console.log(
    `load at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}
