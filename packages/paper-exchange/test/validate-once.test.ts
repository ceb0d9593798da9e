import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, isValidated, toDecimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { Candle, csvCandles, hyperliquidCandles, syntheticMarket } from '../src/index.js';
import { MINUTE, setup, T0 } from './helpers.js';

async function first(source: AsyncIterable<Candle>): Promise<Candle> {
  for await (const c of source) return c;
  throw new Error('no candle');
}

describe('validate once: candles are parsed at their boundary, exactly once', () => {
  it('marks the candles the synthetic market builds, and the files readers parse', async () => {
    expect(
      isValidated(await first(syntheticMarket({ seed: 1, symbols: ['BTC-USD'], bars: 1 })), Candle),
    ).toBe(true);
    const csv = join(tmpdir(), `hl-paper-validate-once-${process.pid}.csv`);
    await writeFile(csv, `${T0},60000,60100,59900,60050,1\n`);
    expect(isValidated(await first(csvCandles(csv, { symbol: 'BTC-USD' })), Candle)).toBe(true);
    const wire = [
      { t: T0, T: T0 + MINUTE - 1, s: 'BTC', i: '1m', o: '1', c: '1', h: '1', l: '1', v: '1', n: 1 },
    ];
    expect(isValidated(await first(hyperliquidCandles(wire)), Candle)).toBe(true);
  });

  it('fully validates an unmarked, hand-made candle, even a copy of a marked one', async () => {
    const { paper } = setup();
    const marked = await first(syntheticMarket({ seed: 1, symbols: ['BTC-USD'], bars: 1, startTime: T0 }));
    const copy = { ...marked };
    expect(isValidated(copy, Candle)).toBe(false);
    // high below low: only the schema's refinement can see it
    const broken = { ...copy, high: copy.low.minus(1) };
    await expect(paper.onBar(broken)).rejects.toMatchObject({ code: 'INVALID_BAR' });
    // an unknown field, a negative volume, a zero price: the schema's own checks
    await expect(
      paper.onBar({ ...copy, openTime: T0 + MINUTE, extra: 1 } as unknown as Candle),
    ).rejects.toMatchObject({ code: 'INVALID_BAR' });
    await expect(
      paper.onBar({ ...copy, openTime: T0 + 2 * MINUTE, volume: new Decimal(-1) }),
    ).rejects.toMatchObject({ code: 'INVALID_BAR' });
    await expect(
      paper.onBar({ ...copy, openTime: T0 + 3 * MINUTE, low: toDecimal('0') }),
    ).rejects.toMatchObject({ code: 'INVALID_BAR' });
  });
});
