import {
  type Decimal,
  type Fill,
  OrderRequest,
  type OrderRequestInput,
  type RiskFailure,
  ZERO,
} from '@hl-bot/core-types';
import type { Bar, RejectedResult, Strategy, StrategyContext, SubmitResult } from '@hl-bot/engine';
import type { StrategyRun } from '../strategy-config.js';
import { checkStrategyOrder, type StrategyBook, type SymbolBook } from '../strategy-limits.js';
import type { BotCore } from './bot-core.js';
import { errorText } from './bot-core.js';

/** A loaded strategy with what the config says it may do. */
export interface RoutedStrategy {
  readonly run: StrategyRun;
  readonly strategy: Strategy;
}

/** What one strategy did since the bot started (counts live in memory, as the metrics do). */
export interface StrategyCounts {
  submitted: number;
  rejected: number;
  failed: number;
}

interface InFlight {
  symbol: string;
  side: 'buy' | 'sell';
  quantity: Decimal;
}

/** One strategy behind the router: its scoped context and the orders it is sending right now. */
class Lane {
  readonly inFlight = new Set<InFlight>();
  readonly counts: StrategyCounts = { submitted: 0, rejected: 0, failed: 0 };
  readonly symbols: ReadonlySet<string>;
  context!: StrategyContext;

  constructor(readonly routed: RoutedStrategy) {
    this.symbols = new Set(routed.run.symbols);
  }

  get name(): string {
    return this.routed.run.name;
  }
}

/**
 * Several strategies as the one strategy the engine runs. Bars and fills of a symbol go to the strategies
 * that trade it (in config order); each strategy gets its own context, which sends orders only in its own
 * symbols and checks its own limits first (`checkStrategyOrder`), then hands the order to the engine, so
 * every order of every strategy still goes through the one risk manager and the one audit log. A refusal
 * here is audited as `risk_rejected` naming the strategy.
 */
export class StrategyRouter implements Strategy {
  readonly name = 'hl-bot strategies';
  private readonly lanes: Lane[];
  private readonly bySymbol = new Map<string, Lane[]>();
  private readonly owners = new Map<string, string[]>();

  constructor(
    private readonly core: BotCore,
    strategies: readonly RoutedStrategy[],
  ) {
    // Contexts exist before any hook runs: a bar may reach one strategy while another's onStart awaits.
    this.lanes = strategies.map((s) => new Lane(s));
    for (const lane of this.lanes) lane.context = this.scope(lane, core.engine.context);
    for (const lane of this.lanes) {
      for (const symbol of lane.symbols) {
        this.bySymbol.set(symbol, [...(this.bySymbol.get(symbol) ?? []), lane]);
        this.owners.set(symbol, [...(this.owners.get(symbol) ?? []), lane.name]);
      }
    }
  }

  /** The strategies in config order with their counts. */
  get strategies(): ReadonlyArray<{ run: StrategyRun; counts: Readonly<StrategyCounts> }> {
    return this.lanes.map((l) => ({ run: l.routed.run, counts: l.counts }));
  }

  /** The book of one symbol as a strategy's limits see it: position, working opening orders, mark. */
  book(symbol: string, inFlight: Iterable<InFlight> = []): SymbolBook {
    const { engine, tracker } = this.core;
    let buying = ZERO;
    let selling = ZERO;
    for (const o of engine.workingOrders(symbol)) {
      if (o.reduceOnly) continue;
      const left = o.quantity.minus(o.filledQuantity);
      if (o.side === 'buy') buying = buying.plus(left);
      else selling = selling.plus(left);
    }
    for (const o of inFlight) {
      if (o.symbol !== symbol) continue;
      if (o.side === 'buy') buying = buying.plus(o.quantity);
      else selling = selling.plus(o.quantity);
    }
    const position = tracker.getPosition(symbol);
    return {
      position: position?.signedQuantity ?? ZERO,
      buying,
      selling,
      price: engine.context.getMarketPrice(symbol) ?? position?.entryPrice,
    };
  }

  async onStart(): Promise<void> {
    for (const lane of this.lanes) await lane.routed.strategy.onStart?.(lane.context);
  }

  async onBar(bar: Bar): Promise<void> {
    for (const lane of this.bySymbol.get(bar.symbol) ?? []) {
      await lane.routed.strategy.onBar?.(bar, lane.context);
    }
  }

  async onFill(fill: Fill): Promise<void> {
    for (const lane of this.bySymbol.get(fill.symbol) ?? []) {
      await lane.routed.strategy.onFill?.(fill, lane.context);
    }
  }

  async onStop(): Promise<void> {
    for (const lane of this.lanes) {
      try {
        await lane.routed.strategy.onStop?.(lane.context);
      } catch (error) {
        // One strategy's failing stop must not keep the others from stopping.
        this.core.logger.error({ strategy: lane.name, err: errorText(error) }, 'strategy stop failed');
      }
    }
  }

  /** The engine's context narrowed to one strategy's symbols, with its limits in front of `submitOrder`. */
  private scope(lane: Lane, base: StrategyContext): StrategyContext {
    const own = (symbol: string | undefined) => symbol !== undefined && lane.symbols.has(symbol);
    return {
      ...base,
      submitOrder: (input) => this.submit(lane, base, input),
      cancelOrder: async (symbol, orderId) => (own(symbol) ? base.cancelOrder(symbol, orderId) : false),
      cancelAllOrders: async (opts) => {
        const o = typeof opts === 'string' ? { symbol: opts } : (opts ?? {});
        if (o.symbol !== undefined) return own(o.symbol) ? base.cancelAllOrders(o) : 0;
        let n = 0;
        for (const symbol of lane.symbols) n += await base.cancelAllOrders({ ...o, symbol });
        return n;
      },
      getPositions: () => base.getPositions().filter((p) => own(p.symbol)),
      getOpenOrders: (symbol) =>
        symbol === undefined
          ? base.getOpenOrders().filter((o) => own(o.symbol))
          : own(symbol)
            ? base.getOpenOrders(symbol)
            : [],
    };
  }

  private async submit(lane: Lane, base: StrategyContext, input: OrderRequestInput): Promise<SubmitResult> {
    const parsed = OrderRequest.safeParse(input);
    // An order that does not parse goes on as it is: risk refuses it and audits it as risk_order_invalid.
    if (parsed.success) {
      const order = parsed.data;
      const failure = checkStrategyOrder(lane.routed.run, this.owners, this.bookOf(lane), order);
      if (failure !== undefined) return this.reject(lane, order, failure);
      const held: InFlight = { symbol: order.symbol, side: order.side, quantity: order.quantity };
      // Held from the check to the engine's answer (by then it is a working order or settled), so orders
      // sent together count each other.
      if (!order.reduceOnly) lane.inFlight.add(held);
      try {
        return this.count(lane, await base.submitOrder(input));
      } finally {
        lane.inFlight.delete(held);
      }
    }
    return this.count(lane, await base.submitOrder(input));
  }

  private bookOf(lane: Lane): StrategyBook {
    return (symbol) => this.book(symbol, lane.inFlight);
  }

  private count(lane: Lane, result: SubmitResult): SubmitResult {
    const { metrics } = this.core;
    if (result.status === 'submitted') {
      lane.counts.submitted += 1;
      metrics.inc('hl_bot_strategy_orders_submitted_total', 'Orders accepted by the venue, by strategy', {
        strategy: lane.name,
      });
    } else if (result.status === 'rejected') {
      lane.counts.rejected += 1;
      metrics.inc(
        'hl_bot_strategy_rejections_total',
        'Orders rejected before reaching the venue, by strategy',
        {
          strategy: lane.name,
          code: result.code,
        },
      );
    } else {
      lane.counts.failed += 1;
      metrics.inc(
        'hl_bot_strategy_orders_failed_total',
        'Orders the venue refused or that failed, by strategy',
        {
          strategy: lane.name,
        },
      );
    }
    return result;
  }

  private async reject(lane: Lane, order: OrderRequest, failure: RiskFailure): Promise<RejectedResult> {
    const { audit, logger, metrics } = this.core;
    const result: RejectedResult = {
      status: 'rejected',
      code: failure.code,
      reason: failure.message,
      failures: [failure],
    };
    try {
      await audit.append({
        type: 'risk_rejected',
        order,
        code: failure.code,
        reason: failure.message,
        failures: [failure],
      });
    } catch (error) {
      // Refused either way; a lost audit line is logged, never a reason to let the order through.
      logger.error({ strategy: lane.name, err: errorText(error) }, 'could not audit a strategy rejection');
    }
    metrics.inc('hl_bot_risk_rejections_total', 'Orders rejected before reaching the venue', {
      code: failure.code,
    });
    logger.warn(
      { strategy: lane.name, symbol: order.symbol, code: failure.code, reason: failure.message },
      'order rejected by strategy limits',
    );
    return this.count(lane, result) as RejectedResult;
  }
}
