import { readFileSync, unlinkSync } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuditLockError } from './errors.js';

/** Name of the lock file inside a log directory. */
export const LOCK_FILE = 'audit.lock';

/** A held directory lock. */
export interface DirectoryLock {
  readonly file: string;
  /** Pid of the dead process whose stale lock was taken over, if any. */
  readonly tookOverFrom: number | undefined;
  release(): Promise<void>;
}

const held = new Set<string>();
let exitHookInstalled = false;

function lockContent(): string {
  return `${process.pid}\n${hostname()}\n`;
}

function parseLock(text: string): { pid: number; host: string } | undefined {
  const [pidText, host] = text.split('\n');
  if (pidText === undefined || host === undefined || !/^\d+$/.test(pidText)) return undefined;
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, host } : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseSync(file: string): void {
  try {
    const owner = parseLock(readFileSync(file, 'utf8'));
    if (owner?.pid === process.pid) unlinkSync(file);
  } catch {
    // Already gone, or unreadable: nothing of ours to remove.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' runs on normal exit and process.exit(); a SIGKILLed process leaves a stale lock that the next
  // open takes over after checking that the pid is dead.
  process.once('exit', () => {
    for (const file of held) releaseSync(file);
    held.clear();
  });
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Takes the exclusive write lock of a log directory: `audit.lock`, created with O_EXCL, holding the pid and
 * host name. A lock whose process is dead (same host) is taken over.
 *
 * @throws {AuditLockError} code `AUDIT_LOCKED` when a live process (or this one) holds the lock
 */
export async function acquireLock(dir: string): Promise<DirectoryLock> {
  const file = join(dir, LOCK_FILE);
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(lockContent());
        await handle.sync();
      } finally {
        await handle.close();
      }
      held.add(file);
      installExitHook();
      return {
        file,
        tookOverFrom,
        release: async () => {
          held.delete(file);
          releaseSync(file);
        },
      };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') continue; // released meanwhile: try again
      throw error;
    }
    const owner = parseLock(text);
    if (owner === undefined) {
      throw new AuditLockError(
        `audit directory ${dir} is locked by ${file}, which does not name a pid; if no process writes this directory, remove the lock file`,
        file,
        undefined,
      );
    }
    const { pid, host } = owner;
    if (host !== hostname()) {
      throw new AuditLockError(`audit directory ${dir} is locked by pid ${pid} on host ${host}`, file, pid, {
        details: { host },
      });
    }
    if (pid === process.pid) {
      throw new AuditLockError(
        `audit directory ${dir} is locked by another AuditLogger in this process (pid ${pid})`,
        file,
        pid,
      );
    }
    if (isAlive(pid)) {
      throw new AuditLockError(`audit directory ${dir} is locked by running process pid ${pid}`, file, pid);
    }
    // Stale: move it aside atomically, and make sure what we moved is the stale lock we judged, not a fresh
    // lock another process created meanwhile.
    const aside = `${file}.stale-${pid}-${process.pid}`;
    await rename(file, aside);
    const moved = await readFile(aside, 'utf8');
    if (moved !== text) {
      await link(aside, file).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
      const other = parseLock(moved);
      throw new AuditLockError(
        `audit directory ${dir} was locked by another process while taking over a stale lock`,
        file,
        other?.pid,
      );
    }
    await unlink(aside);
    tookOverFrom = pid;
  }
  throw new AuditLockError(`could not take the lock of audit directory ${dir}`, file, undefined);
}
