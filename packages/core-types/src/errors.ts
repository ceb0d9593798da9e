const ERROR_MARKER = Symbol.for('hl-bot.error');

/** Structured, secret-free context attached to an error. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface HlBotErrorOptions {
  cause?: unknown;
  details?: ErrorDetails;
}

/**
 * Base class of every error thrown by hl-bot packages.
 *
 * `code` is a stable, documented string: callers branch on it, never on the message.
 * `details` holds the numbers behind the failure and must never contain secrets.
 *
 * @example
 * try { toDecimal('abc'); } catch (e) { if (HlBotError.is(e)) console.log(e.code); }
 */
export class HlBotError extends Error {
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, options: HlBotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HlBotError';
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
    Object.defineProperty(this, ERROR_MARKER, { value: true, enumerable: false });
  }

  /** True for any hl-bot error, even one created by a second copy of this package. */
  static is(error: unknown): error is HlBotError {
    return typeof error === 'object' && error !== null && ERROR_MARKER in error;
  }
}

/** Input that failed a schema or a parsing rule. The message names the failing field. */
export class ValidationError extends HlBotError {
  readonly field: string | undefined;

  constructor(message: string, options: HlBotErrorOptions & { field?: string; code?: string } = {}) {
    super(options.code ?? 'VALIDATION_FAILED', message, options);
    this.name = 'ValidationError';
    this.field = options.field;
  }
}

/** A value that is not an exact, finite decimal number. */
export class InvalidDecimalError extends ValidationError {
  constructor(message: string, options: HlBotErrorOptions & { field?: string } = {}) {
    super(message, { ...options, code: 'INVALID_DECIMAL' });
    this.name = 'InvalidDecimalError';
  }
}
