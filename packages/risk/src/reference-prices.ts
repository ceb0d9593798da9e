import type { Decimal } from '@hl-bot/core-types';

/** The venue's reference prices that price sanity holds an order against besides the mid. */
export type ReferenceKind = 'venueMark' | 'oracle';

/** One reference price and when it was read. */
export interface ReferencePoint {
  readonly price: Decimal;
  readonly timestamp: number;
}

/** What the venue last reported for a symbol (either may be absent until it is reported). */
export interface SymbolReferences {
  readonly venueMark: ReferencePoint | undefined;
  readonly oracle: ReferencePoint | undefined;
}

/**
 * The venue's mark and oracle prices per symbol (Hyperliquid's `markPx` and `oraclePx`), next to the mids
 * the position book holds. A venue refuses orders far from its own reference price; holding every order to
 * our band around each of them as well keeps our band at least as tight as the venue's, even when the mid
 * runs away from the mark or the oracle (a thin book, a HIP-3 market).
 *
 * A symbol is *expected* once the caller said the venue streams its references: then a missing one fails
 * closed like a missing mid. For any other symbol a reference counts once it has been reported (and then it
 * must stay fresh).
 */
export class ReferencePriceBook {
  private readonly refs = new Map<string, SymbolReferences>();
  private readonly expectedSymbols = new Set<string>();

  /** Applies the newer of each price; returns whether anything changed. */
  set(symbol: string, kind: ReferenceKind, price: Decimal, timestamp: number): boolean {
    const held = this.refs.get(symbol);
    const current = held?.[kind];
    if (current !== undefined && current.timestamp > timestamp) return false;
    const point: ReferencePoint = { price, timestamp };
    this.refs.set(symbol, {
      venueMark: kind === 'venueMark' ? point : held?.venueMark,
      oracle: kind === 'oracle' ? point : held?.oracle,
    });
    return true;
  }

  get(symbol: string): SymbolReferences | undefined {
    return this.refs.get(symbol);
  }

  expect(symbol: string): void {
    this.expectedSymbols.add(symbol);
  }

  expects(symbol: string): boolean {
    return this.expectedSymbols.has(symbol);
  }
}
