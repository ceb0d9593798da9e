import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLogger, verifyAuditLog } from '../src/index.js';
import { dayFiles, fileLines, orderSubmitted, readAll, tempDir } from './helpers.js';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('day files', () => {
  it('rolls over to a new file at UTC midnight, continues the chain and seals the finished day read-only', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T23:59:59.998Z');
    const audit = await AuditLogger.open(dir, { clock });
    await audit.append(orderSubmitted(1));
    const last = await audit.append(orderSubmitted(2));
    expect(await mode(join(dir, 'audit-2025-02-11.jsonl'))).toBe(0o600);
    clock.advance(2);
    const first = await audit.append(orderSubmitted(3));
    await audit.close();

    expect(await dayFiles(dir)).toEqual(['audit-2025-02-11.jsonl', 'audit-2025-02-12.jsonl']);
    expect(first.seq).toBe(3);
    expect(first.prevHash).toBe(last.hash);
    expect(await fileLines(join(dir, 'audit-2025-02-11.jsonl'))).toHaveLength(2);
    expect(JSON.parse((await fileLines(join(dir, 'audit-2025-02-12.jsonl')))[0] ?? '')).toMatchObject({
      seq: 3,
      prevHash: last.hash,
      timestamp: '2025-02-12T00:00:00.000000Z',
    });
    expect(await mode(join(dir, 'audit-2025-02-11.jsonl'))).toBe(0o400);
    expect(await mode(join(dir, 'audit-2025-02-12.jsonl'))).toBe(0o600);
    expect((await readAll(dir)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await verifyAuditLog(dir)).toMatchObject({
      ok: true,
      entries: 3,
      files: ['audit-2025-02-11.jsonl', 'audit-2025-02-12.jsonl'],
    });
  });

  it('continues the chain across a reopen on a later day and seals the previous file', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T10:00:00.000Z');
    const first = await AuditLogger.open(dir, { clock });
    const a = await first.append(orderSubmitted(1));
    await first.close();
    clock.set('2025-02-14T10:00:00.000Z');
    const second = await AuditLogger.open(dir, { clock });
    expect(second.lastSeq).toBe(1);
    expect(second.lastHash).toBe(a.hash);
    const b = await second.append(orderSubmitted(2));
    await second.close();
    expect(b.prevHash).toBe(a.hash);
    expect(await mode(join(dir, 'audit-2025-02-11.jsonl'))).toBe(0o400);
    expect(await mode(join(dir, 'audit-2025-02-14.jsonl'))).toBe(0o600);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 2 });
  });

  it('splits one group commit that spans midnight into both day files', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { groupCommitMs: 5 });
    const entries = await Promise.all([
      audit.append(orderSubmitted(1, '2025-02-11T23:59:59.999Z')),
      audit.append(orderSubmitted(2, '2025-02-12T00:00:00.000Z')),
      audit.append(orderSubmitted(3, '2025-02-12T00:00:00.001Z')),
    ]);
    await audit.close();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await fileLines(join(dir, 'audit-2025-02-11.jsonl'))).toHaveLength(1);
    expect(await fileLines(join(dir, 'audit-2025-02-12.jsonl'))).toHaveLength(2);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 3 });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Counts fsync and fdatasync calls on every file handle while `run` runs (the logger's own included). */
  async function countSyncs(run: () => Promise<void>): Promise<{ sync: number; datasync: number }> {
    const probe = await open(join(await tempDir(), 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as {
      sync: () => Promise<void>;
      datasync: () => Promise<void>;
    };
    await probe.close();
    const sync = vi.spyOn(proto, 'sync');
    const datasync = vi.spyOn(proto, 'datasync');
    await run();
    return { sync: sync.mock.calls.length, datasync: datasync.mock.calls.length };
  }

  /** Ten appends a day apart through a logger opened before the count starts (its lock is fsynced once). */
  async function tenDays(
    durability: 'none' | 'group',
  ): Promise<{ dir: string; syncs: { sync: number; datasync: number } }> {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T12:00:00.000Z');
    const audit = await AuditLogger.open(dir, { clock, durability });
    const syncs = await countSyncs(async () => {
      for (let day = 0; day < 10; day += 1) {
        await audit.append(orderSubmitted(day + 1));
        clock.advance(86_400_000);
      }
      await audit.close();
    });
    return { dir, syncs };
  }

  it('with durability none, rolls over and seals without fsync (a long simulation pays no disk flush per day)', async () => {
    const none = await tenDays('none');
    expect(none.syncs).toEqual({ sync: 0, datasync: 0 });
    const files = await dayFiles(none.dir);
    expect(files).toHaveLength(10);
    for (const f of files.slice(0, -1)) expect(await mode(join(none.dir, f))).toBe(0o400);
    expect(await verifyAuditLog(none.dir)).toMatchObject({ ok: true, entries: 10 });

    // group keeps its promise: every append fdatasynced, every new name and every finished day fsynced.
    const group = await tenDays('group');
    expect(group.syncs.datasync).toBe(10);
    expect(group.syncs.sync).toBeGreaterThanOrEqual(10 + 9);
  });
});
