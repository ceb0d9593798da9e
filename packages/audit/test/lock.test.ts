import { readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLogger, LOCK_FILE, readAuditLog } from '../src/index.js';
import { distIndexUrl, orderSubmitted, runNode, tempDir } from './helpers.js';

describe('directory lock', () => {
  it('refuses a second AuditLogger on the same directory in the same process with AUDIT_LOCKED', async () => {
    const dir = await tempDir();
    const first = await AuditLogger.open(dir);
    const second = new AuditLogger(dir);
    const error = await second.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'AUDIT_LOCKED', holderPid: process.pid, name: 'AuditLockError' });
    expect(String((error as Error).message)).toContain(String(process.pid));
    await first.append(orderSubmitted(1));
    await first.close();
    const third = await AuditLogger.open(dir);
    expect(third.lastSeq).toBe(1);
    await third.close();
  });

  it('writes the lock with the pid, mode 0600, and removes it on close', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    const lock = join(dir, LOCK_FILE);
    expect((await readFile(lock, 'utf8')).split('\n')[0]).toBe(String(process.pid));
    expect((await stat(lock)).mode & 0o777).toBe(0o600);
    await audit.close();
    await expect(stat(lock)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a second process with AUDIT_LOCKED naming the holder pid', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir);
    const script = `
      import { AuditLogger } from ${JSON.stringify(distIndexUrl)};
      try { await AuditLogger.open(${JSON.stringify(dir)}); console.log('opened'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, holderPid: e.holderPid, message: e.message })); }
    `;
    const result = await runNode(['--input-type=module', '-e', script]);
    await audit.close();
    const outcome = JSON.parse(result.stdout.trim());
    expect(outcome.code).toBe('AUDIT_LOCKED');
    expect(outcome.holderPid).toBe(process.pid);
    expect(outcome.message).toContain(String(process.pid));
  });

  it('takes over the stale lock of a dead process and notes it in the log', async () => {
    const dir = await tempDir();
    const dead = await runNode(['-e', 'console.log(process.pid)']);
    const deadPid = Number(dead.stdout.trim());
    await writeFile(join(dir, LOCK_FILE), `${deadPid}\n${hostname()}\n`, { mode: 0o600 });
    const audit = await AuditLogger.open(dir);
    await audit.close();
    const notes = [];
    for await (const e of readAuditLog(dir, { types: ['note'] })) notes.push(e);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ type: 'note' });
    expect(JSON.stringify(notes[0])).toContain(`pid ${deadPid}`);
  });

  it('refuses a lock file that names no pid rather than guessing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, LOCK_FILE), '');
    await expect(AuditLogger.open(dir)).rejects.toMatchObject({ code: 'AUDIT_LOCKED', holderPid: undefined });
  });

  it('releases the lock when the process exits without close()', async () => {
    const dir = await tempDir();
    const script = `
      import { AuditLogger } from ${JSON.stringify(distIndexUrl)};
      const audit = await AuditLogger.open(${JSON.stringify(dir)});
      await audit.append({ type: 'note', message: 'bye' });
      process.exit(0);
    `;
    const result = await runNode(['--input-type=module', '-e', script]);
    expect(result.code).toBe(0);
    await expect(stat(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    const audit = await AuditLogger.open(dir);
    expect(audit.lastSeq).toBe(1);
    await audit.close();
  });
});
