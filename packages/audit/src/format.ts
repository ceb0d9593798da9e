/** The prevHash of the first entry of a log: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** Day files are named `audit-YYYY-MM-DD.jsonl` after the UTC day of their entries. */
export const DAY_FILE_PATTERN = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** The latest timestamp a file name can hold (year 9999). */
export const MAX_TIMESTAMP_MS = Date.UTC(10000, 0, 1) - 1;

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}000Z$/;

/** `audit-2025-02-11.jsonl` for day `2025-02-11`. */
export function dayFileName(day: string): string {
  return `audit-${day}.jsonl`;
}

/** The day of a day file name, or undefined when the name is not a day file. */
export function dayOfFileName(name: string): string | undefined {
  return DAY_FILE_PATTERN.exec(name)?.[1];
}

/**
 * Epoch ms to the line timestamp: ISO 8601 UTC with microseconds, as in the spec's example. Event times are
 * whole milliseconds, so the microseconds are always the milliseconds padded with `000`.
 */
export function formatTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}000Z`;
}

// Consecutive entries mostly share their second: formatting only the milliseconds is several times faster.
let cachedSecond = Number.NaN;
let cachedPrefix = '';
let parsedPrefix = '';
let parsedBase = 0;

/** The line timestamp back to epoch ms, or undefined when it is not exactly in the form we write. */
export function parseTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  // The common case, a line of the same second as the one before: its first 20 characters are that
  // (validated) prefix, so the rest of ISO_MICROS is three digits and `000Z`, read without the regex or a
  // substring.
  if (text.length === 27 && parsedPrefix !== '' && text.startsWith(parsedPrefix) && text.endsWith('000Z')) {
    const millis = digitsAt(text, 20);
    if (millis !== undefined) return parsedBase + millis;
  }
  if (!ISO_MICROS.test(text)) return undefined;
  const prefix = text.slice(0, 20);
  if (prefix === parsedPrefix) return parsedBase + Number(text.slice(20, 23));
  const ms = Date.parse(`${text.slice(0, 23)}Z`);
  if (!Number.isSafeInteger(ms) || ms < 0) return undefined;
  // Rejects dates Date.parse silently normalises, such as February 30th.
  if (formatTimestamp(ms) !== text) return undefined;
  parsedPrefix = prefix;
  parsedBase = ms - Number(text.slice(20, 23));
  return ms;
}

/** The three decimal digits of `text` at `at` as a number, or undefined when they are not all digits. */
function digitsAt(text: string, at: number): number | undefined {
  const a = text.charCodeAt(at) - 0x30;
  const b = text.charCodeAt(at + 1) - 0x30;
  const c = text.charCodeAt(at + 2) - 0x30;
  if (a < 0 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return undefined;
  return a * 100 + b * 10 + c;
}

/** UTC day `YYYY-MM-DD` of epoch ms. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Epoch ms of the start of the UTC day after `day`. */
export function endOfDay(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) + 86_400_000;
}
