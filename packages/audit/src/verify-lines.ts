import { type ChainCursor, checkLink, GENESIS } from './chain.js';

/** What `verifyLines` found: the chain checked line by line, as `hl-audit verify -` reports it. */
export interface LinesVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly firstSeq: number | undefined;
  readonly lastSeq: number | undefined;
  readonly lastHash: string | undefined;
  /** The first problem: its 1-based line number in the input and why. */
  readonly problem?: { readonly line: number; readonly reason: string };
}

/**
 * Verifies audit lines from any source (another store's copy of a log, piped in): each line's own hash,
 * seq continuity and each `prevHash` against the line before, with the same rule as the day files. A
 * copy that starts after seq 1 is checked from its first line (it must start at 1 to be checked from the
 * genesis hash). Empty lines are skipped.
 */
export async function verifyLines(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<LinesVerification> {
  let cursor: ChainCursor | undefined;
  let entries = 0;
  let firstSeq: number | undefined;
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (text.trim() === '') continue;
    // The first line of a copy that starts at seq 1 must follow the genesis hash.
    const expected = cursor ?? (/"seq":1,/.test(text) ? GENESIS : undefined);
    const decoded = checkLink(Buffer.from(text, 'utf8'), expected);
    if (typeof decoded === 'string') {
      return {
        ok: false,
        entries,
        firstSeq,
        lastSeq: cursor?.seq,
        lastHash: cursor?.hash,
        problem: { line: n, reason: decoded },
      };
    }
    firstSeq ??= decoded.seq;
    cursor = { seq: decoded.seq, hash: decoded.hash };
    entries += 1;
  }
  return { ok: true, entries, firstSeq, lastSeq: cursor?.seq, lastHash: cursor?.hash };
}
