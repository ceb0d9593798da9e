import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HlBotError } from '@hl-bot/core-types';
import { BUILT_IN_STRATEGIES } from '@hl-bot/strategies';
import { checkBalance, checkInterval, integerOption, PAPER_LIMITS, PaperUsageError } from './options.js';
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
  --symbols A,B        symbols, at most 20 (default BTC-USD,ETH-USD; with --data one symbol, default BTC-USD,
                       which names the file's candles)
  --strategy NAME|FILE built-in strategy or a path to an ES module exporting a Strategy (default showcase)
  --bars N             bars per symbol, 1 to 1,000,000 (default 2000; with --data, at most N bars)
  --interval I         synthetic bar interval, 1s to 7d: 1m, 5m, 1h... (default 5m)
  --seed N             seed of the synthetic market and the venue's slippage, 0 to 4294967295 (default 42)
  --balance USDC       start balance, above 0 and at most 1,000,000,000,000 (default 10000)
  --out DIR            output directory (default ./paper-out): audit/, summary.json, trades.csv,
                       trades.json, report.html. A directory holding an audit log hl-paper did not write,
                       or one locked by a running process, is refused (never deleted)
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
  const num = (k: string, min: number, max: number) =>
    str(k) === undefined ? undefined : integerOption(str(k) as string, `--${k}`, min, max);
  const seed = num('seed', 0, PAPER_LIMITS.maxSeed);
  const bars = num('bars', 1, PAPER_LIMITS.maxBars);
  if (str('balance') !== undefined) checkBalance(str('balance') as string);
  if (str('interval') !== undefined) checkInterval(str('interval') as string);
  for (const flag of ['config', 'data'] as const) {
    const file = str(flag);
    if (file !== undefined && !existsSync(file)) usage(`--${flag} ${file}: no such file`);
  }
  const strategy = str('strategy');
  if (strategy !== undefined && !(strategy in BUILT_IN_STRATEGIES) && !existsSync(strategy)) {
    usage(
      `--strategy ${strategy}: neither a built-in strategy (${Object.keys(BUILT_IN_STRATEGIES).join(', ')}) nor a file`,
    );
  }
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
  if (result.venueRefusalReasons.length > 0) {
    process.stdout.write('  the venue refused orders risk had approved:\n');
    for (const r of result.venueRefusalReasons) process.stdout.write(`    ${r.code}: ${r.reason}\n`);
    process.stdout.write('\n');
  }
  process.stdout.write(
    `  report   ${result.reportPath}\n  summary  ${result.summaryPath}\n  trades   ${result.tradesCsvPath} (and trades.json)\n  audit    ${result.auditDir}\n`,
  );
  return 0;
}

/** Errors that mean the command line (or the files it names) was wrong: exit 2, as documented. */
function isUsageError(error: unknown): boolean {
  return (
    error instanceof PaperUsageError ||
    (HlBotError.is(error) && (error.code === 'RISK_CONFIG_INVALID' || error.code === 'PAPER_USAGE'))
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isUsageError(error)) usage((error as Error).message);
    const code = HlBotError.is(error) ? ` [${error.code}]` : '';
    process.stderr.write(
      `hl-paper: run failed${code}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
