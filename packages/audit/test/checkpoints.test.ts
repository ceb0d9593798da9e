import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_PART_CHARS, ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import {
  AuditLogger,
  type FoundCheckpoint,
  readAuditLog,
  readCheckpointAt,
  readCheckpoints,
} from '../src/index.js';
import { dayFiles, orderSubmitted, tempDir } from './helpers.js';

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('checkpoints in the log', () => {
  it('are found newest first, cover the entries before them, and the tail reads on from after them', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { clock: new ManualClock('2026-03-01T10:00:00Z') });
    for (let i = 1; i <= 5; i += 1) await audit.append(orderSubmitted(i));
    const first = await audit.appendCheckpoint('positions', 'state-one');
    expect(first).toMatchObject({ coversSeq: 5, lastSeq: 6, parts: 1 });
    await audit.append(orderSubmitted(6));
    await audit.appendCheckpoint('risk', 'risk-state');
    // Large enough for three parts.
    const big = 'x'.repeat(CHECKPOINT_PART_CHARS * 2 + 10);
    const second = await audit.appendCheckpoint('positions', big);
    expect(second).toMatchObject({ coversSeq: 8, lastSeq: 11, parts: 3 });
    await audit.append(orderSubmitted(7));
    await audit.append(orderSubmitted(8));
    await audit.close();

    const found = (await all(readCheckpoints(dir, 'positions'))) as FoundCheckpoint[];
    expect(found.map((c) => [c.ok, c.coversSeq, c.data.length])).toEqual([
      [true, 8, big.length],
      [true, 5, 'state-one'.length],
    ]);
    expect(found[0]?.data).toBe(big);
    const tail = await all(readAuditLog(dir, { from: (found[0] as FoundCheckpoint).after }));
    expect(tail.map((e) => e.seq)).toEqual([12, 13]);
    const fromOlder = await all(readAuditLog(dir, { from: (found[1] as FoundCheckpoint).after }));
    expect(fromOlder.map((e) => e.seq)).toEqual([7, 8, 9, 10, 11, 12, 13]);
    const risk = await all(readCheckpoints(dir, 'risk'));
    expect(risk).toMatchObject([{ ok: true, data: 'risk-state', coversSeq: 7 }]);
    expect(await all(readCheckpoints(dir, 'nobody'))).toEqual([]);
  });

  it('ignores a torn checkpoint at the end (the reopened logger quarantines it) and finds the older one', async () => {
    const dir = await tempDir();
    let audit = await AuditLogger.open(dir);
    await audit.append(orderSubmitted(1));
    await audit.appendCheckpoint('positions', 'good');
    await audit.append(orderSubmitted(2));
    await audit.close();
    const [name] = await dayFiles(dir);
    const path = join(dir, name as string);
    // What a process killed in the middle of writing a checkpoint line leaves behind.
    await appendFile(
      path,
      '{"timestamp":"2026-03-01T10:00:00.000000Z","type":"checkpoint","component":"positions","part":0',
    );
    expect(await all(readCheckpoints(dir, 'positions'))).toMatchObject([
      { ok: true, data: 'good', coversSeq: 1 },
    ]);
    audit = await AuditLogger.open(dir);
    await audit.close();
    expect(await all(readCheckpoints(dir, 'positions'))).toMatchObject([{ ok: true, data: 'good' }]);
  });

  it('reports a checkpoint whose parts are incomplete as broken, never as found', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    await audit.append(orderSubmitted(1));
    await audit.appendCheckpoint('positions', 'old');
    await audit.appendCheckpoint('positions', 'y'.repeat(CHECKPOINT_PART_CHARS + 1));
    await audit.close();
    const [name] = await dayFiles(dir);
    const path = join(dir, name as string);
    // Cut the last part: as if the writer died between the parts (the chain still verifies up to here).
    const lines = (await readFile(path, 'utf8')).split('\n').slice(0, -1);
    await writeFile(path, `${lines.slice(0, -1).join('\n')}\n`);
    const found = await all(readCheckpoints(dir, 'positions'));
    expect(found.map((c) => c.ok)).toEqual([false, true]);
    expect(found[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/missing its parts/) });
    expect(found[1]).toMatchObject({ ok: true, data: 'old' });
  });

  it('looks back only as far as maxBytes', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    await audit.appendCheckpoint('positions', 'early');
    for (let i = 0; i < 2000; i += 1) void audit.append(orderSubmitted(i));
    await audit.flush();
    await audit.close();
    expect(await all(readCheckpoints(dir, 'positions', { maxBytes: 64 * 1024 }))).toEqual([]);
    expect(await all(readCheckpoints(dir, 'positions'))).toMatchObject([{ ok: true, data: 'early' }]);
  });

  it('are read again at the place appendCheckpoint reports (no scan), pinned by the hash of their last part', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2026-03-01T23:59:59Z');
    const audit = await AuditLogger.open(dir, { clock });
    for (let i = 1; i <= 3; i += 1) await audit.append(orderSubmitted(i));
    const big = 'y'.repeat(CHECKPOINT_PART_CHARS + 5);
    const first = await audit.appendCheckpoint('positions', big);
    clock.advance(2000); // the next day file
    await audit.append(orderSubmitted(4));
    const second = await audit.appendCheckpoint('positions', 'second');
    await audit.append(orderSubmitted(5));
    await audit.close();
    expect(first.at).toMatchObject({ file: 'audit-2026-03-01.jsonl', seq: 4 });
    expect(second.at).toMatchObject({ file: 'audit-2026-03-02.jsonl', offset: expect.any(Number), seq: 7 });
    expect(second.at.offset).toBeGreaterThan(0);
    const again = await readCheckpointAt(dir, 'positions', first.at);
    expect(again).toMatchObject({ ok: true, data: big, coversSeq: 3, after: { seq: 5 } });
    const tail = await all(readAuditLog(dir, { from: (again as FoundCheckpoint).after }));
    expect(tail.map((e) => e.seq)).toEqual([6, 7, 8]);
    expect(await readCheckpointAt(dir, 'positions', second.at)).toMatchObject({ ok: true, data: 'second' });
    // Every way the link can miss: never a found checkpoint.
    const misses = [
      { ...first.at, lastHash: second.at.lastHash },
      { ...first.at, offset: first.at.offset + 1 },
      { ...first.at, offset: 0 },
      { ...first.at, seq: first.at.seq + 1 },
      { ...first.at, file: 'audit-2026-03-09.jsonl' },
      { ...first.at, file: '../audit-2026-03-01.jsonl' },
      { ...second.at, offset: 10_000_000 },
    ];
    for (const link of misses) {
      expect(await readCheckpointAt(dir, 'positions', link)).toMatchObject({ ok: false });
    }
    expect(await readCheckpointAt(dir, 'risk', first.at)).toMatchObject({ ok: false });
  });
});
