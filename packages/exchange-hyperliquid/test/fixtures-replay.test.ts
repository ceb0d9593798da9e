import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SpotClearinghouseStateResponseSchema } from '../src/account-mode.js';
import { deployedDexes, PerpDexsResponseSchema } from '../src/dex.js';
import { toFill } from '../src/fills.js';
import {
  AllMidsResponseSchema,
  CandleSnapshotResponseSchema,
  ClearinghouseStateResponseSchema,
  FrontendOpenOrdersResponseSchema,
  L2BookResponseSchema,
  MetaAndAssetCtxsResponseSchema,
  MetaResponseSchema,
  OpenOrdersResponseSchema,
  OrderStatusResponseSchema,
  UserFillSchema,
  UserFillsResponseSchema,
  UserRateLimitResponseSchema,
  WsActiveAssetCtxSchema,
} from '../src/info-schemas.js';
import { AssetMap } from '../src/symbols.js';
import { venueErrorCode } from '../src/venue-errors.js';
import { ExchangeResponseSchema } from '../src/wire.js';
import { allFixtures, type Fixture, fixture, infoType } from './helpers/fixtures.js';

/** The client's schema for each info type it reads. */
const INFO_SCHEMAS: Record<string, z.ZodType> = {
  meta: MetaResponseSchema,
  metaAndAssetCtxs: MetaAndAssetCtxsResponseSchema,
  allMids: AllMidsResponseSchema,
  clearinghouseState: ClearinghouseStateResponseSchema,
  spotClearinghouseState: SpotClearinghouseStateResponseSchema,
  openOrders: OpenOrdersResponseSchema,
  frontendOpenOrders: FrontendOpenOrdersResponseSchema,
  userFills: UserFillsResponseSchema,
  userFillsByTime: UserFillsResponseSchema,
  l2Book: L2BookResponseSchema,
  candleSnapshot: CandleSnapshotResponseSchema,
  orderStatus: OrderStatusResponseSchema,
  userRateLimit: UserRateLimitResponseSchema,
};

/**
 * Payloads the client refuses on purpose, each with the reason. Everything else of a type it reads must
 * parse. Refusing fails closed; misreading would not, so nothing may be added here to make a test pass.
 */
const REFUSED: Record<string, string> = {
  // 2023 recordings, before the venue added tid/feeToken to fills and cumFunding to positions.
  'pysdk/test_get_user_fills': 'fills without tid and feeToken (2023)',
  'pysdk/test_get_user_fills_by_time': 'a copy of the 2023 userFills recording',
  'pysdk/test_get_user_state': 'positions without cumFunding and maxLeverage (2023)',
};

function replayable(f: Fixture): boolean {
  const type = infoType(f);
  return (
    f.endpoint === 'info' &&
    type !== undefined &&
    type in INFO_SCHEMAS &&
    (f as { status?: number }).status !== 500
  );
}

const current = [...allFixtures('docs'), ...allFixtures('pysdk')].filter(replayable);

describe('every current venue payload parses', () => {
  it('covers the info types the client reads', () => {
    const types = new Set(current.map((f) => infoType(f)));
    for (const t of [
      'meta',
      'metaAndAssetCtxs',
      'clearinghouseState',
      'spotClearinghouseState',
      'openOrders',
      'userFills',
      'l2Book',
    ])
      expect(types).toContain(t);
  });

  for (const f of current) {
    const type = infoType(f) as string;
    const refused = REFUSED[f.id];
    it(`${f.id} (${type}) ${refused === undefined ? 'parses' : `is refused: ${refused}`}`, () => {
      const result = (INFO_SCHEMAS[type] as z.ZodType).safeParse(f.response);
      if (refused === undefined) {
        expect(result.error?.issues.slice(0, 3) ?? []).toEqual([]);
      } else {
        expect(result.success).toBe(false);
      }
    });
  }

  it('every exchange answer of the docs parses as an exchange response', () => {
    // TWAP actions are not sent by this client (their fills are read: see twapId below).
    const answers = allFixtures('docs').filter(
      (f) => f.endpoint === 'exchange' && !f.type?.startsWith('twap'),
    );
    expect(answers.length).toBeGreaterThan(5);
    for (const f of answers) {
      const r = ExchangeResponseSchema.safeParse(f.response);
      expect({ id: f.id, ok: r.success }).toEqual({ id: f.id, ok: true });
    }
  });
});

describe("the venue's mark and oracle prices (metaAndAssetCtxs, activeAssetCtx)", () => {
  it('reads the mark and oracle of every perp of the first dex, in universe order', () => {
    const [meta, ctxs] = MetaAndAssetCtxsResponseSchema.parse(fixture('docs/metaAndAssetCtxs_36').response);
    expect(
      meta.universe.map((u, i) => [u.name, ctxs[i]?.markPx.toFixed(), ctxs[i]?.oraclePx.toFixed()]),
    ).toEqual([
      ['BTC', '14.3161', '14.32'],
      ['ETH', '6.0436', '6.0457'],
      ['HPOS', '8.4542', '8.4585'],
    ]);
  });

  it('reads a HIP-3 dex whose thin markets have no mid, premium or impact prices (null)', () => {
    const [meta, ctxs] = MetaAndAssetCtxsResponseSchema.parse(fixture('docs/metaAndAssetCtxs_37').response);
    expect(meta.universe[2]?.name).toBe('xyz:NVDA');
    const nvda = ctxs[2];
    expect([nvda?.markPx.toFixed(), nvda?.oraclePx.toFixed(), nvda?.midPx, nvda?.impactPxs]).toEqual([
      '177.06',
      '188.15',
      null,
      null,
    ]);
  });

  it('refuses contexts that do not line up with the universe (a price would land on the wrong coin)', () => {
    const [meta, ctxs] = fixture('docs/metaAndAssetCtxs_36').response as [unknown, unknown[]];
    expect(MetaAndAssetCtxsResponseSchema.safeParse([meta, ctxs.slice(1)]).success).toBe(false);
  });

  it("reads an activeAssetCtx message: the docs' WsActiveAssetCtx { coin, ctx } around a real context", () => {
    const [, ctxs] = fixture('docs/metaAndAssetCtxs_37').response as [unknown, unknown[]];
    const msg = WsActiveAssetCtxSchema.parse({ coin: 'xyz:TSLA', ctx: ctxs[1] });
    expect([msg.coin, msg.ctx.markPx.toFixed(), msg.ctx.oraclePx.toFixed()]).toEqual([
      'xyz:TSLA',
      '465.13',
      '450.78',
    ]);
    // The docs' type definitions write the prices as numbers: read the same.
    const numeric = WsActiveAssetCtxSchema.parse({
      coin: 'BTC',
      ctx: { markPx: 14.3161, oraclePx: 14.32, funding: 0, openInterest: 1, prevDayPx: 15, dayNtlVlm: 0 },
    });
    expect(numeric.ctx.markPx.toFixed()).toBe('14.3161');
    expect(WsActiveAssetCtxSchema.safeParse({ coin: 'BTC', ctx: { markPx: '1' } }).success).toBe(false);
  });
});

describe('fills keep what the venue reports', () => {
  const docs = fixture('docs/userFills_3').response as unknown[];

  it('keeps dir, startPosition and builderFee on the Fill', () => {
    const fill = toFill(UserFillSchema.parse(docs[0]));
    expect(fill).toMatchObject({
      id: 'AVAX:118906512037719:90542681',
      symbol: 'AVAX-USD',
      side: 'buy',
      dir: 'Open Long',
      liquidity: 'maker',
      feeCurrency: 'USDC',
    });
    expect(fill.startPosition?.toFixed()).toBe('26.86');
    expect(fill.builderFee?.toFixed()).toBe('0.01');
    expect(fill.fee.toFixed()).toBe('0.01');
  });

  it('reads a HIP-3 fill as its own symbol, dex prefix kept', () => {
    const fill = toFill(UserFillSchema.parse(docs[1]));
    expect(fill.symbol).toBe('xyz:XYZ100-USD');
    expect(fill.startPosition?.toFixed()).toBe('0.7045');
  });

  it('keeps the twapId of a TWAP slice', () => {
    const [slice] = fixture('docs/userTwapSliceFills_12').response as Array<{
      fill: unknown;
      twapId: number;
    }>;
    const fill = toFill(UserFillSchema.parse({ ...(slice?.fill as object), twapId: slice?.twapId }));
    expect(fill.twapId).toBe(3156);
  });

  it('keeps the liquidation of a liquidation fill, markPx as a number (docs types) or a string', () => {
    const base = docs[0] as Record<string, unknown>;
    for (const markPx of [18.4, '18.4']) {
      const fill = toFill(
        UserFillSchema.parse({ ...base, dir: 'Liquidated Long', liquidation: { markPx, method: 'market' } }),
      );
      expect(fill.liquidation?.method).toBe('market');
      expect(fill.liquidation?.markPx.toFixed()).toBe('18.4');
    }
  });
});

describe('HIP-3 dexes', () => {
  it('reads perpDexs and gives each dex its asset id range (100000 + 10000 x dex index + coin index)', () => {
    const dexs = PerpDexsResponseSchema.parse(fixture('docs/perpDexs_34').response);
    expect(deployedDexes(dexs)).toEqual([{ name: 'test', index: 1 }]);
    // The xyz dex's own meta, from the docs' metaAndAssetCtxs example for a HIP-3 dex.
    const [xyzMeta] = fixture('docs/metaAndAssetCtxs_37').response as [unknown];
    const main = MetaResponseSchema.parse(fixture('docs/meta_35').response);
    const map = AssetMap.fromDexMetas([
      { dex: '', index: 0, meta: main },
      { dex: 'xyz', index: 1, meta: MetaResponseSchema.parse(xyzMeta) },
    ]);
    expect(map.bySymbol('BTC-USD').asset).toBe(0);
    expect(map.bySymbol('xyz:XYZ100-USD')).toMatchObject({
      asset: 110000,
      dex: 'xyz',
      onlyIsolated: true,
      crossAllowed: false,
    });
    expect(map.bySymbol('BTC-USD').crossAllowed).toBe(true);
    // The first dex's HPOS: onlyIsolated without a marginMode; LOOM: strictIsolated.
    expect(map.bySymbol('HPOS-USD').crossAllowed).toBe(false);
    expect(map.bySymbol('LOOM-USD').crossAllowed).toBe(false);
    expect(map.bySymbol('xyz:NVDA-USD').asset).toBe(110002);
    expect(map.byAsset(110001).coin).toBe('xyz:TSLA');
    expect(map.dexes()).toEqual(['', 'xyz']);
    expect(() =>
      AssetMap.fromDexMetas([{ dex: 'abc', index: 2, meta: MetaResponseSchema.parse(xyzMeta) }]),
    ).toThrow(/lacks the abc: prefix/);
  });
});

describe('the venue texts of refused orders', () => {
  it('maps the docs example and the documented error strings to distinct codes', () => {
    const status = (
      fixture('docs/order_62').response as { response: { data: { statuses: [{ error: string }] } } }
    ).response.data.statuses[0].error;
    expect(venueErrorCode(status)).toBe('MIN_NOTIONAL');
    const table: Array<[string, string]> = [
      ['Order price cannot be more than 95% away from the reference price', 'PRICE_TOO_FAR_FROM_REFERENCE'],
      ['Order price too far from oracle', 'PRICE_TOO_FAR_FROM_REFERENCE'],
      ['Order would cause position to exceed margin tier limit at current leverage', 'POSITION_SIZE_LIMIT'],
      ['Order could not immediately match against any resting orders. asset=0', 'NO_LIQUIDITY'],
      ['No liquidity available for market order.', 'NO_LIQUIDITY'],
      ['(Spot-only) Order has insufficient spot balance to trade', 'INSUFFICIENT_SPOT_BALANCE'],
      ['Insufficient margin to place order. asset=0', 'INSUFFICIENT_MARGIN'],
      ['Price must be divisible by tick size. asset=0', 'INVALID_PRICE'],
      ['Invalid leverage value', 'INVALID_LEVERAGE'],
      ['Order was never placed, already canceled, or filled.', 'UNKNOWN_ORDER'],
    ];
    for (const [text, code] of table) expect({ text, code: venueErrorCode(text) }).toEqual({ text, code });
  });
});
