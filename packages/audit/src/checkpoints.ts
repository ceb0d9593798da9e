import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_PART_CHARS } from '@hl-bot/core-types';
import { type DecodedLine, decodeSpan } from './codec.js';
import { dayOfFileName } from './format.js';
import { type LineTail, lineStart, readLineBatches } from './line-reader.js';
import { type DayFile, listDayFiles } from './log-files.js';

/**
 * A place in the log right after an entry: where a reader resumes, and the entry (seq, hash) the next line
 * must continue.
 */
export interface AuditPosition {
  /** Day file name (`audit-YYYY-MM-DD.jsonl`) holding the next line. */
  readonly file: string;
  /** Byte offset of the next line in that file. */
  readonly offset: number;
  readonly seq: number;
  readonly hash: string;
}

/**
 * Where a checkpoint sits in the log, and the hash of its last part: a later checkpoint that stores this can
 * find the earlier one without reading the log between them (`readCheckpointAt`), and the hash pins its
 * content, so the earlier one is as trustworthy as the later one.
 */
export interface CheckpointLink {
  /** Day file name holding the checkpoint's first part. */
  readonly file: string;
  /** Byte offset of the first part in that file. */
  readonly offset: number;
  /** Seq of the first part. */
  readonly seq: number;
  /** Hash of the last part. */
  readonly lastHash: string;
}

/** What `AuditLogger.appendCheckpoint` wrote, once durable. */
export interface CheckpointWritten {
  /** The last entry the checkpoint covers: every entry appended before it. */
  readonly coversSeq: number;
  readonly coversHash: string;
  /** Seq of the checkpoint's last part. */
  readonly lastSeq: number;
  readonly parts: number;
  /** Where it was written: what a later checkpoint links to. */
  readonly at: CheckpointLink;
}

/** A complete checkpoint found in the log: its parts decoded, hash-checked and chained to each other. */
export interface FoundCheckpoint {
  readonly ok: true;
  readonly component: string;
  /** The parts' `data` joined in order. */
  readonly data: string;
  readonly coversSeq: number;
  readonly coversHash: string;
  /** Right after its last part: replay the entries from here. */
  readonly after: AuditPosition;
}

/** A checkpoint whose parts do not form a whole (a writer bug, or parts cut by a crash). Never trusted. */
export interface BrokenCheckpoint {
  readonly ok: false;
  readonly component: string;
  readonly seq: number;
  readonly reason: string;
}

export interface ReadCheckpointsOptions {
  /** How far back from the end of the log to look, in bytes. Default 64 MiB. */
  maxBytes?: number;
}

/** Splits a component's checkpoint text into the `data` of its parts. */
export function checkpointParts(data: string): string[] {
  if (data.length === 0) return [''];
  const parts: string[] = [];
  for (let i = 0; i < data.length; i += CHECKPOINT_PART_CHARS) {
    parts.push(data.slice(i, i + CHECKPOINT_PART_CHARS));
  }
  return parts;
}

const CHUNK = 1024 * 1024;
const NEWLINE = 0x0a;

interface LocatedLine {
  readonly file: string;
  /** Offset just after the line's newline. */
  readonly next: number;
  readonly decoded: DecodedLine;
}

/**
 * The complete lines of the log from the newest backwards, up to `maxBytes`, as decoded lines; bytes after
 * the last newline (a write in progress or a torn tail) are skipped. Only lines whose head names a
 * checkpoint of `component` are decoded (JSON + hash); the others are passed over by their bytes.
 */
async function* checkpointLinesBackwards(
  files: readonly DayFile[],
  needle: Buffer,
  maxBytes: number,
): AsyncGenerator<LocatedLine | 'other'> {
  let budget = maxBytes;
  for (let f = files.length - 1; f >= 0 && budget > 0; f -= 1) {
    const file = files[f] as DayFile;
    const handle = await open(file.path, 'r');
    try {
      const { size } = await handle.stat();
      let end = size; // bytes [0, end) not yet scanned, plus `carry` (a partial line) at their end
      let carry = Buffer.alloc(0);
      let first = true;
      while ((end > 0 || carry.length > 0) && budget > 0) {
        const start = Math.max(0, end - Math.min(CHUNK, budget));
        const chunk = Buffer.allocUnsafe(end - start + carry.length);
        if (end > start) {
          const { bytesRead } = await handle.read(chunk, 0, end - start, start);
          if (bytesRead !== end - start) throw new Error(`short read of ${file.path}`);
        }
        carry.copy(chunk, end - start);
        budget -= end - start;
        let stop = chunk.length;
        if (first) {
          // Bytes after the last newline are not a complete line.
          const nl = chunk.lastIndexOf(NEWLINE);
          if (nl === -1) {
            carry = Buffer.alloc(0);
            if (start === 0) break;
            end = start;
            continue;
          }
          stop = nl + 1;
          first = false;
        }
        // Lines wholly inside the chunk, from the last one back; the first (partial) one carries over.
        let lineEnd = stop - 1; // index of the newline ending the current line
        while (lineEnd >= 0) {
          const prev = lineEnd === 0 ? -1 : chunk.lastIndexOf(NEWLINE, lineEnd - 1);
          if (prev === -1 && start > 0) break;
          const lineStart = prev + 1;
          const head = chunk.subarray(lineStart, Math.min(lineEnd, lineStart + 160));
          if (head.indexOf(needle) !== -1) {
            const decoded = decodeSpan(chunk, lineStart, lineEnd);
            // A damaged line in the middle of the log is the reader's and verifier's to report.
            if (typeof decoded !== 'string') {
              yield { file: file.name, next: start + lineEnd + 1, decoded };
            } else yield 'other';
          } else yield 'other';
          lineEnd = prev;
        }
        carry = chunk.subarray(0, lineEnd + 1);
        if (start === 0) break;
        end = start;
      }
    } finally {
      await handle.close();
    }
  }
}

/**
 * The checkpoints of `component` in the log, newest first, each complete (every part present, in seq
 * order, chained) or reported broken. Reads backwards from the end of the log, at most `maxBytes`, so a
 * restart does not read the history a checkpoint covers. Only the parts' own hashes and links are checked
 * here; the component checks that the state parses, and the tail read after it checks the chain onward.
 * Full-history verification stays with `verifyAuditLog` (`hl-audit verify`).
 *
 * @example
 * for await (const c of readCheckpoints('./logs/audit', 'positions')) if (c.ok) { console.log(c.coversSeq); break; }
 */
export async function* readCheckpoints(
  dir: string,
  component: string,
  options: ReadCheckpointsOptions = {},
): AsyncGenerator<FoundCheckpoint | BrokenCheckpoint> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const files = await listDayFiles(dir);
  const needle = Buffer.from(`"type":"checkpoint","component":${JSON.stringify(component)},`, 'utf8');
  // Parts seen so far of the checkpoint being assembled, newest (highest part) first.
  let parts: LocatedLine[] = [];
  const broken = (seq: number, reason: string): BrokenCheckpoint => ({ ok: false, component, seq, reason });
  for await (const line of checkpointLinesBackwards(files, needle, maxBytes)) {
    if (line === 'other') {
      if (parts.length > 0) {
        const last = parts[0] as LocatedLine;
        yield broken(last.decoded.seq, 'a checkpoint part is missing (another entry sits between its parts)');
        parts = [];
      }
      continue;
    }
    const o = line.decoded.object as {
      part?: unknown;
      parts?: unknown;
      coversSeq?: unknown;
      component?: unknown;
    };
    const part = o.part;
    const count = o.parts;
    if (
      o.component !== component ||
      typeof part !== 'number' ||
      typeof count !== 'number' ||
      !Number.isSafeInteger(part) ||
      !Number.isSafeInteger(count) ||
      part < 0 ||
      part >= count
    ) {
      if (parts.length > 0)
        yield broken((parts[0] as LocatedLine).decoded.seq, 'checkpoint parts out of order');
      parts = [];
      yield broken(line.decoded.seq, 'checkpoint part numbers are invalid');
      continue;
    }
    if (parts.length === 0) {
      if (part !== count - 1) {
        yield broken(line.decoded.seq, `checkpoint is missing its parts after part ${part + 1} of ${count}`);
        continue;
      }
      parts = [line];
    } else {
      const later = parts.at(-1) as LocatedLine;
      const lo = later.decoded.object as { part: number; parts: number; coversSeq: unknown };
      if (
        part !== lo.part - 1 ||
        count !== lo.parts ||
        o.coversSeq !== lo.coversSeq ||
        line.decoded.seq !== later.decoded.seq - 1 ||
        line.decoded.hash !== later.decoded.prevHash
      ) {
        yield broken((parts[0] as LocatedLine).decoded.seq, 'checkpoint parts do not follow each other');
        parts = part === count - 1 ? [line] : [];
        continue;
      }
      parts.push(line);
    }
    if (part !== 0) continue;
    // Complete: part 0 must come right after the entry it covers.
    const lastPart = parts[0] as LocatedLine;
    const object = line.decoded.object as { coversSeq: unknown; coversHash: unknown };
    parts.reverse();
    const assembled = parts;
    parts = [];
    if (object.coversSeq !== line.decoded.seq - 1 || object.coversHash !== line.decoded.prevHash) {
      yield broken(
        lastPart.decoded.seq,
        `checkpoint says it covers seq ${String(object.coversSeq)} (${String(object.coversHash)}) but follows seq ${line.decoded.seq - 1} (${line.decoded.prevHash})`,
      );
      continue;
    }
    const data: string[] = [];
    let ok = true;
    for (const p of assembled) {
      const d = (p.decoded.object as { data?: unknown }).data;
      if (typeof d !== 'string') ok = false;
      else data.push(d);
    }
    if (!ok) {
      yield broken(lastPart.decoded.seq, 'a checkpoint part has no data');
      continue;
    }
    yield {
      ok: true,
      component,
      data: data.join(''),
      coversSeq: line.decoded.seq - 1,
      coversHash: line.decoded.prevHash,
      after: {
        file: lastPart.file,
        offset: lastPart.next,
        seq: lastPart.decoded.seq,
        hash: lastPart.decoded.hash,
      },
    };
  }
  if (parts.length > 0) {
    yield broken(
      (parts[0] as LocatedLine).decoded.seq,
      'the start of the checkpoint lies beyond the part of the log that was read',
    );
  }
}

/** The newest checkpoint of a component that is whole and whose state parses, with the parsed state. */
export interface LatestCheckpoint<T> {
  readonly coversSeq: number;
  readonly coversHash: string;
  /** Right after its last part: replay the entries from here. */
  readonly after: AuditPosition;
  readonly state: T;
}

/**
 * The newest checkpoint of `component` that is whole and whose data `parse` accepts, or null when there is
 * none (replay everything). Every checkpoint skipped on the way (parts missing, state unreadable) is told
 * to `warn` with the reason; it is never trusted.
 *
 * @example
 * const latest = await readLatestCheckpoint('./logs/audit', 'positions', JSON.parse, console.warn);
 */
export async function readLatestCheckpoint<T>(
  dir: string,
  component: string,
  parse: (data: string) => T | Promise<T>,
  warn: (message: string) => void,
  options: ReadCheckpointsOptions = {},
): Promise<LatestCheckpoint<T> | null> {
  for await (const found of readCheckpoints(dir, component, options)) {
    if (!found.ok) {
      warn(`ignoring the ${component} checkpoint at seq ${found.seq}: ${found.reason}`);
      continue;
    }
    try {
      const state = await parse(found.data);
      return { coversSeq: found.coversSeq, coversHash: found.coversHash, after: found.after, state };
    } catch (error) {
      warn(
        `ignoring the ${component} checkpoint covering seq ${found.coversSeq}: its state does not parse (${(error as Error).message.slice(0, 500)})`,
      );
    }
  }
  return null;
}

const DAY_FILE = /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/;

/**
 * The checkpoint of `component` that `link` points at, read at its place in the log (no scan): each part's
 * own hash, the parts' seqs and links to each other, and the last part's hash against `link.lastHash`.
 * Anything else (no such file, another entry there, a part damaged or missing) is a broken checkpoint.
 *
 * @example
 * const older = await readCheckpointAt('./logs/audit', 'positions', link);
 * if (older.ok) console.log(older.coversSeq);
 */
export async function readCheckpointAt(
  dir: string,
  component: string,
  link: CheckpointLink,
): Promise<FoundCheckpoint | BrokenCheckpoint> {
  const broken = (reason: string): BrokenCheckpoint => ({ ok: false, component, seq: link.seq, reason });
  if (
    typeof link !== 'object' ||
    link === null ||
    typeof link.file !== 'string' ||
    !DAY_FILE.test(link.file) ||
    dayOfFileName(link.file) === undefined ||
    !Number.isSafeInteger(link.offset) ||
    link.offset < 0 ||
    !Number.isSafeInteger(link.seq) ||
    link.seq < 2 ||
    typeof link.lastHash !== 'string'
  ) {
    return broken('the link to it is malformed');
  }
  // The linked file alone; the directory is listed only when the parts go on into the next day file.
  let files: DayFile[] = [
    { name: link.file, day: dayOfFileName(link.file) as string, path: join(dir, link.file) },
  ];
  try {
    if (!(await lstat(files[0]?.path as string)).isFile())
      return broken(`${link.file} is not a regular file`);
  } catch {
    return broken(`${link.file} is not in the log`);
  }
  const first = 0;
  let listed = false;
  const data: string[] = [];
  let count = 0;
  let coversSeq = 0;
  let coversHash = '';
  let expectSeq = link.seq;
  let prevHash: string | undefined;
  try {
    for (let f = first; f < files.length; f += 1) {
      const file = files[f] as DayFile;
      const tail: { value?: LineTail } = {};
      for await (const batch of readLineBatches(file.path, tail, f === first ? link.offset : 0)) {
        for (let i = 0; i < batch.ends.length; i += 1) {
          const start = lineStart(batch, i);
          const end = batch.ends[i] as number;
          const decoded = decodeSpan(batch.data, start, end);
          if (typeof decoded === 'string') return broken(`part ${data.length}: ${decoded}`);
          const o = decoded.object as {
            type?: unknown;
            component?: unknown;
            part?: unknown;
            parts?: unknown;
            coversSeq?: unknown;
            coversHash?: unknown;
            data?: unknown;
          };
          if (o.type !== 'checkpoint' || o.component !== component || o.part !== data.length) {
            return broken(`the entry at seq ${decoded.seq} is not part ${data.length} of the checkpoint`);
          }
          if (decoded.seq !== expectSeq || (prevHash !== undefined && decoded.prevHash !== prevHash)) {
            return broken(`part ${data.length} does not follow the one before it`);
          }
          if (data.length === 0) {
            if (
              typeof o.parts !== 'number' ||
              !Number.isSafeInteger(o.parts) ||
              o.parts < 1 ||
              o.coversSeq !== decoded.seq - 1 ||
              o.coversHash !== decoded.prevHash
            ) {
              return broken('its first part does not say what it covers');
            }
            count = o.parts;
            coversSeq = decoded.seq - 1;
            coversHash = decoded.prevHash;
          } else if (o.parts !== count || o.coversSeq !== coversSeq) {
            return broken(`part ${data.length} belongs to another checkpoint`);
          }
          if (typeof o.data !== 'string') return broken(`part ${data.length} has no data`);
          data.push(o.data);
          expectSeq += 1;
          prevHash = decoded.hash;
          if (data.length === count) {
            if (decoded.hash !== link.lastHash) {
              return broken('its last part is not the one the link names (hash differs)');
            }
            return {
              ok: true,
              component,
              data: data.join(''),
              coversSeq,
              coversHash,
              after: {
                file: file.name,
                offset: batch.firstOffset + end + 1,
                seq: decoded.seq,
                hash: decoded.hash,
              },
            };
          }
        }
      }
      if (!listed && f === files.length - 1) {
        listed = true;
        const all = await listDayFiles(dir);
        const at = all.findIndex((d) => d.name === link.file);
        files = at === -1 ? files : all.slice(at);
      }
    }
  } catch (error) {
    return broken(`reading it failed (${(error as Error).message})`);
  }
  return broken(`the log ends after ${data.length} of its parts`);
}
