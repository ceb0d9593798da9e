import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, readAuditLog, verifyAuditLog } from '../src/index.js';
import { fileLines, tempDir, writeLines } from './helpers.js';

const FILE = 'audit-2025-02-11.jsonl';
const COUNT = 8_000;

/** About 4 MiB in one day file: several of the readers' 1 MiB chunks, with lines split across chunks. */
async function largeLog(): Promise<string> {
  const dir = await tempDir();
  const clock = new ManualClock('2025-02-11T12:00:00.000Z');
  const audit = await AuditLogger.open(dir, { clock, durability: 'none' });
  const appends = [];
  for (let i = 0; i < COUNT; i += 1) {
    appends.push(audit.append({ type: 'note', message: `note ${i} ${'ü€'.repeat(100 + (i % 37))}` }));
  }
  await Promise.all(appends);
  await audit.close();
  return dir;
}

describe('logs larger than one read chunk', () => {
  it('are read back completely and in order, and verify', async () => {
    const dir = await largeLog();
    let seq = 0;
    for await (const entry of readAuditLog(dir)) {
      seq += 1;
      expect(entry.seq).toBe(seq);
      if (entry.type !== 'note') throw new Error(`expected note, got ${entry.type}`);
      expect(entry.message.startsWith(`note ${seq - 1} `)).toBe(true);
    }
    expect(seq).toBe(COUNT);
    expect(await verifyAuditLog(dir, { workers: 0 })).toMatchObject({ ok: true, entries: COUNT });
  });

  it('report an edited line deep in the file with its line number, reading and verifying', async () => {
    const dir = await largeLog();
    const path = join(dir, FILE);
    const lines = await fileLines(path);
    lines[6_999] = (lines[6_999] ?? '').replace('note 6999', 'note 6990');
    await chmod(path, 0o600);
    await writeLines(path, lines);
    const report = await verifyAuditLog(dir, { workers: 0 });
    expect(report).toMatchObject({ ok: false, file: FILE, line: 7_000, entries: 6_999 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/hash mismatch/);
    let read = 0;
    await expect(async () => {
      for await (const _ of readAuditLog(dir)) read += 1;
    }).rejects.toMatchObject({ code: 'AUDIT_CORRUPT', file: FILE, line: 7_000 });
    expect(read).toBe(6_999);
  });

  it('can be read partly: a reader that stops early leaves the log readable and writable', async () => {
    const dir = await largeLog();
    for await (const entry of readAuditLog(dir)) {
      expect(entry.seq).toBe(1);
      break;
    }
    const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T13:00:00.000Z') });
    const next = await audit.append({ type: 'note', message: 'after a partial read' });
    await audit.close();
    expect(next.seq).toBe(COUNT + 1);
    expect(await verifyAuditLog(dir, { workers: 0 })).toMatchObject({ ok: true, entries: COUNT + 1 });
  });
});
