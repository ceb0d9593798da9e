import { type Decimal, ZERO } from '@hl-bot/core-types';
import type { PositionTracker } from '@hl-bot/positions';
import type { StrategyRun } from '../strategy-config.js';
import type { BotCore } from './bot-core.js';
import type { StrategyCounts, StrategyRouter } from './strategy-router.js';

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

/** What a strategy's part of the account is read from: the running bot's, or one rebuilt from its audit log. */
export interface StrategyStatusSource {
  readonly tracker: Pick<PositionTracker, 'getPosition' | 'getAllPositions'>;
  /** The latest mark of a symbol; undefined offline or before the first one (positions are then valued at entry). */
  markOf(symbol: string): Decimal | undefined;
  /** Working orders on a symbol. */
  openOrdersOf(symbol: string): number;
}

/** |quantity| x mark of a symbol's position (the entry price before a mark), valued as the strategy limits value it. */
function positionValue(source: StrategyStatusSource, symbol: string): Decimal {
  const p = source.tracker.getPosition(symbol);
  if (p === undefined) return ZERO;
  return p.quantity.times(source.markOf(symbol) ?? p.entryPrice);
}

function botSource(core: BotCore): StrategyStatusSource {
  const engine = core.engine;
  return {
    tracker: core.tracker,
    markOf: (symbol) => engine?.context.getMarketPrice(symbol),
    openOrdersOf: (symbol) => engine?.workingOrders(symbol).length ?? 0,
  };
}

/** The account's gross exposure valued the same way: every position, whichever strategy (or none) trades it. */
export function totalExposure(core: BotCore): Decimal {
  const source = botSource(core);
  let total = ZERO;
  for (const p of core.tracker.getAllPositions()) total = total.plus(positionValue(source, p.symbol));
  return total;
}

/**
 * Each strategy's positions, working orders and exposure in its symbols, read from `source`; the order
 * counts are the running bot's (`counts`, zero offline).
 */
export function strategyParts(
  runs: readonly StrategyRun[],
  source: StrategyStatusSource,
  countsOf: (name: string) => Readonly<StrategyCounts> | undefined = () => undefined,
): StrategyStatus[] {
  return runs.map((run) => {
    let positions = 0;
    let unrealized = ZERO;
    let openOrders = 0;
    let exposure = ZERO;
    for (const symbol of run.symbols) {
      const p = source.tracker.getPosition(symbol);
      if (p !== undefined) {
        positions += 1;
        unrealized = unrealized.plus(p.unrealizedPnl);
        exposure = exposure.plus(positionValue(source, symbol));
      }
      openOrders += source.openOrdersOf(symbol);
    }
    const counts = countsOf(run.name);
    return {
      ...idle(run),
      positions,
      openOrders,
      exposure: exposure.toString(),
      unrealizedPnl: unrealized.toString(),
      ordersSubmitted: counts?.submitted ?? 0,
      ordersRejected: counts?.rejected ?? 0,
      ordersFailed: counts?.failed ?? 0,
    };
  });
}

/**
 * Each strategy's part as its audit log says it, for `hl-bot status --config` while no bot runs: positions
 * valued at their entry prices (there are no marks offline); working orders and order counts are left out,
 * since only the venue and the running bot know them.
 */
export function offlineStrategyParts(
  runs: readonly StrategyRun[],
  tracker: StrategyStatusSource['tracker'],
): Array<Pick<StrategyStatus, 'name' | 'strategy' | 'symbols' | 'positions'> & { exposureAtEntry: string }> {
  return strategyParts(runs, { tracker, markOf: () => undefined, openOrdersOf: () => 0 }).map((s) => ({
    name: s.name,
    strategy: s.strategy,
    symbols: s.symbols,
    positions: s.positions,
    exposureAtEntry: s.exposure,
  }));
}

/** Each configured strategy's part of the account; all zero until the strategies run. */
export function strategyStatuses(core: BotCore, router: StrategyRouter | undefined): StrategyStatus[] {
  if (router === undefined || core.engine === undefined) return core.config.strategies.map(idle);
  const counts = new Map(router.strategies.map(({ run, counts }) => [run.name, counts]));
  return strategyParts(
    router.strategies.map(({ run }) => run),
    botSource(core),
    (name) => counts.get(name),
  );
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
