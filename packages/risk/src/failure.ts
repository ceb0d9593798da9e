import type { Decimal, RiskFailure } from '@hl-bot/core-types';
import type { RiskCode } from './codes.js';

/** A number behind a failure: decimals and integers are shown in plain decimal form. */
export type DetailValue = Decimal | number | string;

/** Builds a failure whose message is `CODE: key=value ...`. */
export function failure(code: RiskCode, details: Readonly<Record<string, DetailValue>>): RiskFailure {
  const out: Record<string, string> = {};
  let message: string = code;
  let first = true;
  for (const key in details) {
    const v = details[key] as DetailValue;
    const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v.toString();
    out[key] = s;
    message += `${first ? ': ' : ' '}${key}=${s}`;
    first = false;
  }
  return { code, message, details: out };
}

/** Short, secret-free text of an unknown thrown value. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** The longest reason kept in a result or an audit event. */
export const MAX_REASON = 2000;

/** `text`, cut to `max` characters (the last one an ellipsis). */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
