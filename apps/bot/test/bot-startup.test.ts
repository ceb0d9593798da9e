import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditLog } from '@hl-bot/audit';
import type { AuditEntry } from '@hl-bot/core-types';
import { PrivateKeySigner } from '@hl-bot/exchange-hyperliquid';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT, eventually, MASTER, spawnBot, startSim, writeConfig } from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-startup-'));
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
