import type { AuditEventInput, AuditSink } from '@hl-bot/core-types';

const SOURCE = 'exchange-hyperliquid';

/** The thrown value as an Error, so listeners always receive one. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Where the client's modules report what they alone see: audit events (failed attempts, transport and stream
 * errors, money moves) and the `onError` listeners. A listener or audit failure never breaks the client and
 * never masks the problem being reported.
 */
export class Reporter {
  readonly #audit: AuditSink | undefined;
  readonly #errorListeners = new Set<(error: Error) => void>();

  constructor(audit: AuditSink | undefined) {
    this.#audit = audit;
  }

  async record(event: AuditEventInput): Promise<void> {
    if (this.#audit !== undefined) await this.#audit.append(event);
  }

  /** Audits an error without letting an audit failure mask the original problem. */
  async recordError(error: unknown, context: string): Promise<void> {
    const message = error instanceof Error ? `${context}: ${error.message}` : `${context}: ${String(error)}`;
    const code =
      typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
    try {
      await this.record({
        type: 'error',
        message: message.slice(0, 4000),
        source: SOURCE,
        ...(code === undefined ? {} : { code }),
      });
    } catch (auditError) {
      this.emitError(asError(auditError));
    }
  }

  emitError(error: Error): void {
    for (const l of this.#errorListeners) {
      try {
        l(error);
      } catch {
        // listeners must not break the client
      }
    }
  }

  onError(listener: (error: Error) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }
}

/**
 * Calls each listener with `value`; a listener that throws is reported as a client error and the others
 * still run.
 */
export function notify<T>(listeners: Iterable<(value: T) => void>, value: T, reporter: Reporter): void {
  for (const l of listeners) {
    try {
      l(value);
    } catch (error) {
      reporter.emitError(asError(error));
    }
  }
}
