import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HlBotError } from '@hl-bot/core-types';

/** A state file that is not what the bot wrote: a symlink, not a regular file, someone else's, or too open. */
export class UnsafeFileError extends HlBotError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super('STATE_FILE_UNSAFE', `${path}: ${message}`, { details: { path } });
    this.name = 'UnsafeFileError';
  }
}

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * Writes a file so that nothing planted at its path sees the content: the bytes go to a fresh temporary file
 * created with O_EXCL | O_NOFOLLOW (a symlink or an existing file there fails instead of being followed), which
 * is synced and then renamed over the path. rename replaces a symlink itself, never its target.
 */
export async function writeFileNoFollow(path: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const d = await open(dir, constants.O_RDONLY);
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * Reads a small file the bot wrote for itself, without following a symlink, and only if it is a regular file
 * of this user that group and others cannot read or write. Undefined when the file does not exist.
 * @throws {UnsafeFileError} code `STATE_FILE_UNSAFE`
 */
export async function readPrivateFile(path: string, maxBytes = 64 * 1024): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not block the reader forever.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new UnsafeFileError(path, 'is a symbolic link; refusing to follow it');
    throw error;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafeFileError(path, 'is not a regular file');
    if (uid !== undefined && st.uid !== uid) {
      throw new UnsafeFileError(path, `belongs to uid ${st.uid}, not to this user (uid ${uid})`);
    }
    if ((st.mode & 0o077) !== 0) {
      throw new UnsafeFileError(
        path,
        `is open to group or others (mode ${(st.mode & 0o777).toString(8)}); the bot writes it with mode 600`,
      );
    }
    if (st.size > maxBytes) throw new UnsafeFileError(path, `is larger than ${maxBytes} bytes`);
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await handle.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
