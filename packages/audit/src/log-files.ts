import { open, readdir } from 'node:fs/promises';
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
  // The entry types come with the listing (one getdents, not an lstat per day file: a year of log is 366
  // files, read on every open); where the filesystem does not report types, Node lstats that entry.
  const entries = await readdir(dir, { withFileTypes: true });
  const files: DayFile[] = [];
  const notFiles = new Set<string>();
  for (const entry of entries) {
    const day = dayOfFileName(entry.name);
    if (day === undefined) continue;
    files.push({ name: entry.name, day, path: join(dir, entry.name) });
    if (!entry.isFile()) notFiles.add(entry.name);
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const file of files) {
    // A symlink or device in place of a day file is not our log (and /dev/zero would never end).
    if (notFiles.has(file.name)) throw new AuditCorruptError(file.name, 0, 'not a regular file');
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
