import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '@hl-bot/core-types';
import { PrivateKeySigner } from '@hl-bot/exchange-hyperliquid';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGENT,
  auditEntries,
  botStatus,
  controlOf,
  eventually,
  GATED_STRATEGY,
  health,
  ledgerPositions,
  MASTER,
  runCli,
  setFaults,
  spawnBot,
  startSim,
  TEST_CLIENT,
  venuePositions,
  writeConfig,
} from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const log = auditEntries;
const count = (entries: AuditEntry[], type: string) => entries.filter((e) => e.type === type).length;

const STRANGER_KEY = `0x${'7c'.repeat(32)}`;
const STRANGER = new PrivateKeySigner(STRANGER_KEY).address;

describe('the bot proves its key can trade the account before it trades', () => {
  it('refuses to start with a key that is not an approved agent: exit 1, the cause named, no order', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'stranger');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir, { HL_PRIVATE_KEY: STRANGER_KEY });
      expect(await bot.exited).toBe(1);
      const out = bot.output.join('');
      expect(out).toContain(
        `key ${STRANGER.toLowerCase()} is not an approved agent of ${MASTER.toLowerCase()} on testnet`,
      );
      const entries = await log(stateDir);
      expect(entries.filter((e) => e.type === 'order_submitted')).toEqual([]);
      expect(entries.some((e) => e.type === 'session_started')).toBe(false);
    } finally {
      await sim.stop();
    }
  }, 30_000);

  it('starts with an approved agent and audits what the venue said the key is', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'agent');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir);
      await eventually(
        async () => (await log(stateDir)).some((e) => e.type === 'order_submitted'),
        'an order',
        30_000,
      );
      const proof = (await log(stateDir)).find((e) => e.type === 'note' && e.message.startsWith('key '));
      expect(proof).toMatchObject({
        message: `key ${AGENT.toLowerCase()} is an approved agent of ${MASTER.toLowerCase()} on testnet`,
      });
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 40_000);
});

describe('from the first second', () => {
  it('/health is 503 "starting" until recovery and the start-up reconciliation are done; the strategy starts after them', async () => {
    // A slow venue (150 ms per request) stretches the start-up so it can be watched.
    const sim = await startSim(['--latency-ms', '150']);
    const stateDir = join(work, 'readiness');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir);
      const samples: Array<{
        code: number | undefined;
        body: unknown;
        status: Record<string, unknown> | undefined;
      }> = [];
      const started = Date.now();
      for (;;) {
        if (Date.now() - started > 60_000) throw new Error('the bot never became ready');
        const h = await health(stateDir);
        const status = await botStatus(stateDir);
        samples.push({ code: h?.code, body: h?.body, status });
        if (h?.code === 200) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      const starting = samples.filter((x) => x.code === 503);
      expect(starting.length).toBeGreaterThan(0);
      for (const x of starting) expect(x.body).toMatchObject({ status: 'starting', ready: false });
      // Whenever the bot said it was ready, the start-up reconciliation was behind it.
      for (const x of samples.filter((x) => x.status?.ready === true))
        expect(x.status?.lastReconciliation).not.toBeNull();
      expect(samples.at(-1)?.status).toMatchObject({ ready: true });
      await eventually(async () => count(await log(stateDir), 'order_submitted') > 0, 'an order', 30_000);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      const lines = bot.output
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; why?: string });
      const reconciled = lines.findIndex((l) => l.msg === 'reconciliation' && l.why === 'startup');
      const firstOrder = lines.findIndex((l) => l.msg === 'order submitted');
      expect(reconciled).toBeGreaterThanOrEqual(0);
      expect(firstOrder).toBeGreaterThan(reconciled);
    } finally {
      await sim.stop();
    }
  }, 90_000);

  it('hl-bot kill during start-up, before the strategy is loaded, halts the bot: audited, no order sent', async () => {
    // A venue answering in 3 s holds start-up open long enough for the kill to land before it ends, however loaded
    // the machine (the kill command is a process of its own); once the kill is in, the venue answers at once again.
    const sim = await startSim(['--latency-ms', '3000']);
    const stateDir = join(work, 'kill-at-start');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir);
      await eventually(() => controlOf(stateDir) !== undefined, 'the control endpoint', 30_000);
      const kill = await runCli(['kill', '--state-dir', stateDir, '--reason', 'start-up drill']);
      expect(kill.code).toBe(0);
      expect((await health(stateDir))?.body).toMatchObject({ ready: false });
      await setFaults(sim, {});
      await eventually(async () => (await health(stateDir))?.code === 200, 'start-up finished', 60_000);
      // The strategy runs and is refused by the tripped breaker, bar after bar.
      await eventually(
        async () => count(await log(stateDir), 'risk_rejected') >= 2,
        'strategy orders refused',
        30_000,
      );
      const entries = await log(stateDir);
      expect(count(entries, 'order_submitted')).toBe(0);
      expect(
        entries.some(
          (e) => e.type === 'note' && e.message === 'kill requested during start-up: start-up drill',
        ),
      ).toBe(true);
      const trip = entries.find((e) => e.type === 'circuit_breaker_tripped');
      expect(trip).toMatchObject({ reason: 'kill switch: start-up drill' });
      expect(await botStatus(stateDir)).toMatchObject({
        tradingState: 'HALTED',
        circuitBreakerTripped: true,
      });
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('a crash after the first order was sent, before its fill was logged: the restart backfills and books that fill', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'crash-first-order');
    const gate = join(work, 'crash-first-order.gate');
    try {
      // Orders expire after 10 s, so the venue still takes one it answers 2.5 s late: the order is logged as sent,
      // and the bot dies before the answer, however loaded the machine is while the test reads the log.
      const config = writeConfig(stateDir, sim, {
        strategy: GATED_STRATEGY,
        client: { ...TEST_CLIENT, orderExpiryMs: 10_000 },
      });
      const first = spawnBot(config, stateDir, { GATE_FILE: gate });
      await eventually(async () => (await health(stateDir))?.code === 200, 'the bot ready', 30_000);
      await setFaults(sim, { latencyMs: 2500 });
      writeFileSync(gate, '');
      await eventually(
        async () => count(await log(stateDir), 'order_submitted') > 0,
        'the first order sent',
        15_000,
      );
      // On its way to the venue (sent right after it was logged), not yet answered.
      await new Promise((r) => setTimeout(r, 300));
      first.proc.kill('SIGKILL');
      await first.exited;
      rmSync(gate);
      const before = await log(stateDir);
      expect(count(before, 'order_filled')).toBe(0);
      const sent = before.find((e) => e.type === 'order_submitted');
      // The order reached the venue anyway and filled there while no bot ran.
      await eventually(
        async () => Object.keys(await venuePositions(sim)).length > 0,
        'the fill at the venue',
        20_000,
      );
      await setFaults(sim, {});
      const second = spawnBot(config, stateDir, { GATE_FILE: gate });
      await eventually(async () => (await health(stateDir))?.code === 200, 'the restart ready', 30_000);
      const after = await log(stateDir);
      const fills = after.flatMap((e) => (e.type === 'order_filled' ? [e.fill.clientOrderId] : []));
      expect(fills).toEqual([sent?.type === 'order_submitted' ? sent.orderId : 'no order_submitted']);
      expect(count(after, 'circuit_breaker_tripped')).toBe(0);
      expect(after.filter((e) => e.type === 'reconciliation_mismatch')).toEqual([]);
      second.proc.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
    } finally {
      await sim.stop();
    }
  }, 120_000);
});
