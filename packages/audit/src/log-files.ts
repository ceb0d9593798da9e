import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditCorruptError } from './errors.js';
import { dayOfFileName } from './format.js';

/** A day file of the log. */
export interface DayFile {
  readonly name: string;
  readonly day: string;
  readonly path: string;
}

/**
 * The day files of a log directory, oldest first. Other files (lock, quarantine) are ignored.
 *
 * @throws {AuditCorruptError} when a day file name is not a regular file
 */
export async function listDayFiles(dir: string): Promise<DayFile[]> {
  const names = await readdir(dir);
  const files: DayFile[] = [];
  for (const name of names) {
    const day = dayOfFileName(name);
    if (day !== undefined) files.push({ name, day, path: join(dir, name) });
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const file of files) {
    // A symlink or device in place of a day file is not our log (and /dev/zero would never end).
    if (!(await lstat(file.path)).isFile()) throw new AuditCorruptError(file.name, 0, 'not a regular file');
  }
  return files;
}

/**
 * The last complete line of a file (without its newline) and whether bytes follow it, reading backwards in
 * chunks so a large day file is not read whole. Undefined when the file has no complete line.
 */
export async function readLastLine(path: string): Promise<{ line: Buffer; trailing: number } | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const chunkSize = 64 * 1024;
    let end = size;
    let buffer = Buffer.alloc(0);
    for (;;) {
      const nl = buffer.lastIndexOf(0x0a);
      if (nl !== -1) {
        const prev = nl > 0 ? buffer.lastIndexOf(0x0a, nl - 1) : -1;
        if (prev !== -1 || end === 0) {
          return { line: buffer.subarray(prev + 1, nl), trailing: buffer.length - nl - 1 };
        }
      }
      if (end === 0) return undefined;
      const start = Math.max(0, end - chunkSize);
      const chunk = Buffer.allocUnsafe(end - start);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, start);
      if (bytesRead !== chunk.length) throw new Error(`short read of ${path}`);
      buffer = Buffer.concat([chunk, buffer]);
      end = start;
    }
  } finally {
    await handle.close();
  }
}
