import { dexAssetId } from './dex.js';
import { UnknownAssetError } from './errors.js';
import type { MetaResponse } from './info-schemas.js';

/** The quote suffix of the project's perp symbols: `BTC-USD` is Hyperliquid's `BTC` perp. */
export const PERP_SYMBOL_SUFFIX = '-USD';

/** `BTC` → `BTC-USD`. Pure naming; does not check the coin exists. */
export function coinToSymbol(coin: string): string {
  return `${coin}${PERP_SYMBOL_SUFFIX}`;
}

/**
 * `BTC-USD` → `BTC`. Pure naming; does not check the coin exists.
 * @throws {UnknownAssetError} `HL_UNKNOWN_ASSET` when the symbol does not end in `-USD`.
 */
export function symbolToCoin(symbol: string): string {
  if (!symbol.endsWith(PERP_SYMBOL_SUFFIX) || symbol.length === PERP_SYMBOL_SUFFIX.length) {
    throw new UnknownAssetError(
      `symbol ${JSON.stringify(symbol)} is not a Hyperliquid perp symbol like BTC-USD`,
      {
        details: { symbol },
      },
    );
  }
  return symbol.slice(0, -PERP_SYMBOL_SUFFIX.length);
}

/** What the client needs to know about one perp to trade it. */
export interface PerpAsset {
  /** Asset id for actions: the index in `meta.universe`. */
  asset: number;
  coin: string;
  symbol: string;
  szDecimals: number;
  maxLeverage: number;
  isDelisted: boolean;
  onlyIsolated: boolean;
  /**
   * Whether a position may use cross margin: not when the venue marks the asset `onlyIsolated` or its
   * `marginMode` is `strictIsolated` / `noCross` (every asset of the docs' HIP-3 dex example).
   */
  crossAllowed: boolean;
  /** The perp dex: `""` for the first dex, e.g. `xyz` for a HIP-3 dex's `xyz:SILVER`. */
  dex: string;
}

/**
 * Maps symbols, coins and asset ids of perps, built from the venue's `meta` response. Asset ids are
 * array indexes (delisted entries keep their place), never hardcoded: testnet and mainnet differ.
 *
 * @example
 * const assets = AssetMap.fromMeta(await client.meta());
 * assets.bySymbol('BTC-USD').asset; // 0 on mainnet
 */
export class AssetMap {
  readonly #byCoin = new Map<string, PerpAsset>();
  readonly #byAsset = new Map<number, PerpAsset>();
  readonly #dexes: string[];

  private constructor(assets: readonly PerpAsset[], dexes: readonly string[] = ['']) {
    this.#dexes = [...dexes];
    for (const a of assets) {
      this.#byCoin.set(a.coin, a);
      this.#byAsset.set(a.asset, a);
    }
  }

  /** @throws {UnknownAssetError} when two entries share a coin name (the map would be ambiguous). */
  static fromMeta(meta: MetaResponse): AssetMap {
    return AssetMap.fromDexMetas([{ dex: '', index: 0, meta }]);
  }

  /**
   * One map over several perp dexes: each dex's `meta` with its name and its index in `perpDexs` (0 for
   * the first dex). HIP-3 coins keep their `dex:` prefix, so `xyz:SILVER-USD` is their symbol.
   * @throws {UnknownAssetError} when a coin appears twice, or a HIP-3 coin lacks its dex's prefix.
   */
  static fromDexMetas(metas: ReadonlyArray<{ dex: string; index: number; meta: MetaResponse }>): AssetMap {
    const seen = new Set<string>();
    const assets: PerpAsset[] = [];
    for (const { dex, index, meta } of metas) {
      meta.universe.forEach((u, i) => {
        if (seen.has(u.name)) {
          throw new UnknownAssetError(`meta lists coin ${u.name} twice; refusing an ambiguous asset map`);
        }
        if (dex !== '' && !u.name.startsWith(`${dex}:`)) {
          throw new UnknownAssetError(`coin ${u.name} of perp dex ${dex} lacks the ${dex}: prefix`);
        }
        seen.add(u.name);
        assets.push({
          asset: dexAssetId(index, i),
          coin: u.name,
          symbol: coinToSymbol(u.name),
          szDecimals: u.szDecimals,
          maxLeverage: u.maxLeverage,
          isDelisted: u.isDelisted === true,
          onlyIsolated: u.onlyIsolated === true,
          crossAllowed:
            u.onlyIsolated !== true && u.marginMode !== 'strictIsolated' && u.marginMode !== 'noCross',
          dex,
        });
      });
    }
    return new AssetMap(
      assets,
      metas.map((m) => m.dex),
    );
  }

  /** The perp dexes the map covers, in `perpDexs` order (`""`, the first dex, first). */
  dexes(): string[] {
    return [...this.#dexes];
  }

  /** @throws {UnknownAssetError} for a coin `meta` does not list. */
  byCoin(coin: string): PerpAsset {
    const a = this.#byCoin.get(coin);
    if (a === undefined)
      throw new UnknownAssetError(`unknown Hyperliquid coin ${JSON.stringify(coin)}`, { details: { coin } });
    return a;
  }

  /** @throws {UnknownAssetError} for a symbol that is malformed or not listed. */
  bySymbol(symbol: string): PerpAsset {
    const a = this.#byCoin.get(symbolToCoin(symbol));
    if (a === undefined) {
      throw new UnknownAssetError(`unknown symbol ${JSON.stringify(symbol)} on Hyperliquid`, {
        details: { symbol },
      });
    }
    return a;
  }

  /** @throws {UnknownAssetError} for an asset id `meta` does not list. */
  byAsset(asset: number): PerpAsset {
    const a = this.#byAsset.get(asset);
    if (a === undefined)
      throw new UnknownAssetError(`unknown Hyperliquid asset id ${asset}`, { details: { asset } });
    return a;
  }

  hasCoin(coin: string): boolean {
    return this.#byCoin.has(coin);
  }

  get size(): number {
    return this.#byCoin.size;
  }

  all(): PerpAsset[] {
    return [...this.#byAsset.values()];
  }
}
