import { ExchangeError } from '@hl-bot/core-types';
import { deployedDexes, MAIN_DEX } from './dex.js';
import { UnknownAssetError } from './errors.js';
import type { InfoReads } from './info.js';
import type { MetaResponse } from './info-schemas.js';
import { AssetMap, type PerpAsset } from './symbols.js';

/**
 * The symbol/coin/asset-id map of the perp dexes the client trades: read from `perpDexs` and each dex's
 * `meta` once, shared by concurrent first callers, and refreshed only on request.
 */
export class AssetCatalog {
  readonly #reads: InfoReads;
  readonly #dexChoice: readonly string[] | 'all';
  #assets: AssetMap | undefined;
  #loading: Promise<AssetMap> | undefined;

  constructor(reads: InfoReads, dexChoice: readonly string[] | 'all') {
    this.#reads = reads;
    this.#dexChoice = dexChoice;
  }

  /** The map once loaded (streams filter by it), else undefined. */
  get current(): AssetMap | undefined {
    return this.#assets;
  }

  async load(refresh: boolean): Promise<AssetMap> {
    if (this.#assets !== undefined && !refresh) return this.#assets;
    if (this.#loading === undefined || refresh) {
      this.#loading = this.#loadDexMetas()
        .then((metas) => {
          this.#assets = AssetMap.fromDexMetas(metas);
          return this.#assets;
        })
        .finally(() => {
          this.#loading = undefined;
        });
    }
    return this.#loading;
  }

  /** The asset of a symbol. @throws {ExchangeError} `UNKNOWN_SYMBOL` */
  async asset(symbol: string): Promise<PerpAsset> {
    const assets = await this.load(false);
    try {
      return assets.bySymbol(symbol);
    } catch (error) {
      if (error instanceof UnknownAssetError) {
        throw new ExchangeError('UNKNOWN_SYMBOL', error.message, { details: { symbol }, cause: error });
      }
      throw error;
    }
  }

  async #loadDexMetas(): Promise<Array<{ dex: string; index: number; meta: MetaResponse }>> {
    const deployed = deployedDexes(await this.#reads.perpDexs());
    const choice = this.#dexChoice;
    if (choice !== 'all') {
      const missing = choice.filter((d) => !deployed.some((x) => x.name === d));
      if (missing.length > 0) {
        throw new UnknownAssetError(`perp dex ${missing.join(', ')} is not listed by perpDexs`);
      }
    }
    const wanted = [
      { name: MAIN_DEX, index: 0 },
      ...deployed.filter((d) => choice === 'all' || choice.includes(d.name)),
    ];
    return Promise.all(
      wanted.map(async (d) => ({ dex: d.name, index: d.index, meta: await this.#reads.meta(d.name) })),
    );
  }
}
