import { copyFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { type AuditDurability, AuditFileReplacedError, AuditLogger } from '../src/index.js';
import { orderSubmitted, readAll, tempDir } from './helpers.js';

const DAY = 'audit-2025-02-11.jsonl';
const DURABILITIES: AuditDurability[] = ['fsync', 'group', 'none'];

const TAMPERS: Array<[string, (dir: string) => Promise<void>]> = [
  ['deleted', (dir) => rm(join(dir, DAY))],
  ['renamed away', (dir) => rename(join(dir, DAY), join(dir, 'elsewhere.jsonl'))],
  [
    'replaced by a copy (same bytes, another file)',
    async (dir) => {
      await copyFile(join(dir, DAY), join(dir, 'copy.tmp'));
      await rename(join(dir, 'copy.tmp'), join(dir, DAY));
    },
  ],
];

describe('the day file vanishing under a running logger', () => {
  for (const durability of DURABILITIES) {
    it.each(TAMPERS)(
      `(${durability}) fails closed when the current day file is %s`,
      async (_label, tamper) => {
        const dir = await tempDir();
        const audit = await AuditLogger.open(dir, {
          clock: new ManualClock('2025-02-11T10:00:00.000Z'),
          durability,
        });
        await audit.append(orderSubmitted(1));
        await audit.append(orderSubmitted(2));
        await tamper(dir);

        const rejected = await audit.append(orderSubmitted(3)).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(rejected).toBeInstanceOf(AuditFileReplacedError);
        expect(rejected).toMatchObject({ code: 'AUDIT_FILE_REPLACED' });
        expect(audit.failure).toBe(rejected);
        // Nothing further is accepted, and nothing is reported durable.
        await expect(audit.append(orderSubmitted(4))).rejects.toMatchObject({ code: 'AUDIT_FAILED' });
        await expect(audit.flush()).rejects.toMatchObject({ code: 'AUDIT_FILE_REPLACED' });
        await expect(audit.anchor()).rejects.toMatchObject({ code: 'AUDIT_FILE_REPLACED' });
        await audit.close();
      },
    );
  }

  it('keeps appending normally while the file stays put, across a day rollover', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T23:59:59.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    await audit.append(orderSubmitted(1));
    clock.set('2025-02-12T00:00:01.000Z');
    await audit.append(orderSubmitted(2));
    await audit.append(orderSubmitted(3));
    await audit.close();
    expect((await readAll(dir)).map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});
