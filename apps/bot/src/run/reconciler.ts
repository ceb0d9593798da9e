import { type Decimal, Fill, type OpenOrder, ZERO } from '@hl-bot/core-types';
import type { OrderReconciliation } from '@hl-bot/engine';
import type { SharedRiskSettings } from '../config.js';
import { comparePositions, type PositionMismatch } from '../reconcile.js';
import { refreshPeers } from './account-share.js';
import type { BotCore } from './bot-core.js';
import { errorText } from './bot-core.js';
import { clearDeadLeases, redactUrl } from './shared-risk.js';
import { type ForeignReport, UnownedTracker } from './unowned.js';

export interface ReconcileReport {
  time: number;
  mismatches: Array<{ symbol: string; local: string; venue: string }>;
  action: 'none' | 'breaker_tripped' | 'adopted_venue_state';
  venueOpenOrders: number;
  /** Venue orders the bot did not know: counted in risk, then cancelled (or adopted). */
  unknownVenueOrders: string[];
  /** Orders the bot had as working that the venue did not list: settled through their order status. */
  missingVenueOrders: string[];
  /**
   * A venue account shared with other bots (`sharedRisk`): their orders (left alone), and the orders and
   * positions no bot answers for (counted in risk, audited once, never cancelled). Absent otherwise.
   */
  sharedAccount?: ForeignReport;
}

/** How far back fills are kept to compare the ledger as of a venue snapshot. */
const RECENT_FILLS_MS = 5 * 60_000;

/**
 * Reconciliation with the venue: positions of every perp dex and open orders, at start, periodically and on
 * request. Holds the fills of the last few minutes (to compare as of the venue's snapshot time), the count
 * of failures in a row, and the last report.
 */
export class Reconciler {
  private readonly recentFills: Fill[] = [];
  private failures = 0;
  private last: ReconcileReport | null = null;
  private readonly unowned: UnownedTracker;

  constructor(private readonly core: BotCore) {
    this.unowned = new UnownedTracker(core);
  }

  get lastReport(): ReconcileReport | null {
    return this.last;
  }

  /**
   * Before the venue is read: every bot registers before it sends an order, so the list read now knows the
   * bot of every tagged order the snapshot can hold. A failure keeps the last list: a newer bot's orders
   * then count as nobody's (held in risk, never cancelled) until the next reconciliation.
   */
  private async refreshPeers(): Promise<void> {
    const { budget, share, config, logger } = this.core;
    if (budget === undefined || share === undefined || config.sharedRisk === undefined) return;
    await refreshPeers(share, budget, {
      onFailure: (error, attempt) => {
        logger.warn(
          { err: redactUrl(errorText(error), config.sharedRisk as SharedRiskSettings), attempt },
          'other bots of the account not re-read',
        );
      },
    });
  }

  /** After the venue was read: dead bots' leases whose orders are gone stop counting (see clearDeadLeases). */
  private async clearDeadLeases(): Promise<void> {
    const { budget, client, config, logger } = this.core;
    if (budget === undefined || config.sharedRisk === undefined || !budget.state.available) return;
    try {
      await clearDeadLeases(this.core, budget, (account) => client.frontendOpenOrders(account));
    } catch (error) {
      // The database or the venue went away meanwhile: the leases keep counting until the next time.
      logger.warn({ err: redactUrl(errorText(error), config.sharedRisk) }, 'dead leases not cleared');
    }
  }

  /** Fills of the last few minutes, so reconciliation can compare the ledger as of a venue snapshot. */
  rememberFill(fill: Fill): void {
    this.recentFills.push(fill);
    const horizon = (fill.timestamp ?? this.core.clock.now()) - RECENT_FILLS_MS;
    while (this.recentFills.length > 0 && (this.recentFills[0]?.timestamp ?? 0) < horizon) {
      this.recentFills.shift();
    }
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
    const { client, engine, audit, config, clock, metrics, logger } = this.core;
    let mismatches: PositionMismatch[] = [];
    let openOrders: OpenOrder[] = [];
    let foreignOrders: OpenOrder[] = [];
    let states: Awaited<ReturnType<typeof client.clearinghouseState>>[] = [];
    let sharedAccount: ForeignReport | undefined;
    let orders: OrderReconciliation;
    const share = this.core.share;
    const owns = (symbol: string) => share === undefined || share.attributeSymbol(symbol).kind === 'own';
    try {
      await this.refreshPeers();
      for (let attempt = 0; attempt < 3; attempt += 1) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 250));
        await client.settled();
        await engine.idle();
        // Every perp dex the client trades (HIP-3 ones too): each dex's state lists only its own positions.
        const dexes = (await client.loadAssets()).dexes();
        states = await Promise.all(dexes.map((dex) => client.clearinghouseState(undefined, dex)));
        openOrders = await client.getOpenOrders();
        foreignOrders = await client.getForeignOpenOrders();
        await client.syncFills();
        await engine.idle();
        mismatches = dexes.flatMap((dex, i) => {
          const venue = states[i];
          if (venue === undefined) throw new Error(`no clearinghouse state for dex "${dex}"`);
          return comparePositions(this.core.tracker, venue, this.appliedAfter(venue.time), dex, owns);
        });
        if (mismatches.length === 0) break;
      }
      orders = await engine.reconcileOrders(openOrders, { adopt: config.adoptVenueState });
      await engine.resolveUnknownOrders();
      if (share !== undefined) {
        // A tag nobody known carries: a bot that registered since the read above, or a manual cloid.
        const unknownTag = foreignOrders.some(
          (o) =>
            o.clientOrderId !== undefined &&
            share.attribute({ cloid: o.clientOrderId, symbol: o.symbol }).kind === 'unowned',
        );
        if (unknownTag) await this.refreshPeers();
        sharedAccount = await this.unowned.reconcile(foreignOrders, states);
      }
      await this.clearDeadLeases();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      const limit = config.reconcileFailuresToHalt;
      await audit.append({
        type: 'error',
        message:
          `reconciliation (${why}) failed ${this.failures} time(s) in a row: ${errorText(error)}`.slice(
            0,
            4000,
          ),
        source: 'hl-bot',
      });
      if (why === 'periodic' && this.failures >= limit && !this.core.risk.state.circuitBreakerTripped) {
        await engine.tripCircuitBreaker(
          `reconciliation failed ${this.failures} times in a row (limit ${limit}): ${errorText(error)}`,
        );
      }
      throw error;
    }
    let action: ReconcileReport['action'] = 'none';
    if (mismatches.length > 0) {
      action = config.adoptVenueState ? 'adopted_venue_state' : 'breaker_tripped';
      for (const m of mismatches) {
        await audit.append({
          type: 'reconciliation_mismatch',
          symbol: m.symbol,
          local: m.local.toString(),
          venue: m.venue.toString(),
          action,
        });
      }
      if (config.adoptVenueState) await this.adopt(mismatches);
      else
        await engine.tripCircuitBreaker(
          `reconciliation mismatch (${why}): ${mismatches.map((m) => `${m.symbol} local=${m.local} venue=${m.venue}`).join(', ')}`,
        );
    }
    const report: ReconcileReport = {
      time: clock.now(),
      mismatches: mismatches.map((m) => ({
        symbol: m.symbol,
        local: m.local.toString(),
        venue: m.venue.toString(),
      })),
      action,
      venueOpenOrders: openOrders.length,
      unknownVenueOrders: orders.unknownAtVenue,
      missingVenueOrders: orders.missingAtVenue,
      ...(sharedAccount === undefined ? {} : { sharedAccount }),
    };
    this.last = report;
    metrics.set(
      'hl_bot_last_reconciliation_timestamp_seconds',
      'Time of the last reconciliation',
      Math.floor(report.time / 1000),
    );
    metrics.inc('hl_bot_reconciliations_total', 'Reconciliations by outcome', { action });
    logger[mismatches.length > 0 ? 'error' : 'info']({ why, ...report }, 'reconciliation');
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

  /** Books each difference as an audited synthetic fill at the venue's entry price (--adopt-venue-state). */
  private async adopt(mismatches: PositionMismatch[]): Promise<void> {
    const { client, clock, audit, tracker } = this.core;
    for (const m of mismatches) {
      const diff = m.venue.minus(m.local);
      const price = m.venueEntryPrice ?? (await client.getMarketPrice(m.symbol)).price;
      const fill = Fill.parse({
        id: `adopt-${m.symbol}-${clock.now()}-${audit.lastSeq}`,
        orderId: 'venue-state-adoption',
        symbol: m.symbol,
        side: diff.gt(0) ? 'buy' : 'sell',
        quantity: diff.abs(),
        price,
        fee: '0',
        timestamp: clock.now(),
      });
      // Risk follows the tracker's positions (followPositions): the adopted one counts there at once.
      await tracker.updateFromFill(fill);
    }
  }
}
