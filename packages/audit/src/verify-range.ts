import { checkDecodedLink } from './chain.js';
import { decodeLine, toEntry } from './codec.js';
import { type LineTail, readLineBatches } from './line-reader.js';

/** A byte range of one day file, starting at a line start and ending after a newline (or at the file end). */
export interface RangeTask {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  /** Entries must be earlier than this (the end of the file's day), epoch ms. */
  readonly fileEnd: number;
}

/** What checking a range found. The link of its first line to the range before is checked by the caller. */
export interface RangeResult {
  /** Complete lines that verified. */
  readonly entries: number;
  readonly first: { readonly seq: number; readonly prevHash: string } | undefined;
  readonly last: { readonly seq: number; readonly hash: string } | undefined;
  /** The first bad line: 0-based index within the range. */
  readonly problem: { readonly index: number; readonly reason: string } | undefined;
  /** Bytes after the last newline when the range reaches the file end. */
  readonly fragment: boolean;
}

/**
 * Verifies every line of a range: it decodes with a matching hash, is a valid event of its file's day, and
 * continues the chain from the line before it (except the first line, whose link the caller checks).
 */
export async function verifyRange(task: RangeTask): Promise<RangeResult> {
  let entries = 0;
  let first: RangeResult['first'];
  let cursor: { seq: number; hash: string } | undefined;
  const end: { value?: LineTail } = {};
  for await (const { lines } of readLineBatches(task.path, end, task.start, 1, task.end)) {
    for (let i = 0; i < lines.length; i += 1) {
      const index = entries;
      const done = (reason: string): RangeResult => ({
        entries,
        first,
        last: cursor,
        problem: { index, reason },
        fragment: false,
      });
      const decoded = decodeLine(lines[i] as Buffer);
      if (typeof decoded === 'string') return done(decoded);
      const linked = checkDecodedLink(decoded, cursor);
      if (typeof linked === 'string') return done(linked);
      if (first === undefined) first = { seq: decoded.seq, prevHash: decoded.prevHash };
      const entry = toEntry(decoded);
      if (typeof entry === 'string') return done(entry);
      if (entry.timestamp >= task.fileEnd)
        return done(`entry time ${decoded.timestamp} is after the day of its file`);
      cursor = { seq: decoded.seq, hash: decoded.hash };
      entries += 1;
    }
  }
  return {
    entries,
    first,
    last: cursor,
    problem: undefined,
    fragment: (end.value?.fragment.length ?? 0) > 0,
  };
}
