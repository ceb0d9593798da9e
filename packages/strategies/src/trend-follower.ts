import { Decimal } from '@hl-bot/core-types';
import type { Bar, Strategy, StrategyContext } from '@hl-bot/engine';
import { MovingAverage, quantityFor } from './indicators.js';

export interface TrendFollowerOptions {
  fast?: number;
  slow?: number;
  /** Notional of each position in quote currency. */
  notional?: Decimal;
  /** Decimals of an order size per symbol (the venue's szDecimals). Default 4. */
  sizeDecimals?: (symbol: string) => number;
}

/**
 * Moving-average crossover: long when the fast average crosses above the slow one, short when it crosses
 * below. Exits are reduce-only market orders, so they pass risk even when it only allows reducing.
 */
export function trendFollower(options: TrendFollowerOptions = {}): Strategy & { readonly kind: 'trend' } {
  const fastLength = options.fast ?? 12;
  const slowLength = options.slow ?? 48;
  const notional = options.notional ?? new Decimal(800);
  const decimals = options.sizeDecimals ?? (() => 4);
  const state = new Map<string, { fast: MovingAverage; slow: MovingAverage; lastSign: number }>();

  return {
    name: 'trend',
    kind: 'trend',
    async onBar(bar: Bar, ctx: StrategyContext) {
      let s = state.get(bar.symbol);
      if (s === undefined) {
        s = { fast: new MovingAverage(fastLength), slow: new MovingAverage(slowLength), lastSign: 0 };
        state.set(bar.symbol, s);
      }
      s.fast.push(bar.close);
      s.slow.push(bar.close);
      if (!s.slow.ready) return;
      const sign = s.fast.compare(s.slow);
      if (sign === 0 || sign === s.lastSign) return;
      const first = s.lastSign === 0;
      s.lastSign = sign;
      if (first) return; // wait for a real crossover, not the first reading
      const position = ctx.getPosition(bar.symbol);
      if (position !== undefined) {
        await ctx.submitOrder({
          symbol: bar.symbol,
          side: position.side === 'long' ? 'sell' : 'buy',
          orderType: 'market',
          quantity: position.quantity,
          reduceOnly: true,
        });
      }
      const quantity = quantityFor(notional, bar.close, decimals(bar.symbol));
      if (quantity.lte(0)) return;
      await ctx.submitOrder({
        symbol: bar.symbol,
        side: sign > 0 ? 'buy' : 'sell',
        orderType: 'market',
        quantity,
      });
    },
  };
}
