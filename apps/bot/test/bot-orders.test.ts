import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditLog } from '@hl-bot/audit';
import type { AuditEntry } from '@hl-bot/core-types';
import { afterAll, describe, expect, it } from 'vitest';
import {
  eventually,
  ledgerPositions,
  MASTER,
  readClient,
  runCli,
  spawnBot,
  startSim,
  venuePositions,
  writeConfig,
} from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-orders-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function log(stateDir: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  try {
    for await (const e of readAuditLog(join(stateDir, 'audit'))) out.push(e);
  } catch {
    // the log is being written; a partial read is fine while polling
  }
  return out;
}

const count = (entries: AuditEntry[], type: string) => entries.filter((e) => e.type === type).length;

describe('every order of the live bot is accounted for', () => {
  it('settles fills and cancels of 50+ orders against the right reservation: no order slot leaks', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'fifty');
    try {
      // Default open-order limit (10): a leak of one slot per order would stop trading after ten orders.
      // Three market orders per one-second bar (BURST), so 55 orders take ~16 bars; the order-rate limit is raised so
      // it is not what paces the bot.
      const config = writeConfig(stateDir, sim, { barIntervalMs: 1000, risk: { maxOrdersPerMinute: 1000 } });
      const bot = spawnBot(config, stateDir, { REST_LIMITS: '1', BURST: '3' });
      await eventually(
        async () => count(await log(stateDir), 'order_submitted') >= 55,
        '55 orders submitted',
        90_000,
      );
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      const entries = await log(stateDir);
      const rejected = entries.filter((e) => e.type === 'risk_rejected');
      expect(
        rejected.filter((e) => e.type === 'risk_rejected' && e.code === 'MAX_OPEN_ORDERS_EXCEEDED'),
      ).toEqual([]);
      // One submitted, one accepted or rejected per order; one cancel record per cancelled order.
      const submitted = entries.flatMap((e) => (e.type === 'order_submitted' ? [e.orderId] : []));
      expect(new Set(submitted).size).toBe(submitted.length);
      const settled = entries.flatMap((e) =>
        e.type === 'order_accepted' || e.type === 'order_rejected' ? [e.orderId ?? ''] : [],
      );
      expect(new Set(settled).size).toBe(settled.length);
      for (const id of settled) expect(submitted).toContain(id);
      const cancels = entries.flatMap((e) => (e.type === 'order_cancelled' ? [e.orderId] : []));
      expect(new Set(cancels).size).toBe(cancels.length);
      // Fills reach the order they belong to: they carry the bot's own client order ids, not venue cloids.
      const fills = entries.flatMap((e) => (e.type === 'order_filled' ? [e.fill] : []));
      expect(fills.length).toBeGreaterThan(20);
      for (const f of fills) expect(submitted).toContain(f.clientOrderId);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
      expect((await readClient(sim).openOrders(MASTER)).length).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('trades only its configured symbols while the venue streams others', async () => {
    const sim = await startSim(['--symbols', 'BTC,SOL']);
    const stateDir = join(work, 'symbols');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir);
      await eventually(async () => count(await log(stateDir), 'order_filled') >= 4, 'four fills', 30_000);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      const entries = await log(stateDir);
      const symbols = new Set(entries.flatMap((e) => (e.type === 'order_submitted' ? [e.order.symbol] : [])));
      expect([...symbols]).toEqual(['BTC-USD']);
      expect(Object.keys(await venuePositions(sim)).filter((s) => s !== 'BTC-USD')).toEqual([]);
    } finally {
      await sim.stop();
    }
  }, 60_000);

  it('never takes a slow venue (400 ms per request) for a reconciliation mismatch', async () => {
    const sim = await startSim(['--latency-ms', '400']);
    const stateDir = join(work, 'latency');
    try {
      const bot = spawnBot(
        writeConfig(stateDir, sim, { reconcileIntervalMs: 1000, client: { requestTimeoutMs: 5000 } }),
        stateDir,
      );
      await eventually(async () => count(await log(stateDir), 'order_filled') >= 8, 'eight fills', 60_000);
      // Five more reconciliations at the one-second interval, each against a venue that answers in 400 ms.
      await new Promise((r) => setTimeout(r, 5000));
      const entries = await log(stateDir);
      expect(entries.filter((e) => e.type === 'reconciliation_mismatch')).toEqual([]);
      expect(count(entries, 'circuit_breaker_tripped')).toBe(0);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
    } finally {
      await sim.stop();
    }
  }, 120_000);

  it('halts on a kill file in the state directory, audited', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'kill-file');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir);
      await eventually(async () => count(await log(stateDir), 'order_filled') >= 1, 'a fill', 30_000);
      writeFileSync(join(stateDir, 'KILL'), 'operator file\n');
      await eventually(
        async () => count(await log(stateDir), 'circuit_breaker_tripped') >= 1,
        'the breaker',
        10_000,
      );
      const s = await runCli(['status', '--state-dir', stateDir, '--json']);
      expect(JSON.parse(s.out).tradingState).toBe('HALTED');
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      const notes = (await log(stateDir)).filter((e) => e.type === 'note' && e.message.includes('kill file'));
      expect(notes.length).toBeGreaterThanOrEqual(1);
    } finally {
      await sim.stop();
    }
  }, 60_000);
});
