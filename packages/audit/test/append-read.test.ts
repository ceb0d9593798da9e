import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, readAuditLog, verifyAuditLog } from '../src/index.js';
import { dayFiles, fileLines, orderSubmitted, readAll, tempDir } from './helpers.js';

describe('AuditLogger.append and readAuditLog', () => {
  it('writes one JSON line per event in the spec format and reads it back as a typed entry', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T15:30:45.123Z');
    const audit = await AuditLogger.open(dir, { clock });
    const entry = await audit.append(orderSubmitted(1));
    await audit.close();

    expect(entry.seq).toBe(1);
    expect(entry.timestamp).toBe(Date.parse('2025-02-11T15:30:45.123Z'));
    expect(entry.prevHash).toBe('0'.repeat(64));
    const text = await readFile(join(dir, 'audit-2025-02-11.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    const line = JSON.parse(text);
    expect(Object.keys(line)).toEqual(['timestamp', 'type', 'orderId', 'order', 'seq', 'prevHash', 'hash']);
    expect(line.timestamp).toBe('2025-02-11T15:30:45.123000Z');
    expect(line.order.price).toBe('50000.5');
    expect(line.order.quantity).toBe('0.01');
    expect(line.hash).toBe(entry.hash);

    const read = await readAll(dir);
    expect(read).toHaveLength(1);
    const [first] = read;
    if (first?.type !== 'order_submitted') throw new Error(`expected order_submitted, got ${first?.type}`);
    expect(first.order.price?.toString()).toBe('50000.5');
    expect(first.hash).toBe(entry.hash);
    expect(await verifyAuditLog(dir)).toMatchObject({
      ok: true,
      entries: 1,
      lastSeq: 1,
      lastHash: entry.hash,
    });
  });

  it('uses the event timestamp (ms, Date or ISO) when given and the clock otherwise', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-03-01T10:00:00.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    const a = await audit.append(orderSubmitted(1, Date.parse('2025-03-01T09:00:00.001Z')));
    const b = await audit.append(orderSubmitted(2, new Date('2025-03-01T09:30:00.002Z')));
    const c = await audit.append(orderSubmitted(3, '2025-03-01T09:45:00.003Z'));
    const d = await audit.append(orderSubmitted(4));
    await audit.close();
    expect([a, b, c, d].map((e) => new Date(e.timestamp).toISOString())).toEqual([
      '2025-03-01T09:00:00.001Z',
      '2025-03-01T09:30:00.002Z',
      '2025-03-01T09:45:00.003Z',
      '2025-03-01T10:00:00.000Z',
    ]);
    const lines = (await fileLines(join(dir, 'audit-2025-03-01.jsonl'))).map((l) => JSON.parse(l).timestamp);
    expect(lines).toEqual([
      '2025-03-01T09:00:00.001000Z',
      '2025-03-01T09:30:00.002000Z',
      '2025-03-01T09:45:00.003000Z',
      '2025-03-01T10:00:00.000000Z',
    ]);
  });

  it('keeps call order and an unbroken chain for 1,000 concurrent appends', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    const entries = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => audit.append(orderSubmitted(i))),
    );
    expect(audit.lastSeq).toBe(1000);
    await audit.close();
    entries.forEach((entry, i) => {
      expect(entry.seq).toBe(i + 1);
      if (entry.type !== 'order_submitted') throw new Error('wrong type');
      expect(entry.orderId).toBe(`o${i}`);
      if (i > 0) expect(entry.prevHash).toBe(entries[i - 1]?.hash);
    });
    const read = await readAll(dir);
    expect(read.map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
    expect(read.map((e) => e.hash)).toEqual(entries.map((e) => e.hash));
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 1000 });
  });

  it('appends before open() resolve in call order once the lazy open finishes', async () => {
    const dir = await tempDir();
    const audit = new AuditLogger(dir, { durability: 'fsync' });
    const entries = await Promise.all([audit.append(orderSubmitted(0)), audit.append(orderSubmitted(1))]);
    await audit.close();
    expect(entries.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('rejects an invalid event with AUDIT_INVALID_EVENT, writes nothing and stays usable', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T00:00:00.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    const first = await audit.append(orderSubmitted(1));
    const bad = {
      type: 'order_submitted',
      orderId: 'o2',
      order: { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '-1', price: '50000' },
    } as const;
    await expect(audit.append(bad)).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
      name: 'AuditValidationError',
    });
    await expect(audit.append({ type: 'no_such_event' } as never)).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
    });
    await expect(audit.append({ ...orderSubmitted(3), extra: 1 } as never)).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
    });
    expect(audit.lastSeq).toBe(1);
    expect(await fileLines(join(dir, 'audit-2025-02-11.jsonl'))).toHaveLength(1);
    const next = await audit.append(orderSubmitted(4));
    await audit.close();
    expect(next.seq).toBe(2);
    expect(next.prevHash).toBe(first.hash);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 2 });
  });

  it('filters by type and time window across day files', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-10T23:59:59.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    await audit.append({ type: 'session_started', app: 'test' });
    clock.advance(2000);
    await audit.append(orderSubmitted(1));
    clock.advance(60_000);
    await audit.append({ type: 'mark_price', symbol: 'BTC-USD', price: '50000' });
    await audit.append(orderSubmitted(2));
    await audit.close();
    const types = [];
    for await (const e of readAuditLog(dir, { types: ['order_submitted'] })) types.push(e.seq);
    expect(types).toEqual([2, 4]);
    const since = [];
    for await (const e of readAuditLog(dir, { since: Date.parse('2025-02-11T00:00:00Z') })) since.push(e.seq);
    expect(since).toEqual([2, 3, 4]);
    const window = [];
    for await (const e of readAuditLog(dir, {
      since: Date.parse('2025-02-11T00:00:00Z'),
      until: Date.parse('2025-02-11T00:01:00Z'),
    })) {
      window.push(e.seq);
    }
    expect(window).toEqual([2]);
    expect(await dayFiles(dir)).toEqual(['audit-2025-02-10.jsonl', 'audit-2025-02-11.jsonl']);
  });

  it('puts an event whose time lies before the newest day file into that file, keeping file order = seq order', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T00:00:01.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    await audit.append(orderSubmitted(1));
    const late = await audit.append(orderSubmitted(2, '2025-02-10T23:59:59.999Z'));
    await audit.close();
    expect(late.seq).toBe(2);
    expect(await dayFiles(dir)).toEqual(['audit-2025-02-11.jsonl']);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 2 });
  });

  it('rejects appends after close with AUDIT_CLOSED', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    await audit.close();
    await expect(audit.append(orderSubmitted(1))).rejects.toMatchObject({ code: 'AUDIT_CLOSED' });
  });

  it('supports every durability policy with the same file contents', async () => {
    for (const durability of ['fsync', 'group', 'none'] as const) {
      const dir = await tempDir();
      const clock = new ManualClock('2025-02-11T12:00:00.000Z');
      const audit = await AuditLogger.open(dir, { clock, durability, groupCommitMs: 1 });
      await Promise.all(Array.from({ length: 20 }, (_, i) => audit.append(orderSubmitted(i))));
      await audit.flush();
      await audit.close();
      expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 20 });
    }
  });
  it('writes lines whose hash is SHA-256 of the previous hash and the line bytes up to its hash member, also for multi-byte text', async () => {
    const dir = await tempDir();
    const clock = new ManualClock('2025-02-11T12:00:00.000Z');
    const audit = await AuditLogger.open(dir, { clock });
    const messages = ['plain', 'Grüße €100 — 日本語 🚀🇨🇭', 'e\u0301 \u2028 "quoted" \\ back\tslash', ''];
    await Promise.all(messages.map((message) => audit.append({ type: 'note', message })));
    await audit.close();
    const { createHash } = await import('node:crypto');
    const bytes = await readFile(join(dir, 'audit-2025-02-11.jsonl'));
    let prevHash = '0'.repeat(64);
    let start = 0;
    const read: string[] = [];
    for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
      const line = bytes.subarray(start, nl);
      const cut = line.length - 75;
      expect(line.subarray(cut, cut + 9).toString('latin1')).toBe(',"hash":"');
      const expected = createHash('sha256')
        .update(Buffer.from(prevHash, 'ascii'))
        .update(line.subarray(0, cut))
        .update('}')
        .digest('hex');
      const parsed = JSON.parse(line.toString('utf8'));
      expect(parsed.hash).toBe(expected);
      expect(parsed.prevHash).toBe(prevHash);
      read.push(parsed.message);
      prevHash = expected;
      start = nl + 1;
    }
    expect(start).toBe(bytes.length);
    expect(read).toEqual(messages);
  });
});
