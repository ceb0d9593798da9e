/**
 * One read of an async source shared by several consumers that iterate it concurrently: each gets every
 * item in order, the source is read once, and a consumer more than `window` items ahead of the slowest
 * waits for it, so memory stays bounded. A consumer that stops early no longer holds the others back; an
 * error of the source reaches every consumer that has not finished.
 */
export function shareRead<T>(source: AsyncIterable<T>, count: number, window = 8192): AsyncIterable<T>[] {
  const iterator = source[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let base = 0; // index of buffer[0] in the stream
  const positions: number[] = new Array(count).fill(0);
  let done = false;
  let failure: { error: unknown } | undefined;
  let pulling: Promise<void> | undefined;
  let waiters: Array<() => void> = [];

  const slowest = () => {
    let min = Number.POSITIVE_INFINITY;
    for (const p of positions) if (p < min) min = p;
    return min;
  };
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const pull = (): Promise<void> => {
    pulling ??= iterator
      .next()
      .then(
        (r) => {
          if (r.done === true) done = true;
          else buffer.push(r.value);
        },
        (error: unknown) => {
          failure = { error };
          done = true;
        },
      )
      .finally(() => {
        pulling = undefined;
        wake();
      });
    return pulling;
  };
  const trim = () => {
    const min = slowest();
    if (min === Number.POSITIVE_INFINITY) return;
    const drop = min - base;
    if (drop >= 1024) {
      buffer.splice(0, drop);
      base = min;
    }
  };

  async function* consumer(i: number): AsyncGenerator<T> {
    try {
      for (;;) {
        const at = positions[i] as number;
        if (at - base < buffer.length) {
          const value = buffer[at - base] as T;
          positions[i] = at + 1;
          trim();
          wake();
          yield value;
          continue;
        }
        if (done) {
          if (failure !== undefined) throw failure.error;
          return;
        }
        if (at - slowest() >= window) {
          await new Promise<void>((resolve) => waiters.push(resolve));
          continue;
        }
        await pull();
      }
    } finally {
      positions[i] = Number.POSITIVE_INFINITY;
      trim();
      wake();
      if (slowest() === Number.POSITIVE_INFINITY && !done) {
        done = true;
        await iterator.return?.();
      }
    }
  }
  return Array.from({ length: count }, (_, i) => consumer(i));
}
