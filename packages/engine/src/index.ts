export { EngineError, EngineErrorCode } from './errors.js';
export { remainingOrder } from './remaining-order.js';
export type { Bar, CancelAllOptions, Strategy, StrategyContext, StrategyRiskView } from './strategy.js';
export type { FailedResult, RejectedResult, SubmitResult, SubmittedResult } from './submit-result.js';
export {
  type EngineObserver,
  type EngineStats,
  type OrderReconciliation,
  TradingEngine,
  type TradingEngineOptions,
} from './trading-engine.js';
