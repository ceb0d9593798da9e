import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAuditLog } from '@hl-bot/audit';
import type { AuditEntry } from '@hl-bot/core-types';
import { HyperliquidClient, PrivateKeySigner } from '@hl-bot/exchange-hyperliquid';
import { nullAuditSink, PositionTracker } from '@hl-bot/positions';

const here = dirname(fileURLToPath(import.meta.url));
export const BOT_CLI = join(here, '..', 'dist', 'cli.js');
// hl-sim is another app: the bot's tests run its built CLI as a separate process, the way an operator would.
export const SIM_CLI = join(here, '..', '..', 'hyperliquid-sim', 'dist', 'cli.js');
export const STRATEGY = join(here, 'fixtures', 'busy-strategy.mjs');

export const MASTER_KEY = `0x${'5a'.repeat(32)}`;
export const AGENT_KEY = `0x${'6b'.repeat(32)}`;
export const MASTER = new PrivateKeySigner(MASTER_KEY).address;
export const AGENT = new PrivateKeySigner(AGENT_KEY).address;

export interface RunningSim {
  url: string;
  wsUrl: string;
  proc: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

export async function startSim(extra: string[] = []): Promise<RunningSim> {
  const proc = spawn(
    process.execPath,
    [
      SIM_CLI,
      '--testnet',
      '--symbols',
      'BTC',
      '--bar-ms',
      '250',
      '--volatility',
      '0.002',
      '--account',
      `${MASTER}:100000`,
      '--agent',
      `${AGENT}:${MASTER}`,
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      output.push(d.toString());
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    proc.once('exit', (code) => reject(new Error(`hl-sim exited ${code}: ${output.join('')}`)));
  });
  const { url, wsUrl } = JSON.parse(first) as { url: string; wsUrl: string };
  return {
    url,
    wsUrl,
    proc,
    output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

const RISK = {
  maxOrdersPerMinute: 200,
  maxOrdersPerSecond: 20,
  maxConsecutiveLosses: 1000,
  maxConsecutiveErrors: 1000,
  maxMarketPriceAgeMs: 5000,
  maxDailyLoss: '5000',
  maxDailyLossPercent: '0.5',
  maxDrawdownPercent: '0.5',
};

/** The client settings every test bot runs with (a test's own `client` replaces them whole). */
export const TEST_CLIENT = {
  orderExpiryMs: 1500,
  orderSettleMs: 100,
  weightPerMinute: 1000000,
  reconnectDelayMs: 30,
  maxReconnectDelayMs: 200,
  retryBaseDelayMs: 20,
} as const;

export function writeConfig(dir: string, sim: RunningSim, extra: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'bot.json');
  writeFileSync(
    path,
    JSON.stringify({
      apiUrl: sim.url,
      wsUrl: sim.wsUrl,
      walletAddress: MASTER,
      symbols: ['BTC-USD'],
      strategy: STRATEGY,
      barIntervalMs: 1000,
      reconcileIntervalMs: 2000,
      accountRefreshMs: 2000,
      metrics: { port: 0 },
      client: TEST_CLIENT,
      ...extra,
      // Limits given by a test are laid over these, so a test names only the limit it is about.
      risk: { ...RISK, ...((extra.risk as Record<string, unknown> | undefined) ?? {}) },
    }),
  );
  return path;
}

export interface RunningBot {
  proc: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export function spawnBot(
  config: string,
  stateDir: string,
  env: Record<string, string> = {},
  args: string[] = [],
): RunningBot {
  const proc = spawn(
    process.execPath,
    [BOT_CLI, 'run', '--config', config, '--testnet', '--state-dir', stateDir, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HL_PRIVATE_KEY: AGENT_KEY, ...env },
    },
  );
  const output: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output, exited };
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [BOT_CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.once('exit', (code) => resolve({ code, out }));
  });
}

export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function readClient(sim: RunningSim): HyperliquidClient {
  return new HyperliquidClient({
    walletAddress: MASTER,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    testnet: true,
    rateLimit: { weightPerMinute: 1_000_000 },
  });
}

/** Signed venue positions by symbol, as strings. */
export async function venuePositions(sim: RunningSim): Promise<Record<string, string>> {
  const state = await readClient(sim).clearinghouseState(MASTER);
  const out: Record<string, string> = {};
  for (const ap of state.assetPositions) {
    if (!ap.position.szi.isZero()) out[`${ap.position.coin}-USD`] = ap.position.szi.toString();
  }
  return out;
}

/** Signed positions in the bot's audit log, rebuilt read-only. */
export async function ledgerPositions(stateDir: string): Promise<Record<string, string>> {
  const tracker = new PositionTracker(nullAuditSink);
  await tracker.replay(readAuditLog(join(stateDir, 'audit')));
  const out: Record<string, string> = {};
  for (const p of tracker.getAllPositions()) out[p.symbol] = p.signedQuantity.toString();
  return out;
}

export async function auditFillIds(stateDir: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of readAuditLog(join(stateDir, 'audit'), { types: ['order_filled'] })) {
    if (e.type === 'order_filled') ids.push(e.fill.id);
  }
  return ids;
}

/** Every file under a directory, read as text, for secret scans. */
export function allFileText(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) text += allFileText(p);
    else text += readFileSync(p, 'latin1');
  }
  return text;
}

/** Trades like STRATEGY, but only while the file named by the bot's GATE_FILE variable exists. */
export const GATED_STRATEGY = join(here, 'fixtures', 'gated-strategy.mjs');

/** Every entry of the bot's audit log so far (a partial read while the bot writes is fine for polling). */
export async function auditEntries(stateDir: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  try {
    for await (const e of readAuditLog(join(stateDir, 'audit'))) out.push(e);
  } catch {
    // the log is being written; a partial read is fine while polling
  }
  return out;
}

/** The running bot's control endpoint, once it has written control.json. */
export function controlOf(stateDir: string): { url: string; token: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'control.json'), 'utf8')) as { url: string; token: string };
  } catch {
    return undefined;
  }
}

/** GET /health of the running bot: status code and body, or undefined while it has no endpoint. */
export async function health(
  stateDir: string,
): Promise<{ code: number; body: Record<string, unknown> } | undefined> {
  const c = controlOf(stateDir);
  if (c === undefined) return undefined;
  try {
    const res = await fetch(`${c.url}/health`);
    return { code: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** GET /status of the running bot (with its token), or undefined while it has no endpoint. */
export async function botStatus(stateDir: string): Promise<Record<string, unknown> | undefined> {
  const c = controlOf(stateDir);
  if (c === undefined) return undefined;
  try {
    const res = await fetch(`${c.url}/status`, { headers: { authorization: `Bearer ${c.token}` } });
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Replaces hl-sim's fault settings (`{}` clears them). */
export async function setFaults(sim: RunningSim, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sim.url}/sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (res.status !== 200)
    throw new Error(`hl-sim refused faults ${JSON.stringify(faults)}: ${await res.text()}`);
}

/** A second trader on the bot's account (the master key): orders the bot did not send. */
export function masterClient(sim: RunningSim): HyperliquidClient {
  return new HyperliquidClient({
    privateKey: MASTER_KEY,
    walletAddress: MASTER,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    testnet: true,
    rateLimit: { weightPerMinute: 1_000_000 },
    orderSettleMs: 100,
  });
}
