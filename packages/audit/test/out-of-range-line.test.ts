import { createHash } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditCorruptError, AuditLogger, verifyAuditLog } from '../src/index.js';
import { fileLines, readAll, tempDir, writeLines } from './helpers.js';

const DAY = 'audit-2025-02-11.jsonl';

/** Recomputes the chain of `lines` as the writer would have (the writer of an older version, say). */
function rechain(lines: string[]): string[] {
  let prev = '0'.repeat(64);
  return lines.map((line) => {
    const cut = line.lastIndexOf(',"hash":"');
    const content = `${line.slice(0, cut).replace(/"prevHash":"[0-9a-f]{64}"/, `"prevHash":"${prev}"`)}}`;
    prev = createHash('sha256').update(prev).update(content).digest('hex');
    return `${content.slice(0, -1)},"hash":"${prev}"}`;
  });
}

/**
 * A log whose third line is a funding payment of 10^999999 (a megabyte of digits, under the line limit),
 * correctly chained: what a version without decimal bounds accepted and wrote.
 */
async function logWithHugeAmount(): Promise<string> {
  const dir = await tempDir();
  const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T10:00:00.000Z') });
  for (const amount of ['1.5', '-2', '-3', '4']) {
    await audit.append({
      type: 'funding_applied',
      symbol: 'BTC-USD',
      amount,
      fundingTime: 1_739_268_000_000,
    });
  }
  await audit.close();
  const lines = await fileLines(join(dir, DAY));
  lines[2] = (lines[2] ?? '').replace('"amount":"-3"', `"amount":"-1${'0'.repeat(999_999)}"`);
  await chmod(join(dir, DAY), 0o600);
  await writeLines(join(dir, DAY), rechain(lines));
  return dir;
}

describe('a line with a value beyond the decimal limits, written before they existed', () => {
  it('verifyAuditLog reports it with its file, line and field', async () => {
    const dir = await logWithHugeAmount();
    const report = await verifyAuditLog(dir);
    expect(report).toMatchObject({ ok: false, file: DAY, line: 3, entries: 2 });
    if (report.ok) throw new Error('unreachable');
    expect(report.reason).toMatch(/amount: .*longer than 128/);
  });

  it('reading (what every replay does) stops at it with AUDIT_CORRUPT naming the line', async () => {
    const dir = await logWithHugeAmount();
    const error = await readAll(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuditCorruptError);
    expect(error).toMatchObject({ code: 'AUDIT_CORRUPT', file: DAY, line: 3 });
    expect((error as Error).message).toMatch(/audit-2025-02-11\.jsonl:3: .*amount/);
  });

  it('the writer never writes such a line in the first place', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T10:00:00.000Z') });
    await expect(
      audit.append({ type: 'funding_applied', symbol: 'BTC-USD', amount: '1e999999', fundingTime: 1 }),
    ).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT', field: 'amount' });
    expect(audit.lastSeq).toBe(0);
    await audit.close();
  });
});
