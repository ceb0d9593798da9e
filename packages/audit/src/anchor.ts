import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '@hl-bot/core-types';
import { HASH_SUFFIX_LENGTH, isHex64 } from './codec.js';
import { AuditCorruptError } from './errors.js';
import { GENESIS_HASH } from './format.js';
import { type LineTail, readLineBatches } from './line-reader.js';
import { listDayFiles } from './log-files.js';
import { syncDir } from './sync-dir.js';

/**
 * A copy of where the log stood, kept somewhere the log's writer (or whoever rewrote the log) cannot
 * change: the `seq` and `hash` of one entry. A later log must still contain that entry with that hash,
 * which catches what the chain alone cannot: entries cut from the end, a deleted newest day file and a
 * consistently recomputed chain. `seq` is absent for an anchor given as a bare hash.
 */
export interface AuditAnchor {
  readonly seq?: number;
  readonly hash: string;
  /** When the anchor was taken (ISO 8601), informational. */
  readonly createdAt?: string;
}

const MAX_ANCHOR_FILE_BYTES = 64 * 1024;

function invalid(message: string): ValidationError {
  return new ValidationError(message, { code: 'AUDIT_INVALID_ANCHOR', field: 'anchor' });
}

function validAnchor(value: { seq?: unknown; hash?: unknown; createdAt?: unknown }): AuditAnchor {
  const { seq, hash, createdAt } = value;
  if (!isHex64(hash)) throw invalid('anchor hash must be 64 lowercase hex digits');
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) {
    throw invalid('anchor seq must be a non-negative integer');
  }
  if (createdAt !== undefined && typeof createdAt !== 'string')
    throw invalid('anchor createdAt must be a string');
  return {
    ...(seq === undefined ? {} : { seq: seq as number }),
    hash,
    ...(createdAt === undefined ? {} : { createdAt }),
  };
}

/**
 * Parses an anchor: the JSON that `formatAuditAnchor` writes, `SEQ:HASH`, or a bare 64-hex HASH.
 *
 * @throws {ValidationError} code `AUDIT_INVALID_ANCHOR`
 */
export function parseAuditAnchor(text: string): AuditAnchor {
  const trimmed = text.trim();
  if (isHex64(trimmed)) return { hash: trimmed };
  const pair = /^(\d{1,16}):([0-9a-f]{64})$/.exec(trimmed);
  if (pair !== null) return validAnchor({ seq: Number(pair[1]), hash: pair[2] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw invalid('not an audit anchor: expected anchor JSON, SEQ:HASH or a 64-hex HASH');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('anchor JSON must be an object');
  }
  const keys = Object.keys(parsed);
  const extra = keys.find((k) => k !== 'seq' && k !== 'hash' && k !== 'createdAt');
  if (extra !== undefined) throw invalid(`unknown anchor member ${JSON.stringify(extra)}`);
  if ((parsed as { seq?: unknown }).seq === undefined) throw invalid('anchor JSON needs a seq');
  return validAnchor(parsed as Record<string, unknown>);
}

/** The one-line JSON form of an anchor, as `hl-audit anchor` prints it and `writeAuditAnchor` stores it. */
export function formatAuditAnchor(anchor: AuditAnchor): string {
  return JSON.stringify(validAnchor(anchor));
}

/**
 * Reads an anchor file, or parses `SEQ:HASH` / a bare HASH when `source` is one of those.
 *
 * @throws {ValidationError} code `AUDIT_INVALID_ANCHOR` for a malformed anchor
 */
export async function readAuditAnchor(source: string): Promise<AuditAnchor> {
  if (isHex64(source.trim()) || /^\d{1,16}:[0-9a-f]{64}$/.test(source.trim()))
    return parseAuditAnchor(source);
  const handle = await open(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    if (size > MAX_ANCHOR_FILE_BYTES)
      throw invalid(`anchor file ${source} is larger than ${MAX_ANCHOR_FILE_BYTES} bytes`);
    return parseAuditAnchor(await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

/**
 * Writes an anchor file atomically (a fresh temporary file, fsync, rename over `path`, fsync of the
 * directory), mode 0600. Keep it outside the log directory, ideally on another machine or volume: an anchor
 * next to the log can be rewritten along with it. A symlink at `path` is replaced, never followed.
 */
export async function writeAuditAnchor(path: string, anchor: AuditAnchor): Promise<void> {
  const target = resolve(path);
  const text = `${formatAuditAnchor(anchor)}\n`;
  const temp = `${target}.tmp-${process.pid}-${Date.now()}`;
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dirname(target));
}

/** How a verified log relates to an anchor: undefined when it still holds the anchored entry. */
export interface AnchorProblem {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/**
 * Checks a log that already verified (its chain is intact from seq 1, so line k of the log is seq k) against
 * an anchor, reading only each line's final hash member, never parsing a line.
 */
export async function findAnchorProblem(
  dir: string,
  lastSeq: number,
  anchor: AuditAnchor,
): Promise<AnchorProblem | undefined> {
  // An anchor of an empty log (seq 0) holds for every log that grew from the genesis hash.
  if (anchor.seq === 0) {
    return anchor.hash === GENESIS_HASH
      ? undefined
      : { file: '(none)', line: 0, reason: 'an anchor at seq 0 must carry the genesis hash' };
  }
  if (anchor.seq !== undefined && lastSeq < anchor.seq) {
    const files = await listDayFiles(dir);
    return {
      file: files.at(-1)?.name ?? '(no day file)',
      line: 0,
      reason: `the log ends at seq ${lastSeq} but the anchor is at seq ${anchor.seq}: entries were cut from the end (truncation or a deleted day file)`,
    };
  }
  const files = await listDayFiles(dir);
  let seq = 0;
  for (const file of files) {
    const end: { value?: LineTail } = {};
    for await (const { data, ends, firstLine } of readLineBatches(file.path, end)) {
      for (let i = 0; i < ends.length; i += 1) {
        seq += 1;
        if (seq > lastSeq) break;
        const lineEnd = ends[i] as number;
        const hash = data.toString('latin1', lineEnd - HASH_SUFFIX_LENGTH + 9, lineEnd - 2);
        if (anchor.seq === undefined) {
          if (hash === anchor.hash) return undefined;
        } else if (seq === anchor.seq) {
          if (hash === anchor.hash) return undefined;
          return {
            file: file.name,
            line: firstLine + i,
            reason: `entry ${seq} has hash ${hash}, but the anchor says ${anchor.hash}: the log was rewritten at or before seq ${seq}`,
          };
        }
      }
    }
  }
  if (anchor.seq === undefined) {
    return {
      file: files.at(-1)?.name ?? '(no day file)',
      line: 0,
      reason: `no entry has the anchored hash ${anchor.hash}: the log was cut or rewritten`,
    };
  }
  // Unreachable for a verified log (lastSeq >= anchor.seq means the line exists); refuse anyway.
  throw new AuditCorruptError(
    files.at(-1)?.name ?? '(no day file)',
    0,
    'the log changed while it was checked against the anchor',
  );
}
