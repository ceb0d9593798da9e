import { parseArgs } from 'node:util';
import { HlBotError } from '@hl-bot/core-types';
import { BUILT_IN_STRATEGIES } from '@hl-bot/engine';
import { ProgressBar } from './progress.js';
import { summaryRows } from './report/summary.js';
import { runPaper } from './run-paper.js';

const HELP = `hl-paper: paper trading through the live pipeline (risk -> simulated exchange -> positions -> audit)

Usage:
  hl-paper                      a complete default run on the synthetic market (a few seconds)
  hl-paper run [options]
  hl-paper --help

Options:
  --config FILE        risk limits as JSON (RiskConfig fields); RISK_* environment variables override it
  --data FILE          candles: CSV (timestamp,open,high,low,close,volume; seconds or ms; header optional)
                       or Hyperliquid candleSnapshot JSON (.json)
  --synthetic          use the seeded synthetic market (the default when --data is not given)
  --symbols A,B        symbols (default BTC-USD,ETH-USD; with --data the first one names the file's symbol)
  --strategy NAME|FILE built-in strategy or a path to an ES module exporting a Strategy (default showcase)
  --bars N             bars per symbol (default 2000; with --data, at most N bars)
  --interval I         synthetic bar interval: 1m, 5m, 1h... (default 5m)
  --seed N             seed of the synthetic market and the venue's slippage (default 42)
  --balance USDC       start balance (default 10000)
  --out DIR            output directory (default ./paper-out): audit/, summary.json, report.html
  --no-auto-reset      keep a tripped circuit breaker tripped instead of resetting it after its cooldown
  --durable            fsync the audit log in group commits instead of only at the end

Built-in strategies:
${Object.entries(BUILT_IN_STRATEGIES)
  .map(([name, s]) => `  ${name.padEnd(16)} ${s.description}`)
  .join('\n')}

Examples:
  hl-paper
  hl-paper run --strategy trend --bars 5000 --seed 7 --out ./runs/trend-7
  RISK_MAX_POSITIONS=1 hl-paper run --config risk.json --data btc-1m.csv --symbols BTC-USD
  hl-paper run --strategy ./my-strategy.js --synthetic --symbols SOL-USD

Exit codes: 0 ok, 1 the run failed, 2 usage error.
`;

function usage(message: string): never {
  process.stderr.write(`hl-paper: ${message}\n\nRun hl-paper --help for usage.\n`);
  process.exit(2);
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) <= 0) {
    usage(`${flag} needs a positive integer, got "${value}"`);
  }
  return Number(value);
}

async function main(argv: string[]): Promise<number> {
  const args = argv[0] === 'run' ? argv.slice(1) : argv;
  if (argv[0] !== undefined && argv[0] !== 'run' && !argv[0].startsWith('-'))
    usage(`unknown command "${argv[0]}"`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string' },
        data: { type: 'string' },
        synthetic: { type: 'boolean' },
        symbols: { type: 'string' },
        strategy: { type: 'string' },
        bars: { type: 'string' },
        interval: { type: 'string' },
        seed: { type: 'string' },
        balance: { type: 'string' },
        out: { type: 'string' },
        'no-auto-reset': { type: 'boolean' },
        durable: { type: 'boolean' },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  if (v.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v.data !== undefined && v.synthetic === true) usage('--data and --synthetic exclude each other');
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const symbols = str('symbols')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const seed = str('seed') === undefined ? undefined : positiveInt(str('seed'), '--seed');
  const bars = positiveInt(str('bars'), '--bars');
  const out = str('out') ?? 'paper-out';
  const progress = new ProgressBar(undefined);

  const result = await runPaper({
    outDir: out,
    env: process.env,
    ...(str('config') === undefined ? {} : { configFile: str('config') as string }),
    ...(str('data') === undefined ? {} : { dataFile: str('data') as string }),
    ...(symbols === undefined ? {} : { symbols }),
    ...(str('strategy') === undefined ? {} : { strategy: str('strategy') as string }),
    ...(bars === undefined ? {} : { bars }),
    ...(seed === undefined ? {} : { seed }),
    ...(str('interval') === undefined ? {} : { interval: str('interval') as string }),
    ...(str('balance') === undefined ? {} : { startBalance: str('balance') as string }),
    autoResetBreaker: v['no-auto-reset'] !== true,
    durability: v.durable === true ? 'group' : 'none',
    onProgress: (done, total) => {
      if (total !== undefined) progress.total = total;
      progress.update(done, total === undefined ? '' : `of ${total} bars`);
    },
  });
  progress.finish();

  const rows = summaryRows(result.summary);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, val]) => `  ${k.padEnd(width)}  ${val}`);
  process.stdout.write(`\nhl-paper run finished\n\n${lines.join('\n')}\n\n`);
  process.stdout.write(
    `  report   ${result.reportPath}\n  summary  ${result.summaryPath}\n  audit    ${result.auditDir}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = HlBotError.is(error) ? ` [${error.code}]` : '';
    process.stderr.write(
      `hl-paper: run failed${code}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
