import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger, readAuditLog, verifyAuditLog } from '../src/index.js';
import { orderSubmitted, tempDir } from './helpers.js';

describe('append and read', () => {
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
    expect(line.hash).toBe(entry.hash);

    const read = [];
    for await (const e of readAuditLog(dir)) read.push(e);
    expect(read).toHaveLength(1);
    const [first] = read;
    expect(first?.type).toBe('order_submitted');
    if (first?.type !== 'order_submitted') throw new Error('unreachable');
    expect(first.order.price?.toString()).toBe('50000.5');
    expect(first.hash).toBe(entry.hash);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 1 });
  });
});
