import type { Decimal } from '@hl-bot/core-types';
import type { RiskConfig } from '../config.js';

/** A tripped breaker. */
export interface BreakerTrip {
  readonly reason: string;
  readonly trippedAt: number;
  readonly cooldownUntil: number;
}

/**
 * The circuit breaker and the two streaks that trip it: losing trades in a row and errors in a row. Reset is
 * manual and only after the cooldown; it clears both streaks.
 */
export class CircuitBreaker {
  /** The trip in force; null when not tripped. */
  tripped: BreakerTrip | null = null;
  consecutiveLosses = 0;
  consecutiveErrors = 0;

  constructor(private readonly config: RiskConfig) {}

  /** A closed trade's net P&L: a loss extends the losing streak, anything else ends it. Returns the streak. */
  recordTrade(netPnl: Decimal): number {
    this.consecutiveLosses = netPnl.isNegative() && !netPnl.isZero() ? this.consecutiveLosses + 1 : 0;
    return this.consecutiveLosses;
  }

  /** A failed exchange interaction. Returns the error streak. */
  recordError(): number {
    this.consecutiveErrors++;
    return this.consecutiveErrors;
  }

  /** A successful one: ends the error streak. False when there was none (nothing to record). */
  recordSuccess(): boolean {
    if (this.consecutiveErrors === 0) return false;
    this.consecutiveErrors = 0;
    return true;
  }

  /** Why the losing streak trips the breaker now, or null (already tripped, or below the limit). */
  lossTripReason(): string | null {
    const streak = this.consecutiveLosses;
    const max = this.config.maxConsecutiveLosses;
    return streak >= max && this.tripped === null ? `consecutive losses: ${streak} >= ${max}` : null;
  }

  /** Why the error streak trips the breaker now, or null. */
  errorTripReason(): string | null {
    const streak = this.consecutiveErrors;
    const max = this.config.maxConsecutiveErrors;
    return streak >= max && this.tripped === null ? `consecutive errors: ${streak} >= ${max}` : null;
  }

  /** Trips (again) at `now`: a new trip restarts the cooldown. */
  trip(reason: string, now: number): BreakerTrip {
    this.tripped = { reason, trippedAt: now, cooldownUntil: now + this.config.circuitBreakerCooldownMs };
    return this.tripped;
  }

  /** True while tripped and still cooling down at `now`. */
  coolingDown(now: number): boolean {
    return this.tripped !== null && now < this.tripped.cooldownUntil;
  }

  /** Clears the trip and both streaks. */
  reset(): void {
    this.tripped = null;
    this.consecutiveLosses = 0;
    this.consecutiveErrors = 0;
  }

  /** The breaker and streaks a restart read from the log. */
  restore(tripped: BreakerTrip | null, consecutiveLosses: number, consecutiveErrors: number): void {
    this.tripped = tripped === null ? null : { ...tripped };
    this.consecutiveLosses = consecutiveLosses;
    this.consecutiveErrors = consecutiveErrors;
  }
}
