import { Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { decimalToNumber } from '../src/report/numbers.js';

/** A seeded generator (mulberry32), so a failure names the same decimal every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('decimalToNumber', () => {
  it('is toNumber(), bit for bit, for prices, balances, long digit strings, tiny and huge values', () => {
    const next = rng(13);
    const texts = [
      '0',
      '-0',
      '1',
      '0.1',
      '0.3',
      '61234',
      '60000',
      '9876.5',
      '10000.123456',
      '-3.25',
      '9007199254740991',
      '9007199254740993',
      '90071992547409.93',
      '1e22',
      '1e23',
      '1.5e-22',
      '1e-30',
      '123456789012345678901',
      '3.3333333333333333333333333333',
      '0.000012345',
    ];
    for (let i = 0; i < 20_000; i++) {
      const digitCount = 1 + Math.floor(next() * 24);
      let digits = String(1 + Math.floor(next() * 9));
      for (let k = 1; k < digitCount; k++) digits += String(Math.floor(next() * 10));
      const exponent = Math.floor(next() * 60) - 30;
      texts.push(`${next() < 0.2 ? '-' : ''}${digits}e${exponent}`);
      // Prices and balances as the run sees them: a few decimals on a tick grid.
      texts.push((Math.floor(next() * 1e9) / 10 ** Math.floor(next() * 7)).toString());
    }
    for (const text of texts) {
      const d = new Decimal(text);
      expect(Object.is(decimalToNumber(d), d.toNumber()), text).toBe(true);
    }
  });
});
