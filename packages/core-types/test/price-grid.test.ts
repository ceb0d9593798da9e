import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  Decimal,
  fitsSizeDecimals,
  isOnPriceGrid,
  MAX_PRICE_SIG_FIGS,
  PERP_PRICE_DECIMALS,
  priceDecimals,
  priceGridProblem,
  priceTickAt,
  roundSizeDown,
  roundToPriceGrid,
  SPOT_PRICE_DECIMALS,
} from '../src/index.js';

// The copies these rules replaced, kept verbatim as oracles: the new functions must answer exactly as each
// caller did before (rounding direction included).
const old = {
  /** exchange-hyperliquid format.ts `isValidPrice` (szDecimals already range-checked). */
  clientIsValidPrice(price: Decimal, szDecimals: number, spot: boolean): boolean {
    if (!price.isFinite() || price.lte(0)) return false;
    if (price.isInteger()) return true;
    const maxDecimals = Math.max((spot ? 8 : 6) - szDecimals, 0);
    return price.sd(false) <= 5 && price.dp() <= maxDecimals;
  },
  /** exchange-hyperliquid format.ts `roundPrice`. */
  clientRoundPrice(d: Decimal, maxDecimals: number, mode: 0 | 1): Decimal {
    if (d.gte(100_000)) return d.toDecimalPlaces(0, mode);
    const magnitude = d.abs().e;
    const sigFigDecimals = Math.max(5 - 1 - magnitude, 0);
    let r = d.toDecimalPlaces(Math.min(maxDecimals, sigFigDecimals), mode);
    if (!r.isInteger() && r.sd(false) > 5) r = r.toDecimalPlaces(Math.max(5 - 1 - r.e, 0), mode);
    return r;
  },
  /** paper-exchange instruments.ts `checkPrice` without a tick size: which refusal, if any. */
  paperPriceProblem(
    price: Decimal,
    szDecimals: number,
    maxPriceDecimals: number | undefined,
    maxSig: number,
  ) {
    const maxDecimals = maxPriceDecimals ?? Math.max(0, 6 - szDecimals);
    if (price.decimalPlaces() > maxDecimals) return 'decimals';
    if (!price.isInteger() && price.precision(true) > maxSig) return 'significant-figures';
    return undefined;
  },
  /** hyperliquid-sim market.ts `tickAt`. */
  simTickAt(price: Decimal, szDecimals: number): Decimal {
    const decimals = Math.max(6 - szDecimals, 0);
    if (price.gte(100_000)) return new Decimal(1);
    const sigDecimals = Math.max(5 - 1 - price.e, 0);
    return new Decimal(10).pow(-Math.min(decimals, sigDecimals));
  },
};

/** Positive prices of every magnitude the venue lists, with up to 14 digits and up to 12 decimals. */
const price = fc
  .tuple(fc.bigInt({ min: 1n, max: 10n ** 14n }), fc.integer({ min: 0, max: 12 }))
  .map(([m, scale]) => new Decimal(m.toString()).div(new Decimal(10).pow(scale)));
const anyPrice = fc.oneof(
  price,
  price.map((p) => p.neg()),
  fc.constantFrom('0', '-0', 'NaN', 'Infinity', '-Infinity', '100000', '99999.5').map((t) => new Decimal(t)),
);
const szDecimals = fc.integer({ min: 0, max: 8 });

describe('Hyperliquid price grid', () => {
  it('has the documented budgets', () => {
    expect([MAX_PRICE_SIG_FIGS, PERP_PRICE_DECIMALS, SPOT_PRICE_DECIMALS]).toEqual([5, 6, 8]);
    expect(priceDecimals(2)).toBe(4);
    expect(priceDecimals(2, true)).toBe(6);
    expect(priceDecimals(7)).toBe(0);
    // The venue's own examples (docs: tick-and-lot-size).
    expect(isOnPriceGrid(new Decimal('1234.5'), 0)).toBe(true);
    expect(isOnPriceGrid(new Decimal('1234.56'), 0)).toBe(false);
    expect(isOnPriceGrid(new Decimal('0.001234'), 0)).toBe(true);
    expect(isOnPriceGrid(new Decimal('0.0012345'), 0)).toBe(false);
    expect(isOnPriceGrid(new Decimal('0.01234'), 1)).toBe(true);
    expect(isOnPriceGrid(new Decimal('0.012345'), 1)).toBe(false);
    expect(isOnPriceGrid(new Decimal('123456'), 5)).toBe(true);
    expect(isOnPriceGrid(new Decimal('0.0001234'), 1, true)).toBe(true);
    expect(isOnPriceGrid(new Decimal('0.0001234'), 3, true)).toBe(false);
  });

  it.prop([anyPrice, szDecimals, fc.boolean()], { numRuns: 3000 })(
    'isOnPriceGrid answers as the client did',
    (p, sz, spot) => {
      expect(isOnPriceGrid(p, sz, spot)).toBe(old.clientIsValidPrice(p, sz, spot));
    },
  );

  it.prop(
    [
      anyPrice,
      fc.integer({ min: 0, max: 12 }),
      fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
      fc.integer({ min: 1, max: 20 }),
    ],
    { numRuns: 3000 },
  )('priceGridProblem refuses as the paper exchange did, in the same order', (p, sz, maxDecimals, maxSig) => {
    if (!p.isFinite()) return; // the paper exchange only sees finite prices (zod)
    expect(priceGridProblem(p, maxDecimals ?? priceDecimals(sz), maxSig)).toBe(
      old.paperPriceProblem(p, sz, maxDecimals, maxSig),
    );
  });

  it.prop([price, szDecimals, fc.boolean(), fc.constantFrom('down' as const, 'up' as const)], {
    numRuns: 3000,
  })(
    'roundToPriceGrid rounds as the client did, onto the grid, on the asked side, within one tick',
    (p, sz, spot, direction) => {
      const maxDecimals = priceDecimals(sz, spot);
      const r = roundToPriceGrid(p, maxDecimals, direction);
      expect(r.eq(old.clientRoundPrice(p, maxDecimals, direction === 'down' ? 1 : 0))).toBe(true);
      if (direction === 'down') expect(r.lte(p)).toBe(true);
      else expect(r.gte(p)).toBe(true);
      if (r.gt(0)) expect(isOnPriceGrid(r, sz, spot)).toBe(true);
      if (isOnPriceGrid(p, sz, spot)) expect(r.eq(p)).toBe(true);
    },
  );

  it.prop([price, fc.integer({ min: 0, max: 6 })], { numRuns: 3000 })(
    'priceTickAt is the step hl-sim quoted, and a price plus one tick is on the grid',
    (p, sz) => {
      const tick = priceTickAt(p, priceDecimals(sz));
      expect(tick.eq(old.simTickAt(p, sz))).toBe(true);
      const onGrid = roundToPriceGrid(p, priceDecimals(sz), 'down');
      if (onGrid.gt(0) && onGrid.e === onGrid.plus(tick).e) {
        expect(isOnPriceGrid(onGrid.plus(priceTickAt(onGrid, priceDecimals(sz))), sz)).toBe(true);
      }
    },
  );

  it.prop([price, fc.integer({ min: 0, max: 12 })], { numRuns: 2000 })(
    'sizes: fitsSizeDecimals is the lot rule and roundSizeDown never rounds up',
    (size, sz) => {
      expect(fitsSizeDecimals(size, sz)).toBe(size.dp() <= sz);
      const down = roundSizeDown(size, sz);
      expect(down.eq(size.toDecimalPlaces(sz, Decimal.ROUND_DOWN))).toBe(true);
      expect(down.lte(size)).toBe(true);
      expect(fitsSizeDecimals(down, sz)).toBe(true);
      expect(size.minus(down).lt(new Decimal(10).pow(-sz))).toBe(true);
    },
  );
});
