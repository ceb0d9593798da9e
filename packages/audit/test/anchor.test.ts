import { createHash } from 'node:crypto';
import { chmod, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import {
  type AuditAnchor,
  AuditLogger,
  createAuditAnchor,
  formatAuditAnchor,
  parseAuditAnchor,
  readAuditAnchor,
  verifyAuditLog,
  writeAuditAnchor,
} from '../src/index.js';
import { distCli, fileLines, orderSubmitted, runNode, tempDir, writeLines } from './helpers.js';

const DAY1 = 'audit-2025-02-11.jsonl';
const DAY2 = 'audit-2025-02-12.jsonl';
const DAY3 = 'audit-2025-02-13.jsonl';
const cli = (...args: string[]) => runNode([distCli, ...args]);

/** Three day files of four entries each (seq 1-4, 5-8, 9-12). */
async function threeDays(dir?: string, quantity = '0.01'): Promise<string> {
  const target = dir ?? (await tempDir());
  const clock = new ManualClock('2025-02-11T09:00:00.000Z');
  const audit = await AuditLogger.open(target, { clock });
  for (let day = 0; day < 3; day += 1) {
    for (let i = 0; i < 4; i += 1) {
      const event = orderSubmitted(day * 4 + i) as { order: { quantity: string } };
      event.order.quantity = quantity;
      await audit.append(event as never);
      clock.advance(60_000);
    }
    clock.advance(86_400_000 - 4 * 60_000);
  }
  await audit.close();
  return target;
}

const hashOf = (line: string) => (JSON.parse(line) as { hash: string }).hash;

/**
 * What a forger with write access does: rewrites every line from `from` on so the chain is consistent again
 * (each prevHash set to the previous line's recomputed hash, each hash recomputed as the format says).
 */
function rechain(lines: string[], prevHash: string): string[] {
  const out: string[] = [];
  let prev = prevHash;
  for (const line of lines) {
    const cut = line.lastIndexOf(',"hash":"');
    const content = `${line.slice(0, cut).replace(/"prevHash":"[0-9a-f]{64}"/, `"prevHash":"${prev}"`)}}`;
    const hash = createHash('sha256').update(prev).update(content).digest('hex');
    out.push(`${content.slice(0, -1)},"hash":"${hash}"}`);
    prev = hash;
  }
  return out;
}

async function allLines(dir: string): Promise<Record<string, string[]>> {
  return {
    [DAY1]: await fileLines(join(dir, DAY1)),
    [DAY2]: await fileLines(join(dir, DAY2)),
    [DAY3]: await fileLines(join(dir, DAY3)),
  };
}

async function rewrite(dir: string, name: string, lines: string[]): Promise<void> {
  await chmod(join(dir, name), 0o600);
  await writeLines(join(dir, name), lines);
}

/** Each tamper leaves a log; `plainOk` says whether verify without an anchor still passes. */
const TAMPERS: Array<{ name: string; plainOk: boolean; tamper: (dir: string) => Promise<void> }> = [
  {
    name: 'tail truncation (the last two entries cut)',
    plainOk: true,
    tamper: async (dir) => {
      const lines = await fileLines(join(dir, DAY3));
      await rewrite(dir, DAY3, lines.slice(0, 2));
    },
  },
  {
    name: 'truncation to an empty newest file',
    plainOk: true,
    tamper: async (dir) => {
      await chmod(join(dir, DAY3), 0o600);
      await truncate(join(dir, DAY3), 0);
    },
  },
  { name: 'the newest day file deleted', plainOk: true, tamper: (dir) => rm(join(dir, DAY3)) },
  {
    name: 'every day file deleted',
    plainOk: true,
    tamper: async (dir) => {
      for (const day of [DAY1, DAY2, DAY3]) await rm(join(dir, day));
    },
  },
  {
    name: 'an edited entry with the whole chain after it recomputed',
    plainOk: true,
    tamper: async (dir) => {
      const files = await allLines(dir);
      const all = [...(files[DAY1] ?? []), ...(files[DAY2] ?? []), ...(files[DAY3] ?? [])];
      all[1] = (all[1] ?? '').replace('"quantity":"0.01"', '"quantity":"10"');
      const chained = rechain(all, '0'.repeat(64));
      await rewrite(dir, DAY1, chained.slice(0, 4));
      await rewrite(dir, DAY2, chained.slice(4, 8));
      await rewrite(dir, DAY3, chained.slice(8));
    },
  },
  {
    name: 'the tail cut and replaced by as many forged entries, chained',
    plainOk: true,
    tamper: async (dir) => {
      const lines = await fileLines(join(dir, DAY3));
      const prev = hashOf((await fileLines(join(dir, DAY2)))[3] ?? '');
      const forged = lines.map((l) => l.replace('"orderId":"o', '"orderId":"forged-o'));
      await rewrite(dir, DAY3, rechain(forged, prev));
    },
  },
  {
    name: 'the whole log replaced by another valid log of the same length',
    plainOk: true,
    tamper: async (dir) => {
      for (const day of [DAY1, DAY2, DAY3]) await rm(join(dir, day));
      await threeDays(dir, '0.02');
    },
  },
  {
    name: 'an edited line (hash not recomputed)',
    plainOk: false,
    tamper: async (dir) => {
      const lines = await fileLines(join(dir, DAY2));
      lines[1] = (lines[1] ?? '').replace('"quantity":"0.01"', '"quantity":"10"');
      await rewrite(dir, DAY2, lines);
    },
  },
  {
    name: 'two lines reordered',
    plainOk: false,
    tamper: async (dir) => {
      const lines = await fileLines(join(dir, DAY3));
      await rewrite(dir, DAY3, [lines[0], lines[2], lines[1], lines[3]] as string[]);
    },
  },
  {
    name: 'a line deleted in the middle',
    plainOk: false,
    tamper: async (dir) => {
      const lines = await fileLines(join(dir, DAY1));
      await rewrite(
        dir,
        DAY1,
        lines.filter((_, i) => i !== 2),
      );
    },
  },
  {
    name: 'a day file deleted in the middle',
    plainOk: false,
    tamper: (dir) => rm(join(dir, DAY2)),
  },
  {
    name: 'a line inserted',
    plainOk: false,
    tamper: async (dir) => {
      const lines = await fileLines(join(dir, DAY2));
      await rewrite(dir, DAY2, [lines[0], lines[0], ...lines.slice(1)] as string[]);
    },
  },
];

describe('anchors', () => {
  it('hl-audit anchor prints the last seq and hash, and --out writes the same anchor to a file', async () => {
    const dir = await threeDays();
    const elsewhere = await tempDir();
    const file = join(elsewhere, 'audit.anchor');
    const result = await cli('anchor', dir, '--out', file);
    expect(result.code).toBe(0);
    const printed = parseAuditAnchor(result.stdout);
    const lines = await fileLines(join(dir, DAY3));
    expect(printed).toMatchObject({ seq: 12, hash: hashOf(lines[3] ?? '') });
    expect(await readAuditAnchor(file)).toEqual(printed);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // Next to the log, an anchor would be rewritten with it.
    expect((await cli('anchor', dir, '--out', join(dir, 'a.anchor'))).code).toBe(2);
  });

  it('holds while the log only grows, in every form (file, SEQ:HASH, HASH)', async () => {
    const dir = await threeDays();
    const anchor = await createAuditAnchor(dir);
    const file = join(await tempDir(), 'a.anchor');
    await writeAuditAnchor(file, anchor);
    const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-13T12:00:00.000Z') });
    await audit.append(orderSubmitted(99));
    await audit.close();
    for (const source of [file, `${anchor.seq}:${anchor.hash}`, anchor.hash]) {
      const result = await cli('verify', dir, '--anchor', source);
      expect({ source, code: result.code }).toEqual({ source, code: 0 });
      expect(result.stdout).toContain(': held');
    }
    expect(await verifyAuditLog(dir, { anchor: { hash: anchor.hash } })).toMatchObject({
      ok: true,
      entries: 13,
    });
  });

  it("AuditLogger#anchor anchors the logger's last entry once it is durable", async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T09:00:00.000Z') });
    const pending = [audit.append(orderSubmitted(1)), audit.append(orderSubmitted(2))];
    const anchor = await audit.anchor();
    const [, second] = await Promise.all(pending);
    expect(anchor).toMatchObject({ seq: 2, hash: second?.hash });
    await audit.close();
    expect(await verifyAuditLog(dir, { anchor })).toMatchObject({ ok: true });
  });

  it.each(TAMPERS)('verify --anchor fails after $name', async ({ tamper, plainOk }) => {
    const dir = await threeDays();
    const anchor = await createAuditAnchor(dir);
    const file = join(await tempDir(), 'a.anchor');
    await writeAuditAnchor(file, anchor);
    await tamper(dir);
    expect((await verifyAuditLog(dir)).ok).toBe(plainOk);
    const report = await verifyAuditLog(dir, { anchor });
    expect(report.ok).toBe(false);
    const result = await cli('verify', dir, '--anchor', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED: /);
    if (plainOk) expect(result.stdout).toMatch(/anchor/);
  });

  it('refuses malformed anchors with a usage error (exit 2), never a pass', async () => {
    const dir = await threeDays();
    const bad = join(await tempDir(), 'bad.anchor');
    for (const text of [
      '',
      'nonsense',
      '{"seq":1}',
      `{"seq":-1,"hash":"${'a'.repeat(64)}"}`,
      `{"hash":"${'A'.repeat(64)}","seq":1}`,
    ]) {
      await writeFile(bad, text);
      const result = await cli('verify', dir, '--anchor', bad);
      expect({ text, code: result.code }).toEqual({ text, code: 2 });
    }
    expect((await cli('verify', dir, '--anchor', '/nonexistent/anchor')).code).toBe(2);
    expect(() => parseAuditAnchor(`{"seq":1,"hash":"${'a'.repeat(64)}","extra":1}`)).toThrow(
      /unknown anchor member/,
    );
  });

  it('round-trips through formatAuditAnchor and readAuditAnchor', async () => {
    const anchor: AuditAnchor = { seq: 7, hash: 'b'.repeat(64), createdAt: '2025-02-11T09:00:00.000Z' };
    const file = join(await tempDir(), 'x.anchor');
    await writeAuditAnchor(file, anchor);
    expect(await readFile(file, 'utf8')).toBe(`${formatAuditAnchor(anchor)}\n`);
    expect(await readAuditAnchor(file)).toEqual(anchor);
  });
});
