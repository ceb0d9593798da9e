export { BUILT_IN_STRATEGIES, type StrategyOptions } from './built-in.js';
export { MovingAverage, quantityFor, roundPrice } from './indicators.js';
export { loadStrategy } from './load-strategy.js';
export { type MeanReversionOptions, meanReversion } from './mean-reversion.js';
export { type RiskShowcaseOptions, riskShowcase } from './risk-showcase.js';
export { type TrendFollowerOptions, trendFollower } from './trend-follower.js';
