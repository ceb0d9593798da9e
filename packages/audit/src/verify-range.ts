import { linkProblemAfter } from './chain.js';
import { checkRecord, decodeSpanRecord, isHex64 } from './codec.js';
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
  // The last verified entry, kept as two locals rather than an object per line.
  let lastSeq = 0;
  let lastHash: string | undefined;
  const end: { value?: LineTail } = {};
  const result = (problem: RangeResult['problem']): RangeResult => ({
    entries,
    first,
    last: lastHash === undefined ? undefined : { seq: lastSeq, hash: lastHash },
    problem,
    fragment: problem === undefined && (end.value?.fragment.length ?? 0) > 0,
  });
  for await (const { data, ends } of readLineBatches(task.path, end, task.start, 1, task.end)) {
    for (let i = 0; i < ends.length; i += 1) {
      const line = decodeSpanRecord(data, i === 0 ? 0 : (ends[i - 1] as number) + 1, ends[i] as number);
      if (typeof line === 'string') return result({ index: entries, reason: line });
      const { seq, prevHash, hash } = line;
      const linked =
        lastHash === undefined
          ? isHex64(prevHash)
            ? undefined
            : 'prevHash is not 64 lowercase hex digits'
          : linkProblemAfter(seq, prevHash, lastSeq, lastHash);
      if (linked !== undefined) return result({ index: entries, reason: linked });
      if (first === undefined) first = { seq, prevHash };
      // Checked exactly as a reader would parse it, without building its Decimals.
      const time = checkRecord(line);
      if (typeof time === 'string') return result({ index: entries, reason: time });
      if (time >= task.fileEnd)
        return result({
          index: entries,
          reason: `entry time ${line.timestamp} is after the day of its file`,
        });
      lastSeq = seq;
      lastHash = hash;
      entries += 1;
    }
  }
  return result(undefined);
}
