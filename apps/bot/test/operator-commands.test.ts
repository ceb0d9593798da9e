import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const KEY = `0x${'5a'.repeat(32)}`;
const work = mkdtempSync(join(tmpdir(), 'hl-bot-ops-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/;

function hlBot(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

let n = 0;
/** A state directory holding what a bot that ran once leaves: an audit log with a session in it. */
async function botState(): Promise<string> {
  n += 1;
  const dir = join(work, `state-${n}`);
  mkdirSync(dir, { mode: 0o700 });
  const audit = await AuditLogger.open(join(dir, 'audit'));
  await audit.append({ type: 'session_started', app: 'hl-bot', mode: 'testnet' });
  await audit.append({ type: 'session_stopped', app: 'hl-bot', reason: 'signal SIGTERM' });
  await audit.close();
  return dir;
}

function config(stateDir: string, risk: Record<string, unknown>): string {
  const path = join(work, `bot-${n}.json`);
  writeFileSync(path, JSON.stringify({ symbols: ['BTC-USD'], stateDir, apiUrl: 'http://127.0.0.1:9', risk }));
  return path;
}

async function trips(stateDir: string) {
  const out: Array<{ trippedAt: number; cooldownUntil: number }> = [];
  for await (const e of readAuditLog(join(stateDir, 'audit'))) {
    if (e.type === 'circuit_breaker_tripped') out.push(e);
  }
  return out;
}

describe('offline commands on a directory that holds no bot state', () => {
  for (const command of ['kill', 'reset-breaker', 'status']) {
    it(`${command} exits non-zero and creates nothing, in an empty or a missing directory`, async () => {
      const empty = join(work, `empty-${command}`);
      mkdirSync(empty, { mode: 0o700 });
      const missing = join(work, `missing-${command}`);
      for (const dir of [empty, missing]) {
        const r = await hlBot([command, '--state-dir', dir]);
        expect(r.code).not.toBe(0);
        expect(r.out).toContain('holds no bot state');
      }
      expect(readdirSync(empty)).toEqual([]);
      expect(existsSync(missing)).toBe(false);
    });
  }
});

describe('offline commands use the configuration the bot runs with', () => {
  it('kill records the configured cooldown (5 minutes), status shows it in ISO time, reset-breaker says when it ends', async () => {
    const stateDir = await botState();
    const cfg = config(stateDir, { circuitBreakerCooldownMinutes: 5 });
    const killed = await hlBot(['kill', '--config', cfg, '--reason', 'test']);
    expect(killed.code).toBe(0);
    const [trip] = await trips(stateDir);
    expect(trip).toBeDefined();
    expect((trip?.cooldownUntil ?? 0) - (trip?.trippedAt ?? 0)).toBe(5 * 60_000);
    expect(killed.out).toContain(new Date(trip?.cooldownUntil ?? 0).toISOString());

    const status = await hlBot(['status', '--config', cfg]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(
      new RegExp(
        `cooldownUntil\\s+${new Date(trip?.cooldownUntil ?? 0).toISOString().replace(/\./g, '\\.')}`,
      ),
    );
    expect(status.out).not.toMatch(/cooldownUntil\s+\d{13}/);

    const reset = await hlBot(['reset-breaker', '--config', cfg]);
    expect(reset.code).toBe(1);
    expect(reset.out).toContain(`cooling down until ${new Date(trip?.cooldownUntil ?? 0).toISOString()}`);
  });

  it('RISK_* variables count for offline commands too, as for the bot', async () => {
    const stateDir = await botState();
    const cfg = config(stateDir, { circuitBreakerCooldownMinutes: 5 });
    const r = await hlBot(['kill', '--config', cfg], { RISK_CIRCUIT_BREAKER_COOLDOWN_MINUTES: '7' });
    expect(r.code).toBe(0);
    const [trip] = await trips(stateDir);
    expect((trip?.cooldownUntil ?? 0) - (trip?.trippedAt ?? 0)).toBe(7 * 60_000);
  });

  it('--state-dir takes over the configuration’s stateDir, keeping its risk settings', async () => {
    const stateDir = await botState();
    const cfg = config(join(work, 'elsewhere'), { circuitBreakerCooldownMinutes: 3 });
    const r = await hlBot(['kill', '--config', cfg, '--state-dir', stateDir]);
    expect(r.code).toBe(0);
    const [trip] = await trips(stateDir);
    expect((trip?.cooldownUntil ?? 0) - (trip?.trippedAt ?? 0)).toBe(3 * 60_000);
    expect(existsSync(join(work, 'elsewhere'))).toBe(false);
  });

  it('an offline command with a mainnet configuration needs no real-money confirmation (nothing is sent)', async () => {
    const stateDir = await botState();
    const cfg = join(work, 'mainnet.json');
    writeFileSync(cfg, JSON.stringify({ symbols: ['BTC-USD'], stateDir, network: 'mainnet' }));
    const r = await hlBot(['status', '--config', cfg, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).running).toBe(false);
  });

  it('a bad configuration is a usage error (2) with the problem named', async () => {
    const stateDir = await botState();
    const cfg = config(stateDir, { circuitBreakerCooldownMinutes: -1 });
    const r = await hlBot(['kill', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('circuitBreakerCooldownMinutes');
    expect(await trips(stateDir)).toEqual([]);
  });
});

describe('reset-breaker says what it did', () => {
  it('says so when nothing was tripped, and exits 0', async () => {
    const stateDir = await botState();
    const r = await hlBot(['reset-breaker', '--state-dir', stateDir]);
    expect(r.out).toContain('was not tripped: nothing to reset');
    expect(r.code).toBe(0);
  });

  it('resets a breaker whose cooldown is over', async () => {
    const stateDir = await botState();
    const cfg = config(stateDir, { circuitBreakerCooldownMinutes: 0 });
    expect((await hlBot(['kill', '--config', cfg])).code).toBe(0);
    const r = await hlBot(['reset-breaker', '--config', cfg]);
    expect(r.out).toBe('circuit breaker reset\n');
    expect(r.code).toBe(0);
    const status = await hlBot(['status', '--config', cfg, '--json']);
    expect(JSON.parse(status.out).circuitBreakerTripped).toBe(false);
  });
});

describe('the state directory is refused when others could plant files in it', () => {
  it.each(['770', '707', '777'])(
    'run, kill and status refuse a directory of mode %s with the fix named',
    async (octal) => {
      const mode = Number.parseInt(octal, 8);
      const stateDir = await botState();
      chmodSync(stateDir, mode);
      const cfg = config(stateDir, {});
      const run = await hlBot(['run', '--config', cfg, '--testnet'], { HL_PRIVATE_KEY: KEY });
      expect(run.code).toBe(2);
      expect(run.out).toContain('writable by group or others');
      expect(run.out).toContain(`chmod 700 ${stateDir}`);
      for (const command of ['kill', 'status']) {
        const r = await hlBot([command, '--state-dir', stateDir]);
        expect(r.code).toBe(1);
        expect(r.out).toContain('writable by group or others');
      }
      expect(await trips(stateDir)).toEqual([]);
    },
  );

  it('refuses a group-writable audit directory inside a safe state directory', async () => {
    const stateDir = await botState();
    chmodSync(join(stateDir, 'audit'), 0o770);
    const r = await hlBot(['kill', '--state-dir', stateDir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('audit directory');
    expect(await trips(stateDir)).toEqual([]);
  });

  it('a planted control.json symlink is refused, not followed (kill fails loudly, nothing recorded)', async () => {
    const stateDir = await botState();
    const elsewhere = join(work, 'planted-control.json');
    writeFileSync(
      elsewhere,
      JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:1', token: 'ab'.repeat(24) }),
      {
        mode: 0o600,
      },
    );
    symlinkSync(elsewhere, join(stateDir, 'control.json'));
    const r = await hlBot(['kill', '--state-dir', stateDir]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('symbolic link');
    expect(await trips(stateDir)).toEqual([]);
  });
});

describe('core dumps', () => {
  /** Starts `run` under a core-file limit, against a venue that is not there (start fails fast). */
  async function runUnder(limit: string): Promise<string> {
    const stateDir = join(work, `core-${limit}`);
    const cfg = join(work, `core-${limit}.json`);
    writeFileSync(
      cfg,
      JSON.stringify({
        symbols: ['BTC-USD'],
        stateDir,
        apiUrl: 'http://127.0.0.1:9',
        wsUrl: 'ws://127.0.0.1:9',
        client: { retryBaseDelayMs: 1, requestTimeoutMs: 200 },
      }),
    );
    const r = await new Promise<string>((resolve) => {
      const proc = spawn(
        'sh',
        ['-c', `ulimit -S -c ${limit} && exec "$0" "$@"`, process.execPath, cli, 'run', '--config', cfg],
        {
          env: { ...process.env, HL_PRIVATE_KEY: KEY },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      proc.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve(out);
      });
    });
    return r;
  }

  // The soft limit can be raised up to the hard one (ulimit counts in blocks, /proc in bytes: only
  // 'unlimited' means the same to both).
  const hardCoreLimit = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max core file size'))
    ?.slice('Max core file size'.length)
    .trim()
    .split(/\s+/)[1];
  it.skipIf(hardCoreLimit !== 'unlimited')(
    'a bot that could dump core warns at start, naming ulimit -c 0 and LimitCORE=0; one that cannot stays quiet',
    async () => {
      const enabled = await runUnder('unlimited');
      expect(enabled).toContain('core dumps are enabled');
      expect(enabled).toContain('LimitCORE=0');
      const disabled = await runUnder('0');
      expect(disabled).toContain('start failed'); // it did start
      expect(disabled).not.toContain('core dumps are enabled');
    },
  );
});

describe('log lines', () => {
  it('never repeat a key: a logged field named time (a reconciliation report has one) is renamed', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ destination });
    logger.info({ time: 1_700_000_000_000, level: 'x', why: 'periodic' }, 'reconciliation');
    const [line] = lines;
    expect(line?.match(/"time":/g)).toHaveLength(1);
    expect(line?.match(/"level":/g)).toHaveLength(1);
    const parsed = JSON.parse(line ?? '{}');
    expect(parsed.eventTime).toBe(1_700_000_000_000);
    expect(parsed.eventLevel).toBe('x');
    expect(parsed.level).toBe(30);
    expect(parsed.why).toBe('periodic');
  });
});

describe('ISO times', () => {
  it('status of a running bot shows lastReconciliation time in ISO too (formatter)', async () => {
    const { formatStatus } = await import('../src/index.js');
    const text = formatStatus(
      { cooldownUntil: 1_700_000_300_000, lastReconciliation: { time: 1_700_000_000_000, mismatches: [] } },
      1_700_000_000_000,
    );
    expect(text).toContain('2023-11-14T22:18:20.000Z (5m 00s left)');
    expect(text).toContain('"time":"2023-11-14T22:13:20.000Z"');
    expect(text).toMatch(ISO);
  });
});
