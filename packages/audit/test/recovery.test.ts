import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, verifyAuditLog } from '../src/index.js';
import { fileLines, orderSubmitted, readAll, tempDir, writeLines } from './helpers.js';

const DAY = 'audit-2025-02-11.jsonl';

async function logOf(n: number): Promise<{ dir: string; clock: ManualClock }> {
  const dir = await tempDir();
  const clock = new ManualClock('2025-02-11T10:00:00.000Z');
  const audit = await AuditLogger.open(dir, { clock });
  for (let i = 0; i < n; i += 1) await audit.append(orderSubmitted(i));
  await audit.close();
  return { dir, clock };
}

describe('crash recovery on open', () => {
  it('quarantines a torn last line, truncates to the last valid entry, continues the chain and audits it', async () => {
    const { dir, clock } = await logOf(3);
    const torn = '{"timestamp":"2025-02-11T10:00:00.000000Z","type":"order_submitted","orderId":"o3","ord';
    await appendFile(join(dir, DAY), torn);
    const before = await readAll(dir); // the incomplete line is not yielded
    expect(before.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: false, file: DAY, line: 4 });

    const audit = await AuditLogger.open(dir, { clock });
    expect(audit.lastSeq).toBe(4); // 3 entries + the audit_recovered entry
    const next = await audit.append(orderSubmitted(99));
    await audit.close();

    const files = await readdir(dir);
    expect(files).toContain(`${DAY}.quarantine-4`);
    expect(await readFile(join(dir, `${DAY}.quarantine-4`), 'utf8')).toBe(torn);
    expect((await stat(join(dir, `${DAY}.quarantine-4`))).mode & 0o777).toBe(0o400);
    const entries = await readAll(dir);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const recovered = entries[3];
    expect(recovered).toMatchObject({
      type: 'audit_recovered',
      file: DAY,
      quarantineFile: `${DAY}.quarantine-4`,
      bytes: Buffer.byteLength(torn),
    });
    expect(recovered?.prevHash).toBe(entries[2]?.hash);
    expect(next.seq).toBe(5);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 5 });
  });

  it('quarantines a complete last line whose hash does not verify (a torn write that ended in a newline)', async () => {
    const { dir, clock } = await logOf(3);
    const lines = await fileLines(join(dir, DAY));
    const damaged = (lines[2] ?? '').replace('"o2"', '"oX"');
    await writeLines(join(dir, DAY), [lines[0], lines[1], damaged] as string[]);
    const audit = await AuditLogger.open(dir, { clock });
    await audit.close();
    expect(await readFile(join(dir, `${DAY}.quarantine-3`), 'utf8')).toBe(`${damaged}\n`);
    const entries = await readAll(dir);
    expect(entries.map((e) => e.type)).toEqual(['order_submitted', 'order_submitted', 'audit_recovered']);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 3 });
  });

  it('refuses to open when a line before the last is corrupt, and writes nothing', async () => {
    const { dir, clock } = await logOf(4);
    const lines = await fileLines(join(dir, DAY));
    lines[1] = (lines[1] ?? '').replace('"o1"', '"oX"');
    await writeLines(join(dir, DAY), lines);
    const before = await readFile(join(dir, DAY));
    const audit = new AuditLogger(dir, { clock });
    await expect(audit.open()).rejects.toMatchObject({ code: 'AUDIT_CORRUPT', file: DAY, line: 2 });
    await expect(audit.append(orderSubmitted(9))).rejects.toMatchObject({ code: 'AUDIT_CLOSED' });
    expect(await readFile(join(dir, DAY))).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.includes('quarantine') || f.includes('lock'))).toEqual([]);
  });

  it('refuses to open when the newest file does not continue the previous file', async () => {
    const { dir, clock } = await logOf(2);
    // A second day whose first entry claims to be the start of a new log.
    const other = await tempDir();
    const c2 = new ManualClock('2025-02-12T10:00:00.000Z');
    const a2 = await AuditLogger.open(other, { clock: c2 });
    await a2.append(orderSubmitted(5));
    await a2.close();
    await writeFile(
      join(dir, 'audit-2025-02-12.jsonl'),
      await readFile(join(other, 'audit-2025-02-12.jsonl')),
    );
    clock.set('2025-02-12T11:00:00.000Z');
    await expect(AuditLogger.open(dir, { clock })).rejects.toMatchObject({
      code: 'AUDIT_CORRUPT',
      file: 'audit-2025-02-12.jsonl',
      line: 1,
    });
  });

  it('opens an empty newest day file (crash after creating it) and chains from the previous day', async () => {
    const { dir, clock } = await logOf(2);
    await writeFile(join(dir, 'audit-2025-02-12.jsonl'), '', { mode: 0o600 });
    clock.set('2025-02-12T11:00:00.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    const entry = await audit.append(orderSubmitted(3));
    await audit.close();
    expect(entry.seq).toBe(3);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 3 });
  });

  it('checks only the end of a large newest day file: a torn tail is repaired, damage in the window refused', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T10:00:00.000Z');
    const audit = await AuditLogger.open(dir, { clock, durability: 'none' });
    // About 3 MiB in one day: more than the window opening checks.
    const pad = 'p'.repeat(2000);
    for (let i = 0; i < 1500; i += 1) await audit.append({ type: 'note', message: `${i} ${pad}` });
    await audit.close();
    const path = join(dir, DAY);
    const lines = await fileLines(path);
    // Damage far from the end is not what opening reads (a reader or `hl-audit verify` reports it).
    const early = [...lines];
    early[10] = (early[10] ?? '').replace('"10 ', '"X ');
    await writeLines(path, early);
    await appendFile(path, '{"timestamp":"2025-02-11T10:00:00.000000Z","type":"no');
    const reopened = await AuditLogger.open(dir, { clock });
    expect(reopened.lastSeq).toBe(1501);
    await reopened.close();
    expect((await readdir(dir)).some((f) => f.includes('quarantine'))).toBe(true);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: false, file: DAY, line: 11 });
    // Damage before the last line inside the window is still refused.
    const recent = await fileLines(path);
    recent[recent.length - 5] = (recent[recent.length - 5] ?? '').replace(`${pad}`, `${pad}x`);
    await writeLines(path, recent);
    await expect(AuditLogger.open(dir, { clock })).rejects.toMatchObject({
      code: 'AUDIT_CORRUPT',
      file: DAY,
    });
  });
});
