import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, describe, expect, it } from 'vitest';
import { PositionTracker } from '../src/index.js';

const DAY = 'audit-2025-02-11.jsonl';
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** Recomputes the hash chain the way the writer does, as an older version without decimal bounds wrote it. */
function rechain(lines: string[]): string[] {
  let prev = '0'.repeat(64);
  return lines.map((line) => {
    const cut = line.lastIndexOf(',"hash":"');
    const content = `${line.slice(0, cut).replace(/"prevHash":"[0-9a-f]{64}"/, `"prevHash":"${prev}"`)}}`;
    prev = createHash('sha256').update(prev).update(content).digest('hex');
    return `${content.slice(0, -1)},"hash":"${prev}"}`;
  });
}

describe('recovery from a log holding a value beyond the decimal limits', () => {
  it('refuses with AUDIT_CORRUPT naming the file and line, instead of failing obscurely', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-positions-range-'));
    dirs.push(dir);
    const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T10:00:00.000Z') });
    for (const amount of ['1.5', '-2', '-3']) {
      await audit.append({
        type: 'funding_applied',
        symbol: 'BTC-USD',
        amount,
        fundingTime: 1_739_268_000_000,
      });
    }
    await audit.close();
    const path = join(dir, DAY);
    const lines = (await readFile(path, 'utf8')).split('\n').slice(0, -1);
    // 10^999999 written out: what the unbounded parser once accepted.
    lines[1] = (lines[1] ?? '').replace('"amount":"-2"', `"amount":"-1${'0'.repeat(999_999)}"`);
    await chmod(path, 0o600);
    await writeFile(
      path,
      rechain(lines)
        .map((l) => `${l}\n`)
        .join(''),
    );

    const error = await PositionTracker.recover(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'AUDIT_CORRUPT', file: DAY, line: 2 });
    expect((error as Error).message).toContain(`${DAY}:2`);
  });
});
