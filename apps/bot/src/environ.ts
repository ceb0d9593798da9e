import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { HlBotError } from '@hl-bot/core-types';

/** The key could not be removed from what the OS shows of this process's environment. */
export class EnvironmentScrubError extends HlBotError {
  constructor(message: string) {
    super('ENV_SCRUB_FAILED', message);
    this.name = 'EnvironmentScrubError';
  }
}

/**
 * Removes a variable (the signing key) from the environment, including the copy the kernel shows.
 *
 * `delete process.env[name]` only drops libc's pointer: `/proc/PID/environ` reads the environment block the
 * process was started with, which still holds the bytes, readable by the same user (and root) for as long as
 * the process runs. On Linux this overwrites those bytes through `/proc/self/mem`, keeping the pid (so
 * systemd and shells still supervise the same process), then reads `/proc/self/environ` back to prove the
 * value is gone. Elsewhere there is no such file; only the libc copy is removed.
 *
 * @returns whether the kernel-visible copy was scrubbed (false when the platform has none)
 * @throws {EnvironmentScrubError} code `ENV_SCRUB_FAILED` when the value is still visible afterwards
 */
export function scrubEnvironmentVariable(name: string): boolean {
  const value = process.env[name];
  delete process.env[name];
  if (process.platform !== 'linux' || value === undefined || value.length === 0) return false;
  const needle = Buffer.from(value, 'utf8');
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: field 3 is the first here;
    // env_start and env_end are fields 50 and 51 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const envStart = Number(fields[47]);
    const envEnd = Number(fields[48]);
    if (!Number.isSafeInteger(envStart) || !Number.isSafeInteger(envEnd) || envEnd <= envStart) {
      throw new Error('no environment range in /proc/self/stat');
    }
    const block = readFileSync('/proc/self/environ');
    const fd = openSync('/proc/self/mem', 'r+');
    try {
      for (let at = block.indexOf(needle); at >= 0; at = block.indexOf(needle, at + needle.length)) {
        writeSync(fd, Buffer.alloc(needle.length, 0), 0, needle.length, envStart + at);
      }
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new EnvironmentScrubError(
      `could not remove ${name} from /proc/self/environ (${(error as Error).message}); ` +
        'give the key in a keyFile (mode 600) instead',
    );
  }
  if (readFileSync('/proc/self/environ').includes(needle)) {
    throw new EnvironmentScrubError(
      `${name} is still visible in /proc/self/environ; give the key in a keyFile (mode 600) instead`,
    );
  }
  return true;
}

/**
 * The soft core-file size limit of this process from `/proc/self/limits` ("0", "unlimited" or bytes);
 * undefined where the platform has no such file. A core dump holds the process memory, and so the key.
 */
export function coreDumpLimit(): string | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith('Max core file size'));
  return line?.slice('Max core file size'.length).trim().split(/\s+/)[0];
}
