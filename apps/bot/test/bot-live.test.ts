import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyAuditLog } from '@hl-bot/audit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGENT_KEY,
  allFileText,
  auditFillIds,
  eventually,
  health,
  ledgerPositions,
  MASTER,
  readClient,
  runCli,
  spawnBot,
  startSim,
  venuePositions,
  writeConfig,
} from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-live-'));
const here = dirname(fileURLToPath(import.meta.url));
const captured: string[] = [];
afterAll(() => {
  // Everything the runs printed stays for inspection next to the tests; the key scan reads it too.
  writeFileSync(join(here, '..', 'test-output.log'), captured.join(''));
  rmSync(work, { recursive: true, force: true });
});

async function status(stateDir: string): Promise<Record<string, unknown>> {
  const r = await runCli(['status', '--state-dir', stateDir, '--json']);
  captured.push(r.out);
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
}

async function fillsAtLeast(stateDir: string, n: number): Promise<boolean> {
  try {
    return (await auditFillIds(stateDir)).length >= n;
  } catch {
    return false;
  }
}

describe('hl-bot against hl-sim', () => {
  it('trades through the engine and ends with positions equal to the venue to the last digit', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'full');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir);
      await eventually(() => fillsAtLeast(stateDir, 4), 'four fills', 30_000);
      const running = await status(stateDir);
      expect(running.running).toBe(true);
      expect(running.tradingState).toBe('ACTIVE');
      const control = JSON.parse(readFileSync(join(stateDir, 'control.json'), 'utf8')) as { url: string };
      expect(new URL(control.url).hostname).toBe('127.0.0.1');
      const health = (await (await fetch(`${control.url}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      const metrics = await (await fetch(`${control.url}/metrics`)).text();
      expect(metrics).toMatch(/hl_bot_orders_submitted_total \d+/);
      expect(metrics).toMatch(/hl_bot_order_latency_seconds_count \d+/);
      expect(metrics).toContain('hl_bot_circuit_breaker_tripped 0');
      expect(metrics).toMatch(/hl_bot_open_positions \d+/);
      expect(metrics).toContain('hl_bot_ws_reconnects_total');
      expect((await fetch(`${control.url}/status`)).status).toBe(401); // the control API needs the token
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      captured.push(...bot.output);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
      expect((await readClient(sim).openOrders(MASTER)).length).toBe(0);
      const ids = await auditFillIds(stateDir);
      expect(new Set(ids).size).toBe(ids.length);
      expect((await verifyAuditLog(join(stateDir, 'audit'))).ok).toBe(true);
    } finally {
      await sim.stop();
    }
  });

  it('hl-bot kill from a second process halts trading and leaves no open order', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'kill');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir, { REST_LIMITS: '1' });
      const client = readClient(sim);
      await eventually(async () => (await client.openOrders(MASTER)).length > 0, 'a resting order', 30_000);
      const kill = await runCli(['kill', '--state-dir', stateDir, '--reason', 'test kill']);
      captured.push(kill.out);
      expect(kill.code).toBe(0);
      // When the command returns, the bot has halted and the venue lists nothing: the operator need not
      // wait or check. (How fast is not asserted here: a loaded machine starts node slowly.)
      expect((await client.openOrders(MASTER)).length).toBe(0);
      const s = await status(stateDir);
      expect(s.circuitBreakerTripped).toBe(true);
      expect(s.tradingState).toBe('HALTED');
      const fillsAfterKill = (await auditFillIds(stateDir)).length;
      await new Promise((r) => setTimeout(r, 2500));
      // Nothing new was sent: no fills beyond what was in flight, and still no open order.
      expect((await auditFillIds(stateDir)).length).toBeLessThanOrEqual(fillsAfterKill + 1);
      expect((await client.openOrders(MASTER)).length).toBe(0);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      captured.push(...bot.output);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
    } finally {
      await sim.stop();
    }
  });

  it('keeps the ledger equal to the venue under every hl-sim fault: dropped sockets, duplicate and resent fills, 429, 5xx, latency', async () => {
    const sim = await startSim([
      '--drop-ws-every',
      '1',
      '--duplicate-fills',
      '--resend-fills-snapshot',
      '--fail-5xx-every',
      '9',
      '--rate-limit-after',
      '400',
      '--rate-limit-window-ms',
      '2000',
      '--latency-ms',
      '15',
    ]);
    const stateDir = join(work, 'faults');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir);
      await eventually(() => fillsAtLeast(stateDir, 5), 'five fills under faults', 45_000);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      captured.push(...bot.output);
      const ids = await auditFillIds(stateDir);
      expect(new Set(ids).size).toBe(ids.length);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
    } finally {
      await sim.stop();
    }
  });

  it('survives SIGKILL at random moments ten times: positions equal the venue, the log verifies, a tripped breaker stays tripped', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'sigkill');
    const config = writeConfig(stateDir, sim);
    try {
      let seed = 12345;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < 10; i += 1) {
        const bot = spawnBot(config, stateDir);
        // Up as soon as its control endpoint answers (a killed predecessor's endpoint does not): polling over HTTP,
        // not by starting a `status` process each time, keeps the ten rounds quick on a loaded machine.
        await eventually(async () => (await health(stateDir)) !== undefined, `bot ${i} up`, 30_000);
        if (i === 8) {
          const kill = await runCli(['kill', '--state-dir', stateDir, '--reason', 'before the last crash']);
          expect(kill.code).toBe(0);
        }
        await new Promise((r) => setTimeout(r, 200 + Math.floor(random() * 1500)));
        bot.proc.kill('SIGKILL');
        await bot.exited;
        captured.push(...bot.output);
      }
      const last = spawnBot(config, stateDir);
      await eventually(async () => (await health(stateDir))?.body.ready === true, 'final bot ready', 30_000);
      const s = await status(stateDir);
      expect(s.circuitBreakerTripped).toBe(true);
      last.proc.kill('SIGTERM');
      expect(await last.exited).toBe(0);
      captured.push(...last.output);
      expect((await auditFillIds(stateDir)).length).toBeGreaterThan(0);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
      const verification = await verifyAuditLog(join(stateDir, 'audit'));
      expect(verification.ok).toBe(true);
      const ids = await auditFillIds(stateDir);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await sim.stop();
    }
  });

  it("keeps a dead man's switch armed, so the venue cancels the bot's orders after it dies", async () => {
    const sim = await startSim();
    const stateDir = join(work, 'dead-mans-switch');
    try {
      const config = writeConfig(stateDir, sim, {
        deadMansSwitch: { enabled: true, aheadMs: 6000, refreshMs: 1000 },
      });
      const bot = spawnBot(config, stateDir, { REST_LIMITS: '1' });
      const client = readClient(sim);
      await eventually(async () => (await client.openOrders(MASTER)).length > 0, 'a resting order', 30_000);
      bot.proc.kill('SIGKILL');
      await bot.exited;
      captured.push(...bot.output);
      expect((await client.openOrders(MASTER)).length).toBeGreaterThan(0);
      await eventually(
        async () => (await client.openOrders(MASTER)).length === 0,
        'the scheduled cancel',
        15_000,
      );
    } finally {
      await sim.stop();
    }
  });

  it('never writes the private key to any output, log or audit file', () => {
    const everything = captured.join('') + allFileText(work);
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything).not.toContain(AGENT_KEY.slice(2));
    expect(everything.toLowerCase()).not.toContain(AGENT_KEY.slice(2).toLowerCase());
  });
});
