import { describe, expect, it } from 'vitest';
import { checkRateLimits } from '../internals.js';
import { buy, NOW, run, World } from './world.js';

describe('check 6, order rate limit: per symbol in a 60 s sliding window', () => {
  it('passes while fewer than maxOrdersPerMinute were approved, fails at it', () => {
    const w = new World({ maxOrdersPerMinute: 2 });
    w.rates.record('BTC-USD', NOW - 30_000);
    expect(run(checkRateLimits, w.context(buy('1')))).toEqual([]);
    w.rates.record('BTC-USD', NOW - 10_000);
    expect(run(checkRateLimits, w.context(buy('1'))).map((f) => f.message)).toEqual([
      'SYMBOL_RATE_LIMIT_EXCEEDED: symbol=BTC-USD orders=2 limit=2 windowMs=60000',
    ]);
  });

  it('frees a slot once an approval is 60 s old, and counts other symbols apart', () => {
    const w = new World({ maxOrdersPerMinute: 1 });
    w.rates.record('BTC-USD', NOW - 60_000);
    w.rates.record('ETH-USD', NOW);
    expect(run(checkRateLimits, w.context(buy('1')))).toEqual([]);
    expect(run(checkRateLimits, w.context(buy('1', '50000', 'ETH-USD'))).map((f) => f.code)).toEqual([
      'SYMBOL_RATE_LIMIT_EXCEEDED',
    ]);
  });
});

describe('check 6, order rate limit: all symbols in a 1 s sliding window', () => {
  it('fails at maxOrdersPerSecond over all symbols and passes again a second later', () => {
    const w = new World({ maxOrdersPerSecond: 2 });
    w.rates.record('ETH-USD', NOW - 500);
    w.rates.record('SOL-USD', NOW - 100);
    expect(run(checkRateLimits, w.context(buy('1'))).map((f) => f.message)).toEqual([
      'GLOBAL_RATE_LIMIT_EXCEEDED: orders=2 limit=2 windowMs=1000',
    ]);
    expect(run(checkRateLimits, w.context(buy('1'), { now: NOW + 500 }))).toEqual([]);
  });
});
