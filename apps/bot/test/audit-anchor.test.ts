import { chmod, mkdtemp, readFile, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, readAuditAnchor, verifyAuditLog } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAuditAnchorNow } from '../src/audit-anchor.js';
import { BotConfigFile } from '../src/config.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'hl-bot-anchor-'));
  dirs.push(d);
  return d;
}

describe('the audit anchor the bot writes', () => {
  it('anchors the last durable entry, so verify --anchor catches a cut tail', async () => {
    const logDir = await temp();
    const anchorFile = join(await temp(), 'hl-bot.anchor');
    const audit = await AuditLogger.open(logDir, { clock: new ManualClock('2026-01-05T10:00:00Z') });
    await audit.append({ type: 'session_started', app: 'hl-bot' });
    await audit.append({ type: 'note', message: 'two' });
    const anchor = await writeAuditAnchorNow(audit, anchorFile);
    await audit.close();
    expect(anchor.seq).toBe(2);
    expect(await readAuditAnchor(anchorFile)).toEqual(anchor);
    expect((await readFile(anchorFile, 'utf8')).endsWith('\n')).toBe(true);
    expect(await verifyAuditLog(logDir, { anchor })).toMatchObject({ ok: true });

    const day = join(logDir, 'audit-2026-01-05.jsonl');
    const text = await readFile(day, 'utf8');
    await chmod(day, 0o600);
    await truncate(day, text.indexOf('\n') + 1);
    expect(await verifyAuditLog(logDir)).toMatchObject({ ok: true });
    expect(await verifyAuditLog(logDir, { anchor })).toMatchObject({ ok: false });
  });

  it('is configured with a path and a bounded interval', () => {
    const base = { symbols: ['BTC-USD'] };
    const parsed = BotConfigFile.parse({ ...base, auditAnchor: { path: '/elsewhere/a.anchor' } });
    expect(parsed.auditAnchor).toEqual({ path: '/elsewhere/a.anchor', intervalMs: 300_000 });
    expect(BotConfigFile.safeParse({ ...base, auditAnchor: { path: '/x', intervalMs: 10 } }).success).toBe(
      false,
    );
    expect(
      BotConfigFile.safeParse({ ...base, auditAnchor: { path: '/x', intervalMs: 2 ** 52 } }).success,
    ).toBe(false);
    expect(BotConfigFile.safeParse({ ...base, auditAnchor: { intervalMs: 60_000 } }).success).toBe(false);
  });
});
