import { fc, test } from '@fast-check/vitest';
import { Decimal } from '@hl-bot/core-types';
import { describe, expect } from 'vitest';
import { isValidPrice, maxPriceDecimals } from '../src/format.js';

// The client's own copy of the tick rules, as it was before they moved to core-types: the oracle that the
// wrappers (with their szDecimals range check) still answer, or throw, exactly as before.
function checkSzDecimals(szDecimals: number): void {
  if (!Number.isInteger(szDecimals) || szDecimals < 0 || szDecimals > 8) {
    throw new RangeError(`szDecimals must be an integer in [0, 8], got ${szDecimals}`);
  }
}
function oldMaxPriceDecimals(szDecimals: number, spot: boolean): number {
  checkSzDecimals(szDecimals);
  return Math.max((spot ? 8 : 6) - szDecimals, 0);
}
function oldIsValidPrice(price: Decimal, szDecimals: number, spot: boolean): boolean {
  if (!price.isFinite() || price.lte(0)) return false;
  if (price.isInteger()) return true;
  return price.sd(false) <= 5 && price.dp() <= oldMaxPriceDecimals(szDecimals, spot);
}
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (error) {
    return error instanceof RangeError ? `RangeError: ${error.message}` : error;
  }
}

const price = fc.oneof(
  fc
    .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 14n }), fc.integer({ min: 0, max: 12 }))
    .map(([m, scale]) => new Decimal(m.toString()).div(new Decimal(10).pow(scale))),
  fc.constantFrom('0', 'NaN', 'Infinity').map((t) => new Decimal(t)),
);
// Valid and invalid szDecimals alike: the range check must throw in the same cases as before.
const szDecimals = fc.oneof(fc.integer({ min: -2, max: 10 }), fc.constantFrom(0.5, Number.NaN));

describe('isValidPrice and maxPriceDecimals over the core-types rules', () => {
  test.prop([price, szDecimals, fc.boolean()], { numRuns: 3000 })(
    'answer or throw exactly as the client did',
    (p, sz, spot) => {
      expect(outcome(() => isValidPrice(p, sz, spot))).toEqual(outcome(() => oldIsValidPrice(p, sz, spot)));
      expect(outcome(() => maxPriceDecimals(sz, spot))).toEqual(outcome(() => oldMaxPriceDecimals(sz, spot)));
    },
  );
});
