import type { PositionSnapshot } from '@hl-bot/core-types';
import type { EngineCore } from './engine-core.js';
import type { StrategyContext, StrategyRiskView } from './strategy.js';

/** What a strategy may do: the engine's own order path, and read-only views. */
export interface ContextActions {
  submitOrder: StrategyContext['submitOrder'];
  cancelOrder: StrategyContext['cancelOrder'];
  cancelAllOrders: StrategyContext['cancelAllOrders'];
  getOpenOrders: StrategyContext['getOpenOrders'];
}

/** What a strategy gets: orders go through risk; the exchange itself is never exposed. */
export function makeStrategyContext(core: () => EngineCore, actions: ContextActions): StrategyContext {
  return {
    now: () => core().clock.now(),
    submitOrder: actions.submitOrder,
    cancelOrder: actions.cancelOrder,
    cancelAllOrders: actions.cancelAllOrders,
    getPosition: (symbol): PositionSnapshot | undefined => core().tracker.getPosition(symbol)?.toPosition(),
    getPositions: () =>
      core()
        .tracker.getAllPositions()
        .map((p) => p.toPosition()),
    getOpenOrders: actions.getOpenOrders,
    getAccount: () => core().account,
    // The mark risk checks orders against, not a copy of it.
    getMarketPrice: (symbol) => core().risk.getMark(symbol)?.price,
    getRiskState: (): StrategyRiskView => {
      const s = core().risk.state;
      return {
        tradingState: s.tradingState,
        circuitBreakerTripped: s.circuitBreakerTripped,
        dailyPnl: s.dailyPnl,
      };
    },
  };
}
