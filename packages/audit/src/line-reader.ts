import { type FileHandle, open } from 'node:fs/promises';
import { MAX_LINE_BYTES } from './codec.js';

const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Complete lines read from one file, in order, without their newlines: line `i` is the bytes of `data` from
 * `lineStart(batch, i)` up to `ends[i]` (its newline). Offsets instead of one Buffer view per line: the views
 * of a whole chunk outlived young-generation collections and made garbage collection most of a verify.
 */
export interface LineBatch {
  readonly data: Buffer;
  /** Exclusive end of each line in `data`. */
  readonly ends: number[];
  /** 1-based line number of the first line. */
  readonly firstLine: number;
  /** Byte offset of the first line (`data[0]`) in the file. */
  readonly firstOffset: number;
}

/** Where line `i` of a batch starts in `batch.data`. */
export function lineStart(batch: LineBatch, i: number): number {
  return i === 0 ? 0 : (batch.ends[i - 1] as number) + 1;
}

/** Line `i` of a batch as a view of `batch.data`. */
export function lineAt(batch: LineBatch, i: number): Buffer {
  return batch.data.subarray(lineStart(batch, i), batch.ends[i]);
}

/** What a read left at the end of the file: bytes after the last newline (a torn or in-progress write). */
export interface LineTail {
  /** Bytes after the last newline; empty when the file ends with a newline. */
  readonly fragment: Buffer;
  /** Byte offset where `fragment` starts: the end of the last complete line. */
  readonly offset: number;
  /** 1-based line number `fragment` would have. */
  readonly line: number;
}

/**
 * Streams a file's complete lines in batches of about 1 MiB, never holding the whole file in memory.
 * Reads from `startOffset` (a line start) up to `endOffset` (exclusive).
 * When the file is read to its end, `tail.value` describes the bytes after the last newline.
 */
export async function* readLineBatches(
  path: string,
  tail: { value?: LineTail },
  startOffset = 0,
  startLine = 1,
  endOffset = Number.POSITIVE_INFINITY,
): AsyncGenerator<LineBatch, void, undefined> {
  const handle = await open(path, 'r');
  let next: Promise<ChunkRead | undefined> | undefined;
  try {
    let carry: Buffer = Buffer.alloc(0);
    let position = startOffset;
    let carryOffset = startOffset;
    let lineNo = startLine;
    next = readChunk(handle, carry, position, endOffset);
    for (;;) {
      const read = await next;
      next = undefined;
      if (read === undefined) break;
      const { data, bytesRead } = read;
      position += bytesRead;
      const ends: number[] = [];
      const firstLine = lineNo;
      const firstOffset = carryOffset;
      let start = 0;
      for (;;) {
        const nl = data.indexOf(NEWLINE, start);
        if (nl === -1) break;
        ends.push(nl);
        start = nl + 1;
      }
      lineNo += ends.length;
      carryOffset += start;
      carry = data.subarray(start);
      if (carry.length > MAX_LINE_BYTES) {
        // A line this long was never written by the logger; report it as one oversized line.
        ends.push(data.length);
        carry = Buffer.alloc(0);
        lineNo += 1;
        carryOffset = position;
      }
      // The next chunk is read (in the thread pool) while the caller checks this one.
      const ahead = readChunk(handle, carry, position, endOffset);
      // A failed read-ahead is reported by the await above, or dropped when the caller stops early.
      ahead.catch(() => undefined);
      next = ahead;
      if (ends.length > 0) yield { data, ends, firstLine, firstOffset };
    }
    tail.value = { fragment: carry, offset: carryOffset, line: lineNo };
  } finally {
    // Never close the handle under a read still in flight.
    if (next !== undefined) await next.catch(() => undefined);
    await handle.close();
  }
}

interface ChunkRead {
  /** The carried partial line followed by the bytes read. */
  readonly data: Buffer;
  readonly bytesRead: number;
}

/** Reads up to CHUNK_BYTES at `position` behind a copy of `carry`; undefined at the range or file end. */
async function readChunk(
  handle: FileHandle,
  carry: Buffer,
  position: number,
  endOffset: number,
): Promise<ChunkRead | undefined> {
  const want = Math.min(CHUNK_BYTES, endOffset - position);
  if (want <= 0) return undefined;
  // The partial line carried over goes in front of the new bytes: only it is copied, not the chunk.
  const chunk = Buffer.allocUnsafe(carry.length + want);
  carry.copy(chunk, 0);
  const { bytesRead } = await handle.read(chunk, carry.length, want, position);
  if (bytesRead === 0) return undefined;
  return { data: chunk.subarray(0, carry.length + bytesRead), bytesRead };
}
