import { HlBotError, ValidationError } from '@hl-bot/core-types';
import { errorText } from './failure.js';

/** Where a risk configuration value came from, for error messages. */
export type RiskConfigSource = 'defaults' | 'code' | 'file' | 'env';

/**
 * An invalid risk configuration value: negative, NaN, a fraction above 1, an unknown key or a malformed
 * environment variable. The message names the field and the source (`env RISK_MAX_DAILY_LOSS`, `file ./risk.json`).
 */
export class RiskConfigError extends ValidationError {
  readonly source: RiskConfigSource;

  constructor(message: string, options: { field: string; source: RiskConfigSource; cause?: unknown }) {
    super(message, {
      code: 'RISK_CONFIG_INVALID',
      field: options.field,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      details: { field: options.field, source: options.source },
    });
    this.name = 'RiskConfigError';
    this.source = options.source;
  }
}

/**
 * A durable audit write failed. The manager keeps rejecting every order (`AUDIT_UNAVAILABLE`) until the
 * process is restarted and the manager rebuilt with `RiskManager.recover`: state it could not record must
 * not be trusted.
 */
export class AuditUnavailableError extends HlBotError {
  constructor(cause: unknown) {
    super('RISK_AUDIT_UNAVAILABLE', `risk audit write failed: ${errorText(cause)}`, { cause });
    this.name = 'AuditUnavailableError';
  }
}
