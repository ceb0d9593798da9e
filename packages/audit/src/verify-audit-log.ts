import { type ChainCursor, checkLink, GENESIS } from './chain.js';
import { toEntry } from './codec.js';
import { endOfDay } from './format.js';
import { type LineTail, readLineBatches } from './line-reader.js';
import { listDayFiles } from './log-files.js';

/** A log that verified: every line is a valid event and the chain is intact from seq 1. */
export interface AuditVerifyOk {
  readonly ok: true;
  /** Number of entries. */
  readonly entries: number;
  /** Day file names, oldest first. */
  readonly files: readonly string[];
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** The first problem found. `line` is 1-based (0 when the problem is a whole file). */
export interface AuditVerifyFailure {
  readonly ok: false;
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  /** Entries that verified before the problem. */
  readonly entries: number;
}

export type AuditVerifyReport = AuditVerifyOk | AuditVerifyFailure;

/**
 * Verifies a whole log directory: every line parses, is a valid audit event, has the hash its bytes give,
 * and continues the chain (seq + 1, prevHash = previous hash) from the genesis entry across day files.
 * Detects edited, deleted, reordered and inserted lines, seq gaps, and missing day files between present
 * ones. Cannot detect entries cut from the very end of the log: compare `lastSeq`/`lastHash` with a copy kept
 * elsewhere for that.
 *
 * @example
 * const report = await verifyAuditLog('./logs/audit');
 * if (!report.ok) console.error(`${report.file}:${report.line}: ${report.reason}`);
 */
export async function verifyAuditLog(dir: string): Promise<AuditVerifyReport> {
  const files = await listDayFiles(dir);
  let cursor: ChainCursor = GENESIS;
  let entries = 0;
  let previousName: string | undefined;
  for (let f = 0; f < files.length; f += 1) {
    const file = files[f];
    if (file === undefined) continue;
    const fileEnd = endOfDay(file.day);
    const end: { value?: LineTail } = {};
    let first = true;
    for await (const { lines, firstLine } of readLineBatches(file.path, end)) {
      for (let i = 0; i < lines.length; i += 1) {
        const line = firstLine + i;
        const fail = (reason: string): AuditVerifyFailure => ({
          ok: false,
          file: file.name,
          line,
          reason,
          entries,
        });
        const decoded = checkLink(lines[i] as Buffer, cursor);
        if (typeof decoded === 'string') {
          if (first && previousName !== undefined) {
            return fail(
              `chain broken between ${previousName} and ${file.name} (a day file or entries between them may be missing): ${decoded}`,
            );
          }
          if (first && previousName === undefined && cursor.seq === 0) {
            return fail(
              `the log does not start at seq 1 with the genesis hash (earlier files missing?): ${decoded}`,
            );
          }
          return fail(decoded);
        }
        first = false;
        const entry = toEntry(decoded);
        if (typeof entry === 'string') return fail(entry);
        if (entry.timestamp >= fileEnd) {
          return fail(`entry time ${decoded.timestamp} is after the day of its file`);
        }
        cursor = { seq: decoded.seq, hash: decoded.hash };
        entries += 1;
      }
    }
    const tail = end.value;
    if (tail !== undefined && tail.fragment.length > 0) {
      return {
        ok: false,
        file: file.name,
        line: tail.line,
        reason:
          f === files.length - 1
            ? 'incomplete last line (a torn write; opening the log with AuditLogger quarantines it)'
            : 'incomplete last line in a day file that is not the newest',
        entries,
      };
    }
    previousName = file.name;
  }
  return { ok: true, entries, files: files.map((f) => f.name), lastSeq: cursor.seq, lastHash: cursor.hash };
}
