import { type OrderRequestInput, type PositionSnapshot, toDecimal } from '@hl-bot/core-types';
import type { Bar, StrategyContext, SubmitResult } from '@hl-bot/engine';

/**
 * The strategy port as the engine gives it, recording what a strategy asks for. Positions are set by the
 * test, so each case states the book the strategy sees.
 */
export function recordingContext(): {
  ctx: StrategyContext;
  orders: OrderRequestInput[];
  cancels: Array<string | undefined>;
  setPosition(p: PositionSnapshot | undefined): void;
} {
  const orders: OrderRequestInput[] = [];
  const cancels: Array<string | undefined> = [];
  let position: PositionSnapshot | undefined;
  const ctx: StrategyContext = {
    now: () => 0,
    async submitOrder(order): Promise<SubmitResult> {
      orders.push(order);
      // Strategies never branch on the outcome today; a rejection is the answer that must not break them.
      return { status: 'rejected', code: 'RECORDED', reason: 'recorded by the test', failures: [] };
    },
    async cancelOrder() {
      return true;
    },
    async cancelAllOrders(opts) {
      cancels.push(typeof opts === 'string' ? opts : opts?.symbol);
      return 0;
    },
    getPosition: (symbol) => (position?.symbol === symbol ? position : undefined),
    getPositions: () => (position === undefined ? [] : [position]),
    getOpenOrders: () => [],
    getAccount: () => undefined,
    getMarketPrice: () => undefined,
    getRiskState: () => ({ tradingState: 'ACTIVE', circuitBreakerTripped: false, dailyPnl: toDecimal(0) }),
  };
  return { ctx, orders, cancels, setPosition: (p) => (position = p) };
}

export function bar(symbol: string, close: number | string, openTime = 0): Bar {
  const c = toDecimal(close);
  return { symbol, openTime, open: c, high: c, low: c, close: c, volume: toDecimal(1) };
}
