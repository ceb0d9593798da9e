/** Source of wall-clock time. Inject it everywhere so tests control time. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real clock. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** A clock that only moves when told to, for deterministic tests and simulations. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number | Date | string = 0) {
    this.current = ManualClock.toMs(start);
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock to an absolute time. Time never goes backwards. */
  set(time: number | Date | string): void {
    const next = ManualClock.toMs(time);
    if (next < this.current)
      throw new RangeError(`ManualClock cannot go backwards (${next} < ${this.current})`);
    this.current = next;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`ManualClock.advance needs a finite ms >= 0, got ${ms}`);
    this.current += ms;
  }

  private static toMs(time: number | Date | string): number {
    const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : time.getTime();
    if (!Number.isFinite(ms)) throw new RangeError(`invalid time: ${String(time)}`);
    return ms;
  }
}

/** The shared system clock instance. */
export const systemClock: Clock = new SystemClock();
