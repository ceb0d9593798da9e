import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HlBotError } from '@hl-bot/core-types';
import type { Strategy } from '@hl-bot/engine';
import { BUILT_IN_STRATEGIES, type StrategyOptions } from './built-in.js';

function isStrategy(value: unknown): value is Strategy {
  return (
    typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
  );
}

/**
 * Resolves `--strategy`: a built-in name, or a path to an ES module whose default export (or `strategy`
 * export) is a Strategy object or a function `(options) => Strategy`.
 * @throws {HlBotError} code `UNKNOWN_STRATEGY` or `INVALID_STRATEGY_MODULE`
 */
export async function loadStrategy(spec: string, options: StrategyOptions): Promise<Strategy> {
  const builtIn = BUILT_IN_STRATEGIES[spec];
  if (builtIn !== undefined) return builtIn.create(options);
  if (!spec.includes('/') && !spec.includes('\\') && !/\.[cm]?js$/.test(spec)) {
    throw new HlBotError(
      'UNKNOWN_STRATEGY',
      `unknown strategy "${spec}"; built-in: ${Object.keys(BUILT_IN_STRATEGIES).join(', ')}, or a path to a module`,
    );
  }
  const path = isAbsolute(spec) ? spec : resolve(process.cwd(), spec);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new HlBotError(
      'INVALID_STRATEGY_MODULE',
      `cannot load strategy module ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const candidate = mod.default ?? mod.strategy;
  const value =
    typeof candidate === 'function' ? (candidate as (o: StrategyOptions) => unknown)(options) : candidate;
  if (!isStrategy(value)) {
    throw new HlBotError(
      'INVALID_STRATEGY_MODULE',
      `${path} must export a Strategy (an object with a name and onBar/onFill hooks) as default or "strategy", or a function returning one`,
    );
  }
  return value;
}
