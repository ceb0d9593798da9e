import { type ErrorDetails, HlBotError, type HlBotErrorOptions } from '@hl-bot/core-types';

/** Stable error codes of `@hl-bot/positions`. Callers branch on these, never on messages. */
export const PositionErrorCode = {
  INVALID_FILL: 'INVALID_FILL',
  INVALID_MARK_PRICE: 'INVALID_MARK_PRICE',
  INVALID_FUNDING: 'INVALID_FUNDING',
  POSITION_NOT_OPEN: 'POSITION_NOT_OPEN',
  POSITION_AUDIT_FAILED: 'POSITION_AUDIT_FAILED',
  POSITION_TRACKER_HALTED: 'POSITION_TRACKER_HALTED',
  POSITION_RECOVERY_FAILED: 'POSITION_RECOVERY_FAILED',
} as const;
export type PositionErrorCode = (typeof PositionErrorCode)[keyof typeof PositionErrorCode];

/** Base class of the errors this package throws. */
export class PositionError extends HlBotError {
  constructor(code: PositionErrorCode, message: string, options: HlBotErrorOptions = {}) {
    super(code, message, options);
    this.name = 'PositionError';
  }
}

/**
 * A fill that cannot be applied: zero, negative or non-numeric size or price, unknown side, missing id or
 * symbol, a spot fee in an unknown currency or a base-asset fee as large as the fill. No position changed.
 */
export class InvalidFillError extends PositionError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super(PositionErrorCode.INVALID_FILL, message, options);
    this.name = 'InvalidFillError';
  }
}

/** A mark price that is not a finite decimal greater than zero, or a bad symbol or time. */
export class InvalidMarkPriceError extends PositionError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super(PositionErrorCode.INVALID_MARK_PRICE, message, options);
    this.name = 'InvalidMarkPriceError';
  }
}

/** A funding payment whose amount, time, symbol or id is malformed. */
export class InvalidFundingError extends PositionError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super(PositionErrorCode.INVALID_FUNDING, message, options);
    this.name = 'InvalidFundingError';
  }
}

/** Funding for a symbol that has no open position: nothing to attribute it to, so it is refused (and audited). */
export class PositionNotOpenError extends PositionError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super(PositionErrorCode.POSITION_NOT_OPEN, message, options);
    this.name = 'PositionNotOpenError';
  }
}

/**
 * An audit append failed. The operation that needed it changed nothing in memory, but the log may hold
 * part of it, so the tracker halts; rebuild it with `PositionTracker.recover`.
 */
export class PositionAuditError extends PositionError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super(PositionErrorCode.POSITION_AUDIT_FAILED, message, options);
    this.name = 'PositionAuditError';
  }
}

/** The tracker halted after an audit failure and refuses every change until it is recovered from the log. */
export class PositionTrackerHaltedError extends PositionError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super(PositionErrorCode.POSITION_TRACKER_HALTED, message, options);
    this.name = 'PositionTrackerHaltedError';
  }
}

/** The audit log cannot be replayed into a consistent tracker (an event that no longer applies, a mismatch). */
export class PositionRecoveryError extends PositionError {
  constructor(message: string, options: HlBotErrorOptions & { details?: ErrorDetails } = {}) {
    super(PositionErrorCode.POSITION_RECOVERY_FAILED, message, options);
    this.name = 'PositionRecoveryError';
  }
}

/** An error's message (clipped to fit an audit event) and its code, for `error` events and halts. */
export function describeError(error: unknown): { message: string; code: string | undefined } {
  const message = error instanceof Error ? error.message : String(error);
  return {
    message: message.length > 3900 ? `${message.slice(0, 3900)}…` : message,
    code: HlBotError.is(error) ? error.code : undefined,
  };
}
