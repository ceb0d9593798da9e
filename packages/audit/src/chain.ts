import { type DecodedLine, decodeLine, isHex64 } from './codec.js';
import { GENESIS_HASH } from './format.js';

/** The last verified entry of a chain: the next line must have `seq + 1` and `prevHash === hash`. */
export interface ChainCursor {
  readonly seq: number;
  readonly hash: string;
}

/** Where a new log starts. */
export const GENESIS: ChainCursor = Object.freeze({ seq: 0, hash: GENESIS_HASH });

/**
 * Decodes a line and checks that it continues the chain after `expected` (when known).
 * Returns a reason string when it does not.
 */
export function checkLink(bytes: Buffer, expected: ChainCursor | undefined): DecodedLine | string {
  const decoded = decodeLine(bytes);
  if (typeof decoded === 'string') return decoded;
  return checkDecodedLink(decoded, expected);
}

/** Checks that an already decoded line continues the chain after `expected` (when known). */
export function checkDecodedLink(
  decoded: DecodedLine,
  expected: ChainCursor | undefined,
): DecodedLine | string {
  if (expected === undefined) {
    return isHex64(decoded.prevHash) ? decoded : 'prevHash is not 64 lowercase hex digits';
  }
  return linkProblem(decoded.seq, decoded.prevHash, expected) ?? decoded;
}

/** Why an entry with `seq` and `prevHash` does not follow `expected`; undefined when it does. */
export function linkProblem(seq: number, prevHash: string, expected: ChainCursor): string | undefined {
  return linkProblemAfter(seq, prevHash, expected.seq, expected.hash);
}

/** `linkProblem` with the expected entry as two values (verify's loop keeps no cursor object per line). */
export function linkProblemAfter(
  seq: number,
  prevHash: string,
  expectedSeq: number,
  expectedHash: string,
): string | undefined {
  const want = expectedSeq + 1;
  if (seq !== want) {
    const kind =
      seq > want ? `entries ${want}..${seq - 1} are missing` : 'a duplicate, reordered or inserted entry';
    return `seq ${seq} where ${want} was expected: ${kind}`;
  }
  if (prevHash !== expectedHash) {
    return `prevHash does not match the hash of entry ${expectedSeq}: the chain is broken (an entry was inserted, replaced or reordered)`;
  }
  return undefined;
}
