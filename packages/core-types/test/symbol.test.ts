import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { isSymbol, SymbolSchema } from '../src/index.js';

const symbolChar = fc.constantFrom(...'ABCxyz019@:._/-'.split(''), ' ', '+', '\n', 'é', '#', '\u0000');

describe('the symbol rule', () => {
  it.each(['BTC-USD', 'PURR-USDC', '@107', 'xyz:XYZ100-USD', 'a', 'S'.repeat(64)])('accepts %s', (s) => {
    expect(isSymbol(s)).toBe(true);
  });

  it.each(['', 'BTC USD', ' BTC-USD', 'BTC-USD\n', 'S'.repeat(65), 'BTC+USD', 'Ü-USD'])('refuses %j', (s) => {
    expect(isSymbol(s)).toBe(false);
  });

  it.each([undefined, null, 1, {}, ['BTC-USD'], new String('BTC-USD')])('refuses a non-string %j', (v) => {
    expect(isSymbol(v)).toBe(false);
  });

  it.prop([fc.array(symbolChar, { maxLength: 70 }).map((cs) => cs.join(''))], { numRuns: 2000 })(
    'accepts exactly what SymbolSchema accepts',
    (s) => {
      expect(isSymbol(s)).toBe(SymbolSchema.safeParse(s).success);
    },
  );
});
