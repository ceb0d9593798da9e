import { type Decimal, ZERO } from '@hl-bot/core-types';
import type { RiskConfig } from '../config.js';
import { equals } from '../decimal-compare.js';

/** The last account report. */
export interface Account {
  readonly balance: Decimal;
  readonly equity: Decimal;
}

/** Percentage limits of an equity, in money. */
export interface EquityLimits {
  readonly equity: Decimal;
  readonly orderNotional: Decimal;
  readonly positionSize: Decimal;
  readonly exposure: Decimal;
  readonly leverage: Decimal;
}

/**
 * The equity estimate between account reports: the last reported equity, moved by the change in the
 * positions' unrealized P&L since that report and by the net P&L of trades recorded since.
 */
export class EquityEstimate {
  account: Account | null = null;
  /** False after a restart until `updateAccount` reports a fresh account. */
  confirmed = false;
  /** Daily P&L a restart read from the log, shown until the first account report. */
  recoveredDailyPnl: Decimal | null = null;
  /** Unrealized P&L of the positions when the account was last reported; null = not yet known. */
  private unrealizedAtReport: Decimal | null = null;
  /** When the venue measured the last reported account (ms); null when not known. */
  private reportedAt: number | null = null;
  private realizedSinceReport: Decimal = ZERO;
  private memo: {
    account: Account;
    u: Decimal;
    base: Decimal | null;
    realized: Decimal;
    value: Decimal;
  } | null = null;
  private limitsMemo: EquityLimits | null = null;

  constructor(private readonly config: RiskConfig) {}

  /** A starting balance given at construction: confirmed, with no positions behind it. */
  initial(balance: Decimal): void {
    this.account = { balance, equity: balance };
    this.confirmed = true;
    this.unrealizedAtReport = ZERO;
  }

  /**
   * A fresh account report, measured at `at` (null: not known), taken while the positions' unrealized P&L
   * is `unrealized`.
   */
  report(account: Account, unrealized: Decimal, at: number | null): void {
    this.account = account;
    this.reportedAt = at;
    this.confirmed = true;
    this.recoveredDailyPnl = null;
    this.unrealizedAtReport = unrealized;
    this.realizedSinceReport = ZERO;
  }

  /** When the venue measured the last reported account (ms): the estimate holds every cash flow up to it. */
  get measuredAt(): number | null {
    return this.reportedAt;
  }

  /** Net P&L of a closed trade, until the next report includes it. */
  addRealized(pnl: Decimal): void {
    this.realizedSinceReport = this.realizedSinceReport.plus(pnl);
  }

  /**
   * Money moved in or out at `time`. A report measured before it moves too, or the stale equity would count
   * as P&L (and a stale higher equity would lift the peak); the next report replaces it with the venue's.
   * A report measured at or after it already holds it: moved again, the flow would count twice (a
   * withdrawal read as a loss of its amount until the next report).
   */
  shift(amount: Decimal, time?: number): void {
    const a = this.account;
    if (a === null) return;
    if (time !== undefined && this.reportedAt !== null && time <= this.reportedAt) return;
    this.account = { balance: a.balance.plus(amount), equity: a.equity.plus(amount) };
  }

  /** The estimate while the positions' unrealized P&L is `unrealized`; null before any account. */
  estimate(unrealized: Decimal): Decimal | null {
    const a = this.account;
    if (a === null) return null;
    const base = this.unrealizedAtReport;
    const realized = this.realizedSinceReport;
    const memo = this.memo;
    // Decimals are immutable, so unchanged inputs (by identity) give the same equity without new allocations.
    if (
      memo !== null &&
      memo.account === a &&
      memo.u === unrealized &&
      memo.base === base &&
      memo.realized === realized
    ) {
      return memo.value;
    }
    let equity = a.equity;
    if (base !== null && !equals(unrealized, base)) equity = equity.plus(unrealized.minus(base));
    if (!realized.isZero()) equity = equity.plus(realized);
    this.memo = { account: a, u: unrealized, base, realized, value: equity };
    return equity;
  }

  /** Percentage limits in money for an equity, recomputed only when the equity changes. */
  limitsFor(equity: Decimal): EquityLimits {
    const memo = this.limitsMemo;
    if (memo !== null && memo.equity === equity) return memo;
    const cfg = this.config;
    const limits: EquityLimits = {
      equity,
      orderNotional: equity.times(cfg.maxOrderNotionalPercent),
      positionSize: equity.times(cfg.maxPositionSizePercent),
      exposure: equity.times(cfg.maxExposurePercent),
      leverage: equity.times(cfg.maxLeverage),
    };
    this.limitsMemo = limits;
    return limits;
  }
}
