/**
 * The trading-day key (`YYYY-MM-DD`) of a moment. The day starts at 00:00 in a fixed UTC offset
 * (`tradingDayUtcOffsetMinutes`, 0 = UTC midnight); a fixed offset never shifts with daylight saving time.
 */
export function tradingDayOf(timestampMs: number, utcOffsetMinutes: number): string {
  return new Date(timestampMs + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}
