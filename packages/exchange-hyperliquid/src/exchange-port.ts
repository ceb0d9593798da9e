import {
  type Clock,
  type Decimal,
  ExchangeError,
  MarketPrice,
  OpenOrder,
  type OrderUpdate,
  parseOrThrow,
  ZERO,
} from '@hl-bot/core-types';
import { buildCancelAction } from './actions.js';
import type { AssetCatalog } from './assets.js';
import type { ClientOrderIds } from './client-order-ids.js';
import { HyperliquidResponseError } from './errors.js';
import type { ExchangeActions } from './exchange-actions.js';
import { toOrderUpdate } from './fills.js';
import type { InfoReads } from './info.js';
import type { FrontendOpenOrder, WsOrderUpdate } from './info-schemas.js';
import { inScope, type OrderScope } from './order-scope.js';
import type { Reporter } from './reporter.js';

/** What `getMarketData` returns. */
export interface MarketData {
  symbol: string;
  coin: string;
  /** Mid price from `allMids`. */
  price: Decimal;
  bestBid: Decimal | undefined;
  bestAsk: Decimal | undefined;
  timestamp: number;
}

export interface ExchangePortDeps {
  reads: InfoReads;
  actions: ExchangeActions;
  assets: AssetCatalog;
  ids: ClientOrderIds;
  reporter: Reporter;
  clock: Clock;
  /** Which of the account's orders are this client's (default all). */
  scope: OrderScope | undefined;
  /** Where a confirmed cancel is reported, like the venue's own order update. */
  deliverUpdates: (updates: readonly WsOrderUpdate[]) => void;
}

/**
 * The engine's `Exchange` port over the venue's reads and actions, in the project's types and by the
 * caller's client order ids (orders are placed by order-placement.ts, the account measured by account.ts).
 */
export class ExchangePort {
  readonly #d: ExchangePortDeps;

  constructor(deps: ExchangePortDeps) {
    this.#d = deps;
  }

  async cancelOrder(symbol: string, orderId: string): Promise<boolean> {
    const { actions, reporter } = this.#d;
    let result: true | ExchangeError | undefined;
    try {
      [result] = /^\d+$/.test(orderId)
        ? await actions.cancel([{ symbol, oid: Number(orderId) }])
        : await actions.cancelByCloid([{ symbol, cloid: orderId }]);
    } catch (error) {
      await reporter.recordError(error, `cancelling ${symbol} order ${orderId}`);
      throw error;
    }
    if (result === true) return true;
    if (result === undefined || result.code === 'UNKNOWN_ORDER') return false;
    await reporter.recordError(result, `cancelling ${symbol} order ${orderId}`);
    throw result;
  }

  async cancelAllOrders(opts: { symbol?: string; reason?: string }): Promise<number> {
    const { actions, assets: catalog, reads, reporter } = this.#d;
    const assets = await catalog.load(false);
    const coin = opts.symbol === undefined ? undefined : (await catalog.asset(opts.symbol)).coin;
    const dexes = opts.symbol === undefined ? assets.dexes() : [(await catalog.asset(opts.symbol)).dex];
    const scope = this.#d.scope;
    // Scoped, the cloid decides whose an order is: frontendOpenOrders carries it on every order.
    const read = (d: string) =>
      scope === undefined ? reads.openOrders(undefined, d) : reads.frontendOpenOrders(undefined, d);
    const open = (await Promise.all(dexes.map(read)))
      .flat()
      .filter((o) => (coin === undefined ? assets.hasCoin(o.coin) : o.coin === coin))
      .filter((o) => inScope(scope, o.cloid, assets.byCoin(o.coin).symbol));
    let cancelled = 0;
    for (let i = 0; i < open.length; i += 100) {
      const chunk = open.slice(i, i + 100);
      let results: Array<true | ExchangeError>;
      try {
        results = await actions.cancelStatuses(
          buildCancelAction(chunk.map((o) => ({ asset: assets.byCoin(o.coin).asset, oid: o.oid }))),
          chunk.length,
        );
      } catch (error) {
        await reporter.recordError(
          error,
          `cancelling all orders${opts.reason === undefined ? '' : ` (${opts.reason})`}`,
        );
        throw error;
      }
      for (const [j, r] of results.entries()) {
        const o = chunk[j];
        if (o === undefined) continue;
        if (r === true) {
          cancelled += 1;
          // The count alone cannot settle an order: each confirmed cancel is reported like the venue's own
          // order update (a later one from the stream is the same fact; listeners key by order id).
          // `openOrders` may leave out origSz: the remaining size is then all that is known of it.
          this.#d.deliverUpdates([
            {
              order: { ...o, origSz: o.origSz ?? o.sz },
              status: 'canceled',
              statusTimestamp: this.#d.clock.now(),
            },
          ]);
        } else if (r.code !== 'UNKNOWN_ORDER') {
          await reporter.recordError(r, `cancelling ${o.coin} order ${o.oid}`);
        }
      }
    }
    return cancelled;
  }

  async getOrderStatus(clientOrderId: string): Promise<OrderUpdate | undefined> {
    const cloid = this.#d.ids.remember(clientOrderId);
    const status = await this.#d.reads.orderStatus(cloid, undefined);
    if (status.status !== 'order') return undefined;
    const venueUpdate = toOrderUpdate({
      order: status.order.order,
      status: status.order.status,
      statusTimestamp: status.order.statusTimestamp,
    });
    if (venueUpdate === undefined) {
      throw new HyperliquidResponseError(
        `orderStatus of ${clientOrderId} is ${status.order.status}, a status this client cannot map`,
      );
    }
    if (/^\d+$/.test(venueUpdate.orderId)) this.#d.ids.link(venueUpdate.orderId, clientOrderId);
    return { ...venueUpdate, clientOrderId };
  }

  /**
   * The account's open orders that are this client's (all of them without a scope), or with `foreign`
   * the ones the scope refuses (none without a scope), by the venue's cloid.
   */
  async getOpenOrders(symbol: string | undefined, foreign = false): Promise<OpenOrder[]> {
    const { assets: catalog, reads, ids } = this.#d;
    const assets = await catalog.load(false);
    const coin = symbol === undefined ? undefined : (await catalog.asset(symbol)).coin;
    const dexes = symbol === undefined ? assets.dexes() : [(await catalog.asset(symbol)).dex];
    const orders = (await Promise.all(dexes.map((d) => reads.frontendOpenOrders(undefined, d)))).flat();
    const out: OpenOrder[] = [];
    for (const o of orders) {
      if (coin !== undefined ? o.coin !== coin : !assets.hasCoin(o.coin)) continue;
      if (inScope(this.#d.scope, o.cloid, assets.byCoin(o.coin).symbol) === foreign) continue;
      const quantity = o.origSz.gt(0) ? o.origSz : o.sz;
      if (quantity.lte(0)) continue;
      out.push(
        parseOrThrow(
          OpenOrder,
          {
            orderId: String(o.oid),
            ...(o.cloid == null ? {} : { clientOrderId: ids.resolve(o.cloid, o.oid) }),
            symbol: assets.byCoin(o.coin).symbol,
            side: o.side === 'B' ? 'buy' : 'sell',
            orderType: orderTypeOf(o),
            ...(o.limitPx.gt(0) ? { price: o.limitPx } : {}),
            ...(o.isTrigger && o.triggerPx.gt(0) ? { triggerPrice: o.triggerPx } : {}),
            quantity,
            filledQuantity: quantity.gt(o.sz) ? quantity.minus(o.sz) : ZERO,
            reduceOnly: o.reduceOnly,
            timeInForce: o.tif === 'Ioc' ? 'IOC' : o.tif === 'Alo' ? 'post-only' : 'GTC',
            createdAt: o.timestamp,
          },
          'Hyperliquid open order',
        ),
      );
    }
    return out;
  }

  async getMarketPrice(symbol: string): Promise<MarketPrice> {
    const asset = await this.#d.assets.asset(symbol);
    const mid = (await this.#d.reads.allMids(asset.dex))[asset.coin];
    if (mid === undefined || mid.lte(0)) {
      throw new ExchangeError('NO_MARKET_PRICE', `no mid price for ${symbol}`, { details: { symbol } });
    }
    return MarketPrice.parse({ symbol, price: mid, timestamp: this.#d.clock.now() });
  }

  async getMarketData(symbol: string): Promise<MarketData> {
    const asset = await this.#d.assets.asset(symbol);
    const [mids, book] = await Promise.all([
      this.#d.reads.allMids(asset.dex),
      this.#d.reads.l2Book(asset.coin, {}),
    ]);
    const mid = mids[asset.coin];
    if (mid === undefined || mid.lte(0)) {
      throw new ExchangeError('NO_MARKET_PRICE', `no mid price for ${symbol}`, { details: { symbol } });
    }
    return {
      symbol,
      coin: asset.coin,
      price: mid,
      bestBid: book.levels[0][0]?.px,
      bestAsk: book.levels[1][0]?.px,
      timestamp: book.time,
    };
  }
}

function orderTypeOf(o: FrontendOpenOrder): OpenOrder['orderType'] {
  const t = o.orderType.toLowerCase();
  if (t.startsWith('take profit')) return 'take-profit';
  if (t === 'stop limit') return 'stop-limit';
  if (t.startsWith('stop')) return 'stop-market';
  if (t === 'market') return 'market';
  return o.isTrigger ? 'stop-market' : 'limit';
}
