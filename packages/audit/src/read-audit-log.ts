import type { AuditEntry, AuditEventType } from '@hl-bot/core-types';
import { type ChainCursor, checkDecodedLink } from './chain.js';
import type { AuditPosition } from './checkpoints.js';
import { decodeSpan, toEntry } from './codec.js';
import { AuditCorruptError } from './errors.js';
import { endOfDay } from './format.js';
import { type LineTail, readLineBatches } from './line-reader.js';
import { listDayFiles } from './log-files.js';

/** Which entries `readAuditLog` yields. */
export interface ReadAuditLogFilter {
  /** Only these event types. */
  types?: readonly AuditEventType[];
  /** Only entries with `timestamp >= since` (epoch ms). Day files that end before it are skipped. */
  since?: number;
  /** Only entries with `timestamp < until` (epoch ms). */
  until?: number;
  /**
   * Start right after this entry (a checkpoint's `after`) instead of at the beginning: earlier files and
   * bytes are not read, and the first line read must continue the chain from `from.seq` / `from.hash`.
   * Line numbers in errors then count from that position.
   */
  from?: AuditPosition;
}

/**
 * Reads a log directory's entries in order across all day files, as typed `AuditEntry` objects, streaming
 * (never a whole file in memory). Every line read is checked: JSON, hash, seq and chain continuity, and the
 * event schema for the entries it yields. Use `verifyAuditLog` for a report instead of an exception.
 *
 * A last line without its newline in the newest file is a write in progress (or a torn tail that the next
 * `open` will quarantine) and is not yielded.
 *
 * @throws {AuditCorruptError} code `AUDIT_CORRUPT`, naming the file and 1-based line of the first bad line
 * @example
 * for await (const entry of readAuditLog('./logs/audit', { types: ['order_filled'] })) {
 *   console.log(entry.seq, entry.fill.price.toString());
 * }
 */
export async function* readAuditLog(
  dir: string,
  filter: ReadAuditLogFilter = {},
): AsyncGenerator<AuditEntry> {
  const types = filter.types === undefined ? undefined : new Set<string>(filter.types);
  const { since, until } = filter;
  const from = filter.from;
  const files = await listDayFiles(dir);
  // When files are skipped the chain check restarts at the first file read.
  let cursor: ChainCursor | undefined = from === undefined ? undefined : { seq: from.seq, hash: from.hash };
  const first = from === undefined ? 0 : files.findIndex((f) => f.name === from.file);
  if (first === -1) {
    throw new AuditCorruptError(from?.file ?? '', 0, 'the day file to resume reading from is missing');
  }
  for (let f = first; f < files.length; f += 1) {
    const file = files[f];
    if (file === undefined) continue;
    if (from === undefined && since !== undefined && endOfDay(file.day) <= since) continue;
    const end: { value?: LineTail } = {};
    const offset = from !== undefined && f === first ? from.offset : 0;
    for await (const { data, ends, firstLine } of readLineBatches(file.path, end, offset)) {
      for (let i = 0; i < ends.length; i += 1) {
        const lineEnd = ends[i] as number;
        const span = decodeSpan(data, i === 0 ? 0 : (ends[i - 1] as number) + 1, lineEnd);
        const decoded = typeof span === 'string' ? span : checkDecodedLink(span, cursor);
        if (typeof decoded === 'string') throw new AuditCorruptError(file.name, firstLine + i, decoded);
        cursor = { seq: decoded.seq, hash: decoded.hash };
        const type = decoded.object.type;
        if (types !== undefined && (typeof type !== 'string' || !types.has(type))) continue;
        const entry = toEntry(decoded);
        if (typeof entry === 'string') throw new AuditCorruptError(file.name, firstLine + i, entry);
        if (since !== undefined && entry.timestamp < since) continue;
        if (until !== undefined && entry.timestamp >= until) continue;
        yield entry;
      }
    }
    const tail = end.value;
    if (tail !== undefined && tail.fragment.length > 0 && f !== files.length - 1) {
      throw new AuditCorruptError(
        file.name,
        tail.line,
        'incomplete last line in a day file that is not the newest',
      );
    }
  }
}
