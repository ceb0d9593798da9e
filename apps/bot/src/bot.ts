import { AuditLogger } from '@hl-bot/audit';
import { type Clock, systemClock } from '@hl-bot/core-types';
import { loadStrategy } from '@hl-bot/strategies';
import type { Logger } from 'pino';
import { writeAuditAnchorNow } from './audit-anchor.js';
import type { BotConfig } from './config.js';
import type { Metrics } from './metrics.js';
import { readOrderHistory } from './order-history.js';
import { AccountShare } from './run/account-share.js';
import { BarFeed } from './run/bar-feed.js';
import { BotCore, errorText } from './run/bot-core.js';
import { ControlEndpoint } from './run/control.js';
import { DeadMansSwitch } from './run/dead-mans-switch.js';
import { foreignFillRecorder } from './run/foreign-fills.js';
import { type KillResult, KillSwitch } from './run/kill-switch.js';
import {
  type BotStatus,
  botStatus,
  engineObserver,
  health,
  streamErrorObserver,
  updateGauges,
} from './run/observability.js';
import { type ReconcileReport, Reconciler } from './run/reconciler.js';
import { claimSymbols, followAuditLog, openSharedBudget } from './run/shared-risk.js';
import {
  createEngine,
  handleStaleOrders,
  openClient,
  proveKeyCanTradeAccount,
  recoverState,
} from './run/startup.js';
import { type RoutedStrategy, StrategyRouter } from './run/strategy-router.js';
import type { Secret } from './secret.js';
import { prepareStateDir } from './state-dir.js';

export { CONTROL_FILE, type ControlInfo } from './run/control.js';
export type { BotStatus } from './run/observability.js';
export type { ReconcileReport } from './run/reconciler.js';

export interface BotOptions {
  config: BotConfig;
  key: Secret;
  logger: Logger;
  clock?: Clock;
}

/**
 * The live bot: recovers positions and risk state from the audit log in the state directory, reconciles with
 * the venue, then trades the strategy through the TradingEngine with periodic reconciliation, an optional
 * dead man's switch, and a 127.0.0.1 control/metrics endpoint that `hl-bot kill|status|reset-breaker|reconcile`
 * talk to.
 *
 * A facade: each job is its own module under `run/` (start-up, control endpoint, observability, reconciler,
 * kill switch, dead man's switch, scheduler, bar feed), sharing one `BotCore`. This file holds the order
 * in which start and stop run them.
 */
export class Bot {
  private readonly core: BotCore;
  private readonly key: Secret;
  private readonly reconciler: Reconciler;
  private readonly killSwitch: KillSwitch;
  private readonly control: ControlEndpoint;
  private readonly deadMansSwitch: DeadMansSwitch;
  private readonly bars: BarFeed;
  /** The strategies, as the one strategy the engine runs; undefined until they are loaded. */
  private router: StrategyRouter | undefined;

  constructor(options: BotOptions) {
    this.core = new BotCore(options.config, options.logger, options.clock ?? systemClock);
    this.key = options.key;
    this.reconciler = new Reconciler(this.core);
    this.killSwitch = new KillSwitch(this.core);
    this.deadMansSwitch = new DeadMansSwitch(this.core);
    this.bars = new BarFeed(this.core, new Set(this.core.config.symbols));
    this.control = new ControlEndpoint(this.core, {
      health: () => health(this.core),
      metrics: () => {
        if (this.core.engine !== undefined) updateGauges(this.core, this.router);
        return this.core.metrics.render();
      },
      status: () => this.status(),
      kill: (reason, flatten) => this.kill(reason, flatten),
      resetBreaker: async () => {
        const wasTripped = this.core.risk.state.circuitBreakerTripped;
        const reset = await this.resetBreaker();
        return { reset, wasTripped, cooldownUntil: this.core.risk.state.cooldownUntil };
      },
      reconcile: () => this.reconcile('requested'),
    });
  }

  get metrics(): Metrics {
    return this.core.metrics;
  }

  get auditDir(): string {
    return this.core.auditDir;
  }

  /** Recovery, reconciliation, then trading. Resolves once the bot is running. */
  async start(): Promise<void> {
    const core = this.core;
    const { config, clock, logger, scheduler } = core;
    await prepareStateDir(config.stateDir);
    core.audit = await AuditLogger.open(core.auditDir, { clock, durability: 'group' });
    // The kill switch works from here on: the endpoint is up (not ready) before anything can trade.
    await this.control.start();
    await this.killSwitch.pollKillFile();
    scheduler.every(1000, () => this.killSwitch.pollKillFile());
    const history = await readOrderHistory(core.audit, {
      onWarning: (message) => logger.warn({ dir: core.auditDir }, message),
    });
    // The next start reads only what follows this (skipped if a kill note landed meanwhile).
    await history.checkpoint();
    core.budget = await openSharedBudget(core);
    core.auditMirror = followAuditLog(core);
    if (config.sharedRisk !== undefined)
      core.share = new AccountShare(config.sharedRisk.botId, config.symbols);
    await recoverState(core);
    logger.info(
      {
        positions: core.tracker.getAllPositions().length,
        tradingState: core.risk.state.tradingState,
        breaker: core.risk.state.circuitBreakerTripped,
      },
      'recovered state from the audit log',
    );
    await this.killSwitch.applyPending();
    core.client = openClient(core, this.key, history);
    core.client.onError(streamErrorObserver(core));
    await proveKeyCanTradeAccount(core);
    // Before anything reaches the venue: a symbol another bot of the account trades refuses the start.
    await claimSymbols(core);
    core.client.onForeignFill(foreignFillRecorder(core, history.foreignFillIds));
    const assets = await core.client.loadAssets();
    for (const symbol of config.symbols) assets.bySymbol(symbol); // unknown symbol: fail before trading
    // They stream for the traded symbols: until they arrive (or once they go stale) those orders fail closed.
    core.risk.expectReferencePrices(config.symbols);
    core.engine = createEngine(core, engineObserver(core, this.reconciler));
    this.bars.listen();
    await core.audit.append({ type: 'session_started', app: 'hl-bot', mode: config.network });
    await core.engine.start();
    await this.killSwitch.applyPending();
    await core.client.start();
    await core.client.settled();
    await core.engine.idle();
    await handleStaleOrders(core);
    await this.reconcile('startup');
    // Only now, with the ledger recovered, backfilled and reconciled, may the strategy see a bar.
    const strategies: RoutedStrategy[] = [];
    for (const run of config.strategies) {
      const strategy = await loadStrategy(run.strategy, {
        sizeDecimals: (symbol) => assets.bySymbol(symbol).szDecimals,
      });
      strategies.push({ run, strategy });
    }
    this.router = new StrategyRouter(core, strategies);
    await core.engine.startStrategy(this.router);
    core.ready = true;
    scheduler.every(config.reconcileIntervalMs, async () => {
      await this.reconcile('periodic');
    });
    scheduler.every(config.barIntervalMs, async () => {
      this.bars.closeDue(clock.now());
    });
    scheduler.every(config.accountRefreshMs, async () => {
      await core.engine.refreshAccount();
    });
    if (config.deadMansSwitch.enabled) {
      await this.deadMansSwitch.refresh();
      scheduler.every(config.deadMansSwitch.refreshMs, () => this.deadMansSwitch.refresh());
    }
    const anchor = config.auditAnchor;
    if (anchor !== undefined) {
      await writeAuditAnchorNow(core.audit, anchor.path);
      scheduler.every(anchor.intervalMs, async () => {
        await writeAuditAnchorNow(core.audit, anchor.path);
      });
    }
    logger.info({ url: this.control.url, network: config.network }, 'hl-bot running');
  }

  /** Orderly stop: strategy stopped, open orders cancelled (configurable), audit flushed. */
  async stop(reason = 'shutdown'): Promise<void> {
    const core = this.core;
    if (core.stopping) return;
    core.stopping = true;
    core.scheduler.stop();
    try {
      await this.bars.drained();
      await core.engine?.stop(reason);
      await core.client?.settled();
    } catch (error) {
      core.logger.error({ err: errorText(error) }, 'error while stopping');
    } finally {
      // Given back: nothing held is deleted; what is still live keeps counting until its lease expires.
      await core.budget?.close().catch(() => undefined);
      core.client?.close();
      await this.control.close();
      if (core.audit !== undefined) {
        await core.audit.append({ type: 'session_stopped', app: 'hl-bot', reason }).catch(() => undefined);
        if (core.config.auditAnchor !== undefined) {
          await writeAuditAnchorNow(core.audit, core.config.auditAnchor.path).catch((error: unknown) =>
            core.logger.error({ err: errorText(error) }, 'could not write the final audit anchor'),
          );
        }
        await core.audit.close();
      }
      // After the log's last line: the mirror copies everything up to it before the bot exits.
      await core.auditMirror?.stop();
      core.logger.info({ reason }, 'hl-bot stopped');
    }
  }

  /**
   * Kill switch: optionally flattens with reduce-only orders first (they must pass risk, and a HALTED
   * manager rejects every order), then trips the breaker, which cancels every open order.
   */
  kill(reason: string, flatten: boolean): Promise<KillResult> {
    return this.killSwitch.kill(reason, flatten);
  }

  async resetBreaker(): Promise<boolean> {
    return this.core.engine.resetCircuitBreaker('hl-bot reset-breaker');
  }

  /** See `Reconciler.reconcile`. */
  reconcile(why: string): Promise<ReconcileReport> {
    return this.reconciler.reconcile(why);
  }

  status(): BotStatus {
    return botStatus(this.core, this.killSwitch, this.reconciler, this.router);
  }
}
