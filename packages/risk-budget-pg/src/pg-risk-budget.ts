import { performance } from 'node:perf_hooks';
import {
  type BudgetKeep,
  BudgetLedger,
  type BudgetLimits,
  type BudgetNeed,
  BudgetRefusalCode,
  type BudgetTake,
  compareDecimals,
  Decimal,
  lossLimitReason,
  type RiskBudget,
  type SharedRiskState,
  stateRefusal,
  TradingState,
  ZERO,
} from '@hl-bot/core-types';
import pg from 'pg';
import { RiskBudgetPgError } from './errors.js';
import {
  applicationNameOf,
  checkOptions,
  DEAD_LEASE_GRACE_MS,
  idleInTransactionMs,
  type NormalizedCaps,
  normalizeCaps,
  type PgRiskBudgetOptions,
} from './options.js';
import {
  type AccountPeer,
  checkClaim,
  claimIn,
  conflictError,
  peersIn,
  type SymbolClaim,
} from './ownership.js';
import { channelOf, migrate, SCHEMA } from './schema.js';

interface AccountRow {
  max_exposure: string | null;
  max_positions: number | null;
  orders_per_minute: number | null;
  daily_loss: string | null;
  max_drawdown: string | null;
  max_consecutive_losses: number | null;
  lease_ms: number;
  slice: string;
  order_tokens: string;
  elapsed_ms: string;
  trading_state: TradingState;
  reason: string | null;
  reducing_day: string | null;
  consecutive_losses: number;
  peak_day: string | null;
  day_peak: string;
  state_version: string;
  today: string;
}

interface StatePayload {
  readonly v: number;
  readonly s: TradingState;
  readonly r: string | null;
  readonly l: number;
}

const RECONNECT_MS = 250;

function dec(value: string | null): Decimal | null {
  return value === null ? null : new Decimal(value);
}

function minDec(a: Decimal, b: Decimal): Decimal {
  return compareDecimals(a, b) <= 0 ? a : b;
}

function maxDec(a: Decimal, b: Decimal): Decimal {
  return compareDecimals(a, b) >= 0 ? a : b;
}

/** The NOTIFY payload and the local state both come from this one row shape. */
const STATE_JSON = `json_build_object('v', state_version, 's', trading_state, 'r', reason, 'l', consecutive_losses)::text`;

/**
 * The account's risk budget shared through PostgreSQL (see the README for the design and its bounds).
 *
 * `tryTake` only consumes the slice this instance leased: no round trip. The lease is renewed in the
 * background every third of its lifetime, in one transaction that locks the account row, so the slices of
 * every bot never add up to more than the caps. The breaker and REDUCING reach every instance by
 * LISTEN/NOTIFY. While the database is unreachable (or the lease lapsed) every take is refused with
 * `BUDGET_UNAVAILABLE`; reduce-only orders need no take and keep working.
 */
export class PgRiskBudget implements RiskBudget {
  readonly account: string;
  readonly botId: string;
  readonly #caps: NormalizedCaps;
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #deadGraceMs: number;
  readonly #channel: string;
  readonly #onError: ((error: RiskBudgetPgError) => void) | undefined;
  readonly #ledger = new BudgetLedger();
  readonly #listeners = new Set<(state: SharedRiskState) => void>();
  #limits: BudgetLimits = { maxExposure: ZERO, maxPositions: 0, maxOrders: 0 };
  /** `performance.now()` after which the lease may have expired in the database. */
  #validUntil = 0;
  #leaseMs = 3000;
  #slice = new Decimal('0.25');
  #lossFloor: Decimal | undefined;
  #dayPnl: Decimal = ZERO;
  #pnlDirty = false;
  #pnlUnsent = false;
  #state: SharedRiskState = Object.freeze({
    tradingState: TradingState.HALTED,
    reason: 'not synchronised with the shared budget yet',
    available: false,
    consecutiveLosses: 0,
    accountDayPnl: ZERO,
  });
  #stateVersion = -1;
  #shared: { tradingState: TradingState; reason: string | undefined; losses: number } = {
    tradingState: TradingState.ACTIVE,
    reason: undefined,
    losses: 0,
  };
  #accountPnl: Decimal = ZERO;
  #listenClient: pg.Client | undefined;
  #listening = false;
  #lastError: string | undefined = 'not connected yet';
  #migrated = false;
  #writes: Promise<void> = Promise.resolve();
  #changes = 0;
  #reported = 0;
  #reportQueued = false;
  #renewTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  #closed = false;
  /** A trip that has not reached the database yet: written by the next renewal, never lost to a re-sync. */
  #pendingTrip: string | undefined;
  /** The symbols and tag this instance claimed: re-registered when its lease row had to be created again. */
  #claim: SymbolClaim | undefined;

  private constructor(options: PgRiskBudgetOptions) {
    checkOptions(options);
    this.account = options.account;
    this.botId = options.botId;
    this.#caps = normalizeCaps(options.caps);
    this.#url = options.url;
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#deadGraceMs = options.deadLeaseGraceMs ?? DEAD_LEASE_GRACE_MS;
    this.#channel = channelOf(options.account);
    this.#onError = options.onError;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: 2,
      application_name: applicationNameOf(options.botId),
      connectionTimeoutMillis: this.#timeoutMs,
      query_timeout: this.#timeoutMs,
      idle_in_transaction_session_timeout: idleInTransactionMs(this.#timeoutMs),
      idleTimeoutMillis: 10_000,
    });
    // An idle connection the server dropped must not crash the process: the next query reconnects.
    this.#pool.on('error', (error) => this.#failed(error));
  }

  /**
   * Connects, creates the schema and the account when missing, listens for the breaker and takes a first
   * lease. Resolves even when the database is unreachable: the budget is then fail-closed and keeps
   * retrying in the background.
   *
   * @throws {RiskBudgetPgError} code `RISK_BUDGET_CONFIG` for invalid options
   */
  static async open(options: PgRiskBudgetOptions): Promise<PgRiskBudget> {
    const budget = new PgRiskBudget(options);
    await budget.#connectListener();
    await budget.renew().catch(() => undefined);
    return budget;
  }

  get state(): SharedRiskState {
    return this.#state;
  }

  /** What this instance holds and the slice it leased (for status and tests). */
  get lease(): {
    readonly exposure: Decimal;
    readonly positions: number;
    readonly liveOrders: number;
    readonly limits: BudgetLimits;
  } {
    return {
      exposure: this.#ledger.exposure,
      positions: this.#ledger.positions,
      liveOrders: this.#ledger.liveOrders,
      limits: this.#limits,
    };
  }

  /**
   * When this instance's lease ends, on the wall clock: an order taken now must reach the venue before it
   * (the engine signs it to expire then), since past it another bot may clear the lease as dead. Earlier
   * than the database's expiry: the local lease starts before the renewal's transaction does. A lapsed
   * lease gives a time already past, so nothing taken under it is sent.
   */
  get takesValidUntil(): number {
    if (this.#closed) return Date.now() - 1;
    return Math.floor(Date.now() + this.#validUntil - performance.now());
  }

  tryTake(orderId: string, need: BudgetNeed): BudgetTake {
    const refusal = stateRefusal(this.#state, this.#closed);
    if (refusal !== undefined) return refusal;
    if (performance.now() >= this.#validUntil) {
      this.#refresh();
      return {
        ok: false,
        code: BudgetRefusalCode.UNAVAILABLE,
        reason: 'the lease lapsed before it was renewed',
      };
    }
    if (this.#lossFloor !== undefined && compareDecimals(this.#dayPnl, this.#lossFloor) < 0) {
      this.#renewSoon();
      return {
        ok: false,
        code: BudgetRefusalCode.LOSS,
        reason: `this bot's share of the daily loss budget is used (day P&L ${this.#dayPnl.toString()})`,
      };
    }
    const result = this.#ledger.take(orderId, need, this.#limits);
    if (result.ok) this.#changed();
    else if (
      result.code === BudgetRefusalCode.EXPOSURE ||
      result.code === BudgetRefusalCode.POSITIONS ||
      result.code === BudgetRefusalCode.ORDER_RATE
    )
      // The slice ran out: ask for more now rather than at the next scheduled renewal.
      this.#renewSoon();
    return result;
  }

  settle(orderId: string, keep: BudgetKeep): void {
    this.#ledger.settle(orderId, keep);
    this.#changed();
  }

  give(orderId: string): void {
    this.#ledger.give(orderId);
    this.#changed();
  }

  /**
   * Resolves once the database holds this instance's live-order count and usage as of this call, so a bot
   * killed right after cannot leave an order the database does not count.
   *
   * @throws {RiskBudgetPgError} `RISK_BUDGET_UNAVAILABLE` when the write failed: do not send the order
   */
  async flush(): Promise<void> {
    const target = this.#changes;
    // A write that timed out under load is tried again; three failures in a row mean the database is away.
    for (let attempt = 0; attempt < 3 && this.#reported < target && !this.#closed; attempt++) {
      this.#queueReport();
      await this.#writes;
    }
    if (this.#reported < target) {
      throw new RiskBudgetPgError(
        'RISK_BUDGET_UNAVAILABLE',
        `the shared budget did not record the takes: ${this.#lastError ?? 'unknown'}`,
      );
    }
  }

  reportPnl(dayPnl: Decimal): void {
    if (!(dayPnl instanceof Decimal) || !dayPnl.isFinite()) return;
    this.#dayPnl = dayPnl;
    if (this.#pnlDirty) return;
    this.#pnlDirty = true;
    this.#enqueue(
      async (client) => {
        this.#pnlDirty = false;
        this.#pnlUnsent = true;
        await this.#writePnl(client, this.#dayPnl);
        this.#pnlUnsent = false;
      },
      () => {
        this.#pnlDirty = false;
      },
    );
  }

  /** After a failed P&L write the next successful renewal sends the latest value again. */
  #resendPnl(): void {
    if (this.#pnlUnsent && !this.#pnlDirty) {
      this.#pnlUnsent = false;
      this.reportPnl(this.#dayPnl);
    }
  }

  recordTradeResult(netPnl: Decimal): void {
    if (!(netPnl instanceof Decimal) || !netPnl.isFinite()) return;
    const loss = netPnl.isNegative() && !netPnl.isZero();
    this.#enqueue(async (client) => {
      await client.query('BEGIN');
      const row = await this.#lockAccount(client);
      const losses = loss ? row.consecutive_losses + 1 : 0;
      const max = row.max_consecutive_losses;
      const trip = max !== null && losses >= max && row.trading_state !== TradingState.HALTED;
      await this.#writeState(client, {
        losses,
        ...(trip
          ? { tradingState: TradingState.HALTED, reason: `${losses} consecutive losses on the account` }
          : {}),
      });
      await client.query('COMMIT');
    });
  }

  /** Halts every bot on the account: applied here at once, then shared (NOTIFY). */
  async trip(reason: string): Promise<void> {
    const why = typeof reason === 'string' && reason.length > 0 ? reason.slice(0, 500) : 'tripped';
    this.#shared = { ...this.#shared, tradingState: TradingState.HALTED, reason: why };
    this.#pendingTrip = why;
    this.#publish();
    await this.#run(async (client) => {
      await client.query('BEGIN');
      await this.#lockAccount(client);
      const row = await this.#writeState(client, { tradingState: TradingState.HALTED, reason: why });
      await client.query('COMMIT');
      if (this.#pendingTrip === why) this.#pendingTrip = undefined;
      this.#applyRow(row);
    });
  }

  /** Clears the breaker, REDUCING and the streak for every bot; the day's peak restarts from here. */
  async reset(): Promise<void> {
    await this.#run(async (client) => {
      await client.query('BEGIN');
      const row = await this.#lockAccount(client);
      const sum = await this.#accountDayPnl(client, row.today);
      await client.query(
        `UPDATE ${SCHEMA}.accounts SET day_peak = $2, peak_day = $3, reducing_day = NULL WHERE account = $1`,
        [this.account, sum.toString(), row.today],
      );
      const state = await this.#writeState(client, {
        tradingState: TradingState.ACTIVE,
        reason: null,
        losses: 0,
      });
      await client.query('COMMIT');
      this.#pendingTrip = undefined;
      this.#applyRow(state);
    });
  }

  /**
   * Deletes the expired lease of a dead bot so what it used stops counting. The reconciler calls it once
   * the venue shows none of that bot's orders open (and its positions are accounted elsewhere). Returns
   * false, and changes nothing, when the lease is still live, expired less than `deadLeaseGraceMs` ago (an
   * order its bot signed just before the expiry may still show on the book) or does not exist.
   */
  async clearDeadLease(botId: string): Promise<boolean> {
    return this.#run(async (client) => {
      const r = await client.query(
        `DELETE FROM ${SCHEMA}.leases WHERE account = $1 AND bot_id = $2
           AND expires_at <= now() - make_interval(secs => $3::double precision / 1000)`,
        [this.account, botId, this.#deadGraceMs],
      );
      return (r.rowCount ?? 0) > 0;
    });
  }

  /**
   * The account's leases whose bot stopped renewing (expired at least `deadLeaseGraceMs` ago), other than
   * this instance's, with what they still count: the reconciler decides from the venue whether
   * `clearDeadLease` may drop one. A bot that claimed symbols on a venue account (`claimSymbols`) comes with
   * that account and its cloid tag, so only its own orders there are looked at.
   */
  async deadLeases(): Promise<
    {
      botId: string;
      liveOrders: number;
      usedExposure: Decimal;
      usedPositions: number;
      venueAccount?: string;
      cloidTag?: string;
    }[]
  > {
    return this.#run(async (client) => {
      const r = await client.query<{
        bot_id: string;
        live_orders: number;
        used_exposure: string;
        used_positions: number;
        venue_account: string | null;
        cloid_tag: string | null;
      }>(
        `SELECT l.bot_id, l.live_orders, l.used_exposure::text AS used_exposure, l.used_positions,
           t.venue_account, t.cloid_tag
         FROM ${SCHEMA}.leases l LEFT JOIN ${SCHEMA}.cloid_tags t USING (account, bot_id)
         WHERE l.account = $1 AND l.bot_id <> $2
           AND l.expires_at <= now() - make_interval(secs => $3::double precision / 1000) ORDER BY l.bot_id`,
        [this.account, this.botId, this.#deadGraceMs],
      );
      return r.rows.map((row) => ({
        botId: row.bot_id,
        liveOrders: row.live_orders,
        usedExposure: new Decimal(row.used_exposure),
        usedPositions: row.used_positions,
        ...(row.venue_account === null ? {} : { venueAccount: row.venue_account }),
        ...(row.cloid_tag === null ? {} : { cloidTag: row.cloid_tag }),
      }));
    });
  }

  /**
   * Registers the symbols this bot trades on its venue account and the tag its cloids carry, for as long
   * as its lease lives (a clean idle stop deletes both with the lease; after a crash they last until the
   * dead lease is cleared, never while its orders may be live). A symbol another bot registered on the
   * same venue account, live or dead and not cleared, is refused: symbols are never shared between bots.
   *
   * @throws {RiskBudgetPgError} `RISK_BUDGET_SYMBOL_OWNED` (names the other bot), `RISK_BUDGET_TAG_TAKEN`,
   *   `RISK_BUDGET_CONFIG` for a malformed claim, `RISK_BUDGET_UNAVAILABLE` when the database is away
   */
  async claimSymbols(claim: SymbolClaim): Promise<void> {
    const checked = checkClaim(claim);
    // The claim hangs off the lease row: it must exist (a first renewal creates it).
    await this.renew();
    const conflict = await this.#run(async (client) => {
      await client.query('BEGIN');
      const found = await claimIn(client, this.account, this.botId, checked);
      await client.query(found === undefined ? 'COMMIT' : 'ROLLBACK');
      return found;
    });
    if (conflict !== undefined) throw conflictError(checked, conflict);
    this.#claim = checked;
  }

  /** The other bots registered on `venueAccount` (see `claimSymbols`), live and dead. */
  async peers(venueAccount: string): Promise<AccountPeer[]> {
    return this.#run((client) => peersIn(client, this.account, this.botId, venueAccount));
  }

  onChange(listener: (state: SharedRiskState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Renews the lease now (the background loop calls it every third of the lease time). Also re-reads the
   * shared state, so it is how the budget re-syncs after an outage.
   *
   * @throws {RiskBudgetPgError} `RISK_BUDGET_UNAVAILABLE` when the database could not be reached
   */
  renew(): Promise<void> {
    // A caller wants a renewal that sees the database as of now: one already in flight may have read it
    // before the change the caller waits for.
    const inFlight = this.#renewing;
    if (inFlight !== undefined) return inFlight.catch(() => undefined).then(() => this.renew());
    // In line with the usage reports, never beside them: a renewal upserts the usage it read when it began,
    // so one that committed after a later report (its account lock waited on another bot) wrote an order
    // the flush had promised back out of the database, and a bot killed then left it uncounted.
    const run = this.#inOrder((client) => this.#renewIn(client)).finally(() => {
      this.#renewing = undefined;
      this.#scheduleRenew();
    });
    this.#renewing = run;
    return run;
  }

  /**
   * Stops renewing and gives the lease back: deleted when nothing is held, else expired at once so only
   * what is still used (open orders, positions) keeps counting.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#expiryTimer);
    clearTimeout(this.#reconnectTimer);
    try {
      await this.#writes;
      // A renewal already in flight upserts the lease: let it land first, or it would bring back the row
      // this deletes (a closed idle bot left behind as a lease).
      await this.#renewing?.catch(() => undefined);
      await this.#withClient(async (client) => {
        const idle =
          this.#ledger.liveOrders === 0 && this.#ledger.exposure.isZero() && this.#ledger.positions === 0;
        if (idle) {
          await client.query(`DELETE FROM ${SCHEMA}.leases WHERE account = $1 AND bot_id = $2`, [
            this.account,
            this.botId,
          ]);
        } else {
          await client.query(
            `UPDATE ${SCHEMA}.leases SET expires_at = now(), used_exposure = $3, used_positions = $4, live_orders = $5
             WHERE account = $1 AND bot_id = $2`,
            [
              this.account,
              this.botId,
              this.#ledger.exposure.toString(),
              this.#ledger.positions,
              this.#ledger.liveOrders,
            ],
          );
        }
      });
    } catch {
      // The database is gone: the lease expires on its own and keeps counting what was used.
    }
    this.#listeners.clear();
    const listen = this.#listenClient;
    this.#listenClient = undefined;
    await listen?.end().catch(() => undefined);
    await this.#pool.end().catch(() => undefined);
  }

  // --- the lease ---------------------------------------------------------------------------------

  async #renewIn(client: pg.PoolClient): Promise<void> {
    // The lease must end here no later than in the database: its clock starts before the transaction does.
    const sentAt = performance.now();
    const ledger = this.#ledger;
    const used = ledger.exposure;
    const usedPositions = ledger.positions;
    const limits = this.#limits;
    const leaseValid = sentAt < this.#validUntil;
    // What this instance keeps of its current slice while the renewal is in flight: takes meanwhile stay
    // within it, and the database grants at least it, so a grant never lands below what was taken. (A room
    // never exceeds one slice: each grant is at most the kept room or one slice.)
    const keepRoom =
      leaseValid && limits.maxExposure !== undefined ? maxDec(limits.maxExposure.minus(used), ZERO) : ZERO;
    const keepPositions =
      leaseValid && limits.maxPositions !== undefined ? Math.max(0, limits.maxPositions - usedPositions) : 0;
    const tokensLeft =
      limits.maxOrders === undefined ? 0 : Math.max(0, limits.maxOrders - ledger.ordersSpent);
    const keepLoss =
      leaseValid && this.#lossFloor !== undefined ? maxDec(this.#dayPnl.minus(this.#lossFloor), ZERO) : ZERO;
    this.#limits = {
      ...(limits.maxExposure === undefined ? {} : { maxExposure: used.plus(keepRoom) }),
      ...(limits.maxPositions === undefined ? {} : { maxPositions: usedPositions + keepPositions }),
      ...(limits.maxOrders === undefined ? {} : { maxOrders: limits.maxOrders }),
    };
    const pnlAtSend = this.#dayPnl;
    const changesAtSend = this.#changes;

    await client.query('BEGIN');
    const row = await this.#lockAccount(client);
    const caps = this.#capsOf(row);
    const others = await client.query<{
      exposure: string;
      positions: number;
      loss_share: string;
      used_exposure: string;
      used_positions: number;
      live: boolean;
    }>(
      `SELECT exposure, positions, loss_share, used_exposure, used_positions, expires_at > now() AS live
       FROM ${SCHEMA}.leases WHERE account = $1 AND bot_id <> $2`,
      [this.account, this.botId],
    );
    let otherExposure = ZERO;
    let otherPositions = 0;
    let otherLoss = ZERO;
    for (const o of others.rows) {
      // A live lease counts its whole slice; an expired one only what its bot was using when it stopped
      // reporting, until the reconciler clears it: a dead bot's possibly-live orders keep counting.
      otherExposure = otherExposure.plus(o.live ? o.exposure : o.used_exposure);
      otherPositions += o.live ? o.positions : o.used_positions;
      if (o.live) otherLoss = otherLoss.plus(o.loss_share);
    }

    let exposure: Decimal | null = null;
    if (caps.maxExposure !== null) {
      const free = caps.maxExposure.minus(otherExposure).minus(used);
      exposure = used.plus(
        maxDec(keepRoom, minDec(this.#sliceOf(caps.maxExposure, caps.slice), maxDec(free, ZERO))),
      );
    }
    let positions: number | null = null;
    if (caps.maxPositions !== null) {
      const free = caps.maxPositions - otherPositions - usedPositions;
      const slice = Math.max(1, Math.floor(caps.slice.times(caps.maxPositions).toNumber()));
      positions = usedPositions + Math.max(keepPositions, Math.min(slice, Math.max(0, free)));
    }
    let tokens: number | null = null;
    let bucket = new Decimal(row.order_tokens);
    if (caps.ordersPerMinute !== null) {
      const perMinute = caps.ordersPerMinute;
      bucket = minDec(
        new Decimal(perMinute),
        bucket.plus(new Decimal(row.elapsed_ms).times(perMinute).div(60_000)),
      );
      const want = Math.max(1, Math.ceil(caps.slice.times(perMinute).toNumber()));
      const topUp = Math.max(0, want - tokensLeft);
      tokens = Math.min(topUp, bucket.floor().toNumber());
      bucket = bucket.minus(tokens);
    }
    const accountPnl = await this.#accountDayPnl(client, row.today);
    let lossShare: Decimal | null = null;
    if (caps.dailyLoss !== null) {
      const free = caps.dailyLoss.plus(accountPnl).minus(otherLoss);
      lossShare = maxDec(keepLoss, minDec(this.#sliceOf(caps.dailyLoss, caps.slice), maxDec(free, ZERO)));
    }
    // A REDUCING latch set by the day's loss ends with that day.
    let roll: { tradingState: TradingState; reason: string | null } | undefined;
    const pendingTrip = this.#pendingTrip;
    if (pendingTrip !== undefined) roll = { tradingState: TradingState.HALTED, reason: pendingTrip };
    else if (
      row.trading_state === TradingState.REDUCING &&
      row.reducing_day !== null &&
      row.reducing_day < row.today
    ) {
      roll = { tradingState: TradingState.ACTIVE, reason: null };
    }
    const upserted = await client.query<{ inserted: boolean }>(
      `INSERT INTO ${SCHEMA}.leases AS l (account, bot_id, exposure, positions, order_tokens, loss_share,
         used_exposure, used_positions, live_orders, expires_at, renewed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10::double precision / 1000), now())
       ON CONFLICT (account, bot_id) DO UPDATE SET exposure = EXCLUDED.exposure, positions = EXCLUDED.positions,
         order_tokens = l.order_tokens + EXCLUDED.order_tokens, loss_share = EXCLUDED.loss_share,
         used_exposure = EXCLUDED.used_exposure, used_positions = EXCLUDED.used_positions,
         live_orders = EXCLUDED.live_orders, expires_at = EXCLUDED.expires_at, renewed_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        this.account,
        this.botId,
        (exposure ?? ZERO).toString(),
        positions ?? 0,
        tokens ?? 0,
        (lossShare ?? ZERO).toString(),
        used.toString(),
        usedPositions,
        ledger.liveOrders,
        caps.leaseMs,
      ],
    );
    await client.query(
      `UPDATE ${SCHEMA}.accounts SET order_tokens = $2, tokens_at = now() WHERE account = $1`,
      [this.account, bucket.toString()],
    );
    // A lease row created again (another bot cleared it as dead while this one was slow to renew): its
    // symbol and tag claims went with it (ON DELETE CASCADE), so they are registered again here, or the
    // other bots would count this bot's orders and fills as nobody's.
    const claim = this.#claim;
    const lostClaim =
      claim !== undefined && upserted.rows[0]?.inserted === true
        ? await claimIn(client, this.account, this.botId, claim)
        : undefined;
    const state = roll === undefined ? undefined : await this.#writeState(client, roll);
    await client.query('COMMIT');
    if (claim !== undefined && lostClaim !== undefined) this.#onError?.(conflictError(claim, lostClaim));

    if (pendingTrip !== undefined && this.#pendingTrip === pendingTrip) this.#pendingTrip = undefined;
    this.#leaseMs = caps.leaseMs;
    this.#slice = caps.slice;
    this.#limits = {
      ...(exposure === null ? {} : { maxExposure: exposure }),
      ...(positions === null ? {} : { maxPositions: positions }),
      ...(tokens === null ? {} : { maxOrders: (limits.maxOrders ?? ledger.ordersSpent) + tokens }),
    };
    this.#lossFloor = lossShare === null ? undefined : pnlAtSend.minus(lossShare);
    this.#validUntil = sentAt + caps.leaseMs;
    this.#accountPnl = accountPnl;
    if (changesAtSend > this.#reported) this.#reported = changesAtSend;
    this.#applyRow(state ?? row);
    this.#armExpiry();
    this.#resendPnl();
  }

  #sliceOf(cap: Decimal | null, slice: Decimal = this.#slice): Decimal {
    return cap === null ? ZERO : cap.times(slice);
  }

  #capsOf(row: AccountRow): NormalizedCaps {
    return {
      maxExposure: dec(row.max_exposure),
      maxPositions: row.max_positions,
      ordersPerMinute: row.orders_per_minute,
      dailyLoss: dec(row.daily_loss),
      maxDrawdown: dec(row.max_drawdown),
      maxConsecutiveLosses: row.max_consecutive_losses,
      leaseMs: row.lease_ms,
      slice: new Decimal(row.slice),
    };
  }

  // --- the shared state ---------------------------------------------------------------------------

  async #lockAccount(client: pg.PoolClient): Promise<AccountRow> {
    const select = () =>
      client.query<AccountRow>(
        `SELECT *, (extract(epoch FROM now() - tokens_at) * 1000)::text AS elapsed_ms,
           state_version::text AS state_version, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS today
         FROM ${SCHEMA}.accounts WHERE account = $1 FOR UPDATE`,
        [this.account],
      );
    let found = await select();
    if (found.rows[0] === undefined) {
      const c = this.#caps;
      await client.query(
        `INSERT INTO ${SCHEMA}.accounts (account, max_exposure, max_positions, orders_per_minute, daily_loss,
           max_drawdown, max_consecutive_losses, lease_ms, slice, order_tokens)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($4, 0)) ON CONFLICT (account) DO NOTHING`,
        [
          this.account,
          c.maxExposure?.toString() ?? null,
          c.maxPositions,
          c.ordersPerMinute,
          c.dailyLoss?.toString() ?? null,
          c.maxDrawdown?.toString() ?? null,
          c.maxConsecutiveLosses,
          c.leaseMs,
          c.slice.toString(),
        ],
      );
      found = await select();
    }
    const row = found.rows[0];
    if (row === undefined) throw new Error(`account ${this.account} could not be created`);
    return row;
  }

  /** Writes the shared state (bumping its version) and NOTIFYs every instance at commit. */
  async #writeState(
    client: pg.PoolClient,
    change: { tradingState?: TradingState; reason?: string | null; losses?: number; reducingDay?: string },
  ): Promise<AccountRow> {
    const r = await client.query<AccountRow & { payload: string }>(
      `UPDATE ${SCHEMA}.accounts SET
         trading_state = COALESCE($2, trading_state),
         reason = CASE WHEN $2::text IS NULL THEN reason ELSE $3 END,
         consecutive_losses = COALESCE($4, consecutive_losses),
         reducing_day = COALESCE($5, reducing_day),
         state_version = state_version + 1
       WHERE account = $1
       RETURNING *, state_version::text AS state_version, ${STATE_JSON} AS payload,
         to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS today, '0' AS elapsed_ms`,
      [
        this.account,
        change.tradingState ?? null,
        change.reason ?? null,
        change.losses ?? null,
        change.reducingDay ?? null,
      ],
    );
    const row = r.rows[0];
    if (row === undefined) throw new Error(`account ${this.account} is missing`);
    await client.query('SELECT pg_notify($1, $2)', [this.#channel, row.payload]);
    return row;
  }

  async #accountDayPnl(client: pg.PoolClient, today: string): Promise<Decimal> {
    const r = await client.query<{ sum: string | null }>(
      `SELECT sum(pnl)::text AS sum FROM ${SCHEMA}.day_pnl WHERE account = $1 AND day = $2`,
      [this.account, today],
    );
    return new Decimal(r.rows[0]?.sum ?? 0);
  }

  async #writePnl(client: pg.PoolClient, pnl: Decimal): Promise<void> {
    await client.query('BEGIN');
    const row = await this.#lockAccount(client);
    await client.query(
      `INSERT INTO ${SCHEMA}.day_pnl (account, bot_id, day, pnl) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account, day, bot_id) DO UPDATE SET pnl = EXCLUDED.pnl`,
      [this.account, this.botId, row.today, pnl.toString()],
    );
    const sum = await this.#accountDayPnl(client, row.today);
    const prevPeak = row.peak_day === row.today ? new Decimal(row.day_peak) : ZERO;
    const peak = maxDec(prevPeak, sum);
    await client.query(`UPDATE ${SCHEMA}.accounts SET day_peak = $2, peak_day = $3 WHERE account = $1`, [
      this.account,
      peak.toString(),
      row.today,
    ]);
    const reason = lossLimitReason(
      sum,
      peak,
      dec(row.daily_loss) ?? undefined,
      dec(row.max_drawdown) ?? undefined,
    );
    this.#accountPnl = sum;
    if (reason !== undefined && row.trading_state === TradingState.ACTIVE) {
      await this.#writeState(client, { tradingState: TradingState.REDUCING, reason, reducingDay: row.today });
    }
    await client.query('COMMIT');
    this.#publish();
  }

  #applyRow(row: {
    trading_state: TradingState;
    reason: string | null;
    consecutive_losses: number;
    state_version: string;
  }): void {
    this.#applyShared({
      v: Number(row.state_version),
      s: row.trading_state,
      r: row.reason,
      l: row.consecutive_losses,
    });
  }

  #applyShared(p: StatePayload): void {
    if (p.v >= this.#stateVersion) {
      this.#stateVersion = p.v;
      this.#shared = { tradingState: p.s, reason: p.r ?? undefined, losses: p.l };
    }
    this.#lastError = undefined;
    this.#publish();
  }

  #publish(): void {
    const available =
      !this.#closed &&
      this.#listening &&
      this.#lastError === undefined &&
      performance.now() < this.#validUntil;
    const s = this.#shared;
    const prev = this.#state;
    const reason = available ? s.reason : (this.#lastError ?? 'the lease lapsed');
    if (
      prev.available === available &&
      prev.tradingState === s.tradingState &&
      prev.reason === reason &&
      prev.consecutiveLosses === s.losses &&
      prev.accountDayPnl.eq(this.#accountPnl)
    )
      return;
    this.#state = Object.freeze({
      tradingState: s.tradingState,
      reason,
      available,
      consecutiveLosses: s.losses,
      accountDayPnl: this.#accountPnl,
    });
    for (const listener of this.#listeners) {
      try {
        listener(this.#state);
      } catch {
        // A listener's failure is its own; the others still hear the change.
      }
    }
  }

  // --- the connection ------------------------------------------------------------------------------

  async #connectListener(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({
      connectionString: this.#url,
      application_name: applicationNameOf(this.botId),
      connectionTimeoutMillis: this.#timeoutMs,
      query_timeout: this.#timeoutMs,
      keepAlive: true,
    });
    const lost = (error?: Error) => {
      if (this.#listenClient !== client) return;
      this.#listenClient = undefined;
      this.#listening = false;
      this.#failed(error ?? new Error('the LISTEN connection ended'));
      client.end().catch(() => undefined);
      this.#scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel !== this.#channel || message.payload === undefined) return;
      try {
        this.#applyShared(JSON.parse(message.payload) as StatePayload);
      } catch {
        this.#renewSoon();
      }
    });
    this.#listenClient = client;
    try {
      await client.connect();
      if (!this.#migrated) {
        await migrate(this.#pool);
        this.#migrated = true;
      }
      await client.query(`LISTEN ${this.#channel}`);
      this.#listening = true;
    } catch (error) {
      lost(error as Error);
      return;
    }
    // Whatever changed while nobody listened is read back by the renewal.
    this.#renewSoon();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer !== undefined) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#connectListener();
    }, RECONNECT_MS);
    this.#reconnectTimer.unref();
  }

  #scheduleRenew(): void {
    if (this.#closed) return;
    clearTimeout(this.#renewTimer);
    const ok = this.#lastError === undefined;
    this.#renewTimer = setTimeout(
      () => void this.renew().catch(() => undefined),
      ok ? this.#leaseMs / 3 : RECONNECT_MS,
    );
    this.#renewTimer.unref();
  }

  #renewSoon(): void {
    if (this.#closed || this.#renewing !== undefined) return;
    clearTimeout(this.#renewTimer);
    this.#renewTimer = setTimeout(() => void this.renew().catch(() => undefined), 0);
    this.#renewTimer.unref();
  }

  #refresh(): void {
    this.#publish();
    this.#renewSoon();
  }

  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    const wait = Math.max(0, this.#validUntil - performance.now());
    this.#expiryTimer = setTimeout(() => this.#publish(), wait + 1);
    this.#expiryTimer.unref();
  }

  #failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#lastError = `database unreachable: ${message}`;
    this.#publish();
    this.#onError?.(
      new RiskBudgetPgError('RISK_BUDGET_UNAVAILABLE', this.#lastError, {
        cause: error,
        details: { account: this.account },
      }),
    );
  }

  #changed(): void {
    this.#changes += 1;
    this.#queueReport();
  }

  #queueReport(): void {
    if (this.#reportQueued || this.#closed) return;
    this.#reportQueued = true;
    this.#enqueue(
      async (client) => {
        this.#reportQueued = false;
        const at = this.#changes;
        await client.query(
          `UPDATE ${SCHEMA}.leases SET used_exposure = $3, used_positions = $4, live_orders = $5
         WHERE account = $1 AND bot_id = $2`,
          [
            this.account,
            this.botId,
            this.#ledger.exposure.toString(),
            this.#ledger.positions,
            this.#ledger.liveOrders,
          ],
        );
        if (at > this.#reported) this.#reported = at;
      },
      // Also when the connection failed before the work began: the next change must queue a report again.
      () => {
        this.#reportQueued = false;
      },
    );
  }

  /** Background writes, one after another in call order; a failure marks the budget unavailable. */
  #enqueue(work: (client: pg.PoolClient) => Promise<void>, settled?: () => void): void {
    this.#writes = this.#writes.then(() =>
      this.#run(work)
        .catch(() => undefined)
        .finally(settled),
    );
  }

  /** Like `#enqueue`, for work whose caller wants its result or its error. */
  #inOrder<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const run = this.#writes.then(() => this.#run(work));
    this.#writes = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #run<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new RiskBudgetPgError('RISK_BUDGET_CLOSED', 'the risk budget is closed');
    try {
      const result = await this.#withClient(work);
      if (this.#lastError !== undefined && this.#listening) {
        this.#lastError = undefined;
        this.#publish();
      }
      return result;
    } catch (error) {
      this.#failed(error);
      throw new RiskBudgetPgError(
        'RISK_BUDGET_UNAVAILABLE',
        `shared risk budget: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async #withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    // A checked-out connection the server drops emits 'error' between queries; unheard, it would crash
    // the process. The failing query rejects anyway.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}
