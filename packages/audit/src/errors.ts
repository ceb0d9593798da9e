import { HlBotError, type HlBotErrorOptions, ValidationError } from '@hl-bot/core-types';

/**
 * Another process, or another AuditLogger in this process, holds the directory lock.
 * `holderPid` is the pid written in the lock file (undefined when the lock file is unreadable).
 */
export class AuditLockError extends HlBotError {
  readonly holderPid: number | undefined;
  readonly lockFile: string;

  constructor(
    message: string,
    lockFile: string,
    holderPid: number | undefined,
    options: HlBotErrorOptions = {},
  ) {
    super('AUDIT_LOCKED', message, {
      ...options,
      details: { ...(options.details ?? {}), lockFile, holderPid },
    });
    this.name = 'AuditLockError';
    this.holderPid = holderPid;
    this.lockFile = lockFile;
  }
}

/** The event given to `append` is not a valid audit event. Nothing was written; the logger stays usable. */
export class AuditValidationError extends ValidationError {
  constructor(message: string, options: HlBotErrorOptions & { field?: string } = {}) {
    super(message, { ...options, code: 'AUDIT_INVALID_EVENT' });
    this.name = 'AuditValidationError';
  }
}

/**
 * A write or fsync failed. The appends it covered were not made durable and were rejected; the logger is now
 * failed and rejects every further append (fail closed). Reopen the directory to recover.
 */
export class AuditWriteError extends HlBotError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super('AUDIT_WRITE_FAILED', message, options);
    this.name = 'AuditWriteError';
  }
}

/**
 * The day file the logger writes was deleted, renamed or replaced while it was open, so what the logger
 * writes would not be the log anyone reads. The appends of the batch that found it were rejected and the
 * logger is failed (fail closed); every later append rejects with `AUDIT_FAILED`. Nothing was
 * acknowledged that is not in the file at the path: investigate, then reopen.
 */
export class AuditFileReplacedError extends HlBotError {
  readonly file: string;

  constructor(message: string, file: string, options: HlBotErrorOptions = {}) {
    super('AUDIT_FILE_REPLACED', message, { ...options, details: { ...(options.details ?? {}), file } });
    this.name = 'AuditFileReplacedError';
    this.file = file;
  }
}

/**
 * The logger was closed, or failed earlier: it accepts no more appends. `AUDIT_NOT_OPEN`: a checkpoint was
 * asked of a logger that is not open yet (it must know the entry it covers).
 */
export class AuditClosedError extends HlBotError {
  constructor(
    code: 'AUDIT_CLOSED' | 'AUDIT_FAILED' | 'AUDIT_NOT_OPEN',
    message: string,
    options: HlBotErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'AuditClosedError';
  }
}

/**
 * The log on disk is not what this package wrote: a line that does not parse, a broken hash chain, a seq gap.
 * `file` and `line` (1-based) name the first problem.
 */
export class AuditCorruptError extends HlBotError {
  readonly file: string;
  readonly line: number;
  readonly reason: string;

  constructor(file: string, line: number, reason: string, options: HlBotErrorOptions = {}) {
    super('AUDIT_CORRUPT', `audit log corrupt at ${file}:${line}: ${reason}`, {
      ...options,
      details: { ...(options.details ?? {}), file, line, reason },
    });
    this.name = 'AuditCorruptError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
