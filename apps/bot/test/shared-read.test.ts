import { describe, expect, it } from 'vitest';
import { shareRead } from '../src/shared-read.js';

async function* numbers(n: number, reads: { count: number }, failAt = -1): AsyncGenerator<number> {
  for (let i = 0; i < n; i += 1) {
    if (i === failAt) throw new Error(`read failed at ${i}`);
    reads.count += 1;
    yield i;
  }
}

async function collect(source: AsyncIterable<number>, stopAt = Number.POSITIVE_INFINITY): Promise<number[]> {
  const out: number[] = [];
  for await (const x of source) {
    if (out.length >= stopAt) break;
    out.push(x);
  }
  return out;
}

describe('shareRead: one read of the log for several components', () => {
  it('gives every consumer every item in order while reading the source once', async () => {
    const reads = { count: 0 };
    const [a, b] = shareRead(numbers(50_000, reads), 2, 100) as [
      AsyncIterable<number>,
      AsyncIterable<number>,
    ];
    const [x, y] = await Promise.all([collect(a), collect(b)]);
    const expected = Array.from({ length: 50_000 }, (_, i) => i);
    expect(x).toEqual(expected);
    expect(y).toEqual(expected);
    expect(reads.count).toBe(50_000);
  });

  it('a consumer that stops early does not hold the other back', async () => {
    const reads = { count: 0 };
    const [a, b] = shareRead(numbers(20_000, reads), 2, 100) as [
      AsyncIterable<number>,
      AsyncIterable<number>,
    ];
    const [x, y] = await Promise.all([collect(a, 10), collect(b)]);
    expect(x).toHaveLength(10);
    expect(y).toHaveLength(20_000);
  });

  it('a read error reaches every consumer', async () => {
    const reads = { count: 0 };
    const [a, b] = shareRead(numbers(100, reads, 60), 2) as [AsyncIterable<number>, AsyncIterable<number>];
    const results = await Promise.allSettled([collect(a), collect(b)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
