import { type Decimal, ZERO } from '@hl-bot/core-types';
import type { StrategyRun } from '../strategy-config.js';
import type { BotCore } from './bot-core.js';
import type { StrategyRouter } from './strategy-router.js';

/** One strategy in `status`: its symbols and what it holds there. The status's top-level fields are the account's totals. */
export interface StrategyStatus {
  name: string;
  strategy: string;
  symbols: string[];
  /** Open positions in its symbols (a shared symbol's position shows under each strategy sharing it). */
  positions: number;
  openOrders: number;
  /** Gross exposure of its positions, |quantity| x mark (the entry price before a mark), USD. */
  exposure: string;
  unrealizedPnl: string;
  ordersSubmitted: number;
  ordersRejected: number;
  ordersFailed: number;
}

function idle(run: StrategyRun): StrategyStatus {
  return {
    name: run.name,
    strategy: run.strategy,
    symbols: [...run.symbols],
    positions: 0,
    openOrders: 0,
    exposure: '0',
    unrealizedPnl: '0',
    ordersSubmitted: 0,
    ordersRejected: 0,
    ordersFailed: 0,
  };
}

/** |quantity| x mark of a symbol's position (the entry price before a mark), valued as the strategy limits value it. */
function positionValue(core: BotCore, symbol: string): Decimal {
  const p = core.tracker.getPosition(symbol);
  if (p === undefined) return ZERO;
  return p.quantity.times(core.engine.context.getMarketPrice(symbol) ?? p.entryPrice);
}

/** The account's gross exposure valued the same way: every position, whichever strategy (or none) trades it. */
export function totalExposure(core: BotCore): Decimal {
  let total = ZERO;
  for (const p of core.tracker.getAllPositions()) total = total.plus(positionValue(core, p.symbol));
  return total;
}

/** Each configured strategy's part of the account; all zero until the strategies run. */
export function strategyStatuses(core: BotCore, router: StrategyRouter | undefined): StrategyStatus[] {
  if (router === undefined || core.engine === undefined) return core.config.strategies.map(idle);
  return router.strategies.map(({ run, counts }) => {
    let positions = 0;
    let unrealized = ZERO;
    let openOrders = 0;
    let exposure = ZERO;
    for (const symbol of run.symbols) {
      const p = core.tracker.getPosition(symbol);
      if (p !== undefined) {
        positions += 1;
        unrealized = unrealized.plus(p.unrealizedPnl);
        exposure = exposure.plus(positionValue(core, symbol));
      }
      openOrders += core.engine.workingOrders(symbol).length;
    }
    return {
      ...idle(run),
      positions,
      openOrders,
      exposure: exposure.toString(),
      unrealizedPnl: unrealized.toString(),
      ordersSubmitted: counts.submitted,
      ordersRejected: counts.rejected,
      ordersFailed: counts.failed,
    };
  });
}

/** The per-strategy gauges of `GET /metrics`, labelled `strategy`. */
export function updateStrategyGauges(core: BotCore, router: StrategyRouter | undefined): void {
  const { metrics } = core;
  for (const name of [
    'hl_bot_strategy_exposure',
    'hl_bot_strategy_unrealized_pnl',
    'hl_bot_strategy_open_positions',
    'hl_bot_strategy_open_orders',
  ])
    metrics.reset(name);
  if (core.engine !== undefined && core.tracker !== undefined)
    metrics.set(
      'hl_bot_exposure',
      'Gross exposure of every position, USD',
      Number(totalExposure(core).toString()),
    );
  for (const s of strategyStatuses(core, router)) {
    const labels = { strategy: s.name };
    metrics.set(
      'hl_bot_strategy_exposure',
      'Gross exposure of the positions in the strategy’s symbols, USD',
      Number(s.exposure),
      labels,
    );
    metrics.set(
      'hl_bot_strategy_unrealized_pnl',
      'Unrealized P&L in the strategy’s symbols',
      Number(s.unrealizedPnl),
      labels,
    );
    metrics.set(
      'hl_bot_strategy_open_positions',
      'Open positions in the strategy’s symbols',
      s.positions,
      labels,
    );
    metrics.set(
      'hl_bot_strategy_open_orders',
      'Working orders in the strategy’s symbols',
      s.openOrders,
      labels,
    );
  }
}
