/**
 * Stable rejection codes of `RiskManager.checkOrder`. Callers branch on these strings, never on messages.
 * Every failure message reads `CODE: key=value ...` with the numbers behind it.
 */
export const RiskCode = {
  /** The order failed schema validation (missing price on a limit order, negative quantity, unknown field...). */
  INVALID_ORDER: 'INVALID_ORDER',
  /** No account state: no `initialBalance`, or a restart that has not seen a fresh `updateAccount` yet. */
  ACCOUNT_STATE_MISSING: 'ACCOUNT_STATE_MISSING',
  /** Account equity is zero or negative, so no percentage limit can be computed. */
  ACCOUNT_EQUITY_NON_POSITIVE: 'ACCOUNT_EQUITY_NON_POSITIVE',
  /** No market price was ever given for the order's symbol. */
  MARKET_PRICE_MISSING: 'MARKET_PRICE_MISSING',
  /** The market price of the order's symbol is older than `maxMarketPriceAgeMs`. */
  MARKET_PRICE_STALE: 'MARKET_PRICE_STALE',
  /** An open position on another symbol has no mark or a stale one, so exposure and loss are unknown. */
  POSITION_PRICE_UNAVAILABLE: 'POSITION_PRICE_UNAVAILABLE',
  /** The circuit breaker is tripped: trading state HALTED, every new order is rejected. */
  CIRCUIT_BREAKER_TRIPPED: 'CIRCUIT_BREAKER_TRIPPED',
  /** Trading state REDUCING: only orders that strictly reduce an open position pass. */
  TRADING_STATE_REDUCING: 'TRADING_STATE_REDUCING',
  /** A reduce-only order that would not strictly reduce the open position (flat, same side, or a flip). */
  REDUCE_ONLY_INVALID: 'REDUCE_ONLY_INVALID',
  /** Order notional above `maxOrderNotional`. */
  ORDER_NOTIONAL_EXCEEDED: 'ORDER_NOTIONAL_EXCEEDED',
  /** Order notional above `maxOrderNotionalPercent` of equity. */
  ORDER_NOTIONAL_PERCENT_EXCEEDED: 'ORDER_NOTIONAL_PERCENT_EXCEEDED',
  /** Resulting position (with working orders) above `maxPositionSizeUsd`. */
  POSITION_SIZE_EXCEEDED: 'POSITION_SIZE_EXCEEDED',
  /** Resulting position (with working orders) above `maxPositionSizePercent` of equity. */
  POSITION_SIZE_PERCENT_EXCEEDED: 'POSITION_SIZE_PERCENT_EXCEEDED',
  /** Opening a new symbol would exceed `maxPositions` (open positions plus reserved new positions). */
  MAX_POSITIONS_EXCEEDED: 'MAX_POSITIONS_EXCEEDED',
  /** Reserved plus working orders already at `maxOpenOrders`. */
  MAX_OPEN_ORDERS_EXCEEDED: 'MAX_OPEN_ORDERS_EXCEEDED',
  /** Today's loss (realized + unrealized vs day-start equity) reached `maxDailyLoss`. */
  DAILY_LOSS_EXCEEDED: 'DAILY_LOSS_EXCEEDED',
  /** Today's loss reached `maxDailyLossPercent` of day-start equity. */
  DAILY_LOSS_PERCENT_EXCEEDED: 'DAILY_LOSS_PERCENT_EXCEEDED',
  /** Equity fell from today's peak by `maxDrawdownPercent` or more. */
  DRAWDOWN_EXCEEDED: 'DRAWDOWN_EXCEEDED',
  /** Total exposure (positions + working opening orders + this order) above `maxTotalExposure`. */
  EXPOSURE_EXCEEDED: 'EXPOSURE_EXCEEDED',
  /** Total exposure above `maxExposurePercent` of equity. */
  EXPOSURE_PERCENT_EXCEEDED: 'EXPOSURE_PERCENT_EXCEEDED',
  /** Total exposure divided by equity above `maxLeverage`. */
  LEVERAGE_EXCEEDED: 'LEVERAGE_EXCEEDED',
  /**
   * Limit or trigger price further than `maxPriceDeviation` from the mark (fat finger), or any order's price
   * (a market order's protective one included) that far from the venue's mark or oracle price.
   */
  PRICE_DEVIATION_EXCEEDED: 'PRICE_DEVIATION_EXCEEDED',
  /**
   * The venue streams a mark and an oracle price for the order's symbol (the caller said so with
   * `expectReferencePrices`) and one of them was never reported.
   */
  REFERENCE_PRICE_MISSING: 'REFERENCE_PRICE_MISSING',
  /** The venue's mark or oracle price of the order's symbol is older than `maxMarketPriceAgeMs`. */
  REFERENCE_PRICE_STALE: 'REFERENCE_PRICE_STALE',
  /** A market order's protective price is further than `maxSlippagePercent` from the mark. */
  SLIPPAGE_EXCEEDED: 'SLIPPAGE_EXCEEDED',
  /** More than `maxOrdersPerMinute` approvals for this symbol in the last 60 s (sliding window). */
  SYMBOL_RATE_LIMIT_EXCEEDED: 'SYMBOL_RATE_LIMIT_EXCEEDED',
  /** More than `maxOrdersPerSecond` approvals across all symbols in the last 1 s (sliding window). */
  GLOBAL_RATE_LIMIT_EXCEEDED: 'GLOBAL_RATE_LIMIT_EXCEEDED',
  /** The `clientOrderId` is already held by a reserved or working order. */
  DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  /** A durable audit write failed earlier; nothing is approved until the process is restarted and recovered. */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /** The account's shared risk budget has no room for this opening order (exposure, positions, order rate, loss share, or the account is HALTED/REDUCING); `budget` names the budget's code. */
  SHARED_BUDGET_EXCEEDED: 'SHARED_BUDGET_EXCEEDED',
  /** The shared risk budget is unreachable (or its lease lapsed): no opening orders; reduce-only orders still pass. */
  SHARED_BUDGET_UNAVAILABLE: 'SHARED_BUDGET_UNAVAILABLE',
  /** A check threw. The order is rejected; the message names the check and the error. */
  CHECK_FAILED: 'CHECK_FAILED',
} as const;
export type RiskCode = (typeof RiskCode)[keyof typeof RiskCode];
