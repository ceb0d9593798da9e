import { describe, expect, it } from 'vitest';
import {
  Fill,
  MAX_TIMESTAMP_MS,
  parseOrThrow,
  toTimestamp,
  toVenueTimestamp,
  ValidationError,
  VENUE_TIME_WINDOW,
} from '../src/index.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).code;
  }
  return undefined;
}

describe('times', () => {
  it('accept epoch ms, ISO 8601 with a zone and Dates, all to the same ms', () => {
    const ms = Date.UTC(2025, 1, 11, 9, 30, 0, 123);
    expect(toTimestamp(ms)).toBe(ms);
    expect(toTimestamp('2025-02-11T09:30:00.123Z')).toBe(ms);
    expect(toTimestamp('2025-02-11T10:30:00.123456+01:00')).toBe(ms);
    expect(toTimestamp('2025-02-11T04:00:00.123-0530')).toBe(ms);
    expect(toTimestamp(new Date(ms))).toBe(ms);
    expect(toTimestamp('2025-02-11T09:30Z')).toBe(Date.UTC(2025, 1, 11, 9, 30));
  });

  it.each([
    ['9e15', 9e15],
    ['beyond year 9999', MAX_TIMESTAMP_MS + 1],
    ['negative', -1],
    ['fractional ms', 1.5],
    ['an expanded-year ISO string', '+275760-09-13T00:00:00.000Z'],
    ['a bare number string that Date.parse reads as 2001', '1'],
    ['an ISO date without a zone', '2025-02-11T09:30:00'],
    ['a date only', '2025-02-11'],
    ['February 30th', '2025-02-30T00:00:00Z'],
    ['hour 24', '2025-02-11T24:00:00Z'],
    ['an RFC 2822 date', 'Tue, 11 Feb 2025 09:30:00 GMT'],
    ['an invalid Date', new Date(Number.NaN)],
    ['null', null],
  ])('reject %s with INVALID_TIMESTAMP', (_label, value) => {
    expect(codeOf(() => toTimestamp(value))).toBe('INVALID_TIMESTAMP');
  });

  it('a venue time may be at most a day ahead of this machine', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(toVenueTimestamp(now + VENUE_TIME_WINDOW.maxAheadMs, 'timestamp', now)).toBe(now + 86_400_000);
    expect(codeOf(() => toVenueTimestamp(now + VENUE_TIME_WINDOW.maxAheadMs + 1, 'timestamp', now))).toBe(
      'INVALID_TIMESTAMP',
    );
    expect(toVenueTimestamp(0, 'timestamp', now)).toBe(0);
  });

  it('Fill.timestamp takes only times a venue can send, and names the field', () => {
    const fill = { id: 'f', orderId: 'o', symbol: 'BTC-USD', side: 'buy', quantity: '1', price: '1' };
    expect(parseOrThrow(Fill, { ...fill, timestamp: Date.now() }, 'fill').timestamp).toBeGreaterThan(0);
    for (const timestamp of [9e15, '+275760-09-13T00:00:00.000Z', '1', Date.now() + 2 * 86_400_000]) {
      try {
        parseOrThrow(Fill, { ...fill, timestamp }, 'fill');
        expect.unreachable(String(timestamp));
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).code).toBe('INVALID_TIMESTAMP');
        expect((error as ValidationError).field).toBe('timestamp');
      }
    }
  });
});
