import { Decimal } from '@hl-bot/core-types';
import type { Bar, Strategy, StrategyContext } from '@hl-bot/engine';
import { MovingAverage, quantityFor, roundPrice } from './indicators.js';

export interface MeanReversionOptions {
  length?: number;
  /** Band width in standard deviations. */
  width?: Decimal;
  notional?: Decimal;
  sizeDecimals?: (symbol: string) => number;
  /** Bars after which an unfilled entry order is cancelled and re-quoted. */
  requoteBars?: number;
}

/**
 * Bollinger-band mean reversion with resting limit orders: when flat it bids at the lower band and offers
 * at the upper band; once filled it rests a reduce-only take-profit at the moving average. Stale quotes are
 * cancelled and re-placed every `requoteBars` bars, so it exercises maker fills and cancels.
 */
export function meanReversion(options: MeanReversionOptions = {}): Strategy {
  const length = options.length ?? 30;
  const width = options.width ?? new Decimal(2);
  const notional = options.notional ?? new Decimal(700);
  const decimals = options.sizeDecimals ?? (() => 4);
  const requote = options.requoteBars ?? 10;
  const state = new Map<string, { ma: MovingAverage; barsSinceQuote: number }>();

  return {
    name: 'mean-reversion',
    async onBar(bar: Bar, ctx: StrategyContext) {
      let s = state.get(bar.symbol);
      if (s === undefined) {
        s = { ma: new MovingAverage(length), barsSinceQuote: requote };
        state.set(bar.symbol, s);
      }
      s.ma.push(bar.close);
      if (!s.ma.ready) return;
      s.barsSinceQuote += 1;
      if (s.barsSinceQuote < requote) return;
      s.barsSinceQuote = 0;
      await ctx.cancelAllOrders({ symbol: bar.symbol });
      const mid = s.ma.value;
      const band = s.ma.stdDev().times(width);
      if (band.isZero()) return;
      const position = ctx.getPosition(bar.symbol);
      if (position === undefined) {
        const bid = roundPrice(mid.minus(band), 'down');
        const ask = roundPrice(mid.plus(band), 'up');
        if (bid.gt(0)) {
          await ctx.submitOrder({
            symbol: bar.symbol,
            side: 'buy',
            orderType: 'limit',
            price: bid,
            quantity: quantityFor(notional, bid, decimals(bar.symbol)),
            timeInForce: 'post-only',
          });
        }
        await ctx.submitOrder({
          symbol: bar.symbol,
          side: 'sell',
          orderType: 'limit',
          price: ask,
          quantity: quantityFor(notional, ask, decimals(bar.symbol)),
          timeInForce: 'post-only',
        });
        return;
      }
      const exitSide = position.side === 'long' ? 'sell' : 'buy';
      await ctx.submitOrder({
        symbol: bar.symbol,
        side: exitSide,
        orderType: 'limit',
        price: roundPrice(mid, exitSide === 'sell' ? 'up' : 'down'),
        quantity: position.quantity,
        reduceOnly: true,
        timeInForce: 'GTC',
      });
    },
  };
}
