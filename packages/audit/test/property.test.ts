import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DECIMAL_LIMITS, ManualClock } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditLogger, verifyAuditLog } from '../src/index.js';
import { dayFiles, readAll, tempDir } from './helpers.js';

describe('properties', () => {
  it('reads back exactly what was appended: any message text, any decimal amount, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            message: fc.string({ unit: 'grapheme', maxLength: 40 }),
            // Up to the largest amount a decimal field accepts (|value| < 1e30): 1e30 itself is refused
            // by design, and fast-check's bias towards bounds drew it often enough to fail CI.
            amount: fc.bigInt({ min: 0n, max: 10n ** BigInt(DECIMAL_LIMITS.maxExponent + 1) - 1n }),
            scale: fc.integer({ min: 0, max: 18 }),
          }),
          { minLength: 1, maxLength: 15 },
        ),
        async (notes) => {
          const dir = await tempDir();
          const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T12:00:00.000Z') });
          const amounts = notes.map((n) => {
            const digits = n.amount.toString().padStart(n.scale + 1, '0');
            return n.scale === 0 ? digits : `${digits.slice(0, -n.scale)}.${digits.slice(-n.scale)}`;
          });
          await Promise.all(
            notes.map((n, i) => audit.append({ type: 'note', message: n.message, amount: amounts[i] })),
          );
          await audit.close();
          const entries = await readAll(dir);
          expect(entries.map((e) => e.seq)).toEqual(notes.map((_, i) => i + 1));
          entries.forEach((e, i) => {
            if (e.type !== 'note') throw new Error(`unexpected ${e.type}`);
            expect(e.message).toBe(notes[i]?.message);
            expect(e.amount?.eq(amounts[i] ?? 'x')).toBe(true);
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('detects any single changed byte anywhere in the log', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T23:59:00.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    for (let i = 0; i < 6; i += 1) {
      await audit.append({ type: 'mark_price', symbol: 'BTC-USD', price: `${50000 + i}.5` });
      clock.advance(20_000);
    }
    await audit.close();
    const files = await dayFiles(dir);
    expect(files).toHaveLength(2);
    // Writable again so that the test also works when not run as root (the finished day is 0400).
    for (const f of files) await chmod(join(dir, f), 0o600);
    const originals = await Promise.all(files.map((f) => readFile(join(dir, f))));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: files.length - 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (fileIndex, position, delta) => {
          const original = originals[fileIndex] as Buffer;
          const path = join(dir, files[fileIndex] as string);
          const changed = Buffer.from(original);
          const at = position % changed.length;
          changed[at] = ((changed[at] as number) + delta) % 256;
          await writeFile(path, changed);
          try {
            expect((await verifyAuditLog(dir)).ok).toBe(false);
          } finally {
            await writeFile(path, original);
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 6 });
  });
});
