/**
 * The engine's one serial pipeline: exchange events are applied one at a time, in arrival order, so a fill
 * never races the order update or mark behind it. A task that throws goes to `onError` and the queue goes on.
 */
export class EventQueue {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(private readonly onError: (error: unknown) => Promise<void>) {}

  enqueue(task: () => Promise<void>): void {
    this.#pending += 1;
    this.#tail = this.#tail
      .then(task)
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.#pending -= 1;
      });
  }

  /**
   * Runs `task` after every task enqueued so far and resolves (or rejects) with its outcome; its failure
   * is the caller's, not `onError`'s. Never await it from inside a task: it would wait on itself.
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.enqueue(async () => {
        try {
          resolve(await task());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Resolves when every task enqueued so far (and any it enqueued) has run. */
  async idle(): Promise<void> {
    while (this.#pending > 0) await this.#tail;
  }
}
