import type { EngineObserver } from '@hl-bot/engine';
import { positionStatus, riskStateStatus } from '../operator-output.js';
import type { BotCore } from './bot-core.js';
import { errorText } from './bot-core.js';
import type { KillSwitch } from './kill-switch.js';
import type { ReconcileReport, Reconciler } from './reconciler.js';
import type { StrategyRouter } from './strategy-router.js';
import {
  type StrategyStatus,
  strategyStatuses,
  totalExposure,
  updateStrategyGauges,
} from './strategy-status.js';

export interface BotStatus {
  pid: number;
  network: string;
  /** False until recovery, backfill and the start-up reconciliation are done. */
  ready: boolean;
  /** True after a cancel failed (or while starting): orders may still be live at the venue. */
  ordersMayBeLive: boolean;
  tradingState: string;
  circuitBreakerTripped: boolean;
  circuitBreakerReason: string | null;
  cooldownUntil: number | null;
  dailyPnl: string;
  realizedPnl: string;
  unrealizedPnl: string;
  positions: Array<{
    symbol: string;
    side: string;
    quantity: string;
    entryPrice: string;
    unrealizedPnl: string;
  }>;
  openOrders: number;
  /** Gross exposure of every position (whichever strategy, or none, trades it), USD. */
  exposure: string;
  /** Each strategy's part; the fields above are the account's totals. */
  strategies: StrategyStatus[];
  lastReconciliation: ReconcileReport | null;
}

/** What the engine did, as metrics and log lines. */
export function engineObserver(core: BotCore, reconciler: Reconciler): EngineObserver {
  const { metrics, logger } = core;
  return {
    onRejected: (order, result) => {
      metrics.inc('hl_bot_risk_rejections_total', 'Orders rejected before reaching the venue', {
        code: result.code,
      });
      logger.warn(
        { symbol: order.symbol, code: result.code, reason: result.reason },
        'order rejected by risk',
      );
    },
    onSubmitted: (r) => {
      metrics.inc('hl_bot_orders_submitted_total', 'Orders accepted by the venue');
      metrics.inc(
        'hl_bot_order_latency_seconds_sum',
        'Total time from send to venue ack',
        {},
        r.latencyMs / 1000,
      );
      metrics.inc('hl_bot_order_latency_seconds_count', 'Acknowledged orders timed');
      metrics.set(
        'hl_bot_order_latency_last_seconds',
        'Latency of the last acknowledged order',
        r.latencyMs / 1000,
      );
      logger.info({ clientOrderId: r.clientOrderId, status: r.ack.status }, 'order submitted');
    },
    onFailed: (r) => {
      metrics.inc('hl_bot_orders_failed_total', 'Orders the venue refused or that failed', { code: r.code });
      logger.error({ clientOrderId: r.clientOrderId, code: r.code, reason: r.reason }, 'order failed');
    },
    onFill: (fill) => {
      reconciler.rememberFill(fill);
      metrics.inc('hl_bot_fills_total', 'Fills applied to positions');
      logger.info(
        { id: fill.id, symbol: fill.symbol, side: fill.side, qty: fill.quantity.toString() },
        'fill',
      );
    },
    onHalt: (reason, cancelled) =>
      logger.error({ reason, cancelled }, 'circuit breaker tripped: orders cancelled'),
    onPipelineError: (error) => logger.error({ err: errorText(error) }, 'pipeline failure: trading halted'),
  };
}

/** Counts a stream error (each is followed by a reconnect). */
export function streamErrorObserver(core: BotCore): (error: unknown) => void {
  return (error) => {
    core.metrics.inc(
      'hl_bot_stream_errors_total',
      'WebSocket and backfill errors (each followed by a reconnect)',
    );
    core.logger.warn({ err: errorText(error) }, 'stream error');
  };
}

/** `GET /health`: 503 until ready, 503 while orders may be live, else 200 (`halted` when the breaker is tripped). */
export function health(core: BotCore): { code: number; body: Record<string, unknown> } {
  const { risk, engine } = core;
  // Not ready (503) until recovery and reconciliation are done; degraded (503) while orders may be live.
  if (!core.ready || risk === undefined || engine === undefined)
    return { code: 503, body: { status: 'starting', ready: false } };
  const s = risk.state;
  if (engine.ordersMayBeLive)
    return {
      code: 503,
      body: { status: 'degraded', ready: true, ordersMayBeLive: true, tradingState: s.tradingState },
    };
  return {
    code: 200,
    body: { status: s.circuitBreakerTripped ? 'halted' : 'ok', ready: true, tradingState: s.tradingState },
  };
}

/** `GET /status` and `hl-bot status`: the running bot's state; before the parts exist, STARTING (or HALTED by a kill). */
export function botStatus(
  core: BotCore,
  kill: KillSwitch,
  reconciler: Reconciler,
  router: StrategyRouter | undefined,
): BotStatus {
  const { risk, engine, tracker, config } = core;
  if (risk === undefined || engine === undefined) {
    const pending = kill.pending;
    return {
      pid: process.pid,
      network: config.network,
      ready: false,
      ordersMayBeLive: true,
      tradingState: pending === undefined ? 'STARTING' : 'HALTED',
      circuitBreakerTripped: pending !== undefined,
      circuitBreakerReason: pending ?? null,
      cooldownUntil: null,
      dailyPnl: '0',
      realizedPnl: '0',
      unrealizedPnl: '0',
      positions: [],
      openOrders: 0,
      exposure: '0',
      strategies: strategyStatuses(core, undefined),
      lastReconciliation: null,
    };
  }
  return {
    pid: process.pid,
    network: config.network,
    ready: core.ready,
    ordersMayBeLive: engine.ordersMayBeLive,
    ...riskStateStatus(risk.state),
    realizedPnl: tracker.getTotalNetRealizedPnl().toString(),
    unrealizedPnl: tracker.getTotalUnrealizedPnl().toString(),
    positions: tracker
      .getAllPositions()
      .map((p) => ({ ...positionStatus(p), unrealizedPnl: p.unrealizedPnl.toString() })),
    openOrders: engine.workingOrders().length,
    exposure: totalExposure(core).toString(),
    strategies: strategyStatuses(core, router),
    lastReconciliation: reconciler.lastReport,
  };
}

/** `GET /metrics`: the gauges of the current state, set just before the registry is rendered. */
export function updateGauges(core: BotCore, router: StrategyRouter | undefined): void {
  const { metrics, tracker, engine, client } = core;
  const s = core.risk.state;
  metrics.set('hl_bot_up', 'The bot is running', 1);
  metrics.set(
    'hl_bot_circuit_breaker_tripped',
    'Circuit breaker state (1 = tripped)',
    s.circuitBreakerTripped ? 1 : 0,
  );
  metrics.reset('hl_bot_trading_state');
  for (const state of ['ACTIVE', 'REDUCING', 'HALTED']) {
    metrics.set(
      'hl_bot_trading_state',
      'Trading state (1 for the current one)',
      s.tradingState === state ? 1 : 0,
      {
        state,
      },
    );
  }
  metrics.set(
    'hl_bot_daily_pnl',
    'Daily P&L (realized + unrealized) against day-start equity',
    Number(s.dailyPnl.toString()),
  );
  metrics.set(
    'hl_bot_unrealized_pnl',
    'Unrealized P&L of open positions',
    Number(tracker.getTotalUnrealizedPnl().toString()),
  );
  metrics.set('hl_bot_realized_pnl', 'Net realized P&L', Number(tracker.getTotalNetRealizedPnl().toString()));
  metrics.set('hl_bot_open_positions', 'Open positions', tracker.getAllPositions().length);
  metrics.reset('hl_bot_position_quantity');
  for (const p of tracker.getAllPositions()) {
    metrics.set('hl_bot_position_quantity', 'Signed position size', Number(p.signedQuantity.toString()), {
      symbol: p.symbol,
    });
  }
  metrics.set('hl_bot_open_orders', 'Working orders sent by the bot', engine.workingOrders().length);
  metrics.set('hl_bot_ws_reconnects_total', 'WebSocket reconnections since start', client.streamReconnects);
  updateStrategyGauges(core, router);
}
