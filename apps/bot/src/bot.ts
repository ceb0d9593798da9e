import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { type Clock, type Decimal, Fill, type OpenOrder, systemClock, ZERO } from '@hl-bot/core-types';
import { type OrderReconciliation, remainingOrder, type Strategy, TradingEngine } from '@hl-bot/engine';
import { HyperliquidClient, proveKeyCanTrade } from '@hl-bot/exchange-hyperliquid';
import type { PositionTracker } from '@hl-bot/positions';
import type { RiskManager } from '@hl-bot/risk';
import { loadStrategy } from '@hl-bot/strategies';
import type { Logger } from 'pino';
import { writeAuditAnchorNow } from './audit-anchor.js';
import { BarBuilder } from './bar-builder.js';
import type { BotConfig } from './config.js';
import { type ControlRequest, type ControlServer, startControlServer } from './http/control-server.js';
import { takeKillFile } from './kill-file.js';
import { Metrics } from './metrics.js';
import { readOrderHistory } from './order-history.js';
import { comparePositions, type PositionMismatch } from './reconcile.js';
import { recoverFromAuditLog } from './recover-state.js';
import type { Secret } from './secret.js';
import { writeFileNoFollow } from './secure-file.js';
import { prepareStateDir } from './state-dir.js';

/** Where a running bot tells other processes (`hl-bot kill`, `status`) how to reach it. */
export const CONTROL_FILE = 'control.json';

export interface ControlInfo {
  pid: number;
  url: string;
  token: string;
}

export interface ReconcileReport {
  time: number;
  mismatches: Array<{ symbol: string; local: string; venue: string }>;
  action: 'none' | 'breaker_tripped' | 'adopted_venue_state';
  venueOpenOrders: number;
  /** Venue orders the bot did not know: counted in risk, then cancelled (or adopted). */
  unknownVenueOrders: string[];
  /** Orders the bot had as working that the venue did not list: settled through their order status. */
  missingVenueOrders: string[];
}

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
  lastReconciliation: ReconcileReport | null;
}

export interface BotOptions {
  config: BotConfig;
  key: Secret;
  logger: Logger;
  clock?: Clock;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The live bot: recovers positions and risk state from the audit log in the state directory, reconciles with
 * the venue, then trades the strategy through the TradingEngine with periodic reconciliation, an optional
 * dead man's switch, and a 127.0.0.1 control/metrics endpoint that `hl-bot kill|status|reset-breaker|reconcile`
 * talk to.
 */
export class Bot {
  readonly metrics = new Metrics();
  private readonly config: BotConfig;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly key: Secret;
  private audit!: AuditLogger;
  private tracker!: PositionTracker;
  private risk!: RiskManager;
  private client!: HyperliquidClient;
  private engine!: TradingEngine;
  private strategy!: Strategy;
  private server: ControlServer | undefined;
  private control: ControlInfo | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly bars: BarBuilder;
  private lastReconciliation: ReconcileReport | null = null;
  private barChain: Promise<void> = Promise.resolve();
  private deadMansSwitchRefused = false;
  private stopping = false;
  private wsErrors = 0;
  /** True once recovery, backfill and the start-up reconciliation are done and the strategy runs. */
  private ready = false;
  /** A kill that arrived before the risk manager existed, applied as soon as it does. */
  private pendingKill: string | undefined;
  private reconcileFailures = 0;
  private readonly recentFills: Fill[] = [];

  constructor(options: BotOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.key = options.key;
    this.bars = new BarBuilder(this.config.barIntervalMs);
  }

  get auditDir(): string {
    return join(this.config.stateDir, 'audit');
  }

  /** Recovery, reconciliation, then trading. Resolves once the bot is running. */
  async start(): Promise<void> {
    await prepareStateDir(this.config.stateDir);
    this.audit = await AuditLogger.open(this.auditDir, { clock: this.clock, durability: 'group' });
    // The kill switch works from here on: the endpoint is up (not ready) before anything can trade.
    await this.startControlServer();
    await this.pollKillFile();
    this.every(1000, () => this.pollKillFile());
    const history = await readOrderHistory(this.audit, {
      onWarning: (message) => this.logger.warn({ dir: this.auditDir }, message),
    });
    // The next start reads only what follows this (skipped if a kill note landed meanwhile).
    await history.checkpoint();
    await this.recoverState();
    this.logger.info(
      {
        positions: this.tracker.getAllPositions().length,
        tradingState: this.risk.state.tradingState,
        breaker: this.risk.state.circuitBreakerTripped,
      },
      'recovered state from the audit log',
    );
    await this.applyPendingKill();
    this.client = new HyperliquidClient({
      privateKey: this.key.reveal(),
      ...(this.config.walletAddress === undefined ? {} : { walletAddress: this.config.walletAddress }),
      testnet: this.config.network === 'testnet',
      ...(this.config.apiUrl === undefined ? {} : { baseUrl: this.config.apiUrl }),
      ...(this.config.wsUrl === undefined ? {} : { wsUrl: this.config.wsUrl }),
      audit: this.audit,
      clock: this.clock,
      // The venue does not replay fills: ask for everything since the last one this log holds, or since the
      // earliest order it sent whose fate it does not know.
      fillsSince: history.fillsSince ?? this.clock.now(),
      ...this.clientTuning(),
    });
    this.client.rememberClientOrderIds(history.unresolved);
    this.client.onError((error) => {
      this.wsErrors += 1;
      this.metrics.inc(
        'hl_bot_stream_errors_total',
        'WebSocket and backfill errors (each followed by a reconnect)',
      );
      this.logger.warn({ err: errorText(error) }, 'stream error');
    });
    await this.proveKeyCanTrade();
    const assets = await this.client.loadAssets();
    for (const symbol of this.config.symbols) assets.bySymbol(symbol); // unknown symbol: fail before trading
    this.engine = new TradingEngine({
      exchange: this.client,
      risk: this.risk,
      tracker: this.tracker,
      audit: this.audit,
      clock: this.clock,
      clientOrderIdPrefix: 'bot',
      cancelOrdersOnStop: this.config.cancelOrdersOnShutdown,
      accountRefreshMs: this.config.accountRefreshMs,
      observer: {
        onRejected: (order, result) => {
          this.metrics.inc('hl_bot_risk_rejections_total', 'Orders rejected before reaching the venue', {
            code: result.code,
          });
          this.logger.warn(
            { symbol: order.symbol, code: result.code, reason: result.reason },
            'order rejected by risk',
          );
        },
        onSubmitted: (r) => {
          this.metrics.inc('hl_bot_orders_submitted_total', 'Orders accepted by the venue');
          this.metrics.inc(
            'hl_bot_order_latency_seconds_sum',
            'Total time from send to venue ack',
            {},
            r.latencyMs / 1000,
          );
          this.metrics.inc('hl_bot_order_latency_seconds_count', 'Acknowledged orders timed');
          this.metrics.set(
            'hl_bot_order_latency_last_seconds',
            'Latency of the last acknowledged order',
            r.latencyMs / 1000,
          );
          this.logger.info({ clientOrderId: r.clientOrderId, status: r.ack.status }, 'order submitted');
        },
        onFailed: (r) => {
          this.metrics.inc('hl_bot_orders_failed_total', 'Orders the venue refused or that failed', {
            code: r.code,
          });
          this.logger.error(
            { clientOrderId: r.clientOrderId, code: r.code, reason: r.reason },
            'order failed',
          );
        },
        onFill: (fill) => {
          this.rememberFill(fill);
          this.metrics.inc('hl_bot_fills_total', 'Fills applied to positions');
          this.logger.info(
            { id: fill.id, symbol: fill.symbol, side: fill.side, qty: fill.quantity.toString() },
            'fill',
          );
        },
        onHalt: (reason, cancelled) =>
          this.logger.error({ reason, cancelled }, 'circuit breaker tripped: orders cancelled'),
        onPipelineError: (error) =>
          this.logger.error({ err: errorText(error) }, 'pipeline failure: trading halted'),
      },
    });
    const traded = new Set(this.config.symbols);
    this.client.onPrice((p) => {
      // The venue streams every coin's mid; only configured symbols become bars for the strategy. Marks of
      // the others still reach the engine (positions held in them count in exposure and equity).
      if (!traded.has(p.symbol)) return;
      for (const bar of this.bars.add(p.symbol, p.price, p.timestamp)) this.queueBar(bar);
    });
    await this.audit.append({ type: 'session_started', app: 'hl-bot', mode: this.config.network });
    await this.engine.start();
    await this.applyPendingKill();
    await this.client.start();
    await this.client.settled();
    await this.engine.idle();
    await this.handleStaleOrders();
    await this.reconcile('startup');
    // Only now, with the ledger recovered, backfilled and reconciled, may the strategy see a bar.
    this.strategy = await loadStrategy(this.config.strategy, {
      sizeDecimals: (symbol) => assets.bySymbol(symbol).szDecimals,
    });
    await this.engine.startStrategy(this.strategy);
    this.ready = true;
    this.every(this.config.reconcileIntervalMs, async () => {
      await this.reconcile('periodic');
    });
    this.every(this.config.barIntervalMs, async () => {
      for (const bar of this.bars.closeDue(this.clock.now())) this.queueBar(bar);
    });
    this.every(this.config.accountRefreshMs, async () => {
      await this.engine.refreshAccount();
    });
    if (this.config.deadMansSwitch.enabled) {
      await this.refreshDeadMansSwitch();
      this.every(this.config.deadMansSwitch.refreshMs, () => this.refreshDeadMansSwitch());
    }
    const anchor = this.config.auditAnchor;
    if (anchor !== undefined) {
      await writeAuditAnchorNow(this.audit, anchor.path);
      this.every(anchor.intervalMs, async () => {
        await writeAuditAnchorNow(this.audit, anchor.path);
      });
    }
    this.logger.info({ url: this.control?.url, network: this.config.network }, 'hl-bot running');
  }

  /** Orderly stop: strategy stopped, open orders cancelled (configurable), audit flushed. */
  async stop(reason = 'shutdown'): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    try {
      await this.barChain;
      await this.engine?.stop(reason);
      await this.client?.settled();
    } catch (error) {
      this.logger.error({ err: errorText(error) }, 'error while stopping');
    } finally {
      this.client?.close();
      await this.server?.close();
      await rm(join(this.config.stateDir, CONTROL_FILE), { force: true });
      if (this.audit !== undefined) {
        await this.audit.append({ type: 'session_stopped', app: 'hl-bot', reason }).catch(() => undefined);
        if (this.config.auditAnchor !== undefined) {
          await writeAuditAnchorNow(this.audit, this.config.auditAnchor.path).catch((error: unknown) =>
            this.logger.error({ err: errorText(error) }, 'could not write the final audit anchor'),
          );
        }
        await this.audit.close();
      }
      this.logger.info({ reason }, 'hl-bot stopped');
    }
  }

  /**
   * Kill switch: optionally flattens with reduce-only orders first (they must pass risk, and a HALTED
   * manager rejects every order), then trips the breaker, which cancels every open order.
   */
  async kill(
    reason: string,
    flatten: boolean,
  ): Promise<{ cancelled: number; flattenOrders: number; flattenFailures: string[] }> {
    if (this.engine === undefined) {
      // Still starting: halt what exists now, and the rest the moment it exists.
      this.pendingKill = `kill switch: ${reason}`;
      await this.audit.append({ type: 'note', message: `kill requested during start-up: ${reason}` });
      await this.applyPendingKill();
      return {
        cancelled: 0,
        flattenOrders: 0,
        flattenFailures: flatten ? ['bot still starting: not flattened'] : [],
      };
    }
    const failures: string[] = [];
    let sent = 0;
    let cancelled = 0;
    if (flatten && !this.risk.state.circuitBreakerTripped) {
      cancelled += await this.engine.cancelAllOrders(undefined, `kill: ${reason}`);
      for (const p of this.tracker.getAllPositions()) {
        const r = await this.engine.submitOrder({
          symbol: p.symbol,
          side: p.side === 'long' ? 'sell' : 'buy',
          orderType: 'market',
          quantity: p.quantity,
          reduceOnly: true,
        });
        if (r.status === 'submitted') sent += 1;
        else failures.push(`${p.symbol}: ${r.code} ${r.reason}`);
      }
    } else if (flatten) {
      failures.push('breaker already tripped: every order is rejected, positions were not flattened');
    }
    await this.engine.tripCircuitBreaker(`kill switch: ${reason}`);
    cancelled += await this.engine.cancelAllOrders(undefined, `kill: ${reason}`);
    this.logger.error({ reason, flatten, sent, failures }, 'kill switch');
    return { cancelled, flattenOrders: sent, flattenFailures: failures };
  }

  /** Trips the breaker for a kill that came in while starting, once the risk manager is there. */
  /** Refuses to start unless the venue lists the key as the account itself or an approved agent of it. */
  private async proveKeyCanTrade(): Promise<void> {
    const key = this.client.signerAddress;
    const account = this.client.account;
    if (key === undefined || account === undefined) throw new Error('no signing key or account to trade');
    const proof = await proveKeyCanTrade({
      source: this.client,
      key,
      account,
      network: this.config.network,
      now: this.clock.now(),
    });
    const until =
      proof.validUntil === undefined ? '' : `, approved until ${new Date(proof.validUntil).toISOString()}`;
    const what = proof.kind === 'account' ? 'is the account' : 'is an approved agent of';
    await this.audit.append({
      type: 'note',
      message: `key ${proof.key} ${what} ${proof.account} on ${this.config.network}${until}`,
    });
  }

  private async applyPendingKill(): Promise<void> {
    const reason = this.pendingKill;
    if (reason === undefined || this.risk === undefined) return;
    if (this.engine !== undefined) await this.engine.tripCircuitBreaker(reason);
    else if (!this.risk.state.circuitBreakerTripped) await this.risk.tripCircuitBreaker(reason);
    if (this.engine !== undefined) this.pendingKill = undefined;
  }

  private async pollKillFile(): Promise<void> {
    const reason = await takeKillFile(this.config.stateDir);
    if (reason === undefined) return;
    await this.audit.append({ type: 'note', message: `${reason}: halting` });
    this.logger.error({ reason }, 'kill file found');
    if (this.engine === undefined) {
      this.pendingKill = `kill switch: ${reason}`;
      await this.applyPendingKill();
    } else await this.kill(reason, false);
  }

  async resetBreaker(): Promise<boolean> {
    return this.engine.resetCircuitBreaker('hl-bot reset-breaker');
  }

  /**
   * Compares positions and open orders with the venue. Positions are compared as of the venue's snapshot
   * time: fills up to it are fetched over REST and applied first, fills applied after it are taken out, so
   * a slow venue never looks like drift. A position mismatch is audited as `reconciliation_mismatch` and
   * trips the breaker, unless the bot was started with --adopt-venue-state, which books the difference as an
   * audited synthetic fill at the venue's entry price. Open orders: see `TradingEngine.reconcileOrders`.
   * `reconcileFailuresToHalt` periodic reconciliations in a row that cannot reach the venue trip the breaker.
   */
  async reconcile(why: string): Promise<ReconcileReport> {
    let mismatches: PositionMismatch[] = [];
    let openOrders: OpenOrder[] = [];
    let orders: OrderReconciliation;
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 250));
        await this.client.settled();
        await this.engine.idle();
        // Every perp dex the client trades (HIP-3 ones too): each dex's state lists only its own positions.
        const dexes = (await this.client.loadAssets()).dexes();
        const states = await Promise.all(dexes.map((dex) => this.client.clearinghouseState(undefined, dex)));
        openOrders = await this.client.getOpenOrders();
        await this.client.syncFills();
        await this.engine.idle();
        mismatches = dexes.flatMap((dex, i) => {
          const venue = states[i];
          if (venue === undefined) throw new Error(`no clearinghouse state for dex "${dex}"`);
          return comparePositions(this.tracker, venue, this.appliedAfter(venue.time), dex);
        });
        if (mismatches.length === 0) break;
      }
      orders = await this.engine.reconcileOrders(openOrders, { adopt: this.config.adoptVenueState });
      await this.engine.resolveUnknownOrders();
      this.reconcileFailures = 0;
    } catch (error) {
      this.reconcileFailures += 1;
      const limit = this.config.reconcileFailuresToHalt;
      await this.audit.append({
        type: 'error',
        message:
          `reconciliation (${why}) failed ${this.reconcileFailures} time(s) in a row: ${errorText(error)}`.slice(
            0,
            4000,
          ),
        source: 'hl-bot',
      });
      if (why === 'periodic' && this.reconcileFailures >= limit && !this.risk.state.circuitBreakerTripped) {
        await this.engine.tripCircuitBreaker(
          `reconciliation failed ${this.reconcileFailures} times in a row (limit ${limit}): ${errorText(error)}`,
        );
      }
      throw error;
    }
    let action: ReconcileReport['action'] = 'none';
    if (mismatches.length > 0) {
      action = this.config.adoptVenueState ? 'adopted_venue_state' : 'breaker_tripped';
      for (const m of mismatches) {
        await this.audit.append({
          type: 'reconciliation_mismatch',
          symbol: m.symbol,
          local: m.local.toString(),
          venue: m.venue.toString(),
          action,
        });
      }
      if (this.config.adoptVenueState) await this.adopt(mismatches);
      else
        await this.engine.tripCircuitBreaker(
          `reconciliation mismatch (${why}): ${mismatches.map((m) => `${m.symbol} local=${m.local} venue=${m.venue}`).join(', ')}`,
        );
    }
    const report: ReconcileReport = {
      time: this.clock.now(),
      mismatches: mismatches.map((m) => ({
        symbol: m.symbol,
        local: m.local.toString(),
        venue: m.venue.toString(),
      })),
      action,
      venueOpenOrders: openOrders.length,
      unknownVenueOrders: orders.unknownAtVenue,
      missingVenueOrders: orders.missingAtVenue,
    };
    this.lastReconciliation = report;
    this.metrics.set(
      'hl_bot_last_reconciliation_timestamp_seconds',
      'Time of the last reconciliation',
      Math.floor(report.time / 1000),
    );
    this.metrics.inc('hl_bot_reconciliations_total', 'Reconciliations by outcome', { action });
    this.logger[mismatches.length > 0 ? 'error' : 'info']({ why, ...report }, 'reconciliation');
    return report;
  }

  /** Signed quantity per symbol of the fills applied locally that the venue executed after `time`. */
  private appliedAfter(time: number): Map<string, Decimal> {
    const out = new Map<string, Decimal>();
    for (const f of this.recentFills) {
      if ((f.timestamp ?? 0) <= time) continue;
      const signed = f.side === 'buy' ? f.quantity : f.quantity.neg();
      out.set(f.symbol, (out.get(f.symbol) ?? ZERO).plus(signed));
    }
    return out;
  }

  status(): BotStatus {
    if (this.risk === undefined || this.engine === undefined) {
      return {
        pid: process.pid,
        network: this.config.network,
        ready: false,
        ordersMayBeLive: true,
        tradingState: this.pendingKill === undefined ? 'STARTING' : 'HALTED',
        circuitBreakerTripped: this.pendingKill !== undefined,
        circuitBreakerReason: this.pendingKill ?? null,
        cooldownUntil: null,
        dailyPnl: '0',
        realizedPnl: '0',
        unrealizedPnl: '0',
        positions: [],
        openOrders: 0,
        lastReconciliation: null,
      };
    }
    const s = this.risk.state;
    return {
      pid: process.pid,
      network: this.config.network,
      ready: this.ready,
      ordersMayBeLive: this.engine.ordersMayBeLive,
      tradingState: s.tradingState,
      circuitBreakerTripped: s.circuitBreakerTripped,
      circuitBreakerReason: s.circuitBreakerReason,
      cooldownUntil: s.cooldownUntil,
      dailyPnl: s.dailyPnl.toString(),
      realizedPnl: this.tracker.getTotalNetRealizedPnl().toString(),
      unrealizedPnl: this.tracker.getTotalUnrealizedPnl().toString(),
      positions: this.tracker.getAllPositions().map((p) => ({
        symbol: p.symbol,
        side: p.side,
        quantity: p.quantity.toString(),
        entryPrice: p.entryPrice.toString(),
        unrealizedPnl: p.unrealizedPnl.toString(),
      })),
      openOrders: this.engine.workingOrders().length,
      lastReconciliation: this.lastReconciliation,
    };
  }

  // ------------------------------------------------------------------ internals

  /**
   * Orders an earlier run left working on the venue are not in this run's risk ledger. Cancelling them is the
   * safe default; `staleOrdersOnStart: "adopt"` registers them with risk so their exposure counts instead.
   */
  private async handleStaleOrders(): Promise<void> {
    const open = await this.client.getOpenOrders();
    if (open.length === 0) return;
    if (this.config.staleOrdersOnStart === 'cancel') {
      const n = await this.engine.cancelAllOrders(undefined, 'stale orders from an earlier run');
      this.logger.warn({ cancelled: n }, 'cancelled orders left by an earlier run');
      return;
    }
    for (const o of open) {
      this.risk.adoptWorkingOrder(remainingOrder(o), o.clientOrderId ?? o.orderId);
    }
    this.logger.warn({ adopted: open.length }, 'adopted orders left by an earlier run');
  }

  private async adopt(mismatches: PositionMismatch[]): Promise<void> {
    for (const m of mismatches) {
      const diff = m.venue.minus(m.local);
      const price = m.venueEntryPrice ?? (await this.client.getMarketPrice(m.symbol)).price;
      const fill = Fill.parse({
        id: `adopt-${m.symbol}-${this.clock.now()}-${this.audit.lastSeq}`,
        orderId: 'venue-state-adoption',
        symbol: m.symbol,
        side: diff.gt(0) ? 'buy' : 'sell',
        quantity: diff.abs(),
        price,
        fee: '0',
        timestamp: this.clock.now(),
      });
      const position = await this.tracker.updateFromFill(fill);
      if (position === undefined) this.risk.removePosition(m.symbol);
      else this.risk.updatePosition(position.toPosition());
    }
  }

  private clientTuning(): Partial<ConstructorParameters<typeof HyperliquidClient>[0]> {
    const c = this.config.client;
    return {
      ...(c.orderExpiryMs === undefined ? {} : { orderExpiryMs: c.orderExpiryMs }),
      ...(c.orderSettleMs === undefined ? {} : { orderSettleMs: c.orderSettleMs }),
      ...(c.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: c.requestTimeoutMs }),
      ...(c.weightPerMinute === undefined ? {} : { rateLimit: { weightPerMinute: c.weightPerMinute } }),
      ...(c.retryBaseDelayMs === undefined ? {} : { retry: { baseDelayMs: c.retryBaseDelayMs } }),
      ws: {
        ...(c.reconnectDelayMs === undefined ? {} : { reconnectDelayMs: c.reconnectDelayMs }),
        ...(c.maxReconnectDelayMs === undefined ? {} : { maxReconnectDelayMs: c.maxReconnectDelayMs }),
      },
    };
  }

  private async recoverState(): Promise<void> {
    const { tracker, risk } = await recoverFromAuditLog(this.audit, {
      clock: this.clock,
      riskConfig: this.config.riskConfig,
      onWarning: (message) => this.logger.warn({ dir: this.auditDir }, message),
    });
    this.tracker = tracker;
    this.risk = risk;
  }

  /** Fills of the last few minutes, so reconciliation can compare the ledger as of a venue snapshot. */
  private rememberFill(fill: Fill): void {
    this.recentFills.push(fill);
    const horizon = (fill.timestamp ?? this.clock.now()) - 5 * 60_000;
    while (this.recentFills.length > 0 && (this.recentFills[0]?.timestamp ?? 0) < horizon) {
      this.recentFills.shift();
    }
  }

  private queueBar(bar: Parameters<TradingEngine['onBar']>[0]): void {
    this.barChain = this.barChain
      .then(() => (this.stopping ? undefined : this.engine.onBar(bar)))
      .catch((error: unknown) => this.logger.error({ err: errorText(error) }, 'strategy bar failed'));
  }

  private async refreshDeadMansSwitch(): Promise<void> {
    if (this.deadMansSwitchRefused) return;
    try {
      await this.client.scheduleCancel(this.clock.now() + this.config.deadMansSwitch.aheadMs);
    } catch (error) {
      // Accounts under the venue's volume threshold cannot use scheduleCancel: warn once and carry on.
      this.deadMansSwitchRefused = true;
      this.logger.warn(
        { err: errorText(error) },
        "dead man's switch refused by the venue; continuing without it",
      );
    }
  }

  private every(ms: number, task: () => Promise<void>): void {
    let running = false;
    const t = setInterval(() => {
      if (running || this.stopping) return;
      running = true;
      task()
        .catch((error: unknown) => this.logger.error({ err: errorText(error) }, 'periodic task failed'))
        .finally(() => {
          running = false;
        });
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  private updateGauges(): void {
    const s = this.risk.state;
    this.metrics.set('hl_bot_up', 'The bot is running', 1);
    this.metrics.set(
      'hl_bot_circuit_breaker_tripped',
      'Circuit breaker state (1 = tripped)',
      s.circuitBreakerTripped ? 1 : 0,
    );
    this.metrics.reset('hl_bot_trading_state');
    for (const state of ['ACTIVE', 'REDUCING', 'HALTED']) {
      this.metrics.set(
        'hl_bot_trading_state',
        'Trading state (1 for the current one)',
        s.tradingState === state ? 1 : 0,
        { state },
      );
    }
    this.metrics.set(
      'hl_bot_daily_pnl',
      'Daily P&L (realized + unrealized) against day-start equity',
      Number(s.dailyPnl.toString()),
    );
    this.metrics.set(
      'hl_bot_unrealized_pnl',
      'Unrealized P&L of open positions',
      Number(this.tracker.getTotalUnrealizedPnl().toString()),
    );
    this.metrics.set(
      'hl_bot_realized_pnl',
      'Net realized P&L',
      Number(this.tracker.getTotalNetRealizedPnl().toString()),
    );
    this.metrics.set('hl_bot_open_positions', 'Open positions', this.tracker.getAllPositions().length);
    this.metrics.reset('hl_bot_position_quantity');
    for (const p of this.tracker.getAllPositions()) {
      this.metrics.set(
        'hl_bot_position_quantity',
        'Signed position size',
        Number(p.signedQuantity.toString()),
        { symbol: p.symbol },
      );
    }
    this.metrics.set(
      'hl_bot_open_orders',
      'Working orders sent by the bot',
      this.engine.workingOrders().length,
    );
    this.metrics.set(
      'hl_bot_ws_reconnects_total',
      'WebSocket reconnections since start',
      this.client.streamReconnects,
    );
  }

  private async startControlServer(): Promise<void> {
    const token = randomBytes(24).toString('hex');
    this.server = await startControlServer({
      port: this.config.metrics.port,
      token,
      publicPaths: ['/health', '/metrics'],
      handler: (req, res) => this.handle(req, res),
    });
    this.control = { pid: process.pid, url: `http://127.0.0.1:${this.server.port}`, token };
    await writeFileNoFollow(join(this.config.stateDir, CONTROL_FILE), JSON.stringify(this.control));
  }

  /** Host, body cap, JSON and the token are checked by the server before a request gets here. */
  private async handle(req: ControlRequest, res: ServerResponse): Promise<void> {
    const { url, body } = req;
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/health') {
      // Not ready (503) until recovery and reconciliation are done; degraded (503) while orders may be live.
      if (!this.ready || this.risk === undefined || this.engine === undefined)
        return json(503, { status: 'starting', ready: false });
      const s = this.risk.state;
      if (this.engine.ordersMayBeLive)
        return json(503, {
          status: 'degraded',
          ready: true,
          ordersMayBeLive: true,
          tradingState: s.tradingState,
        });
      return json(200, {
        status: s.circuitBreakerTripped ? 'halted' : 'ok',
        ready: true,
        tradingState: s.tradingState,
      });
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      if (this.engine !== undefined) this.updateGauges();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(this.metrics.render());
      return;
    }
    if (req.method === 'GET' && url.pathname === '/status') return json(200, this.status());
    if (req.method === 'POST' && url.pathname === '/kill') {
      const reason =
        typeof body.reason === 'string' && body.reason.length > 0 ? body.reason : 'operator kill';
      return json(200, await this.kill(reason, body.flatten === true));
    }
    if (this.engine === undefined) return json(503, { error: 'the bot is still starting' });
    if (req.method === 'POST' && url.pathname === '/reset-breaker') {
      const wasTripped = this.risk.state.circuitBreakerTripped;
      const reset = await this.resetBreaker();
      return json(200, { reset, wasTripped, cooldownUntil: this.risk.state.cooldownUntil });
    }
    if (req.method === 'POST' && url.pathname === '/reconcile')
      return json(200, await this.reconcile('requested'));
    return json(404, { error: 'not found' });
  }
}
