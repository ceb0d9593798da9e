/**
 * Counts events in a sliding time window: an event at `t` counts while `now - t < windowMs`.
 * Over-limit callers are told so and must reject, never wait: a queued order would be sent late.
 */
export class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(readonly windowMs: number) {}

  /** Events still inside the window at `now`. */
  count(now: number): number {
    this.evict(now);
    return this.times.length - this.head;
  }

  /** Records an event at `now`. */
  add(now: number): void {
    this.times.push(now);
  }

  /** Time at which the oldest event leaves the window, if any. */
  nextFreeAt(now: number): number | undefined {
    this.evict(now);
    const first = this.times[this.head];
    return first === undefined ? undefined : first + this.windowMs;
  }

  private evict(now: number): void {
    const cutoff = now - this.windowMs;
    const times = this.times;
    let head = this.head;
    while (head < times.length && (times[head] as number) <= cutoff) head++;
    // Compact now and then so a long-running window does not keep every timestamp forever.
    if (head > 64 && head * 2 > times.length) {
      this.times = times.slice(head);
      head = 0;
    }
    this.head = head;
  }
}
