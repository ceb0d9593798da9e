// The internal modules the check and state tests drive directly, in one place: they are not public API
// (that is src/index.ts), and tests in subfolders reach them through here.
export { checkAccountEquity, checkAccountState } from '../src/checks/account.js';
export { checkClientOrderId } from '../src/checks/client-order-id.js';
export { type CheckContext, CheckMemo, type HoldsView, type PositionsView } from '../src/checks/context.js';
export { checkDailyLoss } from '../src/checks/daily-loss.js';
export { checkExposure, checkPositionPrices } from '../src/checks/exposure.js';
export { checkOrderSize, valuationPrice } from '../src/checks/order-size.js';
export { runChecks } from '../src/checks/pipeline.js';
export { checkOpenOrders, checkPositionCount, checkPositionSize } from '../src/checks/position-limit.js';
export {
  checkMarketPrice,
  checkPriceDeviation,
  checkReferencePrices,
  checkSlippage,
} from '../src/checks/price-sanity.js';
export { checkRateLimits } from '../src/checks/rate-limit.js';
export { checkReduceOnly } from '../src/checks/reduce-only.js';
export { checkAuditAvailable, checkCircuitBreaker, checkTradingState } from '../src/checks/trading-state.js';
export { RiskConfig, type RiskConfigInput } from '../src/index.js';
export { PositionBook } from '../src/position-book.js';
export { recoveredState, replayRiskLog } from '../src/recovery.js';
export { type ReferenceKind, ReferencePriceBook } from '../src/reference-prices.js';
export { type Reservation, ReservationLedger } from '../src/reservations.js';
export { EquityEstimate } from '../src/state/equity.js';
export { RateWindows } from '../src/state/rate-windows.js';
export { TradingDay } from '../src/state/trading-day.js';
