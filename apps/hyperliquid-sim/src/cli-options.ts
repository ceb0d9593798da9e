import { parseArgs } from 'node:util';
import { SimError } from './errors.js';
import type { SimFaults } from './faults.js';
import type { HyperliquidSimOptions } from './server.js';

/** The `hl-sim --help` text. */
export const HELP = `hl-sim: a local Hyperliquid-compatible exchange on 127.0.0.1

Speaks Hyperliquid's POST /info, POST /exchange and /ws WebSocket for the subset a trading bot needs,
backed by the paper exchange (one ledger per account), with fault injection for testing clients.
When listening it prints one JSON line {"url":...,"wsUrl":...} on stdout.

Usage: hl-sim [options]

Market
  --port N                    TCP port on 127.0.0.1 (default 0: a free port)
  --symbols LIST              perps, comma separated: BTC or COIN:szDecimals:maxLeverage
                              (default BTC,ETH,SOL; alias --coins)
  --seed N                    seed of the synthetic market and of --fail-5xx-rate (default 1)
  --volatility X              per-bar volatility of the synthetic market (fraction, e.g. 0.001)
  --data FILE.csv | COIN=FILE bars from an OHLCV CSV (timestamp,open,high,low,close,volume) for one
                              coin (default coin: the first symbol) instead of the synthetic market
  --bar-ms MS                 wall-clock ms per bar, and each bar's length (default 1000)
  --manual-bars               bars advance only via POST /sim/step {"n":N} or POST /sim/bar
  --testnet                   verify signatures as testnet (phantom agent source "b"); default mainnet
  --hip3-dex NAME:COIN[:SZ:LEV][,COIN...]
                              serve one HIP-3 perp dex with its own meta (coins named NAME:COIN)

Accounts
  --account 0xADDR[:BALANCE]  register a master account (repeatable; default balance 100000 USDC)
  --agent 0xAGENT:0xMASTER    approve an API (agent) wallet for a master (repeatable)
  --account-mode standard|unified
                              account abstraction mode of every account (default standard): unified
                              keeps balances and holds in spotClearinghouseState, as the venue does

WebSocket
  --ws-idle-ms MS             close a connection the server sent nothing to for MS (default 60000)

Faults
  --drop-ws-every SECONDS     terminate every WebSocket connection every SECONDS
  --duplicate-fills           send every streaming userFills message twice
  --resend-fills-snapshot     after every streaming userFills message, resend the isSnapshot batch
  --rate-limit-after N        HTTP 429 for API requests beyond N per window
  --rate-limit-window-ms MS   window of --rate-limit-after (default 60000)
  --fail-5xx-every N          HTTP 500 for every Nth API request (deterministic)
  --fail-5xx-rate P           HTTP 500 with probability P (seeded by --seed)
  --fail-5xx-phase before|after
                              before (default): the failed /exchange request is not executed;
                              after: it is executed, then answered 502 (the ambiguous case)
  --latency-ms MS             delay every API answer by MS

Control (not part of the Hyperliquid API)
  POST /sim/step {"n":N}      advance N bars
  POST /sim/bar {"coin","open","high","low","close","volume"?}   feed one explicit bar
  POST /sim/accounts {"address","balance"?} | {"agent","master"}
  POST /sim/faults {...}      replace the fault settings (same names as the options, camelCase)
  GET  /sim/state             time, mids, accounts, agents, faults, counters

  --help                      show this help
`;

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new SimError('SIM_INVALID_OPTION', `--${name} must be a number, got ${value}`);
  return n;
}

/**
 * Parses hl-sim's command line into options, or `help` for --help.
 * @throws {SimError} `SIM_INVALID_OPTION` for unknown or malformed flags.
 */
export function parseCli(argv: readonly string[]): HyperliquidSimOptions | 'help' {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        port: { type: 'string' },
        symbols: { type: 'string' },
        coins: { type: 'string' },
        seed: { type: 'string' },
        volatility: { type: 'string' },
        data: { type: 'string' },
        'bar-ms': { type: 'string' },
        'manual-bars': { type: 'boolean' },
        testnet: { type: 'boolean' },
        'hip3-dex': { type: 'string' },
        account: { type: 'string', multiple: true },
        agent: { type: 'string', multiple: true },
        'account-mode': { type: 'string' },
        'ws-idle-ms': { type: 'string' },
        'drop-ws-every': { type: 'string' },
        'duplicate-fills': { type: 'boolean' },
        'resend-fills-snapshot': { type: 'boolean' },
        'rate-limit-after': { type: 'string' },
        'rate-limit-window-ms': { type: 'string' },
        'fail-5xx-every': { type: 'string' },
        'fail-5xx-rate': { type: 'string' },
        'fail-5xx-phase': { type: 'string' },
        'latency-ms': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new SimError('SIM_INVALID_OPTION', error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';
  const str = (k: string) => values[k] as string | undefined;
  const coins = (str('symbols') ?? str('coins'))?.split(',').filter((s) => s.length > 0);
  const accounts = ((values.account as string[] | undefined) ?? []).map((spec) => {
    const [address = '', balance] = spec.split(':');
    return balance === undefined ? { address } : { address, balance };
  });
  const agents = ((values.agent as string[] | undefined) ?? []).map((spec) => {
    const [agent = '', master = ''] = spec.split(':');
    return { agent, master };
  });
  let data: HyperliquidSimOptions['data'];
  const rawData = str('data');
  if (rawData !== undefined) {
    const eq = rawData.indexOf('=');
    data =
      eq > 0 && /^[A-Z0-9]+$/.test(rawData.slice(0, eq))
        ? { coin: rawData.slice(0, eq), path: rawData.slice(eq + 1) }
        : { coin: (coins?.[0] ?? 'BTC').split(':')[0] ?? 'BTC', path: rawData };
  }
  const phase = str('fail-5xx-phase');
  if (phase !== undefined && phase !== 'before' && phase !== 'after') {
    throw new SimError('SIM_INVALID_OPTION', '--fail-5xx-phase must be before or after');
  }
  const faults: SimFaults = {
    dropWsEverySec: num(str('drop-ws-every'), 'drop-ws-every'),
    duplicateFills: values['duplicate-fills'] === true,
    resendFillsSnapshot: values['resend-fills-snapshot'] === true,
    rateLimitAfter: num(str('rate-limit-after'), 'rate-limit-after'),
    rateLimitWindowMs: num(str('rate-limit-window-ms'), 'rate-limit-window-ms'),
    fail5xxEvery: num(str('fail-5xx-every'), 'fail-5xx-every'),
    fail5xxRate: num(str('fail-5xx-rate'), 'fail-5xx-rate'),
    fail5xxPhase: phase,
    latencyMs: num(str('latency-ms'), 'latency-ms'),
  };
  const accountMode = str('account-mode');
  if (accountMode !== undefined && accountMode !== 'standard' && accountMode !== 'unified') {
    throw new SimError('SIM_INVALID_OPTION', '--account-mode must be standard or unified');
  }
  let hip3Dex: HyperliquidSimOptions['hip3Dex'];
  const rawDex = str('hip3-dex');
  if (rawDex !== undefined) {
    const colon = rawDex.indexOf(':');
    if (colon <= 0) throw new SimError('SIM_INVALID_OPTION', '--hip3-dex must be NAME:COIN[,COIN...]');
    hip3Dex = {
      name: rawDex.slice(0, colon),
      coins: rawDex
        .slice(colon + 1)
        .split(',')
        .filter((c) => c !== ''),
    };
  }
  const port = num(str('port'), 'port');
  const seed = num(str('seed'), 'seed');
  const volatility = num(str('volatility'), 'volatility');
  const barMs = num(str('bar-ms'), 'bar-ms');
  const wsIdleMs = num(str('ws-idle-ms'), 'ws-idle-ms');
  return {
    ...(port === undefined ? {} : { port }),
    ...(coins === undefined ? {} : { coins }),
    ...(seed === undefined ? {} : { seed }),
    ...(volatility === undefined ? {} : { volatility }),
    ...(data === undefined ? {} : { data }),
    ...(barMs === undefined ? {} : { barMs }),
    ...(wsIdleMs === undefined ? {} : { wsIdleMs }),
    ...(accountMode === undefined ? {} : { accountMode }),
    ...(hip3Dex === undefined ? {} : { hip3Dex }),
    manualBars: values['manual-bars'] === true,
    testnet: values.testnet === true,
    accounts,
    agents,
    faults,
  };
}
