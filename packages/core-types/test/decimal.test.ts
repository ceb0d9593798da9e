import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, InvalidDecimalError, toDecimal } from '../src/index.js';

describe('toDecimal', () => {
  it('parses decimal strings exactly', () => {
    expect(toDecimal('0.1').plus(toDecimal('0.2')).toString()).toBe('0.3');
    expect(toDecimal('-1e-8').toString()).toBe('-0.00000001');
    expect(toDecimal('50000.123456789012345678').toString()).toBe('50000.123456789012345678');
  });

  it('converts numbers through their shortest round-trip string', () => {
    expect(toDecimal(0.1).toString()).toBe('0.1');
    expect(toDecimal(50000).toString()).toBe('50000');
  });

  it('accepts bigints and Decimals', () => {
    expect(toDecimal(12345678901234567890n).toString()).toBe('12345678901234567890');
    expect(toDecimal(new Decimal('1.5')).toString()).toBe('1.5');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['an empty string', ''],
    ['whitespace', ' 1'],
    ['a hex literal', '0x10'],
    ['a malformed string', '1.2.3'],
    ['the string NaN', 'NaN'],
    ['the string Infinity', 'Infinity'],
    ['an unsafe integer', 2 ** 53 + 2],
    ['null', null],
    ['an object', { value: 1 }],
    ['a Decimal NaN', new Decimal(Number.NaN)],
  ])('rejects %s with INVALID_DECIMAL', (_label, value) => {
    expect(() => toDecimal(value)).toThrow(InvalidDecimalError);
    try {
      toDecimal(value);
    } catch (error) {
      expect((error as InvalidDecimalError).code).toBe('INVALID_DECIMAL');
    }
  });

  it('names the field in the message when given one', () => {
    expect(() => toDecimal('abc', 'price')).toThrow(/^price: not a decimal number: "abc"$/);
  });

  it('never writes exponent notation, so wire strings stay plain', () => {
    expect(toDecimal('1e-20').toString()).toBe('0.00000000000000000001');
    expect(JSON.stringify({ p: toDecimal('1e25') })).toBe('{"p":"10000000000000000000000000"}');
  });

  it('round-trips every safe in-range number through a string without losing digits', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        fc.pre(!Number.isInteger(n) || Number.isSafeInteger(n));
        fc.pre(n === 0 || (Math.abs(n) >= 1e-60 && Math.abs(n) < 1e30));
        expect(Number(toDecimal(n).toString())).toBe(n === 0 ? 0 : n);
      }),
    );
  });
});
