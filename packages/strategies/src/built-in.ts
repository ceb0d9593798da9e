import type { Strategy } from '@hl-bot/engine';
import { meanReversion } from './mean-reversion.js';
import { riskShowcase } from './risk-showcase.js';
import { trendFollower } from './trend-follower.js';

/** What a strategy factory gets from the runner. */
export interface StrategyOptions {
  /** Decimals allowed in an order size of a symbol (the venue's szDecimals). */
  sizeDecimals: (symbol: string) => number;
}

/** The strategies `loadStrategy` knows by name (`--strategy trend`), each with a one-line description for `--help`. */
export const BUILT_IN_STRATEGIES: Readonly<
  Record<string, { description: string; create: (o: StrategyOptions) => Strategy }>
> = {
  showcase: {
    description:
      'trend follower that also sends oversized and fat-finger orders, to show risk rejections (default)',
    create: (o) => riskShowcase(o),
  },
  trend: {
    description: 'moving-average crossover with market orders and reduce-only exits',
    create: (o) => trendFollower(o),
  },
  'mean-reversion': {
    description: 'Bollinger-band mean reversion with resting post-only limits, re-quoted and cancelled',
    create: (o) => meanReversion(o),
  },
};
