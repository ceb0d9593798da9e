import { z } from 'zod';
import type { UserFill } from './info-schemas.js';

/**
 * The venue's spot metadata (`{"type":"spotMeta"}`): tokens by index and pairs naming their base and quote
 * token. Fills of spot pairs name the pair as `@N` (its `universe` entry's name) or, for a few canonical
 * pairs, `PURR/USDC`.
 */
export const SpotMetaResponseSchema = z
  .object({
    tokens: z.array(
      z
        .object({ name: z.string().min(1), szDecimals: z.number().int(), index: z.number().int() })
        .passthrough(),
    ),
    universe: z.array(
      z
        .object({
          name: z.string().min(1),
          tokens: z.tuple([z.number().int(), z.number().int()]),
          index: z.number().int(),
        })
        .passthrough(),
    ),
  })
  .passthrough();
export type SpotMetaResponse = z.output<typeof SpotMetaResponseSchema>;

/** A spot fill's coin: `@N` or a `BASE/QUOTE` pair name (perps are `BTC` or `dex:COIN`). */
export function isSpotCoin(coin: string): boolean {
  return /^@\d+$/.test(coin) || coin.includes('/');
}

/** Pair name (`@107` → `HYPE/USDC`) of every spot pair whose tokens the metadata lists. */
export function spotPairNames(meta: SpotMetaResponse): Map<string, string> {
  const tokens = new Map(meta.tokens.map((t) => [t.index, t.name]));
  const out = new Map<string, string>();
  for (const pair of meta.universe) {
    const base = tokens.get(pair.tokens[0]);
    const quote = tokens.get(pair.tokens[1]);
    if (base !== undefined && quote !== undefined) out.set(pair.name, `${base}/${quote}`);
  }
  return out;
}

/** The `spot_fill` audit event of a spot fill (`pair` when the metadata names it). */
export function spotFillEvent(f: UserFill, id: string, pair: string | undefined) {
  return {
    type: 'spot_fill' as const,
    fillId: id,
    coin: f.coin,
    ...(pair === undefined ? {} : { pair }),
    side: f.side === 'B' ? ('buy' as const) : ('sell' as const),
    quantity: f.sz,
    price: f.px,
    fee: f.fee,
    feeToken: f.feeToken.trim(),
    startPosition: f.startPosition,
    time: f.time,
  };
}
