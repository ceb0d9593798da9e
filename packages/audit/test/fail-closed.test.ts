import { rm, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, LOCK_FILE, verifyAuditLog } from '../src/index.js';
import { orderSubmitted, readAll, tempDir } from './helpers.js';

describe('fail closed', () => {
  it('rejects the appends a failed write covered, then every later append, and never reports them durable', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T23:59:00.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    await audit.append(orderSubmitted(1));
    // The next day's file is /dev/full: every write to it fails with ENOSPC, like a full disk.
    await symlink('/dev/full', join(dir, 'audit-2025-02-12.jsonl'));
    clock.set('2025-02-12T00:00:01.000Z');
    const results = await Promise.allSettled([
      audit.append(orderSubmitted(2)),
      audit.append(orderSubmitted(3)),
      audit.append(orderSubmitted(4)),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    }
    expect(audit.failure).toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    await expect(audit.append(orderSubmitted(5))).rejects.toMatchObject({ code: 'AUDIT_FAILED' });
    await expect(audit.flush()).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    await audit.close();
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });

    // A device in place of a day file is refused on open rather than read.
    await expect(AuditLogger.open(dir, { clock })).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
    await rm(join(dir, 'audit-2025-02-12.jsonl'));
    expect((await readAll(dir)).map((e) => e.seq)).toEqual([1]);
    const reopened = await AuditLogger.open(dir, { clock });
    expect((await reopened.append(orderSubmitted(6))).seq).toBe(2);
    await reopened.close();
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 2 });
  });
});
