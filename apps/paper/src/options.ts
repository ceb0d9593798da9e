import { HlBotError, SymbolSchema } from '@hl-bot/core-types';
import { intervalMs } from '@hl-bot/paper-exchange';

/** A run option outside its documented bounds; the CLI exits 2 with this message. */
export class PaperUsageError extends HlBotError {
  constructor(message: string) {
    super('PAPER_USAGE', message);
    this.name = 'PaperUsageError';
  }
}

/**
 * The documented bounds of the numeric run options (README "Options"). Beyond them a run would take hours or
 * means nothing (`--bars 1e12` used to hang), so it is refused before anything starts.
 */
export const PAPER_LIMITS = {
  /** Bars per symbol: 1 to 1,000,000 (almost two years of minute bars). */
  maxBars: 1_000_000,
  /** Symbols of one run. */
  maxSymbols: 20,
  /** Seed: an integer 0 to 2^32 - 1. */
  maxSeed: 4_294_967_295,
  /** Start balance in USDC: more than 0, at most 10^12. */
  maxBalance: 1e12,
  /** Synthetic bar interval: 1 second to 1 week. */
  minIntervalMs: 1_000,
  maxIntervalMs: 7 * 24 * 3_600_000,
} as const;

/** `--bars`, `--seed`: a whole number in bounds, written as plain digits. */
export function integerOption(value: string, flag: string, min: number, max: number): number {
  if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new PaperUsageError(
      `${flag} needs a whole number from ${min} to ${max.toLocaleString('en-US')}, got "${value}"`,
    );
  }
  return Number(value);
}

/** `--balance`: a plain decimal above 0 and at most `maxBalance`. */
export function checkBalance(value: string): string {
  if (
    !/^\d{1,13}(\.\d{1,8})?$/.test(value) ||
    !(Number(value) > 0) ||
    Number(value) > PAPER_LIMITS.maxBalance
  ) {
    throw new PaperUsageError(
      `--balance needs a USDC amount above 0 and at most 1,000,000,000,000 (up to 8 decimals), got "${value}"`,
    );
  }
  return value;
}

export function checkInterval(value: string): number {
  let ms: number;
  try {
    ms = intervalMs(value);
  } catch {
    throw new PaperUsageError(`--interval needs an interval such as 1m, 5m, 1h or 1d, got "${value}"`);
  }
  if (!(ms >= PAPER_LIMITS.minIntervalMs && ms <= PAPER_LIMITS.maxIntervalMs)) {
    throw new PaperUsageError(`--interval must be from 1s to 7d, got "${value}"`);
  }
  return ms;
}

export function checkSymbols(symbols: readonly string[], withData: boolean): void {
  if (symbols.length > PAPER_LIMITS.maxSymbols) {
    throw new PaperUsageError(
      `--symbols takes at most ${PAPER_LIMITS.maxSymbols} symbols, got ${symbols.length}`,
    );
  }
  if (withData && symbols.length > 1) {
    throw new PaperUsageError(
      `--data holds one symbol's candles; give one symbol in --symbols (got ${symbols.join(', ')})`,
    );
  }
  const seen = new Set<string>();
  for (const s of symbols) {
    if (!SymbolSchema.safeParse(s).success) {
      throw new PaperUsageError(`--symbols: "${s}" is not a symbol such as BTC-USD`);
    }
    if (seen.has(s)) throw new PaperUsageError(`--symbols names ${s} twice`);
    seen.add(s);
  }
}
