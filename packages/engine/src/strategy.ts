import type {
  AccountState,
  Decimal,
  Fill,
  OpenOrder,
  OrderRequestInput,
  PositionSnapshot,
  TradingState,
} from '@hl-bot/core-types';
import type { SubmitResult } from './submit-result.js';

/**
 * One OHLCV bar as strategies see it. Structural, so candles from any market data source fit.
 */
export interface Bar {
  readonly symbol: string;
  readonly openTime: number;
  readonly closeTime?: number | undefined;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

/** Which orders `cancelAllOrders` cancels and why: the same options as `Exchange.cancelAllOrders`. */
export interface CancelAllOptions {
  readonly symbol?: string | undefined;
  readonly reason?: string | undefined;
}

/** Read-only view of the risk state a strategy may base decisions on. */
export interface StrategyRiskView {
  readonly tradingState: TradingState;
  readonly circuitBreakerTripped: boolean;
  readonly dailyPnl: Decimal;
}

/**
 * Everything a strategy can do. It never sees the exchange: every order goes through `submitOrder`, which
 * runs the risk checks first. The same context shape is given in paper and live trading.
 */
export interface StrategyContext {
  /** Current time of the engine's clock (ms). */
  now(): number;
  /** Risk check, then the exchange. Never throws for a rejected or failed order: inspect the result. */
  submitOrder(order: OrderRequestInput): Promise<SubmitResult>;
  cancelOrder(symbol: string, orderId: string): Promise<boolean>;
  /** Cancels every open order, of one symbol when given (a bare symbol string is the older form). */
  cancelAllOrders(opts?: CancelAllOptions | string): Promise<number>;
  /** The open position of a symbol, if any. */
  getPosition(symbol: string): PositionSnapshot | undefined;
  getPositions(): PositionSnapshot[];
  /** Orders the engine sent that are still working. */
  getOpenOrders(symbol?: string): OpenOrder[];
  /** Latest account state, undefined before the first update. */
  getAccount(): AccountState | undefined;
  /** Latest known market price of a symbol. */
  getMarketPrice(symbol: string): Decimal | undefined;
  getRiskState(): StrategyRiskView;
}

/**
 * A trading strategy. All hooks are optional and may be async; the engine awaits each before the next
 * event, so a strategy never sees two events at once.
 */
export interface Strategy {
  readonly name: string;
  onStart?(ctx: StrategyContext): void | Promise<void>;
  onBar?(bar: Bar, ctx: StrategyContext): void | Promise<void>;
  onFill?(fill: Fill, ctx: StrategyContext): void | Promise<void>;
  onStop?(ctx: StrategyContext): void | Promise<void>;
}
