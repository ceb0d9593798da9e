import { fc, test } from '@fast-check/vitest';
import { Decimal } from '@hl-bot/core-types';
import { formatPrice as nkFormatPrice, formatSize as nkFormatSize } from '@nktkas/hyperliquid/utils';
import { describe, expect, it } from 'vitest';
import { isValidPrice, maxPriceDecimals } from '../src/format.js';
import { formatPrice, formatSize, toWireDecimal } from '../src/wire.js';

describe('formatPrice', () => {
  it('passes a valid price through in canonical form', () => {
    expect(formatPrice('1670.1', 2)).toBe('1670.1');
    expect(formatPrice('1670.10', 2)).toBe('1670.1');
    expect(formatPrice('100.000', 0)).toBe('100');
    expect(formatPrice('0.0001234', 0, { spot: true })).toBe('0.0001234');
  });

  it('allows integer prices with more than 5 significant figures', () => {
    expect(formatPrice('123456', 0)).toBe('123456');
    expect(formatPrice(new Decimal('1234567.000'), 5)).toBe('1234567');
  });

  it('rejects a price with more than 5 significant figures and names both neighbours', () => {
    expect(() => formatPrice('1670.12', 1)).toThrow(/1670\.1 and 1670\.2/);
    try {
      formatPrice('1670.12', 1);
    } catch (e) {
      expect((e as { code: string }).code).toBe('HL_INVALID_PRICE');
    }
  });

  it('rejects a price with more decimals than 6 - szDecimals (8 - szDecimals on spot)', () => {
    expect(() => formatPrice('0.12345', 3)).toThrow(/not a valid Hyperliquid price/);
    expect(formatPrice('0.12345', 3, { spot: true })).toBe('0.12345');
  });

  it('rounds a buy price down and a sell price up, never to a worse price', () => {
    expect(formatPrice('1670.123', 2, { roundFor: 'buy' })).toBe('1670.1');
    expect(formatPrice('1670.123', 2, { roundFor: 'sell' })).toBe('1670.2');
    expect(formatPrice('123456.7', 0, { roundFor: 'buy' })).toBe('123456');
    expect(formatPrice('123456.7', 0, { roundFor: 'sell' })).toBe('123457');
    expect(formatPrice('9.999951', 0, { roundFor: 'sell' })).toBe('10');
  });

  it('rejects zero, negative and non-numeric prices, and a buy that rounds to zero', () => {
    expect(() => formatPrice('0', 0)).toThrow(/greater than 0/);
    expect(() => formatPrice('-1', 0)).toThrow(/greater than 0/);
    expect(() => formatPrice('abc', 0)).toThrow();
    expect(() => formatPrice('0.0000001', 0, { roundFor: 'buy' })).toThrow(/rounds to 0/);
  });

  test.prop([
    fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.integer({ min: 0, max: 12 })),
    fc.integer({ min: 0, max: 6 }),
    fc.boolean(),
    fc.constantFrom('buy' as const, 'sell' as const),
  ])(
    'rounded prices are valid, on the safe side, and within one tick of the input',
    ([m, scale], szDecimals, spot, side) => {
      const price = new Decimal(m.toString()).div(new Decimal(10).pow(scale));
      const tick = new Decimal(10).pow(-maxPriceDecimals(szDecimals, spot));
      if (side === 'buy' && price.lt(tick)) {
        // Below the smallest tick a buy can only round to 0: refused, as the independent formatter does.
        expect(() => formatPrice(price, szDecimals, { spot, roundFor: side })).toThrow(/rounds to 0/);
        expect(() => nkFormatPrice(price.toFixed(), szDecimals, spot ? 'spot' : 'perp')).toThrow();
        return;
      }
      const out = new Decimal(formatPrice(price, szDecimals, { spot, roundFor: side }));
      expect(isValidPrice(out, szDecimals, spot)).toBe(true);
      if (side === 'buy') expect(out.lte(price)).toBe(true);
      else expect(out.gte(price)).toBe(true);
      // Agrees with the independent formatter: nktkas truncates (the buy direction); ours is never further
      // from the input than its result, and identical whenever the input was already valid.
      if (price.lt(tick)) return; // a sell rounds up to one tick; the truncating formatter has no answer
      const theirs = new Decimal(nkFormatPrice(price.toFixed(), szDecimals, spot ? 'spot' : 'perp'));
      if (side === 'buy') expect(out.gte(theirs)).toBe(true);
      if (isValidPrice(price, szDecimals, spot)) expect(out.eq(theirs)).toBe(true);
    },
  );
});

describe('formatSize', () => {
  it('passes a valid size through in canonical form and rejects extra decimals', () => {
    expect(formatSize('0.0100', 4)).toBe('0.01');
    expect(() => formatSize('0.01234', 4)).toThrow(/more than 4 decimals/);
  });

  it('rounds a size down when asked and refuses a size that rounds to zero', () => {
    expect(formatSize('0.01239', 4, { round: true })).toBe('0.0123');
    expect(() => formatSize('0.00001', 4, { round: true })).toThrow(/rounds down to 0/);
    expect(() => formatSize('0', 4)).toThrow(/greater than 0/);
  });

  test.prop([
    fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.integer({ min: 0, max: 12 })),
    fc.integer({ min: 0, max: 8 }),
  ])('matches the independent formatter whenever the size survives rounding', ([m, scale], szDecimals) => {
    const size = new Decimal(m.toString()).div(new Decimal(10).pow(scale));
    let theirs: string | undefined;
    try {
      theirs = nkFormatSize(size.toFixed(), szDecimals);
    } catch {
      theirs = undefined;
    }
    if (theirs === undefined) expect(() => formatSize(size, szDecimals, { round: true })).toThrow();
    else expect(formatSize(size, szDecimals, { round: true })).toBe(theirs);
  });
});

describe('toWireDecimal', () => {
  it('writes canonical strings without exponent or trailing zeros', () => {
    expect(toWireDecimal('1e-8')).toBe('0.00000001');
    expect(toWireDecimal('1.50')).toBe('1.5');
    expect(toWireDecimal('-0')).toBe('0');
    expect(toWireDecimal('123123123123e8')).toBe('12312312312300000000');
  });
});
