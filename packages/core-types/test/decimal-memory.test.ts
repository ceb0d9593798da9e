import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/decimal-memory-probe.mjs', import.meta.url));
const ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('the memory of a Decimal that toDecimal copies', () => {
  it('is that of decimal.js’s own copy: exactly its digits, no room for more', () => {
    // In a process of its own, with full GCs, so the figures are the heap's and nothing else's.
    const out = execFileSync(process.execPath, ['--expose-gc', PROBE, ENTRY], { encoding: 'utf8' });
    const { bytesPerDecimal, decimalJsCopy } = JSON.parse(out) as {
      bytesPerDecimal: number;
      decimalJsCopy: number;
    };
    // A copy whose digit array was built by push kept room for 16 more words: 240 bytes against 120.
    expect(bytesPerDecimal).toBeLessThan(decimalJsCopy * 1.25);
  });
});
