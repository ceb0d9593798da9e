import { Decimal, type DecimalInput, toDecimal } from '@hl-bot/core-types';
import { RiskBudgetPgError } from './errors.js';

/**
 * The account's shared caps. Absent means unlimited. They are written once, by whichever bot creates the
 * account row first; later bots never overwrite them (`setAccountCaps` changes them deliberately).
 */
export interface AccountCaps {
  /** Gross notional of every position and working order on the account (money). */
  readonly maxExposure?: DecimalInput;
  readonly maxPositions?: number;
  /** Orders per minute across every bot (a token bucket). */
  readonly ordersPerMinute?: number;
  /** Account day P&L at or below `-dailyLoss` makes every bot REDUCING. */
  readonly dailyLoss?: DecimalInput;
  /** Drop of the account day P&L from the day's peak that makes every bot REDUCING. */
  readonly maxDrawdown?: DecimalInput;
  /** Consecutive losing trades across every bot that trip the breaker (HALTED). */
  readonly maxConsecutiveLosses?: number;
  /** How long a lease lives without renewal, ms (default 3000). Bots renew every third of it. */
  readonly leaseMs?: number;
  /** The largest fraction of each cap one bot leases at a time (default 0.25): the worst-case bound. */
  readonly slice?: DecimalInput;
}

export interface NormalizedCaps {
  readonly maxExposure: Decimal | null;
  readonly maxPositions: number | null;
  readonly ordersPerMinute: number | null;
  readonly dailyLoss: Decimal | null;
  readonly maxDrawdown: Decimal | null;
  readonly maxConsecutiveLosses: number | null;
  readonly leaseMs: number;
  readonly slice: Decimal;
}

export interface PgRiskBudgetOptions {
  /** `postgres://user:password@host:port/db`. Never logged. */
  readonly url: string;
  /** The account every bot sharing the budget names the same. */
  readonly account: string;
  /** This bot, unique on the account (a second instance with the same id would share its lease). */
  readonly botId: string;
  /** The caps to create the account with when it does not exist yet. */
  readonly caps?: AccountCaps;
  /** Bound of every database round trip, ms (default 1000). */
  readonly timeoutMs?: number;
  /**
   * How long past its expiry another bot's lease must be before `deadLeases` lists it and `clearDeadLease`
   * drops it, ms (default 5000). Its bot's orders are signed to expire with the lease (`takesValidUntil`),
   * on the bot's clock; the venue checks them on its own: the grace covers the clocks' skew and the time an
   * order accepted at its deadline takes to show on the book.
   */
  readonly deadLeaseGraceMs?: number;
  /** Told about every database failure (the budget is fail-closed meanwhile); never throws back. */
  readonly onError?: (error: RiskBudgetPgError) => void;
}

/**
 * How long a session of ours may sit inside a transaction between two statements before the server ends
 * it: a bot frozen there (SIGSTOP, a swapped-out host, a debugger) would otherwise hold the account's row
 * lock, and with it every other bot's renewal, for as long as it stays frozen. Twice the round-trip bound,
 * never under a second, so a garbage-collection pause between two statements is not mistaken for it.
 */
export function idleInTransactionMs(timeoutMs: number): number {
  return Math.max(1000, 2 * timeoutMs);
}

/** What `pg_stat_activity` shows for this bot's sessions, so an operator sees who holds a lock. */
export function applicationNameOf(botId: string): string {
  // PostgreSQL keeps 63 bytes of it; a bot id is ASCII.
  return `hl-risk ${botId}`.slice(0, 63);
}

function fail(message: string): never {
  throw new RiskBudgetPgError('RISK_BUDGET_CONFIG', message);
}

const NAME = /^[A-Za-z0-9@:._/-]{1,128}$/;

function count(value: unknown, field: string, min: number): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    fail(`${field} must be an integer >= ${min}`);
  return value;
}

function money(value: DecimalInput | undefined, field: string, positive: boolean): Decimal | null {
  if (value === undefined) return null;
  let d: Decimal;
  try {
    d = toDecimal(value, field);
  } catch {
    return fail(`${field} must be a decimal number`);
  }
  if (d.isNegative() || (positive && d.isZero())) fail(`${field} must be ${positive ? '> 0' : '>= 0'}`);
  return d;
}

/** Strict check of the caps at the boundary (a typo must not become "unlimited"). */
export function normalizeCaps(caps: AccountCaps = {}): NormalizedCaps {
  if (typeof caps !== 'object' || caps === null) fail('caps must be an object');
  const known = new Set([
    'maxExposure',
    'maxPositions',
    'ordersPerMinute',
    'dailyLoss',
    'maxDrawdown',
    'maxConsecutiveLosses',
    'leaseMs',
    'slice',
  ]);
  for (const key of Object.keys(caps)) if (!known.has(key)) fail(`unknown cap ${JSON.stringify(key)}`);
  const leaseMs = count(caps.leaseMs, 'leaseMs', 200) ?? 3000;
  if (leaseMs > 600_000) fail('leaseMs must be at most 600000');
  const slice = money(caps.slice, 'slice', true) ?? new Decimal('0.25');
  if (slice.gt(1)) fail('slice must be at most 1');
  return {
    maxExposure: money(caps.maxExposure, 'maxExposure', false),
    maxPositions: count(caps.maxPositions, 'maxPositions', 0),
    ordersPerMinute: count(caps.ordersPerMinute, 'ordersPerMinute', 0),
    dailyLoss: money(caps.dailyLoss, 'dailyLoss', true),
    maxDrawdown: money(caps.maxDrawdown, 'maxDrawdown', true),
    maxConsecutiveLosses: count(caps.maxConsecutiveLosses, 'maxConsecutiveLosses', 1),
    leaseMs,
    slice,
  };
}

export function checkOptions(options: PgRiskBudgetOptions): void {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  if (typeof options.url !== 'string' || !/^postgres(ql)?:\/\//.test(options.url))
    fail('url must be a postgres:// URL');
  if (typeof options.account !== 'string' || !NAME.test(options.account))
    fail('account must be 1-128 characters of [A-Za-z0-9@:._/-]');
  if (typeof options.botId !== 'string' || !NAME.test(options.botId))
    fail('botId must be 1-128 characters of [A-Za-z0-9@:._/-]');
  const t = options.timeoutMs;
  if (t !== undefined && (!Number.isSafeInteger(t) || t < 50 || t > 60_000))
    fail('timeoutMs must be an integer in 50..60000');
  const g = options.deadLeaseGraceMs;
  if (g !== undefined && (!Number.isSafeInteger(g) || g < 0 || g > 3_600_000))
    fail('deadLeaseGraceMs must be an integer in 0..3600000');
}

/** Default of `PgRiskBudgetOptions.deadLeaseGraceMs`. */
export const DEAD_LEASE_GRACE_MS = 5000;
