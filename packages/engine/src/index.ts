export { EngineError, EngineErrorCode } from './errors.js';
export { remainingOrder } from './remaining-order.js';
export {
  BUILT_IN_STRATEGIES,
  loadStrategy,
  type StrategyOptions,
} from './strategies/index.js';
export { MovingAverage, quantityFor, roundPrice } from './strategies/indicators.js';
export { type MeanReversionOptions, meanReversion } from './strategies/mean-reversion.js';
export { type RiskShowcaseOptions, riskShowcase } from './strategies/risk-showcase.js';
export { type TrendFollowerOptions, trendFollower } from './strategies/trend-follower.js';
export type { Bar, Strategy, StrategyContext, StrategyRiskView } from './strategy.js';
export type { FailedResult, RejectedResult, SubmitResult, SubmittedResult } from './submit-result.js';
export {
  type EngineObserver,
  type EngineStats,
  type OrderReconciliation,
  TradingEngine,
  type TradingEngineOptions,
} from './trading-engine.js';
