import { Decimal } from '@hl-bot/core-types';
import type { Bar, Strategy, StrategyContext } from '@hl-bot/engine';
import { quantityFor, roundPrice } from './indicators.js';
import { trendFollower } from './trend-follower.js';

export interface RiskShowcaseOptions {
  /** Every this many bars per symbol, send one bad order. */
  every?: number;
  sizeDecimals?: (symbol: string) => number;
}

/**
 * The trend follower, plus every `every` bars one order a buggy strategy might send: alternately an
 * oversized order (50x the usual notional) and a fat-finger limit 30% through the market. The risk layer
 * must reject each one; the report lists them by code.
 */
export function riskShowcase(options: RiskShowcaseOptions = {}): Strategy {
  const decimals = options.sizeDecimals ?? (() => 4);
  const inner = trendFollower({ sizeDecimals: decimals });
  const every = options.every ?? 500;
  const counts = new Map<string, number>();
  let bad = 0;

  return {
    name: 'showcase',
    async onBar(bar: Bar, ctx: StrategyContext) {
      await inner.onBar?.(bar, ctx);
      const n = (counts.get(bar.symbol) ?? 0) + 1;
      counts.set(bar.symbol, n);
      if (n % every !== 0) return;
      bad += 1;
      if (bad % 2 === 1) {
        await ctx.submitOrder({
          symbol: bar.symbol,
          side: 'buy',
          orderType: 'market',
          quantity: quantityFor(new Decimal(100_000), bar.close, decimals(bar.symbol)),
        });
      } else {
        const price = roundPrice(bar.close.times('1.3'), 'down');
        await ctx.submitOrder({
          symbol: bar.symbol,
          side: 'buy',
          orderType: 'limit',
          price,
          quantity: quantityFor(new Decimal(500), price, decimals(bar.symbol)),
        });
      }
    },
  };
}
