import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import { HlBotError } from '@hl-bot/core-types';
import { nullAuditSink, PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { Bot } from './bot.js';
import { type BotCliOverrides, BotConfigError, loadBotConfig } from './config.js';
import { callBot, readControl } from './control-client.js';
import { coreDumpLimit, scrubEnvironmentVariable } from './environ.js';
import { createLogger } from './logger.js';
import {
  formatStatus,
  isoTime,
  positionStatus,
  resetBreakerMessage,
  riskStateStatus,
} from './operator-output.js';
import { offlineStrategyParts } from './run/strategy-status.js';
import { loadPrivateKey } from './secret.js';
import { checkStateDir, prepareStateDir, requireBotState } from './state-dir.js';
import type { StrategyRun } from './strategy-config.js';

const HELP = `hl-bot: live trading on Hyperliquid through the risk engine

Usage:
  hl-bot run --config FILE [--testnet | --mainnet --i-understand-this-is-real-money]
             [--strategy NAME|./file.js] [--state-dir DIR] [--api-url URL] [--ws-url URL] [--adopt-venue-state]
  hl-bot status        [--state-dir DIR | --config FILE] [--json]
  hl-bot kill          [--state-dir DIR | --config FILE] [--reason TEXT] [--flatten]
  hl-bot reset-breaker [--state-dir DIR | --config FILE]
  hl-bot reconcile     [--state-dir DIR | --config FILE]

Several strategies in one process: list them under "strategies" in the config (each with its own symbols and
optional limits); they share the account's risk limits and audit log. --strategy applies to a config with
"symbols" and "strategy" only.

The signing key comes from HL_PRIVATE_KEY or the config's keyFile (mode 600), never from a flag.
Testnet is the default. On start the bot rebuilds positions and risk state (breaker, daily loss, streaks)
from the audit log in the state directory, then reconciles with the venue: a mismatch trips the breaker
unless --adopt-venue-state is given, which books the venue's positions (audited).

kill, status, reset-breaker and reconcile talk to the running bot over its 127.0.0.1 control endpoint; when no
bot is running they act on the audit log directly (kill and reset-breaker record the change there), with the
risk settings of --config (built-in defaults without it). A directory holding no bot state is refused.

Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
`;

function fail(code: number, message: string): never {
  process.stderr.write(`hl-bot: ${message}\n`);
  process.exit(code);
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string' },
        testnet: { type: 'boolean' },
        mainnet: { type: 'boolean' },
        'i-understand-this-is-real-money': { type: 'boolean' },
        strategy: { type: 'string' },
        'state-dir': { type: 'string' },
        'api-url': { type: 'string' },
        'ws-url': { type: 'string' },
        'adopt-venue-state': { type: 'boolean' },
        reason: { type: 'string' },
        flatten: { type: 'boolean' },
        json: { type: 'boolean' },
        'private-key': { type: 'string' },
      },
    }).values;
  } catch (error) {
    return fail(2, `${(error as Error).message}\nRun hl-bot --help for usage.`);
  }
}

type Values = ReturnType<typeof parse>;

interface Target {
  stateDir: string;
  /** The configuration's strategies (none with --state-dir alone). */
  strategies: readonly StrategyRun[];
  /** The risk settings offline commands act with: the configuration's, else the built-in defaults. */
  riskConfig: RiskConfig;
  riskFrom: string;
}

/** The state directory (and risk settings) an operator command acts on, from --state-dir and/or --config. */
function targetOf(v: Values): Target {
  const stateDirFlag = typeof v['state-dir'] === 'string' ? v['state-dir'] : undefined;
  if (typeof v.config === 'string') {
    try {
      const config = loadBotConfig(
        v.config,
        { inspectOnly: true, ...(stateDirFlag === undefined ? {} : { stateDir: stateDirFlag }) },
        process.env,
      );
      return {
        stateDir: config.stateDir,
        strategies: config.strategies,
        riskConfig: config.riskConfig,
        riskFrom: v.config,
      };
    } catch (error) {
      if (error instanceof BotConfigError) {
        fail(2, `invalid configuration:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`);
      }
      throw error;
    }
  }
  if (stateDirFlag !== undefined) {
    return {
      stateDir: stateDirFlag,
      strategies: [],
      riskConfig: RiskConfig.defaults(),
      riskFrom: 'built-in defaults',
    };
  }
  return fail(2, 'give --state-dir DIR (or --config FILE with stateDir)');
}

async function run(v: Values): Promise<number> {
  if (typeof v.config !== 'string') fail(2, 'run needs --config FILE');
  if (v.testnet === true && v.mainnet === true) fail(2, '--testnet and --mainnet exclude each other');
  const overrides: BotCliOverrides = {
    ...(v.mainnet === true
      ? { network: 'mainnet' as const }
      : v.testnet === true
        ? { network: 'testnet' as const }
        : {}),
    realMoneyConfirmed: v['i-understand-this-is-real-money'] === true,
    ...(typeof v.strategy === 'string' ? { strategy: v.strategy } : {}),
    ...(typeof v['state-dir'] === 'string' ? { stateDir: v['state-dir'] } : {}),
    ...(typeof v['api-url'] === 'string' ? { apiUrl: v['api-url'] } : {}),
    ...(typeof v['ws-url'] === 'string' ? { wsUrl: v['ws-url'] } : {}),
    adoptVenueState: v['adopt-venue-state'] === true,
  };
  const problems: string[] = [];
  let config: ReturnType<typeof loadBotConfig> | undefined;
  try {
    config = loadBotConfig(v.config, overrides, process.env);
  } catch (error) {
    if (error instanceof BotConfigError) problems.push(...error.problems);
    else problems.push((error as Error).message);
  }
  let key: ReturnType<typeof loadPrivateKey> | undefined;
  try {
    key = loadPrivateKey({ env: process.env, keyFile: config?.keyFile });
  } catch (error) {
    problems.push((error as Error).message);
  }
  try {
    // Read once, the key leaves the environment: /proc/PID/environ would show it to this user for the whole run.
    scrubEnvironmentVariable('HL_PRIVATE_KEY');
    // The shared budget's URL may hold the database password: it leaves the environment too.
    scrubEnvironmentVariable('HL_SHARED_RISK_URL');
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (config !== undefined) {
    try {
      await prepareStateDir(config.stateDir);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0 || config === undefined || key === undefined) {
    fail(2, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const dbPassword = databasePassword(config?.sharedRisk?.url.reveal());
  const logger = createLogger({
    pretty: process.stdout.isTTY === true,
    // Scrubbed from every line by value: the key, and the shared budget's database URL and password.
    secrets: [
      key.reveal(),
      ...(config?.sharedRisk === undefined ? [] : [config.sharedRisk.url.reveal()]),
      ...dbPassword,
    ],
  });
  const coreLimit = coreDumpLimit();
  if (coreLimit !== undefined && coreLimit !== '0') {
    logger.warn(
      { coreLimit },
      'core dumps are enabled: a crash would write the key to disk; start the bot with ulimit -c 0 (systemd: LimitCORE=0)',
    );
  }
  const bot = new Bot({ config, key, logger });

  let signals = 0;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      logger.info({ signal }, 'stopping');
      bot.stop(`signal ${signal}`).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  try {
    await bot.start();
  } catch (error) {
    logger.error(
      {
        err: error instanceof Error ? error.message : String(error),
        ...(HlBotError.is(error) ? { code: error.code } : {}),
      },
      'start failed',
    );
    await bot.stop('start failed').catch(() => undefined);
    return 1;
  }
  return stopped;
}

/** Read-only view of the state in the audit log, for when no bot is running. */
async function offlineState(target: Target) {
  const dir = join(target.stateDir, 'audit');
  const tracker = new PositionTracker(nullAuditSink);
  await tracker.replay(readAuditLog(dir));
  const risk = await RiskManager.recover({
    config: target.riskConfig,
    audit: nullAuditSink,
    entries: readAuditLog(dir),
  });
  return { tracker, risk };
}

/**
 * The running bot's control file, or undefined when none runs. The directory is checked first: from one that
 * others can write to, a control file (where the token is sent) or an audit log could be planted.
 */
async function controlOf(stateDir: string) {
  await checkStateDir(stateDir);
  return readControl(stateDir);
}

async function status(v: Values): Promise<number> {
  const target = targetOf(v);
  const control = await controlOf(target.stateDir);
  let out: Record<string, unknown>;
  if (control !== undefined) {
    out = { running: true, ...((await callBot(control, 'GET', '/status')) as Record<string, unknown>) };
  } else {
    await requireBotState(target.stateDir);
    const { tracker, risk } = await offlineState(target);
    out = {
      running: false,
      ...riskStateStatus(risk.state),
      realizedPnl: tracker.getTotalNetRealizedPnl().toString(),
      positions: tracker.getAllPositions().map(positionStatus),
      ...(target.strategies.length === 0
        ? {}
        : { strategies: offlineStrategyParts(target.strategies, tracker) }),
      riskSettings: target.riskFrom,
    };
  }
  if (v.json === true) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(formatStatus(out, Date.now()));
  }
  return 0;
}

async function kill(v: Values): Promise<number> {
  const target = targetOf(v);
  const reason = typeof v.reason === 'string' ? v.reason : 'operator kill';
  const control = await controlOf(target.stateDir);
  if (control !== undefined) {
    const result = await callBot(control, 'POST', '/kill', { reason, flatten: v.flatten === true });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  }
  // Before anything is opened (opening creates the log): a wrong directory must not get a fresh one.
  await requireBotState(target.stateDir);
  // No bot running: record the trip in the audit log, so the next start is halted.
  const audit = await AuditLogger.open(join(target.stateDir, 'audit'));
  let cooldownUntil: number | null;
  try {
    const risk = await RiskManager.recover({ config: target.riskConfig, audit });
    await risk.tripCircuitBreaker(`kill switch (bot not running): ${reason}`);
    cooldownUntil = risk.state.cooldownUntil;
  } finally {
    await audit.close();
  }
  process.stdout.write(
    `no bot running: circuit breaker tripped in the audit log, cooldown until ${isoTime(cooldownUntil)} ` +
      `(${target.riskConfig.circuitBreakerCooldownMinutes} min, risk settings: ${target.riskFrom}); ` +
      'open orders on the venue were not touched\n',
  );
  return 0;
}

async function resetBreaker(v: Values): Promise<number> {
  const target = targetOf(v);
  const control = await controlOf(target.stateDir);
  let outcome: { reset: boolean; wasTripped: boolean; cooldownUntil: number | null };
  if (control !== undefined) {
    const r = (await callBot(control, 'POST', '/reset-breaker')) as Partial<typeof outcome>;
    outcome = {
      reset: r.reset === true,
      // A bot of an earlier version answers only { reset }.
      wasTripped: r.wasTripped ?? true,
      cooldownUntil: typeof r.cooldownUntil === 'number' ? r.cooldownUntil : null,
    };
  } else {
    await requireBotState(target.stateDir);
    const audit = await AuditLogger.open(join(target.stateDir, 'audit'));
    try {
      const risk = await RiskManager.recover({ config: target.riskConfig, audit });
      const wasTripped = risk.state.circuitBreakerTripped;
      const reset = wasTripped
        ? await risk.resetCircuitBreaker('hl-bot reset-breaker (bot not running)')
        : true;
      outcome = { reset, wasTripped, cooldownUntil: risk.state.cooldownUntil };
    } finally {
      await audit.close();
    }
  }
  const { text, code } = resetBreakerMessage(outcome, Date.now());
  process.stdout.write(text);
  return code;
}

async function reconcile(v: Values): Promise<number> {
  const { stateDir } = targetOf(v);
  const control = await controlOf(stateDir);
  if (control === undefined) fail(1, 'no bot is running for this state directory; start it to reconcile');
  const report = (await callBot(control, 'POST', '/reconcile', {}, 30_000)) as { mismatches: unknown[] };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.mismatches.length === 0 ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  const v = parse(rest);
  if (v.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v['private-key'] !== undefined) {
    fail(
      2,
      'the key is never taken from a flag (it would show in ps and shell history): use HL_PRIVATE_KEY or keyFile',
    );
  }
  switch (command) {
    case 'run':
      return run(v);
    case 'status':
      return status(v);
    case 'kill':
      return kill(v);
    case 'reset-breaker':
      return resetBreaker(v);
    case 'reconcile':
      return reconcile(v);
    default:
      return fail(2, `unknown command "${command}"; run hl-bot --help`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = HlBotError.is(error) ? ` [${error.code}]` : '';
    process.stderr.write(
      `hl-bot: failed${code}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);

/** The password inside a database URL, if any (scrubbed from logs by value). */
function databasePassword(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? [] : [password];
  } catch {
    return [];
  }
}
