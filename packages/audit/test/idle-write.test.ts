import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditLogger, verifyAuditLog } from '../src/index.js';
import { dayFiles, fileLines, orderSubmitted, tempDir } from './helpers.js';

// Timers are frozen so that "written at once" cannot be confused with "written after a short wait": only
// the file system (libuv's thread pool) keeps running.
const frozen = { toFake: ['setTimeout', 'setInterval', 'setImmediate'] as const };

afterEach(() => {
  vi.useRealTimers();
});

describe('group commit on an idle logger', () => {
  it('writes and fdatasyncs an append at once: it becomes durable without any timer firing', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    vi.useFakeTimers({ toFake: [...frozen.toFake] });
    const entry = await audit.append(orderSubmitted(1));
    expect(entry.seq).toBe(1);
    // A burst issued in one synchronous run shares the write, and the appends that arrive while that
    // fdatasync runs form the next group, still without a timer.
    const burst = Array.from({ length: 50 }, (_, i) => audit.append(orderSubmitted(i + 2)));
    const more = (await burst[0])
      ? Array.from({ length: 50 }, (_, i) => audit.append(orderSubmitted(i + 52)))
      : [];
    await Promise.all([...burst, ...more]);
    vi.useRealTimers();
    await audit.close();
    const [file] = await dayFiles(dir);
    expect((await fileLines(join(dir, file as string))).map((l) => JSON.parse(l).orderId)).toEqual(
      Array.from({ length: 101 }, (_, i) => `o${i + 1}`),
    );
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, entries: 101 });
  });

  it('still waits when groupCommitMs asks for a wait: nothing resolves until that timer fires', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { groupCommitMs: 50 });
    vi.useFakeTimers({ toFake: [...frozen.toFake] });
    let settled = false;
    const pending = audit.append(orderSubmitted(1)).then((e) => {
      settled = true;
      return e;
    });
    // Three write + fdatasync round trips of our own, queued after the logger's would-be write: an immediate
    // write would have finished by then, but the frozen 50 ms timer has not fired.
    const other = await open(join(dir, 'other.bin'), 'w');
    for (let i = 0; i < 3; i += 1) {
      await other.write('x');
      await other.datasync();
    }
    await other.close();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(50);
    expect((await pending).seq).toBe(1);
    vi.useRealTimers();
    await audit.close();
  });
});
