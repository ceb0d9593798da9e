import { type Decimal, PositiveDecimalSchema } from '@hl-bot/core-types';
import { z } from 'zod';

/** A symbol the bot trades, as the config names it. */
export const BotSymbol = z.string().regex(/^[A-Z0-9]+-USD$/, 'symbols look like BTC-USD');

/**
 * Limits of one strategy, checked before the account's risk manager sees the order (which still checks
 * every account limit). Each counts the strategy's own symbols only; reduce-only orders pass them.
 */
export const StrategyLimits = z
  .object({
    /** Notional of one order (quantity x limit price, or x the mark for a market order), USD. */
    maxOrderNotional: PositiveDecimalSchema.optional(),
    /** Worst-case position of one symbol if the order and every working order on its side fill, USD. */
    maxPositionSizeUsd: PositiveDecimalSchema.optional(),
    /** Gross exposure of the strategy's symbols: positions plus working opening orders plus this order, USD. */
    maxTotalExposure: PositiveDecimalSchema.optional(),
  })
  .strict();
export type StrategyLimits = z.output<typeof StrategyLimits>;

/** One entry of `strategies`. */
export const StrategyEntry = z
  .object({
    /** Shown in status, metrics, logs and the audit log's rejections. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'names are 1-64 letters, digits, "_", "." or "-"'),
    /** A built-in name or a module path, as `--strategy` takes. */
    strategy: z.string().min(1),
    symbols: z.array(BotSymbol).min(1),
    limits: StrategyLimits.default({}),
  })
  .strict();
export type StrategyEntry = z.output<typeof StrategyEntry>;

/** A strategy the bot runs: its name, what to load, the symbols it trades and its own limits. */
export interface StrategyRun {
  name: string;
  strategy: string;
  symbols: string[];
  limits: {
    maxOrderNotional?: Decimal | undefined;
    maxPositionSizeUsd?: Decimal | undefined;
    maxTotalExposure?: Decimal | undefined;
  };
}

/** The name of the one strategy of a config that gives `strategy` and `symbols`. */
export const DEFAULT_STRATEGY_NAME = 'default';

interface StrategyFields {
  symbols?: string[] | undefined;
  strategy?: string | undefined;
  strategies?: StrategyEntry[] | undefined;
  sharedSymbols: string[];
}

/**
 * What is wrong with the strategy part of a config: one form or the other, unique names, and each symbol
 * owned by one strategy unless `sharedSymbols` lists it (refused at start, before anything trades).
 */
export function strategyProblems(c: StrategyFields): Array<{ path: (string | number)[]; message: string }> {
  const out: Array<{ path: (string | number)[]; message: string }> = [];
  if (c.strategies === undefined) {
    if (c.symbols === undefined)
      out.push({ path: ['symbols'], message: 'give symbols (one strategy) or strategies (several)' });
    if (c.sharedSymbols.length > 0)
      out.push({ path: ['sharedSymbols'], message: 'sharedSymbols needs strategies (several strategies)' });
    return out;
  }
  for (const field of ['symbols', 'strategy'] as const) {
    if (c[field] !== undefined)
      out.push({
        path: [field],
        message: `give ${field} inside each entry of strategies, not at the top level`,
      });
  }
  const names = new Set<string>();
  const owners = new Map<string, string[]>();
  c.strategies.forEach((s, i) => {
    if (names.has(s.name))
      out.push({ path: ['strategies', i, 'name'], message: `"${s.name}" is used twice` });
    names.add(s.name);
    s.symbols.forEach((symbol, j) => {
      if (s.symbols.indexOf(symbol) !== j)
        out.push({ path: ['strategies', i, 'symbols'], message: `${symbol} is listed twice` });
      else owners.set(symbol, [...(owners.get(symbol) ?? []), s.name]);
    });
  });
  const shared = new Set(c.sharedSymbols);
  for (const [symbol, by] of owners) {
    if (by.length > 1 && !shared.has(symbol)) {
      out.push({
        path: ['strategies'],
        message: `${symbol} is traded by ${by.join(' and ')}: a symbol belongs to one strategy; list it in sharedSymbols to let them share it`,
      });
    }
  }
  for (const symbol of shared) {
    if ((owners.get(symbol)?.length ?? 0) < 2)
      out.push({
        path: ['sharedSymbols'],
        message: `${symbol} is not traded by two strategies: nothing to share`,
      });
  }
  return out;
}

/** The strategies of a valid config; `--strategy` replaces the one strategy of the single form. */
export function normalizeStrategies(c: StrategyFields, strategyOverride: string | undefined): StrategyRun[] {
  if (c.strategies === undefined) {
    return [
      {
        name: DEFAULT_STRATEGY_NAME,
        strategy: strategyOverride ?? c.strategy ?? 'trend',
        symbols: [...(c.symbols ?? [])],
        limits: {},
      },
    ];
  }
  return c.strategies.map((s) => ({
    name: s.name,
    strategy: s.strategy,
    symbols: [...s.symbols],
    limits: s.limits,
  }));
}
