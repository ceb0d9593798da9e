import { ManualClock } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { HyperliquidClient } from '../src/index.js';
import { NonceManager } from '../src/nonce.js';
import {
  exchangeRequestWeight,
  infoRequestWeight,
  infoResponseExtraWeight,
  WeightedTokenBucket,
} from '../src/rate-limit.js';
import { FakeVenue } from './helpers/fake-venue.js';

function virtual(start = 0) {
  const clock = new ManualClock(start);
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock.advance(ms);
  };
  return { clock, sleeps, sleep };
}

describe('weighted token bucket', () => {
  it('keeps 20% of the 1200/min budget unused by default', () => {
    const { clock } = virtual();
    expect(new WeightedTokenBucket({ clock }).capacity).toBe(960);
    expect(new WeightedTokenBucket({ clock, headroom: 0.5 }).capacity).toBe(600);
    expect(() => new WeightedTokenBucket({ clock, headroom: 1 })).toThrow(RangeError);
  });

  it('spends a full bucket at once, then waits until the rolling minute has room again', async () => {
    const { clock, sleeps, sleep } = virtual();
    const bucket = new WeightedTokenBucket({ clock, sleep });
    await bucket.take(960);
    expect(sleeps).toEqual([]);
    await bucket.take(20);
    // 960 per 60 s refills 20 in 1250 ms, but no rolling minute may carry more than 960.
    expect(sleeps).toEqual([60_001]);
  });

  it('serves waiting callers in call order', async () => {
    const { clock, sleep } = virtual();
    const bucket = new WeightedTokenBucket({ clock, sleep, weightPerMinute: 60, headroom: 0 });
    await bucket.take(60);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => bucket.take(10).then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(60_001);
  });

  it('lets an oversized request through on a full bucket and makes later callers repay it', async () => {
    const { clock, sleeps, sleep } = virtual();
    const bucket = new WeightedTokenBucket({ clock, sleep, weightPerMinute: 100, headroom: 0 });
    await bucket.take(150);
    expect(bucket.available()).toBe(-50);
    await bucket.take(10);
    // The bucket refills 60 (to +10) in 36 s, but the rolling minute still holds the 150: wait it out.
    expect(sleeps).toEqual([60_001]);
  });

  it('weighs requests as the venue documents', () => {
    expect(infoRequestWeight('allMids')).toBe(2);
    expect(infoRequestWeight('meta')).toBe(20);
    expect(infoRequestWeight('userRole')).toBe(60);
    expect(infoResponseExtraWeight('userFills', 2000)).toBe(100);
    expect(infoResponseExtraWeight('candleSnapshot', 120)).toBe(2);
    expect(exchangeRequestWeight(1)).toBe(1);
    expect(exchangeRequestWeight(79)).toBe(2);
  });

  it('throttles a client so the venue never sees more than the budget', async () => {
    const venue = await FakeVenue.start();
    try {
      const { clock, sleeps, sleep } = virtual(1_700_000_000_000);
      const seenAt: number[] = [];
      venue.info = () => {
        seenAt.push(clock.now());
        return { json: { BTC: '1' } };
      };
      const c = new HyperliquidClient({
        baseUrl: venue.url,
        clock,
        sleep,
        rateLimit: { weightPerMinute: 20, headroom: 0 },
      });
      for (let i = 0; i < 30; i++) await c.allMids();
      // 30 requests of weight 2 against 20 per minute: 40 extra weight must wait 2 minutes.
      expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(120_000);
      for (let i = 0; i < seenAt.length; i++) {
        const window = seenAt.filter((t) => t > (seenAt[i] ?? 0) - 60_000 && t <= (seenAt[i] ?? 0));
        expect(window.length * 2).toBeLessThanOrEqual(20);
      }
    } finally {
      await venue.stop();
    }
  });
});

describe('nonces', () => {
  it('strictly increase even when the clock stands still or goes back', () => {
    let now = 1000;
    const n = new NonceManager({ now: () => now });
    expect([n.next(), n.next(), n.next()]).toEqual([1000, 1001, 1002]);
    now = 500;
    expect(n.next()).toBe(1003);
    now = 5000;
    expect(n.next()).toBe(5000);
  });
});
