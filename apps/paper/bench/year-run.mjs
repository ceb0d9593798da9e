// A year of one-minute bars (525,600) for one symbol through the default strategy and the full pipeline.
// Prints wall time and peak memory (max RSS). Run with `pnpm bench` (after a build).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPaper } from '../dist/index.js';

const bars = Number(process.env.HL_BENCH_BARS ?? 525_600);
const out = await mkdtemp(join(tmpdir(), 'hl-paper-bench-'));
const started = process.hrtime.bigint();
const result = await runPaper({ outDir: out, bars, interval: '1m', symbols: ['BTC-USD'], seed: 1 });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  JSON.stringify({
    benchmark: 'hl-paper full run, default strategy',
    bars,
    seconds: Number(seconds.toFixed(2)),
    barsPerSecond: Math.round(bars / seconds),
    peakRssMb: Math.round(maxRssMb),
    trades: result.summary.trades.count,
    rejections: result.summary.risk.rejections,
  }),
);
await rm(out, { recursive: true, force: true });
