import { HlBotError } from '@hl-bot/core-types';

/** The code an outcome is recorded under: the typed error's own, else one for an untyped failure. */
export function errorCode(error: unknown): string {
  if (HlBotError.is(error)) return error.code;
  return 'EXCHANGE_CALL_FAILED';
}

/** A failure's message, bounded so an audit line never carries a venue's whole answer. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 1900 ? `${text.slice(0, 1899)}…` : text || 'unknown error';
}
