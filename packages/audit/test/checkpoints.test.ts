import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_PART_CHARS, ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, type FoundCheckpoint, readAuditLog, readCheckpoints } from '../src/index.js';
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
});
