// A year of one-minute bars (525,600) for one symbol through the full pipeline, twice: the default strategy
// (which trades less as its account shrinks under the notional-percent limit) and an actively trading one
// (a round trip every 20 bars all year). Next to them, in the same run, the floor: the same year with a
// strategy that never orders, i.e. the market, the engine's bar path, the report and the audit log
// without trading. Each run is a fresh process so its peak RSS is its own. `pnpm bench` (after a build).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bars = Number(process.env.HL_BENCH_BARS ?? 525_600);
const here = fileURLToPath(import.meta.url);

/** Opens a small long every 20 bars and closes it (reduce-only) 10 bars later. */
const active = {
  name: 'active-round-trips',
  n: 0,
  async onBar(bar, ctx) {
    this.n += 1;
    const position = ctx.getPosition(bar.symbol);
    if (position !== undefined && this.n % 20 === 10) {
      await ctx.submitOrder({
        symbol: bar.symbol,
        side: position.side === 'long' ? 'sell' : 'buy',
        orderType: 'market',
        quantity: position.quantity,
        reduceOnly: true,
      });
    } else if (position === undefined && this.n % 20 === 0) {
      await ctx.submitOrder({ symbol: bar.symbol, side: 'buy', orderType: 'market', quantity: '0.001' });
    }
  },
};
const idle = { name: 'never-orders' };

async function child(which) {
  const { runPaper } = await import('../dist/index.js');
  const out = await mkdtemp(join(tmpdir(), 'hl-paper-bench-'));
  const started = process.hrtime.bigint();
  const strategy = which === 'active' ? active : which === 'floor' ? idle : undefined;
  const result = await runPaper({
    outDir: out,
    bars,
    interval: '1m',
    symbols: ['BTC-USD'],
    seed: 1,
    ...(strategy === undefined ? {} : { strategy }),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await rm(out, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({
      seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      trades: result.summary.trades.count,
      rejections: result.summary.risk.rejections,
    })}\n`,
  );
}

function run(which) {
  const out = spawnSync(process.execPath, [here, '--child', which], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (out.status !== 0) throw new Error(`${which} run failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1));
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]);
} else {
  const floor = run('floor');
  const rows = [
    ['default strategy (showcase)', run('default')],
    ['actively trading (round trip every 20 bars)', run('active')],
    ['floor: a strategy that never orders', floor],
  ].map(([what, r]) => ({
    what,
    seconds: r.seconds.toFixed(2),
    'x floor': (r.seconds / floor.seconds).toFixed(2),
    'peak RSS MB': Math.round(r.peakRssMb),
    trades: r.trades,
    rejections: r.rejections,
  }));
  console.log(
    `hl-paper: ${bars} one-minute bars, BTC-USD (node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  console.table(rows);
}
