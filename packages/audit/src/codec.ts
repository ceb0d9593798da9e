import { hash as oneShotHash } from 'node:crypto';
import {
  type AuditEntry,
  AuditEvent,
  type AuditEventInput,
  checkWithoutDecimals,
  isValidWithoutDecimals,
  safeParseMarkingParts,
  safeParseWithValidatedParts,
} from '@hl-bot/core-types';
import { z } from 'zod';
import { AuditValidationError } from './errors.js';
import { formatTimestamp, MAX_TIMESTAMP_MS, parseTimestamp } from './format.js';
import type { LineBuffer } from './line-buffer.js';

/**
 * The hash chain, precisely:
 *
 * A line is one JSON object followed by `\n`. Its members are, in order: `timestamp` (ISO with
 * microseconds), `type`, the event's own fields, `seq`, `prevHash`, and last `hash`. Let `content` be the
 * line without its trailing `\n` and without its last member, i.e. the UTF-8 bytes of the line up to the
 * `,"hash":"` that starts the last member, followed by a closing `}` (this is exactly the JSON object
 * `{..., "seq": N, "prevHash": "…"}` the writer serialised before adding the hash). Then
 *
 *     hash = hex(SHA-256(ASCII(prevHash) || content))
 *
 * where `prevHash` is the previous line's `hash` (the previous day file's last line for the first line of a
 * day) and 64 zeros for the first line of the log. Because `content` includes `seq` and `prevHash`, every
 * line commits to its position and to the whole history before it. The hash is computed over the raw bytes,
 * so a verifier never needs to re-serialise JSON.
 */
export const HASH_SUFFIX_LENGTH = 75; // `,"hash":"` (9) + 64 hex + `"}` (2)
const HASH_PREFIX = Buffer.from(',"hash":"', 'latin1');
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const HASH_MEMBER = ',"hash":"';
const LINE_END = '"}\n';

/** Longest line the writer accepts; readers reject longer ones as corrupt. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** An event that passed validation, with its time fixed. */
export interface ValidatedEvent {
  readonly event: AuditEvent;
  readonly ms: number;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
}

/** The `type` an invalid event claims, for the error message; never throws. */
function eventTypeOf(input: unknown): string {
  try {
    const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
    return typeof type === 'string' ? type.slice(0, 64) : '(unknown type)';
  } catch {
    return '(unknown type)';
  }
}

/**
 * Validates an event for appending; its own timestamp wins over `now`. Parts the project's own code already
 * validated (an order or fill a boundary parsed with `parseValidated`) are taken as they are; every other
 * field, and any object from outside, is parsed in full by the AuditEvent schema.
 *
 * @throws {AuditValidationError} code `AUDIT_INVALID_EVENT`
 */
export function validateEvent(input: AuditEventInput, now: () => number): ValidatedEvent {
  let result: ReturnType<typeof AuditEvent.safeParse>;
  try {
    result = safeParseWithValidatedParts(AuditEvent, input);
  } catch (error) {
    // zod reads the input's properties: a revoked proxy or a throwing getter must not escape as a raw error.
    throw new AuditValidationError(
      'invalid audit event: reading it threw (a proxy, a getter or a hostile object)',
      { cause: error, details: { type: '(unknown type)', issues: [] } },
    );
  }
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    const first = result.error.issues[0];
    const type = eventTypeOf(input);
    throw new AuditValidationError(`invalid audit event ${type}: ${issues.join('; ')}`, {
      cause: result.error,
      ...(first === undefined ? {} : { field: formatPath(first.path) }),
      details: { type, issues },
    });
  }
  const event = result.data;
  const ms = event.timestamp ?? now();
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIMESTAMP_MS) {
    throw new AuditValidationError(`invalid audit event ${event.type}: timestamp ${ms} is out of range`, {
      field: 'timestamp',
      details: { type: event.type, timestamp: ms },
    });
  }
  return { event, ms };
}

export function sha256Hex(data: string | Buffer): string {
  return oneShotHash('sha256', data, 'hex');
}

/** Where a line was encoded, and its hash. */
export interface EncodedLine {
  /** Bytes of the line, trailing newline included, written at the `used` offset the buffer had. */
  readonly length: number;
  readonly hash: string;
  readonly iso: string;
}

/**
 * Serialises a validated event as a log line at the end of `lines`. Decimals become strings through
 * Decimal#toJSON. The hash is taken over the line's text (`crypto.hash` encodes it as UTF-8 natively) and
 * the line is encoded once, straight into the buffer its group is written from: no Buffer of its own, no
 * copy. `JSON.stringify` never emits lone surrogates, so the text's UTF-8 is exactly the bytes written.
 *
 * @throws {AuditValidationError} when the line would exceed MAX_LINE_BYTES (nothing is added to `lines`)
 */
export function encodeLine(
  validated: ValidatedEvent,
  seq: number,
  prevHash: string,
  lines: LineBuffer,
): EncodedLine {
  const iso = formatTimestamp(validated.ms);
  // The ISO time goes first; the event's own epoch-ms `timestamp` is hidden from JSON.stringify (which omits
  // undefined members) rather than copying the event without it. `type` is the event's first key.
  const event = validated.event as { timestamp?: unknown };
  const own = event.timestamp;
  event.timestamp = undefined;
  let body: string;
  try {
    body = JSON.stringify(event);
  } finally {
    event.timestamp = own;
  }
  const head = `{"timestamp":"${iso}",${body.slice(1, -1)},"seq":${seq},"prevHash":"${prevHash}"`;
  // A UTF-16 unit takes 1 to 3 bytes in UTF-8, so a head longer than the limit in units is too long in bytes.
  if (head.length > MAX_LINE_BYTES) throw tooLong(validated);
  // `prevHash || content` (content = head + `}`, see above) is encoded where the line goes, hashed there,
  // and the content moved over the prevHash: one UTF-8 encoding per line, straight into its group's buffer.
  // 64 (prevHash) + head (at most 3 bytes a unit) + the 75-byte hash member and the newline.
  const target = lines.room(64 + head.length * 3 + HASH_SUFFIX_LENGTH + 1);
  const at = lines.used;
  const hashed = target.write(`${prevHash}${head}}`, at, 'utf8');
  const hash = sha256Hex(target.subarray(at, at + hashed));
  target.copyWithin(at, at + 64, at + hashed - 1);
  const headEnd = at + hashed - 65;
  const length = headEnd - at + target.write(`${HASH_MEMBER}${hash}${LINE_END}`, headEnd, 'latin1');
  if (length > MAX_LINE_BYTES) throw tooLong(validated);
  lines.commit(length);
  return { length, hash, iso };
}

function tooLong(validated: ValidatedEvent): AuditValidationError {
  return new AuditValidationError(
    `invalid audit event ${validated.event.type}: the line would be longer than ${MAX_LINE_BYTES} bytes`,
    { details: { type: validated.event.type } },
  );
}

/** The envelope of a line that parsed and whose hash matched its bytes. */
export interface DecodedLine {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly timestamp: string;
  /** The parsed JSON object, envelope included. */
  readonly object: Record<string, unknown>;
}

let scratch = Buffer.allocUnsafe(64 * 1024);

export function isHex64(value: unknown): value is string {
  return typeof value === 'string' && value.length === 64 && /^[0-9a-f]{64}$/.test(value);
}

/**
 * Parses a line (without its newline) and checks its hash against its own bytes and `prevHash` member.
 * Returns a reason string instead of throwing, so callers can attach file and line.
 */
export function decodeLine(bytes: Buffer): DecodedLine | string {
  return decodeSpan(bytes, 0, bytes.length);
}

/** `decodeLine` of the bytes of `data` from `start` up to `end`, without a Buffer view of them. */
export function decodeSpan(data: Buffer, start: number, end: number): DecodedLine | string {
  const record = decodeSpanRecord(data, start, end);
  if (typeof record === 'string') return record;
  const { seq, prevHash, hash, timestamp } = record;
  return { seq, prevHash, hash, timestamp, object: record };
}

/** A parsed line whose envelope members have the types `decodeSpanRecord` checked. */
export type LineRecord = Record<string, unknown> & {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly timestamp: string;
};

/**
 * `decodeSpan`'s checks without the DecodedLine around the parsed object: for verify's loop, which reads
 * the envelope from the object itself.
 */
export function decodeSpanRecord(data: Buffer, start: number, end: number): LineRecord | string {
  const n = end - start;
  if (n === 0) return 'empty line';
  if (n <= HASH_SUFFIX_LENGTH + 2) return 'line too short to be an audit entry';
  if (n > MAX_LINE_BYTES) return `line longer than ${MAX_LINE_BYTES} bytes`;
  const cut = n - HASH_SUFFIX_LENGTH;
  if (data[end - 1] !== CLOSE_BRACE || data[end - 2] !== QUOTE || !hasHashPrefix(data, start + cut)) {
    return 'line does not end with a "hash" member';
  }
  let object: unknown;
  try {
    object = JSON.parse(data.toString('utf8', start, end));
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return 'not a JSON object';
  const record = object as Record<string, unknown>;
  const { seq, prevHash, hash, timestamp } = record;
  if (typeof hash !== 'string') return 'hash is missing';
  // Its hex form is checked by the chain check: equal to the previous (verified) hash, or by isHex64.
  if (typeof prevHash !== 'string' || prevHash.length !== 64) return 'prevHash is not 64 hex digits';
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    return 'seq is not a positive integer';
  if (typeof timestamp !== 'string') return 'timestamp is missing';
  const needed = 64 + cut + 1;
  if (scratch.length < needed) scratch = Buffer.allocUnsafe(Math.max(needed, scratch.length * 2));
  scratch.write(prevHash, 0, 'latin1');
  data.copy(scratch, 64, start, start + cut);
  scratch[64 + cut] = CLOSE_BRACE;
  const computed = sha256Hex(scratch.subarray(0, needed));
  if (computed !== hash) return `hash mismatch (line was modified): computed ${computed}, line says ${hash}`;
  return record as LineRecord;
}

/** Whether `data` holds `,"hash":"` at `at` (compared here: a Buffer#compare call costs more than 9 bytes). */
function hasHashPrefix(data: Buffer, at: number): boolean {
  for (let i = 0; i < HASH_PREFIX.length; i += 1) if (data[at + i] !== HASH_PREFIX[i]) return false;
  return true;
}

const envelope = {
  timestamp: z.string(),
  seq: z.number(),
  prevHash: z.string(),
  hash: z.string(),
};

/**
 * Per event type, its strict schema extended with the envelope, so a parsed line is validated in one pass
 * without copying it into an envelope-free object first.
 */
const ENTRY_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map(
  AuditEvent.options.map((option) => [option.shape.type.value, option.extend(envelope)] as const),
);

/** Validates a decoded line as a typed audit entry; a reason string when it is not one. */
export function toEntry(decoded: DecodedLine): AuditEntry | string {
  return validateEntry(decoded, false);
}

/**
 * Checks that a decoded line is a valid audit entry exactly as `toEntry` does, without building its typed
 * form (no Decimals): returns the entry time in epoch ms, or the same reason string `toEntry` gives.
 */
export function checkEntry(decoded: DecodedLine): number | string {
  return checkRecord(decoded.object as LineRecord);
}

/** `checkEntry` of a parsed line (`decodeSpanRecord`). */
export function checkRecord(record: LineRecord): number | string {
  const ms = parseTimestamp(record.timestamp);
  if (ms === undefined) return badTimestamp(record.timestamp);
  const result = validateRecord(record, true);
  return typeof result === 'string' ? result : ms;
}

function validateEntry(decoded: DecodedLine, checkOnly: boolean): AuditEntry | string {
  const ms = parseTimestamp(decoded.timestamp);
  if (ms === undefined) return badTimestamp(decoded.timestamp);
  const result = validateRecord(decoded.object, checkOnly);
  if (typeof result === 'string') return result;
  const entry = result as { timestamp: unknown };
  entry.timestamp = ms;
  return entry as AuditEntry;
}

function badTimestamp(timestamp: string): string {
  return `timestamp ${JSON.stringify(timestamp)} is not an ISO time with microseconds`;
}

/** The line checked by its event type's schema and the envelope; its parsed output or the reason. */
function validateRecord(record: Record<string, unknown>, checkOnly: boolean): unknown {
  const type = record.type;
  const schema = typeof type === 'string' ? ENTRY_SCHEMAS.get(type) : undefined;
  if (schema === undefined) return `unknown event type ${JSON.stringify(type)}`;
  // A typed entry's fill, order or position is marked as parsed: a consumer (a tracker replaying the log)
  // does not parse it again.
  // Verify: the verdict of a checker compiled from the schema (core-types), zod only for a refusal's issues.
  if (checkOnly && isValidWithoutDecimals(schema, record)) return record;
  const result = checkOnly ? checkWithoutDecimals(schema, record) : safeParseMarkingParts(schema, record);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    return `not a valid ${String(type)} event: ${issues.join('; ')}`;
  }
  return result.data;
}
