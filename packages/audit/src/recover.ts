import { constants } from 'node:fs';
import { chmod, open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type ChainCursor, checkDecodedLink, checkLink, GENESIS } from './chain.js';
import { checkEntry, decodeLine, MAX_LINE_BYTES } from './codec.js';
import { AuditCorruptError } from './errors.js';
import { type LineTail, lineAt, readLineBatches } from './line-reader.js';
import { type DayFile, listDayFiles, readLastLine } from './log-files.js';
import { syncDir } from './sync-dir.js';

/** What opening a log found, and what it repaired. */
export interface RecoveredState {
  readonly cursor: ChainCursor;
  /** Day of the newest day file, if any. */
  readonly lastDay: string | undefined;
  readonly recovered:
    | {
        readonly file: string;
        readonly quarantineFile: string;
        readonly bytes: number;
        readonly reason: string;
      }
    | undefined;
}

/** The cursor after the last entry of the newest non-empty file before `index`. */
async function cursorBefore(files: readonly DayFile[], index: number): Promise<ChainCursor> {
  for (let i = index - 1; i >= 0; i -= 1) {
    const file = files[i];
    if (file === undefined) continue;
    const last = await readLastLine(file.path);
    if (last === undefined) {
      const { size } = await stat(file.path);
      if (size === 0) continue;
      throw new AuditCorruptError(file.name, 1, 'day file has no complete line');
    }
    if (last.trailing !== 0) {
      throw new AuditCorruptError(file.name, 0, 'an older day file ends with an incomplete line');
    }
    const decoded = checkLink(last.line, undefined);
    if (typeof decoded === 'string') throw new AuditCorruptError(file.name, 0, `last line: ${decoded}`);
    return { seq: decoded.seq, hash: decoded.hash };
  }
  return GENESIS;
}

/** Bytes at the end of the newest day file that opening checks entry by entry. */
export const TAIL_WINDOW = 1024 * 1024;

/**
 * 0 when the file fits the window (checked whole, and against the previous file); else the start of the
 * first line that begins inside the last TAIL_WINDOW bytes.
 */
async function tailWindowStart(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= TAIL_WINDOW) return 0;
    const from = size - TAIL_WINDOW;
    const probe = Buffer.allocUnsafe(MAX_LINE_BYTES + 1);
    const { bytesRead } = await handle.read(probe, 0, probe.length, from - 1);
    // The byte before `from` is included: a line that starts exactly at `from` follows a newline there.
    const nl = probe.subarray(0, bytesRead).indexOf(0x0a);
    if (nl === -1) throw new AuditCorruptError(basename(path), 0, 'a line is longer than the format allows');
    return from + nl;
  } finally {
    await handle.close();
  }
}

async function quarantine(
  path: string,
  offset: number,
  seq: number,
): Promise<{ name: string; bytes: number }> {
  const handle = await open(path, 'r');
  let torn: Buffer;
  try {
    const { size } = await handle.stat();
    torn = Buffer.alloc(size - offset);
    await handle.read(torn, 0, torn.length, offset);
  } finally {
    await handle.close();
  }
  let target = `${path}.quarantine-${seq}`;
  for (let n = 1; ; n += 1) {
    try {
      const out = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await out.writeFile(torn);
        await out.sync();
        await out.chmod(0o400);
      } finally {
        await out.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      target = `${path}.quarantine-${seq}-${n}`;
    }
  }
  return { name: target, bytes: torn.length };
}

/**
 * Checks the newest day file entry by entry (and that it continues the previous file's chain), then repairs
 * a torn tail: the bytes of an incomplete or unverifiable last line are copied to a quarantine file next to
 * it and cut from the day file. Anything wrong before the last line is corruption, not a torn write.
 *
 * @throws {AuditCorruptError} code `AUDIT_CORRUPT` for a broken entry that is not the last line
 */
export async function recoverLog(dir: string): Promise<RecoveredState> {
  const files = await listDayFiles(dir);
  // A crash between creating a new day file and sealing the previous one leaves it writable: seal it now.
  for (const file of files.slice(0, -1)) {
    const { mode } = await stat(file.path);
    if ((mode & 0o777) !== 0o400) await chmod(file.path, 0o400);
  }
  const last = files.at(-1);
  if (last === undefined) return { cursor: GENESIS, lastDay: undefined, recovered: undefined };
  // Only the end of a large newest file is checked: a restart must not read a busy day in full. The lines
  // before the window are checked by every reader of them and by `hl-audit verify`.
  const windowStart = await tailWindowStart(last.path);
  let cursor: ChainCursor | undefined =
    windowStart === 0 ? await cursorBefore(files, files.length - 1) : undefined;
  let validEnd = windowStart;
  let bad: { line: number; offset: number; reason: string } | undefined;
  const end: { value?: LineTail } = {};
  for await (const batch of readLineBatches(last.path, end, windowStart)) {
    const { firstLine, firstOffset } = batch;
    let offset = firstOffset;
    for (let i = 0; i < batch.ends.length; i += 1) {
      const bytes = lineAt(batch, i);
      const lineNo = firstLine + i;
      if (bad !== undefined) {
        // A complete line after a broken one: the damage is not a torn tail.
        throw new AuditCorruptError(last.name, bad.line, bad.reason);
      }
      // Only damaged bytes (unparsable, or not matching their own hash) can be a torn write. A line that is
      // intact but does not continue the chain, or is not a valid event, was put there: that is corruption.
      const intact = decodeLine(bytes);
      if (typeof intact === 'string') {
        bad = { line: lineNo, offset, reason: intact };
      } else {
        const linked = checkDecodedLink(intact, cursor);
        if (typeof linked === 'string') throw new AuditCorruptError(last.name, lineNo, linked);
        const entry = checkEntry(linked);
        if (typeof entry === 'string') throw new AuditCorruptError(last.name, lineNo, entry);
        cursor = { seq: linked.seq, hash: linked.hash };
        validEnd = offset + bytes.length + 1;
      }
      offset += bytes.length + 1;
    }
  }
  const tail = end.value;
  if (tail === undefined) throw new Error(`reading ${last.path} did not reach its end`);
  if (cursor === undefined) {
    // A window with no complete line after the partial one it starts in.
    throw new AuditCorruptError(last.name, 0, `no complete line in the last ${TAIL_WINDOW} bytes`);
  }
  let reason: string | undefined;
  if (bad !== undefined && tail.fragment.length > 0) {
    throw new AuditCorruptError(last.name, bad.line, bad.reason);
  }
  if (bad !== undefined) reason = `last line ${bad.line} is unverifiable: ${bad.reason}`;
  else if (tail.fragment.length > 0) reason = `last line ${tail.line} has no trailing newline (torn write)`;
  if (reason === undefined) return { cursor, lastDay: last.day, recovered: undefined };

  const q = await quarantine(last.path, validEnd, cursor.seq + 1);
  const { mode } = await stat(last.path);
  if ((mode & 0o200) === 0) await chmod(last.path, 0o600);
  const handle = await open(last.path, 'r+');
  try {
    await handle.truncate(validEnd);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(dir);
  return {
    cursor,
    lastDay: last.day,
    recovered: { file: last.name, quarantineFile: basename(q.name), bytes: q.bytes, reason },
  };
}
