// `pnpm bench` for hl-bot: restart (positions + risk + backfill watermark, the bot's own start-up pass) after
// 10,000 and after 1,000,000 fills, each restart in a fresh process so its time and peak RSS are its own.
// The floor is the restart after 10,000 fills, measured in the same run: with checkpoints a restart
// replays only the tail, so after 1M fills it should cost about what it costs after 10k.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLogger } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { recoverFromAuditLog } from '../src/recover-state.js';

const BIG = Number(process.env.HL_BENCH_FILLS ?? 1_000_000);
const SMALL = 10_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const config = RiskConfig.from({ maxConsecutiveLosses: 1_000_000 });

/** A log of `fills` fills over about a year (one UTC day file per ~2,700 fills), with risk events. */
async function writeLog(dir: string, fills: number): Promise<void> {
  const clock = new ManualClock('2025-01-01T00:00:00Z');
  const audit = await AuditLogger.open(dir, { clock, durability: 'none' });
  const tracker = new PositionTracker(audit, { clock });
  const risk = new RiskManager({ config, audit, initialBalance: '100000', clock });
  const stepMs = Math.max(1, Math.floor((365 * 86_400_000) / fills));
  const burst = 1000;
  for (let start = 0; start < fills; start += burst) {
    const pending: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(fills, start + burst); i += 1) {
      clock.advance(stepMs);
      const symbol = i % 3 === 0 ? 'ETH-USD' : 'BTC-USD';
      pending.push(
        tracker.updateFromFill({
          id: `BTC:${300_000_000_000 + i * 7}:${90_000_000_000 + i}`,
          orderId: `${90_000_000_000 + i}`,
          symbol,
          side: i % 2 === 0 ? 'buy' : 'sell',
          quantity: '0.01',
          price: `${50_000 + (i % 500)}.5`,
          fee: '0.02',
          timestamp: clock.now(),
        }),
      );
      if (i % 100 === 0) pending.push(risk.recordTradeResult(i % 200 === 0 ? '-1.5' : '2.25', symbol));
    }
    await Promise.all(pending);
  }
  await risk.flush();
  await risk.checkpoint();
  await audit.close();
}

/** In a child: the bot's start-up recovery; prints ms, peak RSS and what it restored. */
async function child(dir: string): Promise<void> {
  const t0 = performance.now();
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const audit = await AuditLogger.open(dir, { clock, durability: 'group' });
  const warnings: string[] = [];
  const { tracker, risk } = await recoverFromAuditLog(audit, {
    clock,
    riskConfig: config,
    onWarning: (m) => warnings.push(m),
  });
  const ms = performance.now() - t0;
  const result = {
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    fills: tracker.processedFillCount,
    lastFillTime: tracker.lastFillTime,
    losses: risk.state.consecutiveLosses,
    warnings,
  };
  await audit.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function restartInChild(dir: string) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'restart.ts'), '--child', dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (out.status !== 0) throw new Error(`restart child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1) as string) as {
    ms: number;
    maxRssMb: number;
    fills: number;
    warnings: string[];
  };
}

const ROUNDS = 5;

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string);
} else {
  const small = await mkdtemp(join(tmpdir(), 'hl-restart-small-'));
  const big = await mkdtemp(join(tmpdir(), 'hl-restart-big-'));
  try {
    let t = performance.now();
    await writeLog(small, SMALL);
    await writeLog(big, BIG);
    const writeS = (performance.now() - t) / 1000;
    // Interleaved, so a burst of load hits both sizes alike; best of ROUNDS each, since a 100–200 ms figure in
    // a fresh process moves by tens of ms with what else the machine does.
    const a: ReturnType<typeof restartInChild>[] = [];
    const b: ReturnType<typeof restartInChild>[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      a.push(restartInChild(small));
      b.push(restartInChild(big));
    }
    for (const r of [...a, ...b]) if (r.warnings.length > 0) throw new Error(r.warnings.join('; '));
    if (a[0]?.fills !== SMALL || b[0]?.fills !== BIG)
      throw new Error('restart restored the wrong fill count');
    const best = (rs: typeof a) => rs.reduce((x, y) => (y.ms < x.ms ? y : x));
    const fs = best(a);
    const fb = best(b);
    t = performance.now();
    console.log(
      `hl-bot restart (positions + risk + watermark), best of ${ROUNDS} each, interleaved, logs written in ${writeS.toFixed(0)} s (load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
    );
    console.table([
      { what: `restart after ${BIG} fills`, ms: fb.ms.toFixed(0), 'peak RSS MB': fb.maxRssMb.toFixed(0) },
      {
        what: `floor: restart after ${SMALL} fills`,
        ms: fs.ms.toFixed(0),
        'peak RSS MB': fs.maxRssMb.toFixed(0),
      },
      {
        what: 'ratio',
        ms: (fb.ms / fs.ms).toFixed(2),
        'peak RSS MB': (fb.maxRssMb / fs.maxRssMb).toFixed(2),
      },
    ]);
  } finally {
    await rm(small, { recursive: true, force: true });
    await rm(big, { recursive: true, force: true });
  }
}
