import { Decimal, toDecimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { MovingAverage, quantityFor, roundPrice } from '../src/index.js';

describe('MovingAverage', () => {
  it('is ready only once its window is full, and averages only the window', () => {
    const ma = new MovingAverage(3);
    for (const v of [1, 2]) ma.push(toDecimal(v));
    expect(ma.ready).toBe(false);
    ma.push(toDecimal(3));
    expect(ma.ready).toBe(true);
    expect(ma.value.toString()).toBe('2');
    ma.push(toDecimal(10)); // window is now 2, 3, 10
    expect(ma.value.toString()).toBe('5');
  });

  it('gives the population standard deviation of the window, zero when empty', () => {
    const ma = new MovingAverage(4);
    expect(ma.stdDev().toString()).toBe('0');
    for (const v of [2, 4, 4, 6]) ma.push(toDecimal(v));
    expect(ma.stdDev().toString()).toBe(new Decimal(2).sqrt().toString());
  });
});

describe('quantityFor', () => {
  it('never buys more than the notional asked for: it rounds down to the size decimals', () => {
    expect(quantityFor(toDecimal(800), toDecimal(30_000), 4).toString()).toBe('0.0266');
    expect(quantityFor(toDecimal(100), toDecimal(3), 0).toString()).toBe('33');
    expect(quantityFor(toDecimal(1), toDecimal(50_000), 4).toString()).toBe('0');
  });
});

describe('roundPrice', () => {
  it('keeps 5 significant figures, rounding toward the side that is safe for the order', () => {
    expect(roundPrice(toDecimal('123456.7'), 'down').toString()).toBe('123450');
    expect(roundPrice(toDecimal('123456.7'), 'up').toString()).toBe('123460');
    expect(roundPrice(toDecimal('0.0123456'), 'down').toString()).toBe('0.012345');
    expect(roundPrice(toDecimal('0.0123456'), 'up').toString()).toBe('0.012346');
  });
});
