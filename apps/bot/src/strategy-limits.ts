import type { Decimal, OrderRequest, RiskFailure } from '@hl-bot/core-types';
import type { StrategyRun } from './strategy-config.js';

/** Why the bot refused a strategy's order before the account's risk check; branch on these, not on text. */
export const StrategyRejectionCode = {
  /** The order's symbol is not one of the strategy's (another strategy's, or no strategy's). */
  SYMBOL_NOT_OWNED: 'STRATEGY_SYMBOL_NOT_OWNED',
  ORDER_NOTIONAL: 'STRATEGY_ORDER_NOTIONAL',
  POSITION_SIZE: 'STRATEGY_POSITION_SIZE',
  EXPOSURE: 'STRATEGY_EXPOSURE',
  /** A limit is set but no price is known to value the order or a position: fail closed. */
  NO_PRICE: 'STRATEGY_NO_PRICE',
} as const;
export type StrategyRejectionCode = (typeof StrategyRejectionCode)[keyof typeof StrategyRejectionCode];

/** What the strategy holds and has working in one of its symbols. */
export interface SymbolBook {
  /** Signed position: positive long, negative short. */
  position: Decimal;
  /** Remaining quantity of working buy orders that may add to the position (not reduce-only). */
  buying: Decimal;
  selling: Decimal;
  /** The price positions and working orders are valued at (the mark); undefined when none is known. */
  price: Decimal | undefined;
}

/** The books of the strategy's symbols, as the check reads them. */
export type StrategyBook = (symbol: string) => SymbolBook;

function fail(
  run: StrategyRun,
  code: StrategyRejectionCode,
  message: string,
  details: Record<string, string>,
): RiskFailure {
  return { code, message: `strategy ${run.name}: ${message}`, details: { strategy: run.name, ...details } };
}

/** The worst-case size of a symbol's position if every working order on one side fills. */
function worst(b: SymbolBook): Decimal {
  const up = b.position.plus(b.buying).abs();
  const down = b.position.minus(b.selling).abs();
  return up.gt(down) ? up : down;
}

/**
 * The strategy's own checks of one order, before the account's risk manager sees it: the symbol must be
 * the strategy's, then (unless the order is reduce-only, so exits stay possible) its limits. A size check
 * fails only when the order makes the worst case larger, so an order that reduces a position already over
 * its limit passes. Returns the first failure, or undefined. Synchronous: the caller reserves the order's
 * share in the same tick, so two orders sent together cannot both pass one limit.
 */
export function checkStrategyOrder(
  run: StrategyRun,
  owners: ReadonlyMap<string, readonly string[]>,
  book: StrategyBook,
  order: OrderRequest,
): RiskFailure | undefined {
  const { symbol } = order;
  if (!run.symbols.includes(symbol)) {
    const by = owners.get(symbol);
    return fail(
      run,
      StrategyRejectionCode.SYMBOL_NOT_OWNED,
      `may not trade ${symbol} (${by === undefined ? 'no strategy trades it' : `it belongs to ${by.join(', ')}`})`,
      { symbol, ...(by === undefined ? {} : { owner: by.join(',') }) },
    );
  }
  const { maxOrderNotional, maxPositionSizeUsd, maxTotalExposure } = run.limits;
  if (order.reduceOnly) return undefined;
  if (maxOrderNotional === undefined && maxPositionSizeUsd === undefined && maxTotalExposure === undefined)
    return undefined;
  const own = book(symbol);
  const price = order.price ?? own.price;
  if (price === undefined || own.price === undefined)
    return fail(run, StrategyRejectionCode.NO_PRICE, `no price known for ${symbol} to check its limits`, {
      symbol,
    });
  const notional = order.quantity.times(price);
  if (maxOrderNotional !== undefined && notional.gt(maxOrderNotional))
    return fail(
      run,
      StrategyRejectionCode.ORDER_NOTIONAL,
      `order notional ${notional} > limit ${maxOrderNotional}`,
      {
        symbol,
        notional: notional.toString(),
        limit: maxOrderNotional.toString(),
      },
    );
  const after: SymbolBook =
    order.side === 'buy'
      ? { ...own, buying: own.buying.plus(order.quantity) }
      : { ...own, selling: own.selling.plus(order.quantity) };
  const before = worst(own);
  const grows = worst(after).gt(before);
  const size = worst(after).times(own.price);
  if (maxPositionSizeUsd !== undefined && grows && size.gt(maxPositionSizeUsd))
    return fail(
      run,
      StrategyRejectionCode.POSITION_SIZE,
      `${symbol} position could reach ${size} > limit ${maxPositionSizeUsd}`,
      { symbol, size: size.toString(), limit: maxPositionSizeUsd.toString() },
    );
  if (maxTotalExposure !== undefined && grows) {
    let exposure = size;
    for (const other of run.symbols) {
      if (other === symbol) continue;
      const b = book(other);
      const w = worst(b);
      if (w.isZero()) continue;
      if (b.price === undefined)
        return fail(
          run,
          StrategyRejectionCode.NO_PRICE,
          `no price known for ${other} to value its exposure`,
          {
            symbol: other,
          },
        );
      exposure = exposure.plus(w.times(b.price));
    }
    if (exposure.gt(maxTotalExposure))
      return fail(
        run,
        StrategyRejectionCode.EXPOSURE,
        `exposure could reach ${exposure} > limit ${maxTotalExposure}`,
        {
          symbol,
          exposure: exposure.toString(),
          limit: maxTotalExposure.toString(),
        },
      );
  }
  return undefined;
}
