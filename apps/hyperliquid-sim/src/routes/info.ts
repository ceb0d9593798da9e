import { toDecimal } from '@hl-bot/core-types';
import { dexOfCoin } from '@hl-bot/exchange-hyperliquid/wire';
import { intervalMs } from '@hl-bot/paper-exchange';
import { assetCtxOf } from '../asset-ctx.js';
import { ok, type Reply, unprocessable } from '../http-reply.js';
import { type MarketFeed, tickAt } from '../market.js';
import { MAX_FILLS, type SimState } from '../sim-state.js';
import { wireDecimal } from '../wire-decimal.js';

function metaOf(state: SimState, dex: string) {
  return {
    universe: state.coins
      .filter((c) => c.dex === dex)
      .map((c) => ({
        name: c.coin,
        szDecimals: c.szDecimals,
        maxLeverage: c.maxLeverage,
        marginTableId: c.maxLeverage,
        ...(c.isolatedOnly ? { onlyIsolated: true, marginMode: 'strictIsolated' } : {}),
      })),
    marginTables: [],
    collateralToken: 0,
  };
}

/**
 * `POST /info`: the read-only requests the client and the bot make, answered in the venue's shapes
 * (recorded payloads in the tests). Unknown types and malformed fields get the venue's 422 text.
 */
export async function infoRoute(
  state: SimState,
  feed: MarketFeed,
  body: Record<string, unknown>,
): Promise<Reply> {
  const type = body.type;
  const user = state.userOf(body);
  const account = user === undefined ? undefined : state.accounts.get(user);
  const needsUser = (): Reply | undefined =>
    user === undefined ? unprocessable('user: expected a 0x address') : undefined;
  switch (type) {
    case 'perpDexs':
      return ok([
        null,
        ...(state.hip3Dex === undefined
          ? []
          : [
              {
                name: state.hip3Dex,
                fullName: `${state.hip3Dex} (hl-sim)`,
                deployer: `0x${'00'.repeat(20)}`,
                oracleUpdater: null,
                feeRecipient: null,
                assetToStreamingOiCap: [],
                assetToFundingMultiplier: [],
              },
            ]),
      ]);
    case 'meta': {
      const dex = state.dexOf(body);
      if (dex === undefined) return unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`);
      return ok(metaOf(state, dex));
    }
    case 'metaAndAssetCtxs': {
      // As the venue: [meta, one context per universe entry, in the same order].
      const dex = state.dexOf(body);
      if (dex === undefined) return unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`);
      const meta = metaOf(state, dex);
      return ok([meta, meta.universe.map((u) => assetCtxOf(state, u.name))]);
    }
    case 'allMids': {
      const dex = state.dexOf(body);
      if (dex === undefined) return unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`);
      return ok(Object.fromEntries([...state.mids].filter(([coin]) => dexOfCoin(coin) === dex)));
    }
    case 'clearinghouseState': {
      const bad = needsUser();
      if (bad !== undefined) return bad;
      if (account === undefined) {
        const zero = {
          accountValue: '0.0',
          totalNtlPos: '0.0',
          totalRawUsd: '0.0',
          totalMarginUsed: '0.0',
        };
        return ok({
          marginSummary: zero,
          crossMarginSummary: zero,
          crossMaintenanceMarginUsed: '0.0',
          withdrawable: '0.0',
          assetPositions: [],
          time: state.now(),
        });
      }
      const dex = state.dexOf(body);
      if (dex === undefined) return unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`);
      return ok(await account.clearinghouseState(state.now(), state.unified, dex));
    }
    case 'spotClearinghouseState':
      return needsUser() ?? ok((await account?.spotClearinghouseState(state.unified)) ?? { balances: [] });
    case 'userAbstraction':
      return (
        needsUser() ?? ok(account === undefined ? 'default' : state.unified ? 'unifiedAccount' : 'disabled')
      );
    case 'openOrders':
    case 'frontendOpenOrders':
      return (
        needsUser() ??
        (state.dexOf(body) === undefined
          ? unprocessable(`unknown perp dex ${JSON.stringify(body.dex)}`)
          : ok(account?.openOrders(type === 'frontendOpenOrders', state.dexOf(body)) ?? []))
      );
    case 'userFills':
      return needsUser() ?? ok((account?.fills ?? []).slice(-MAX_FILLS).reverse());
    case 'userFillsByTime': {
      const bad = needsUser();
      if (bad !== undefined) return bad;
      const start = body.startTime;
      const end = body.endTime ?? Number.MAX_SAFE_INTEGER;
      if (typeof start !== 'number' || typeof end !== 'number') return unprocessable('startTime/endTime');
      const fills = (account?.fills ?? []).filter((f) => f.time >= start && f.time <= end);
      return ok(fills.slice(0, MAX_FILLS));
    }
    case 'orderStatus': {
      const bad = needsUser();
      if (bad !== undefined) return bad;
      const oid = body.oid;
      if (typeof oid !== 'number' && typeof oid !== 'string') return unprocessable('oid');
      return ok(
        account?.orderStatus(typeof oid === 'string' ? oid.toLowerCase() : oid) ?? { status: 'unknownOid' },
      );
    }
    case 'userRole': {
      if (user === undefined) return unprocessable('user: expected a 0x address');
      const master = state.agents.get(user);
      return ok(
        state.accounts.has(user)
          ? { role: 'user' }
          : master !== undefined
            ? { role: 'agent', data: { user: master } }
            : { role: 'missing' },
      );
    }
    case 'extraAgents':
      // hl-sim approves agents without a name or an end; the venue lists only named agents here.
      return needsUser() ?? ok([]);
    case 'userNonFundingLedgerUpdates': {
      const bad = needsUser();
      if (bad !== undefined) return bad;
      const start = body.startTime ?? 0;
      const end = body.endTime ?? Number.MAX_SAFE_INTEGER;
      if (typeof start !== 'number' || typeof end !== 'number') return unprocessable('startTime/endTime');
      return ok((account?.ledger ?? []).filter((u) => u.time >= start && u.time <= end).slice(0, MAX_FILLS));
    }
    case 'userRateLimit':
      return (
        needsUser() ??
        ok(
          account?.userRateLimit() ?? {
            cumVlm: '0.0',
            nRequestsUsed: 0,
            nRequestsCap: 10000,
            nRequestsSurplus: 0,
          },
        )
      );
    case 'l2Book': {
      const coin = state.coinByName(body.coin);
      const mid = coin === undefined ? undefined : state.mids.get(coin.coin);
      if (coin === undefined || mid === undefined) return ok(null);
      const mark = toDecimal(mid);
      const tick = tickAt(mark, coin.szDecimals);
      const lot = toDecimal(10).pow(-coin.szDecimals);
      const level = (k: number, sign: 1 | -1) => ({
        px: wireDecimal(mark.plus(tick.times(k * sign))),
        sz: wireDecimal(lot.times(100 * k)),
        n: k,
      });
      const bids = [];
      const asks = [];
      for (let k = 1; k <= 20; k++) {
        if (mark.minus(tick.times(k)).gt(0)) bids.push(level(k, -1));
        asks.push(level(k, 1));
      }
      return ok({ coin: coin.coin, time: state.now(), levels: [bids, asks] });
    }
    case 'candleSnapshot': {
      const req = body.req as Record<string, unknown> | undefined;
      const coin = state.coinByName(req?.coin);
      if (req === undefined || coin === undefined) return unprocessable('req.coin');
      let bucket: number;
      try {
        bucket = intervalMs(String(req.interval));
      } catch {
        return unprocessable('req.interval');
      }
      const start = Number(req.startTime);
      const end = Number(req.endTime);
      if (!Number.isFinite(start) || !Number.isFinite(end)) return unprocessable('req.startTime/endTime');
      return ok(
        feed.candles(coin.coin, bucket, start, end).map((c) => ({
          t: c.openTime,
          T: c.closeTime,
          s: coin.coin,
          i: String(req.interval),
          o: wireDecimal(c.open),
          c: wireDecimal(c.close),
          h: wireDecimal(c.high),
          l: wireDecimal(c.low),
          v: wireDecimal(c.volume),
          n: feed.barsIn(bucket),
        })),
      );
    }
    default:
      return unprocessable(`unknown info type ${JSON.stringify(type)}`);
  }
}
