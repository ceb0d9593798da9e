import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, verifyAuditLog } from '@hl-bot/audit';
import type { AuditEntry, AuditEventInput } from '@hl-bot/core-types';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { auditLineOf, mirrorLines, PgAuditMirror, verifyMirror } from '../src/index.js';
import { newAccount, sql } from './helpers.js';

const url = inject('pgUrl');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Events of several shapes: Decimals, nested orders, unicode and quotes in text, explicit timestamps
// across a UTC midnight (two day files).
function events(n: number): AuditEventInput[] {
  const out: AuditEventInput[] = [];
  for (let i = 0; i < n; i++) {
    const timestamp = Date.UTC(2026, 11, 1, 23, 59, 59, 990) + i;
    if (i % 3 === 0) {
      out.push({
        type: 'order_submitted',
        timestamp,
        orderId: `o-${i}`,
        order: {
          symbol: 'BTC-USD',
          side: 'buy',
          orderType: 'limit',
          quantity: '0.0100',
          price: `5000${i}.5`,
        },
      });
    } else if (i % 3 === 1) {
      out.push({ type: 'note', timestamp, message: `note ${i}: "quoted" ünïcödé \u2028 \\ end` });
    } else {
      out.push({
        type: 'circuit_breaker_tripped',
        timestamp,
        reason: `test ${i}`,
        trippedAt: timestamp,
        cooldownUntil: timestamp + 60_000,
      });
    }
  }
  return out;
}

async function writeLog(n: number, mirror?: PgAuditMirror): Promise<{ dir: string; entries: AuditEntry[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-mirror-'));
  dirs.push(dir);
  const logger = await AuditLogger.open(dir, { durability: 'none' });
  const sink = mirror === undefined ? logger : mirror.wrap(logger);
  const entries: AuditEntry[] = [];
  for (const e of events(n)) entries.push(await sink.append(e));
  await logger.close();
  return { dir, entries };
}

describe('the audit mirror', () => {
  it('rebuilds exactly the lines @hl-bot/audit wrote (the same bytes, so the same hashes)', async () => {
    const { dir, entries } = await writeLog(40);
    const lines = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter((l) => l.length > 0),
      );
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl'))).toHaveLength(2);
    expect(entries.map((e) => auditLineOf(e))).toEqual(lines);
    // An entry that is not as its logger returned it is refused, not mirrored wrongly.
    const first = entries[0] as AuditEntry & { orderId: string };
    expect(auditLineOf({ ...first, orderId: 'other' } as AuditEntry)).toBeUndefined();
  });

  it('mirrors every entry of a live logger, and verifyMirror checks the chain from the table alone', async () => {
    const account = newAccount();
    const mirror = new PgAuditMirror({ url, account, botId: 'bot-1' });
    const { dir } = await writeLog(60, mirror);
    await mirror.flush();
    expect((await verifyAuditLog(dir)).ok).toBe(true);
    expect(await verifyMirror(url, account, 'bot-1')).toEqual({
      ok: true,
      entries: 60,
      firstSeq: 1,
      lastSeq: 60,
    });
    // Nothing is missing, so a backfill from the files adds nothing.
    expect(await mirror.backfill(dir)).toBe(0);
    await mirror.close();

    // A second bot's mirror, filled only from its files after the fact.
    const late = new PgAuditMirror({ url, account, botId: 'bot-2' });
    expect(await late.backfill(dir)).toBe(60);
    await late.close();
    expect((await verifyMirror(url, account, 'bot-2')).ok).toBe(true);
  });

  it('is append-only: UPDATE and DELETE fail for the owner, and for an app role by its grants', async () => {
    const account = newAccount();
    const mirror = new PgAuditMirror({ url, account, botId: 'b' });
    await writeLog(5, mirror);
    await mirror.close();
    await expect(
      sql(url, `UPDATE hl_risk.audit_mirror SET line = 'x' WHERE account = $1`, [account]),
    ).rejects.toThrow(/append-only/);
    await expect(sql(url, `DELETE FROM hl_risk.audit_mirror WHERE account = $1`, [account])).rejects.toThrow(
      /append-only/,
    );
    await sql(
      url,
      `DO $$ BEGIN CREATE ROLE hl_app_test NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
    await sql(url, 'GRANT USAGE ON SCHEMA hl_risk TO hl_app_test');
    await sql(url, 'GRANT SELECT, INSERT ON hl_risk.audit_mirror TO hl_app_test');
    await expect(
      sql(
        url,
        `SET ROLE hl_app_test; UPDATE hl_risk.audit_mirror SET line = 'x' WHERE account = '${account}'`,
      ),
    ).rejects.toThrow(/permission denied/);
    expect((await verifyMirror(url, account, 'b')).ok).toBe(true);
  });

  it('detects a tampered row, a deleted row and a row whose chain columns were changed', async () => {
    const account = newAccount();
    const mirror = new PgAuditMirror({ url, account, botId: 'b' });
    await writeLog(20, mirror);
    await mirror.close();
    // A superuser bypassing the trigger, as an attacker with the database's keys would.
    const tamper = (statement: string) =>
      sql(url, `SET session_replication_role = replica; ${statement}; SET session_replication_role = origin`);
    await tamper(
      `UPDATE hl_risk.audit_mirror SET line = replace(line, 'test 5', 'test 6') WHERE account = '${account}' AND seq = 6`,
    );
    expect(await verifyMirror(url, account, 'b')).toMatchObject({ ok: false, problem: { seq: 6 } });
    expect((await verifyMirror(url, account, 'b')).problem?.reason).toMatch(/hash mismatch/);

    const account2 = newAccount();
    const m2 = new PgAuditMirror({ url, account: account2, botId: 'b' });
    await writeLog(20, m2);
    await m2.close();
    await tamper(`DELETE FROM hl_risk.audit_mirror WHERE account = '${account2}' AND seq = 10`);
    expect(await verifyMirror(url, account2, 'b')).toMatchObject({ ok: false, problem: { seq: 11 } });
    expect((await verifyMirror(url, account2, 'b')).problem?.reason).toMatch(/missing/);

    const account3 = newAccount();
    const m3 = new PgAuditMirror({ url, account: account3, botId: 'b' });
    await writeLog(5, m3);
    await m3.close();
    await tamper(
      `UPDATE hl_risk.audit_mirror SET hash = repeat('a', 64) WHERE account = '${account3}' AND seq = 2`,
    );
    expect(await verifyMirror(url, account3, 'b')).toMatchObject({ ok: false, problem: { seq: 2 } });
  });

  it('follows a live log: every line the logger writes, checkpoints and day files included, byte for byte', async () => {
    const account = newAccount();
    const dir = mkdtempSync(join(tmpdir(), 'hl-mirror-follow-'));
    dirs.push(dir);
    const logger = await AuditLogger.open(dir, { durability: 'none' });
    const mirror = new PgAuditMirror({ url, account, botId: 'f' });
    const follow = mirror.follow(dir, { intervalMs: 20 });
    const all = events(90);
    for (const [i, e] of all.entries()) {
      await logger.append(e);
      // Checkpoints are lines of the chain too: a mirror fed only by append() would lose them.
      if (i % 30 === 29) await logger.appendCheckpoint('test', JSON.stringify({ at: i }));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 25));
    }
    await logger.close();
    await follow.stop();
    await mirror.close();
    const lines = fileLines(dir);
    expect(lines.filter((l) => l.includes('"type":"checkpoint"'))).toHaveLength(3);
    expect(await collect(mirrorLines(url, account, 'f'))).toEqual(lines);
    expect(await verifyMirror(url, account, 'f')).toEqual({
      ok: true,
      entries: 93,
      firstSeq: 1,
      lastSeq: 93,
    });
  });

  it('loses nothing while the database is unreachable: the day files are the queue', async () => {
    const account = newAccount();
    const { dir } = await writeLog(30);
    const errors: string[] = [];
    // Nothing listens on port 1: every round trip fails, and follow() neither throws nor drops lines.
    const down = new PgAuditMirror({
      url: 'postgres://nobody@127.0.0.1:1/none',
      account,
      botId: 'q',
      timeoutMs: 200,
      onError: (e) => errors.push(e.code),
    });
    const follow = down.follow(dir, { intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 200));
    await follow.stop();
    await down.close().catch(() => undefined);
    expect(errors.length).toBeGreaterThan(0);
    // Back up: the next follower starts where the table ends and copies all of it.
    const up = new PgAuditMirror({ url, account, botId: 'q' });
    const again = up.follow(dir, { intervalMs: 20 });
    await again.stop();
    await up.close();
    expect(await verifyMirror(url, account, 'q')).toEqual({
      ok: true,
      entries: 30,
      firstSeq: 1,
      lastSeq: 30,
    });
  });

  it('backfills from the day file holding the first missing line, not from the start of the log', async () => {
    const account = newAccount();
    const { dir } = await writeLog(30); // two day files
    const mirror = new PgAuditMirror({ url, account, botId: 'b' });
    expect(await mirror.backfill(dir)).toBe(30);
    const logger = await AuditLogger.open(dir, { durability: 'none' });
    for (let i = 0; i < 5; i++) await logger.append({ type: 'note', message: `later ${i}` });
    await logger.close();
    // The first day file is fully mirrored: were it read again, its garbage would fail the backfill.
    const first = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()[0] as string;
    chmodSync(join(dir, first), 0o600);
    writeFileSync(join(dir, first), 'not an audit line\n');
    expect(await mirror.backfill(dir)).toBe(5);
    await mirror.close();
    expect(await verifyMirror(url, account, 'b')).toMatchObject({ entries: 35, lastSeq: 35 });
  });
});

function fileLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0),
    );
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}
