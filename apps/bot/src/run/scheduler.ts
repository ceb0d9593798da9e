/**
 * The bot's periodic tasks. A task never overlaps itself (a tick while it still runs is skipped), a failure
 * is reported and the next tick runs again, and nothing starts once `stop()` was called.
 */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(private readonly onError: (error: unknown) => void) {}

  every(ms: number, task: () => Promise<void>): void {
    let running = false;
    const t = setInterval(() => {
      if (running || this.stopped) return;
      running = true;
      task()
        .catch(this.onError)
        .finally(() => {
          running = false;
        });
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}
