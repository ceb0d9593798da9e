// `pnpm demo:live`: hl-sim (a local Hyperliquid-compatible venue, with testnet signing) and the live bot
// against it, as two processes. The bot trades for a short while; then `hl-bot status` shows it, `hl-bot kill`
// halts it, the bot is stopped, the audit log is verified and the demo exits. Everything stays on 127.0.0.1
// and in a temporary directory; nothing here touches a real venue. Bounded: it fails after TIMEOUT_MS (90 s).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SIM = join(root, 'apps/hyperliquid-sim/dist/cli.js');
const BOT = join(root, 'apps/bot/dist/cli.js');
const AUDIT = join(root, 'packages/audit/dist/cli.js');
const FILLS = 4;
const TIMEOUT_MS = 90_000;
// Well-known throwaway keys: the sim knows the master account and its approved agent (API wallet).
const MASTER_KEY = `0x${'5a'.repeat(32)}`;
const AGENT_KEY = `0x${'6b'.repeat(32)}`;
const [MASTER, AGENT] = addresses(MASTER_KEY, AGENT_KEY);

const started = Date.now();
const say = (text) => process.stdout.write(`demo: ${text}\n`);
const state = mkdtempSync(join(tmpdir(), 'hl-bot-demo-'));
const children = [];
let failed = false;

function deadline() {
  if (Date.now() - started > TIMEOUT_MS) throw new Error(`demo did not finish within ${TIMEOUT_MS} ms`);
}

function start(name, args, env = {}) {
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const output = [];
  proc.stdout.on('data', (d) => output.push(d.toString()));
  proc.stderr.on('data', (d) => output.push(d.toString()));
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r(code ?? signal)));
  const child = { name, proc, output, exited };
  children.push(child);
  return child;
}

function cli(args) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function fillsInLog() {
  let n = 0;
  const dir = join(state, 'audit');
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return 0;
  }
  for (const f of files) n += readFileSync(join(dir, f), 'utf8').split('"type":"order_filled"').length - 1;
  return n;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  // hl-sim verifies signatures as testnet (--testnet), which is what the bot signs by default.
  const sim = start('hl-sim', [
    SIM,
    '--testnet',
    '--symbols',
    'BTC',
    '--bar-ms',
    '250',
    '--account',
    `${MASTER}:100000`,
    '--agent',
    `${AGENT}:${MASTER}`,
  ]);
  const first = await new Promise((resolveLine, reject) => {
    let buf = '';
    sim.proc.stdout.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\n')) resolveLine(buf.slice(0, buf.indexOf('\n')));
    });
    sim.exited.then((code) => reject(new Error(`hl-sim exited ${code}: ${sim.output.join('')}`)), reject);
  });
  const { url, wsUrl } = JSON.parse(first);
  say(`hl-sim listening on ${url} (testnet signing)`);

  const config = join(state, 'bot.json');
  writeFileSync(
    config,
    JSON.stringify(
      {
        apiUrl: url,
        wsUrl,
        walletAddress: MASTER,
        symbols: ['BTC-USD'],
        strategy: join(root, 'tooling/demo/demo-strategy.mjs'),
        barIntervalMs: 1000,
        reconcileIntervalMs: 5000,
        accountRefreshMs: 5000,
        metrics: { port: 0 },
        risk: { maxOrderNotional: '1000', maxPositions: 2, maxDailyLoss: '200' },
      },
      null,
      2,
    ),
  );
  const bot = start('hl-bot', [BOT, 'run', '--config', config, '--testnet', '--state-dir', state], {
    HL_PRIVATE_KEY: AGENT_KEY,
  });
  say(`hl-bot started (state ${state}); waiting for ${FILLS} fills`);
  while (fillsInLog() < FILLS) {
    deadline();
    if (bot.proc.exitCode !== null) throw new Error(`hl-bot exited early:\n${bot.output.join('')}`);
    await sleep(250);
  }
  say(`${fillsInLog()} fills in the audit log`);

  const status = cli([BOT, 'status', '--state-dir', state]);
  process.stdout.write(`\n$ hl-bot status --state-dir ${state}\n${status.out}\n`);
  if (status.code !== 0) throw new Error('hl-bot status failed');

  const kill = cli([BOT, 'kill', '--state-dir', state, '--reason', 'demo over']);
  process.stdout.write(`$ hl-bot kill --state-dir ${state} --reason "demo over"\n${kill.out}\n`);
  if (kill.code !== 0) throw new Error('hl-bot kill failed');

  bot.proc.kill('SIGTERM');
  const botExit = await Promise.race([bot.exited, sleep(20_000).then(() => 'timeout')]);
  if (botExit !== 0) throw new Error(`hl-bot did not stop cleanly (${botExit}):\n${bot.output.join('')}`);
  say('hl-bot stopped');

  const verify = cli([AUDIT, 'verify', join(state, 'audit')]);
  process.stdout.write(`$ hl-audit verify ${join(state, 'audit')}\n${verify.out}\n`);
  if (verify.code !== 0) throw new Error('the audit log does not verify');
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  failed = true;
  process.stderr.write(`demo: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  for (const c of children.reverse()) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) {
      c.proc.kill('SIGTERM');
      await Promise.race([c.exited, sleep(5_000)]);
      if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    }
  }
  rmSync(state, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

function addresses(...keys) {
  // Addresses derived the way the venue derives them (through the exchange package's signer).
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { PrivateKeySigner } from '@hl-bot/exchange-hyperliquid'; process.stdout.write(JSON.stringify(${JSON.stringify(keys)}.map((k) => new PrivateKeySigner(k).address)));`,
    ],
    { cwd: join(root, 'apps/bot'), encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`cannot derive the demo addresses: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
