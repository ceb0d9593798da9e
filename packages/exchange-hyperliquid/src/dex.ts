import { z } from 'zod';
import { UnknownAssetError } from './errors.js';

/**
 * HIP-3 (builder-deployed) perp dexes. `perpDexs` lists them: `null` first (the validator-operated dex,
 * `dex: ""` in requests), then one entry per deployed dex. A dex's coins are named `dex:COIN` in its own
 * `meta` (`{"type":"meta","dex":"xyz"}`), and its asset ids are `100000 + 10000 * i + index` where `i` is
 * the dex's position in `perpDexs` and `index` the coin's position in that meta (venue docs, asset ids).
 */
export const PerpDexSchema = z
  .object({
    name: z.string().min(1).max(32),
    fullName: z.string().optional(),
    deployer: z.string().optional(),
  })
  .passthrough();
export type PerpDex = z.output<typeof PerpDexSchema>;

export const PerpDexsResponseSchema = z.array(PerpDexSchema.nullable());
export type PerpDexsResponse = z.output<typeof PerpDexsResponseSchema>;

/** The first (validator-operated) perp dex: `""` in every request that takes a `dex`. */
export const MAIN_DEX = '';

/** Asset id of the `index`-th coin of the `dexIndex`-th perp dex (0 is the first dex: the plain index). */
export function dexAssetId(dexIndex: number, index: number): number {
  if (
    !Number.isInteger(dexIndex) ||
    dexIndex < 0 ||
    !Number.isInteger(index) ||
    index < 0 ||
    index >= 10_000
  ) {
    throw new UnknownAssetError(`no asset id for coin ${index} of perp dex ${dexIndex}`);
  }
  return dexIndex === 0 ? index : 100_000 + dexIndex * 10_000 + index;
}

/** The dex of a coin name: `xyz` for `xyz:SILVER`, `""` for `BTC`. */
export function dexOfCoin(coin: string): string {
  const i = coin.indexOf(':');
  return i > 0 ? coin.slice(0, i) : MAIN_DEX;
}

/** The deployed dexes in `perpDexs` order with their index (the first dex, index 0, is not listed). */
export function deployedDexes(dexs: PerpDexsResponse): Array<{ name: string; index: number }> {
  const out: Array<{ name: string; index: number }> = [];
  dexs.forEach((d, index) => {
    if (index > 0 && d !== null) out.push({ name: d.name, index });
  });
  return out;
}
