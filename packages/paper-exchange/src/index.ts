export { Candle, type CandleInput, candleProblem, type MarketDataSource } from './candle.js';
export { type CsvCandlesOptions, csvCandles } from './csv-candles.js';
export { MarketDataError, PaperExchangeError } from './errors.js';
export {
  type HyperliquidCandlesOptions,
  HyperliquidCandleWire,
  hyperliquidCandles,
} from './hyperliquid-candles.js';
export {
  HYPERLIQUID_PERPS,
  InstrumentConfig,
  type InstrumentConfigInput,
  priceDecimals,
} from './instruments.js';
export { intervalMs } from './interval.js';
export {
  HYPERLIQUID_BASE_FEES,
  HYPERLIQUID_BASELINE_FUNDING_RATE,
  isLiquidationFill,
  type LiquidationEvent,
  PaperExchange,
  type PaperExchangeOptions,
} from './paper-exchange.js';
export { createPrng, type Prng } from './prng.js';
export { type SyntheticMarketOptions, syntheticMarket } from './synthetic-market.js';
