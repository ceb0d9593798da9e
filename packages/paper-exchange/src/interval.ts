import { ValidationError } from '@hl-bot/core-types';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Converts a candle interval (`"1m"`, `"15m"`, `"1h"`, `"1d"`, `"1w"` or milliseconds) to milliseconds.
 * Calendar months (`"1M"`) have no fixed length and are refused.
 *
 * @throws {ValidationError} for anything that is not a positive whole interval.
 * @example
 * intervalMs('5m'); // 300000
 */
export function intervalMs(interval: string | number): number {
  if (typeof interval === 'number') {
    if (!Number.isSafeInteger(interval) || interval <= 0) {
      throw new ValidationError(`interval must be a positive integer of milliseconds, got ${interval}`, {
        field: 'interval',
      });
    }
    return interval;
  }
  const match = /^(\d{1,6})([smhdw])$/.exec(interval);
  const unit = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
  if (match === null || unit === undefined || Number(match[1]) <= 0) {
    throw new ValidationError(`unsupported interval ${JSON.stringify(interval)}; use e.g. "1m", "1h", "1d"`, {
      field: 'interval',
    });
  }
  return Number(match[1]) * unit;
}
