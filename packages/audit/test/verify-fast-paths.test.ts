import { createHash } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, verifyAuditLog } from '../src/index.js';
import { fileLines, orderSubmitted, readAll, tempDir, writeLines } from './helpers.js';

const DAY = 'audit-2025-02-11.jsonl';

/** Recomputes the chain of `lines` as a writer would have, so only the edited content is wrong. */
function rechain(lines: string[]): string[] {
  let prev = '0'.repeat(64);
  return lines.map((line) => {
    const cut = line.lastIndexOf(',"hash":"');
    const content = `${line.slice(0, cut).replace(/"prevHash":"[0-9a-f]{64}"/, `"prevHash":"${prev}"`)}}`;
    prev = createHash('sha256').update(prev).update(content).digest('hex');
    return `${content.slice(0, -1)},"hash":"${prev}"}`;
  });
}

/** Three entries in the same second; the third's timestamp replaced, the chain recomputed around it. */
async function logWithThirdTimestamp(timestamp: string): Promise<string> {
  const dir = await tempDir();
  const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T10:00:00.000Z') });
  for (let i = 1; i <= 3; i += 1) await audit.append(orderSubmitted(i));
  await audit.close();
  const lines = await fileLines(join(dir, DAY));
  lines[2] = (lines[2] ?? '').replace('"2025-02-11T10:00:00.000000Z"', JSON.stringify(timestamp));
  await chmod(join(dir, DAY), 0o600);
  await writeLines(join(dir, DAY), rechain(lines));
  return dir;
}

describe('verify reads the time of a line of the same second as the one before without the regex', () => {
  it.each([
    ['a letter among the milliseconds', '2025-02-11T10:00:00.0x1000Z'],
    ['a fourth digit of milliseconds', '2025-02-11T10:00:00.0011000Z'],
    ['a lower-case zone', '2025-02-11T10:00:00.001000z'],
    ['microseconds that are not zero', '2025-02-11T10:00:00.001001Z'],
    ['a sign among the milliseconds', '2025-02-11T10:00:00.-01000Z'],
    ['no zone', '2025-02-11T10:00:00.001000'],
  ])('still refuses %s, in verify and in reading, naming the line', async (_name, timestamp) => {
    const dir = await logWithThirdTimestamp(timestamp);
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY, line: 3, entries: 2 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/is not an ISO time with microseconds/);
    await expect(readAll(dir)).rejects.toMatchObject({ code: 'AUDIT_CORRUPT', file: DAY, line: 3 });
  });

  it('accepts the exact form of the same second, with its milliseconds', async () => {
    const dir = await logWithThirdTimestamp('2025-02-11T10:00:00.999000Z');
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 3 });
    expect((await readAll(dir))[2]?.timestamp).toBe(Date.parse('2025-02-11T10:00:00.999Z'));
  });
});
