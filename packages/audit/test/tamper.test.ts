import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, readAuditLog, verifyAuditLog } from '../src/index.js';
import { distIndexUrl, fileLines, orderSubmitted, readAll, tempDir, writeLines } from './helpers.js';

const DAY1 = 'audit-2025-02-11.jsonl';
const DAY2 = 'audit-2025-02-12.jsonl';
const DAY3 = 'audit-2025-02-13.jsonl';

/** Three day files of four entries each (seq 1-4, 5-8, 9-12), verified intact. */
async function threeDays(): Promise<string> {
  const dir = await tempDir();
  const clock = new ManualClock('2025-02-11T09:00:00.000Z');
  const audit = await AuditLogger.open(dir, { clock });
  for (let day = 0; day < 3; day += 1) {
    for (let i = 0; i < 4; i += 1) {
      await audit.append(orderSubmitted(day * 4 + i));
      clock.advance(60_000);
    }
    clock.advance(86_400_000 - 4 * 60_000);
  }
  await audit.close();
  expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 12 });
  return dir;
}

async function editLines(path: string, edit: (lines: string[]) => string[]): Promise<void> {
  await chmod(path, 0o600);
  await writeLines(path, edit(await fileLines(path)));
}

describe('verifyAuditLog detects tampering', () => {
  it('reports an edited field with its file and line', async () => {
    const dir = await threeDays();
    await editLines(join(dir, DAY2), (lines) => {
      lines[1] = (lines[1] ?? '').replace('"quantity":"0.01"', '"quantity":"10"');
      return lines;
    });
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY2, line: 2, entries: 5 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/hash mismatch/);
  });

  it('reports a deleted line as missing entries', async () => {
    const dir = await threeDays();
    await editLines(join(dir, DAY1), (lines) => lines.filter((_, i) => i !== 1));
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY1, line: 2, entries: 1 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/seq 3 where 2 was expected/);
  });

  it('reports two swapped lines', async () => {
    const dir = await threeDays();
    await editLines(join(dir, DAY3), (lines) => [lines[0], lines[2], lines[1], lines[3]] as string[]);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: false, file: DAY3, line: 2, entries: 9 });
  });

  it('reports an inserted line, even one copied from elsewhere in the log', async () => {
    const dir = await threeDays();
    const copied = (await fileLines(join(dir, DAY1)))[3] ?? '';
    await editLines(join(dir, DAY2), (lines) => [lines[0], lines[1], copied, lines[2], lines[3]] as string[]);
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY2, line: 3, entries: 6 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/duplicate, reordered or inserted/);
  });

  it('reports an inserted line with a forged but self-consistent hash as a broken chain', async () => {
    const dir = await threeDays();
    const lines = await fileLines(join(dir, DAY2));
    const forged = JSON.parse(lines[1] ?? '');
    forged.seq = 6;
    // A forger who does not know the previous hash keeps the old prevHash: the chain exposes it.
    const { hash: _h, ...content } = forged;
    const { createHash } = await import('node:crypto');
    const body = JSON.stringify(content);
    const hash = createHash('sha256')
      .update(forged.prevHash + body)
      .digest('hex');
    const line = `${body.slice(0, -1)},"hash":"${hash}"}`;
    await editLines(join(dir, DAY2), (ls) => [ls[0], ls[1], line, ...ls.slice(2)] as string[]);
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY2, line: 3 });
  });

  it('reports a missing day file between two present ones, naming the files around the gap', async () => {
    const dir = await threeDays();
    await rm(join(dir, DAY2));
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY3, line: 1, entries: 4 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toContain(DAY1);
    expect(report.reason).toContain(DAY3);
    expect(report.reason).toMatch(/missing/);
  });

  it('reports a seq gap even when the gap line is otherwise well formed', async () => {
    const dir = await threeDays();
    await editLines(join(dir, DAY3), (lines) => lines.slice(0, 2).concat(lines.slice(3)));
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY3, line: 3, entries: 10 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/entries 11\.\.11 are missing/);
  });

  it('reports a log whose first file was removed', async () => {
    const dir = await threeDays();
    await rm(join(dir, DAY1));
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: false, file: DAY2, line: 1, entries: 0 });
  });

  it('reports a line that is not JSON, and readAuditLog throws AUDIT_CORRUPT naming file and line', async () => {
    const dir = await threeDays();
    await editLines(join(dir, DAY2), (lines) => {
      lines[2] = 'garbage';
      return lines;
    });
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: false, file: DAY2, line: 3 });
    await expect(readAll(dir)).rejects.toMatchObject({ code: 'AUDIT_CORRUPT', file: DAY2, line: 3 });
  });

  it('reports a hash-valid line that is not a valid event (schema check)', async () => {
    const dir = await tempDir();
    const body = JSON.stringify({
      timestamp: '2025-02-11T00:00:00.000000Z',
      type: 'mark_price',
      symbol: 'BTC-USD',
      price: 'not-a-number',
      seq: 1,
      prevHash: '0'.repeat(64),
    });
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256')
      .update('0'.repeat(64) + body)
      .digest('hex');
    await writeFile(join(dir, DAY1), `${body.slice(0, -1)},"hash":"${hash}"}\n`);
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY1, line: 1, entries: 0 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/price/);
    const read = readAuditLog(dir);
    await expect(read.next()).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
  });

  it('an untouched log verifies and reads back in full', async () => {
    const dir = await threeDays();
    expect((await readAll(dir)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe('verifyAuditLog in parallel byte ranges', () => {
  const tamperings: Array<[string, (dir: string) => Promise<void>]> = [
    ['untouched', async () => {}],
    [
      'edited field',
      (dir) =>
        editLines(join(dir, DAY2), (lines) => {
          lines[2] = (lines[2] ?? '').replace('"o6"', '"o7"');
          return lines;
        }),
    ],
    ['deleted line', (dir) => editLines(join(dir, DAY2), (lines) => lines.filter((_, i) => i !== 2))],
    ['swapped lines', (dir) => editLines(join(dir, DAY3), (l) => [l[0], l[2], l[1], l[3]] as string[])],
    ['deleted first line of a file', (dir) => editLines(join(dir, DAY3), (lines) => lines.slice(1))],
    ['missing middle day file', (dir) => rm(join(dir, DAY2))],
    ['torn tail', (dir) => editLines(join(dir, DAY3), (lines) => [...lines, '{"timestamp":"2025-02-13'])],
  ];

  it.each(tamperings)('reports exactly what the sequential check reports: %s', async (_name, tamper) => {
    const dir = await threeDays();
    await tamper(dir);
    const sequential = await verifyAuditLog(dir, { workers: 0 });
    // Ranges of about one line each, checked in this thread and then by real worker threads (built package).
    expect(await verifyAuditLog(dir, { workers: 0, rangeBytes: 100 })).toEqual(sequential);
    const built = (await import(distIndexUrl)) as typeof import('../src/index.js');
    expect(await built.verifyAuditLog(dir, { workers: 2, rangeBytes: 100 })).toEqual(sequential);
  });
});
