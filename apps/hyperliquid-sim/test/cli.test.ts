import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OrderRequest } from '@hl-bot/core-types';
import { HyperliquidClient } from '@hl-bot/exchange-hyperliquid';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, AGENT_KEY, MASTER } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  // The CLI runs from the build, exactly as `hl-sim` does. Build only when dist is missing or older than src:
  // the bot's tests run this same dist/cli.js in parallel, and tsup's clean step would delete it under them.
  if (existsSync(cli) && statSync(cli).mtimeMs > newestMtime(join(root, 'src'))) return;
  execFileSync(join(root, 'node_modules', '.bin', 'tsup'), { cwd: root, stdio: 'ignore' });
}, 60_000);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGTERM');
});

function run(args: string[]): { child: ChildProcess; firstLine: Promise<string> } {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hl-sim exited with ${code}`)));
  });
  return { child, firstLine };
}

describe('the hl-sim command', () => {
  it('documents every flag in --help', () => {
    const help = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    for (const flag of [
      '--port',
      '--symbols',
      '--seed',
      '--volatility',
      '--data',
      '--bar-ms',
      '--manual-bars',
      '--testnet',
      '--account',
      '--agent',
      '--ws-idle-ms',
      '--drop-ws-every',
      '--duplicate-fills',
      '--resend-fills-snapshot',
      '--rate-limit-after',
      '--rate-limit-window-ms',
      '--fail-5xx-every',
      '--fail-5xx-rate',
      '--fail-5xx-phase',
      '--latency-ms',
      '/sim/step',
      '/sim/bar',
      '/sim/accounts',
      '/sim/faults',
      '/sim/state',
    ]) {
      expect(help).toContain(flag);
    }
  });

  it('refuses an unknown flag with exit code 2', () => {
    expect(() => execFileSync(process.execPath, [cli, '--bogus'], { stdio: 'pipe' })).toThrow(/bogus/);
  });

  it('prints its URLs as one JSON line and serves the client, with bars from a CSV stepped by hand', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-sim-cli-'));
    try {
      const csv = join(dir, 'btc.csv');
      await writeFile(
        csv,
        'timestamp,open,high,low,close,volume\n1700000000000,60000,60100,59900,60050,10\n1700000060000,60050,60200,59000,59100,12\n',
      );
      const { firstLine } = run([
        '--port',
        '0',
        '--manual-bars',
        '--symbols',
        'BTC,ETH',
        '--data',
        `BTC=${csv}`,
        '--account',
        `${MASTER}:2500`,
        '--agent',
        `${AGENT}:${MASTER}`,
      ]);
      const { url, wsUrl } = JSON.parse(await firstLine) as { url: string; wsUrl: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(wsUrl).toBe(`${url.replace('http', 'ws')}/ws`);
      const client = new HyperliquidClient({
        privateKey: AGENT_KEY,
        walletAddress: MASTER,
        baseUrl: url,
        wsUrl,
        rateLimit: { weightPerMinute: 1_000_000 },
      });
      expect((await client.allMids()).BTC?.toFixed()).toBe('60050');
      expect((await client.getAccountState()).equity.toFixed()).toBe('2500');
      const ack = await client.placeOrder(
        OrderRequest.parse({
          symbol: 'BTC-USD',
          side: 'buy',
          orderType: 'limit',
          price: '59500',
          quantity: '0.01',
        }),
      );
      expect(ack.status).toBe('resting');
      const stepped = await fetch(`${url}/sim/step`, { method: 'POST', body: '{"n":1}' });
      expect(await stepped.json()).toMatchObject({ mids: { BTC: '59100.0' } });
      expect((await client.userFills()).map((f) => f.px.toFixed())).toEqual(['59500']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
