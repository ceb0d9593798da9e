import { createHash } from 'node:crypto';
import { CHECKPOINT_PART_CHARS } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { type AuditDurability, AuditLogger, verifyAuditLog } from '../src/index.js';
import { dayFiles, fileLines, orderSubmitted, readAll, tempDir } from './helpers.js';

const DURABILITIES: AuditDurability[] = ['fsync', 'group', 'none'];
const MIDNIGHT = Date.parse('2025-02-12T00:00:00.000Z');

/** Every line's hash recomputed from its own text, as the chain is defined (see codec.ts). */
function rehash(lines: readonly string[]): string[] {
  let prev = '0'.repeat(64);
  return lines.map((line) => {
    const cut = line.lastIndexOf(',"hash":"');
    prev = createHash('sha256')
      .update(`${prev}${line.slice(0, cut)}}`, 'utf8')
      .digest('hex');
    return prev;
  });
}

describe('lines encoded back to back into the buffer their group is written from', () => {
  for (const durability of DURABILITIES) {
    it(`(${durability}) a burst that outgrows the buffer and crosses midnight is written whole, in order`, async () => {
      const dir = await tempDir();
      const audit = await AuditLogger.open(dir, { durability });
      // ~400 bytes a line: 200 lines outgrow the buffer's first 64 KiB (fsync writes them one by one, so
      // fewer there), and non-ASCII text checks that the bytes written are the bytes hashed.
      const count = durability === 'fsync' ? 200 : 600;
      const burst = Array.from({ length: count }, (_, i) => {
        const timestamp = MIDNIGHT - count / 2 + i;
        return i % 7 === 3
          ? audit.append({ type: 'note', message: `Grüße ✓ 𝄞 ${i}`, timestamp })
          : audit.append(orderSubmitted(i, timestamp));
      });
      // And a second group, encoded while the first one is being written.
      await burst[0];
      const second = Array.from({ length: 50 }, (_, i) =>
        audit.append(orderSubmitted(1000 + i, MIDNIGHT + i)),
      );
      const entries = await Promise.all([...burst, ...second]);
      await audit.close();
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: count + 50 }, (_, i) => i + 1));
      expect(await dayFiles(dir)).toEqual(['audit-2025-02-11.jsonl', 'audit-2025-02-12.jsonl']);
      const lines = [
        ...(await fileLines(`${dir}/audit-2025-02-11.jsonl`)),
        ...(await fileLines(`${dir}/audit-2025-02-12.jsonl`)),
      ];
      expect(lines).toHaveLength(count + 50);
      expect(rehash(lines)).toEqual(entries.map((e) => e.hash));
      expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: count + 50 });
      const read = await readAll(dir);
      expect(read.map((e) => e.hash)).toEqual(entries.map((e) => e.hash));
      expect(read[3]).toMatchObject({ type: 'note', message: 'Grüße ✓ 𝄞 3' });
    });
  }

  it('a line refused as too long leaves nothing behind: the lines around it are written intact', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    const first = audit.append(orderSubmitted(1));
    // Control characters are escaped as \u0001 in JSON: this line would be far over 1 MiB.
    const refused = audit.append({
      type: 'checkpoint',
      component: 'test',
      part: 0,
      parts: 1,
      coversSeq: 1,
      coversHash: '0'.repeat(64),
      data: '\u0001'.repeat(CHECKPOINT_PART_CHARS),
    });
    const after = audit.append(orderSubmitted(2));
    await expect(refused).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT' });
    expect((await Promise.all([first, after])).map((e) => e.seq)).toEqual([1, 2]);
    await audit.close();
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 2 });
  });
});
