import { ValidationError } from './errors.js';

/** The latest time any hl-bot record may carry: the last millisecond of year 9999. */
export const MAX_TIMESTAMP_MS = Date.UTC(10000, 0, 1) - 1;

/**
 * The times a venue can send: from the Unix epoch (simulated venues start their clocks at 0, and a replay
 * reads fills of any past day) to `maxAheadMs` after this machine's clock (venue clocks run a little ahead
 * of ours; a day is far more than any real skew).
 */
export const VENUE_TIME_WINDOW = Object.freeze({ earliestMs: 0, maxAheadMs: 24 * 3_600_000 });

// ISO 8601 with a zone, four-digit years only: `+275760-09-13T00:00:00Z` and `2025-01-01` (no zone) fail.
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

function fail(field: string | undefined, message: string): never {
  const where = field === undefined ? '' : `${field}: `;
  throw new ValidationError(`${where}${message}`, {
    code: 'INVALID_TIMESTAMP',
    ...(field === undefined ? {} : { field }),
  });
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fromIso(text: string, field: string | undefined): number {
  const m = ISO_WITH_ZONE.exec(text);
  if (m === null) {
    const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
    fail(field, `not epoch milliseconds or an ISO 8601 time with a zone: ${shown}`);
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000 + 1e-6);
  const offsetMinutes =
    m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] as string));
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    Math.abs(offsetMinutes) > 18 * 60 ||
    Number(m[11] ?? 0) > 59
  ) {
    fail(field, `not a valid time: ${JSON.stringify(text)}`);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMinutes * 60_000;
}

function toMs(value: unknown, field: string | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return fromIso(value, field);
  if (typeof value === 'object' && value !== null) {
    let ms: number;
    try {
      // Reads the internal time slot: a fake or a proxy that only claims to be a Date throws here.
      ms = Date.prototype.getTime.call(value);
    } catch {
      return fail(field, 'expected epoch milliseconds, an ISO 8601 string or a Date, got an object');
    }
    return ms;
  }
  return fail(field, `expected epoch milliseconds, an ISO 8601 string or a Date, got ${typeof value}`);
}

/**
 * A time as epoch milliseconds: a whole number of ms, an ISO 8601 string with a zone (`Z` or `±hh:mm`), or
 * a Date; between the Unix epoch and MAX_TIMESTAMP_MS.
 *
 * @throws {ValidationError} code `INVALID_TIMESTAMP`
 */
export function toTimestamp(value: unknown, field?: string): number {
  const ms = toMs(value, field);
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIMESTAMP_MS) {
    fail(field, `not a valid timestamp: ${typeof value === 'number' ? value : JSON.stringify(String(ms))}`);
  }
  return ms;
}

/**
 * A time a venue can send (see VENUE_TIME_WINDOW), as epoch milliseconds.
 *
 * @param now this machine's time, default `Date.now()`
 * @throws {ValidationError} code `INVALID_TIMESTAMP`
 */
export function toVenueTimestamp(value: unknown, field?: string, now: number = Date.now()): number {
  const ms = toTimestamp(value, field);
  if (ms < VENUE_TIME_WINDOW.earliestMs || ms > now + VENUE_TIME_WINDOW.maxAheadMs) {
    fail(
      field,
      `${new Date(ms).toISOString()} is outside the times a venue can send (up to ${VENUE_TIME_WINDOW.maxAheadMs / 3_600_000} h after this machine's clock)`,
    );
  }
  return ms;
}
