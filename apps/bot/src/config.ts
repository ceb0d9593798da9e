import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { HlBotError } from '@hl-bot/core-types';
import { RISK_CONFIG_FIELDS, RiskConfig, riskEnvName } from '@hl-bot/risk';
import { z } from 'zod';
import { Secret } from './secret.js';
import {
  BotSymbol,
  normalizeStrategies,
  StrategyEntry,
  type StrategyRun,
  strategyProblems,
} from './strategy-config.js';

const BUDGET_NAME = /^[A-Za-z0-9@:._/-]{1,128}$/;
const Money = z.union([z.string().regex(/^\d+(\.\d+)?$/, 'a decimal number'), z.number().nonnegative()]);

/**
 * `sharedRisk`: one risk budget for every bot on the account, shared through PostgreSQL (see
 * `@hl-bot/risk-budget-pg`). Without it there is no database: the budget is in-process.
 */
export const SharedRiskSection = z
  .object({
    /** `postgres://user:password@host:port/db`; or `HL_SHARED_RISK_URL`. A secret: never logged. */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** The name every bot sharing the budget gives the same. */
    account: z.string().regex(BUDGET_NAME, '1-128 characters of [A-Za-z0-9@:._/-]'),
    /** This bot, unique on the account and the same across restarts. Default: from the host and state directory. */
    botId: z.string().regex(BUDGET_NAME, '1-128 characters of [A-Za-z0-9@:._/-]').optional(),
    /** The account's shared caps, written by the first bot that creates the account (later bots' are ignored). */
    caps: z
      .object({
        maxExposure: Money.optional(),
        maxPositions: z.number().int().min(0).optional(),
        ordersPerMinute: z.number().int().min(0).optional(),
        dailyLoss: Money.optional(),
        maxDrawdown: Money.optional(),
        maxConsecutiveLosses: z.number().int().min(1).optional(),
        leaseMs: z.number().int().min(200).max(600_000).optional(),
        slice: Money.optional(),
      })
      .strict()
      .optional(),
    /** Bound of each database round trip, ms (default 1000). */
    timeoutMs: z.number().int().min(50).max(60_000).optional(),
    /**
     * Copy every line of the audit log to the database's `hl_risk.audit_mirror` table (default true), so a
     * team queries and verifies every bot's log in one place. The local log stays the record.
     */
    mirrorAudit: z.boolean().optional(),
  })
  .strict();

/** The bot's config file (JSON). Risk limits sit under `risk` (or in `riskFile`); `RISK_*` variables override both. */
export const BotConfigFile = z
  .object({
    network: z.enum(['testnet', 'mainnet']).default('testnet'),
    apiUrl: z.string().url().optional(),
    wsUrl: z.string().url().optional(),
    /** The account traded and queried; the key may belong to an API (agent) wallet of it. */
    walletAddress: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address')
      .optional(),
    /** Path of a file holding the key (mode 600). Otherwise `HL_PRIVATE_KEY`. */
    keyFile: z.string().min(1).optional(),
    /** The symbols of the one strategy (`strategy`); several strategies give theirs in `strategies`. */
    symbols: z.array(BotSymbol).min(1).optional(),
    /** A built-in name or a module path (default `trend`); several strategies: `strategies`. */
    strategy: z.string().min(1).optional(),
    /** Several strategies in one process, each with its own symbols and optional limits (instead of `symbols`). */
    strategies: z.array(StrategyEntry).min(1).optional(),
    /** Symbols more than one strategy may trade; any other symbol belongs to one strategy only. */
    sharedSymbols: z.array(BotSymbol).default([]),
    barIntervalMs: z.number().int().min(1000).default(60_000),
    stateDir: z.string().min(1).optional(),
    risk: z.record(z.string(), z.unknown()).optional(),
    riskFile: z.string().min(1).optional(),
    reconcileIntervalMs: z.number().int().min(1000).default(60_000),
    /** Periodic reconciliations in a row that fail (venue unreachable) before the breaker trips. */
    reconcileFailuresToHalt: z.number().int().min(1).max(100).default(3),
    accountRefreshMs: z.number().int().min(1000).default(15_000),
    cancelOrdersOnShutdown: z.boolean().default(true),
    /** Orders left working on the venue by an earlier run: cancel them at start (default) or adopt them into risk. */
    staleOrdersOnStart: z.enum(['cancel', 'adopt']).default('cancel'),
    deadMansSwitch: z
      .object({
        enabled: z.boolean().default(false),
        /** How far ahead the venue's scheduled cancel is kept (>= 5 s per the venue). */
        aheadMs: z.number().int().min(5_000).default(60_000),
        refreshMs: z.number().int().min(1_000).default(20_000),
      })
      .strict()
      .default({ enabled: false, aheadMs: 60_000, refreshMs: 20_000 }),
    /** Client tuning; the defaults suit the real venue. */
    client: z
      .object({
        orderExpiryMs: z.number().int().min(1000).optional(),
        orderSettleMs: z.number().int().min(0).optional(),
        requestTimeoutMs: z.number().int().min(100).optional(),
        weightPerMinute: z.number().int().min(1).optional(),
        reconnectDelayMs: z.number().int().min(10).optional(),
        maxReconnectDelayMs: z.number().int().min(10).optional(),
        retryBaseDelayMs: z.number().int().min(1).optional(),
      })
      .strict()
      .default({}),
    /**
     * Writes an audit anchor (last seq and hash) to `path` at start, every `intervalMs` and at stop. Put it
     * outside the state directory, ideally on another volume or host: `hl-audit verify DIR --anchor FILE`.
     */
    auditAnchor: z
      .object({
        path: z.string().min(1),
        intervalMs: z.number().int().min(1000).max(86_400_000).default(300_000),
      })
      .strict()
      .optional(),
    metrics: z
      .object({ port: z.number().int().min(0).max(65535).default(9464) })
      .strict()
      .default({ port: 9464 }),
    sharedRisk: SharedRiskSection.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const p of strategyProblems(c)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    if (c.risk !== undefined && c.riskFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['riskFile'],
        message: 'give risk limits inline (risk) or in riskFile, not both',
      });
    }
    if (c.deadMansSwitch.refreshMs >= c.deadMansSwitch.aheadMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['deadMansSwitch', 'refreshMs'],
        message: 'must be shorter than aheadMs, or the scheduled cancel fires between refreshes',
      });
    }
  });
export type BotConfigFile = z.output<typeof BotConfigFile>;

/** Command-line choices that complete or override the file. */
export interface BotCliOverrides {
  network?: 'testnet' | 'mainnet';
  realMoneyConfirmed?: boolean;
  strategy?: string;
  stateDir?: string;
  apiUrl?: string;
  wsUrl?: string;
  adoptVenueState?: boolean;
  /**
   * Read for an operator command (status, kill, reset-breaker), not to trade: mainnet need not be confirmed,
   * since nothing is sent to the venue.
   */
  inspectOnly?: boolean;
}

/** The shared budget's settings as the bot uses them: the URL kept as a secret, the bot id resolved. */
export interface SharedRiskSettings extends Omit<z.output<typeof SharedRiskSection>, 'url' | 'botId'> {
  readonly url: Secret;
  readonly botId: string;
}

export interface BotConfig extends Omit<BotConfigFile, 'symbols' | 'strategy' | 'strategies' | 'sharedRisk'> {
  /** Every symbol some strategy trades, in config order. */
  symbols: string[];
  /** The strategies run; a config with `strategy` and `symbols` runs one, named `default`. */
  strategies: StrategyRun[];
  stateDir: string;
  riskConfig: RiskConfig;
  adoptVenueState: boolean;
  sharedRisk?: SharedRiskSettings;
}

/**
 * A bot id that stays the same for the same state directory across restarts: the venue account and the
 * directory (so a dead bot's open orders can be looked up by the others' reconcilers), or the host.
 */
function defaultBotId(stateDir: string, walletAddress: string | undefined): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64) || 'host';
  const dir = createHash('sha256')
    .update(`${host}:${resolve(stateDir)}`)
    .digest('hex')
    .slice(0, 12);
  return `${walletAddress ?? host}/${dir}`;
}

/** Every problem found in the configuration, listed together. */
export class BotConfigError extends HlBotError {
  constructor(readonly problems: readonly string[]) {
    super('BOT_CONFIG_INVALID', `invalid bot configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      details: { problems },
    });
    this.name = 'BotConfigError';
  }
}

/**
 * Reads and validates the config file, the command-line overrides and `RISK_*` variables. Collects every
 * problem before failing, so one run shows them all.
 * @throws {BotConfigError} code `BOT_CONFIG_INVALID`
 */
export function loadBotConfig(
  path: string,
  overrides: BotCliOverrides,
  env: Readonly<Record<string, string | undefined>>,
): BotConfig {
  const problems: string[] = [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BotConfigError([`${path}: ${(error as Error).message}`]);
  }
  const parsed = BotConfigFile.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const file = parsed.success ? parsed.data : undefined;
  const network = overrides.network ?? file?.network ?? 'testnet';
  const trading = overrides.inspectOnly !== true;
  if (trading && network === 'mainnet' && overrides.realMoneyConfirmed !== true) {
    problems.push('--mainnet trades real money: add --i-understand-this-is-real-money to confirm');
  }
  if (trading && overrides.network === undefined && file?.network === 'mainnet') {
    problems.push('mainnet must be chosen on the command line (--mainnet), not only in the config file');
  }
  const listsStrategies = typeof raw === 'object' && raw !== null && 'strategies' in raw;
  if (overrides.strategy !== undefined && listsStrategies) {
    problems.push(
      '--strategy replaces the one strategy of a config with symbols; this config lists strategies',
    );
  }
  const stateDir = overrides.stateDir ?? file?.stateDir;
  if (stateDir === undefined) problems.push('no state directory: give --state-dir or stateDir in the config');
  let riskConfig: RiskConfig | undefined;
  try {
    // Validated from the raw file too, so a risk problem is listed even when other fields are wrong.
    const rawObject = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const inline = rawObject.risk;
    const riskFile = typeof rawObject.riskFile === 'string' ? rawObject.riskFile : undefined;
    riskConfig =
      inline === undefined
        ? RiskConfig.load({ ...(riskFile === undefined ? {} : { file: riskFile }), env })
        : withEnv(RiskConfig.from(inline as Record<string, unknown>), env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  let sharedRisk: SharedRiskSettings | undefined;
  const shared = file?.sharedRisk;
  if (shared !== undefined && stateDir !== undefined) {
    const url = shared.url ?? env.HL_SHARED_RISK_URL;
    if (url === undefined || url === '') {
      problems.push(`${path}: sharedRisk: no database URL: give sharedRisk.url or HL_SHARED_RISK_URL`);
    } else if (!/^postgres(ql)?:\/\//.test(url)) {
      problems.push('HL_SHARED_RISK_URL: must be a postgres:// URL');
    } else {
      const { url: _inline, botId, ...rest } = shared;
      sharedRisk = {
        ...rest,
        url: new Secret(url),
        botId: botId ?? defaultBotId(stateDir, file?.walletAddress),
      };
    }
  }
  if (problems.length > 0 || file === undefined || stateDir === undefined || riskConfig === undefined) {
    throw new BotConfigError(problems.length > 0 ? problems : ['invalid configuration']);
  }
  const {
    symbols: _symbols,
    strategy: _strategy,
    strategies: _strategies,
    sharedRisk: _section,
    ...rest
  } = file;
  const strategies = normalizeStrategies(file, overrides.strategy);
  return {
    ...rest,
    ...(sharedRisk === undefined ? {} : { sharedRisk }),
    symbols: [...new Set(strategies.flatMap((s) => s.symbols))],
    strategies,
    network,
    ...(overrides.apiUrl === undefined ? {} : { apiUrl: overrides.apiUrl }),
    ...(overrides.wsUrl === undefined ? {} : { wsUrl: overrides.wsUrl }),
    stateDir,
    riskConfig,
    adoptVenueState: overrides.adoptVenueState === true,
  };
}

/** Inline risk limits (the file layer) with the `RISK_*` variables that are set on top: defaults < file < env. */
function withEnv(fileLayer: RiskConfig, env: Readonly<Record<string, string | undefined>>): RiskConfig {
  const fromEnv = RiskConfig.fromEnv(env);
  const set: Record<string, unknown> = {};
  for (const field of RISK_CONFIG_FIELDS) {
    if (env[riskEnvName(field)] !== undefined) set[field] = fromEnv[field];
  }
  return fileLayer.with(set as Parameters<RiskConfig['with']>[0]);
}
