import type { Decimal } from '@hl-bot/core-types';
import type { z } from 'zod';
import {
  type SpotClearinghouseStateResponse,
  SpotClearinghouseStateResponseSchema,
  UserAbstractionResponseSchema,
} from './account-mode.js';
import { isCloid, toCloid } from './cloid.js';
import { MAIN_DEX, type PerpDexsResponse, PerpDexsResponseSchema } from './dex.js';
import { HyperliquidClientError, HyperliquidResponseError } from './errors.js';
import { fillKey } from './fills.js';
import {
  AllMidsResponseSchema,
  type BasicOpenOrder,
  type Candle,
  CandleSnapshotResponseSchema,
  type ClearinghouseStateResponse,
  ClearinghouseStateResponseSchema,
  type FrontendOpenOrder,
  FrontendOpenOrdersResponseSchema,
  type L2BookResponse,
  L2BookResponseSchema,
  type MetaAndAssetCtxsResponse,
  MetaAndAssetCtxsResponseSchema,
  type MetaResponse,
  MetaResponseSchema,
  OpenOrdersResponseSchema,
  type OrderStatusResponse,
  OrderStatusResponseSchema,
  type UserFill,
  UserFillsResponseSchema,
  type UserRateLimitResponse,
  UserRateLimitResponseSchema,
} from './info-schemas.js';
import {
  type ExtraAgents,
  ExtraAgentsResponseSchema,
  type UserRole,
  UserRoleResponseSchema,
} from './key-authority.js';
import { type LedgerUpdate, LedgerUpdatesRawResponseSchema, LedgerUpdatesResponseSchema } from './ledger.js';
import type { Address } from './private-key.js';
import { type SpotMetaResponse, SpotMetaResponseSchema } from './spot.js';
import type { Transport } from './transport.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const FILLS_PAGE_LIMIT = 2000;

/** A checked, lower-cased address. @throws {HyperliquidClientError} `HL_INVALID_ARGUMENT` */
export function lowerAddress(value: string, what: string): Address {
  if (!ADDRESS.test(value)) {
    throw new HyperliquidClientError(
      'HL_INVALID_ARGUMENT',
      `${what} must be a 0x-prefixed 20-byte hex address`,
    );
  }
  return value.toLowerCase() as Address;
}

/** `dex` is sent only for HIP-3 dexes: the first dex's requests stay exactly as before. */
function dexParam(dex: string): { dex?: string } {
  return dex === MAIN_DEX ? {} : { dex };
}

/**
 * The venue's `/info` reads, one method each, validated into typed results. Account reads default to the
 * client's account. The client's public methods of the same names delegate here.
 */
export class InfoReads {
  readonly #transport: Transport;
  readonly #account: Address | undefined;

  readonly #cloidOf: (clientOrderId: string) => string;

  constructor(
    transport: Transport,
    account: Address | undefined,
    cloidOf: (clientOrderId: string) => string = (id) => toCloid(id),
  ) {
    this.#transport = transport;
    this.#account = account;
    this.#cloidOf = cloidOf;
  }

  /** The queried user: `user` checked, else the client's account. @throws {HyperliquidClientError} */
  requireAccount(user: string | undefined): Address {
    if (user !== undefined) return lowerAddress(user, 'user');
    if (this.#account === undefined) {
      throw new HyperliquidClientError(
        'HL_INVALID_ARGUMENT',
        'no walletAddress or privateKey: pass the user to query',
      );
    }
    return this.#account;
  }

  meta(dex: string): Promise<MetaResponse> {
    return this.#transport.info({ type: 'meta', ...dexParam(dex) }, MetaResponseSchema);
  }

  metaAndAssetCtxs(dex: string): Promise<MetaAndAssetCtxsResponse> {
    return this.#transport.info(
      { type: 'metaAndAssetCtxs', ...dexParam(dex) },
      MetaAndAssetCtxsResponseSchema,
    );
  }

  spotMeta(): Promise<SpotMetaResponse> {
    return this.#transport.info({ type: 'spotMeta' }, SpotMetaResponseSchema);
  }

  perpDexs(): Promise<PerpDexsResponse> {
    return this.#transport.info({ type: 'perpDexs' }, PerpDexsResponseSchema);
  }

  allMids(dex: string): Promise<Record<string, Decimal>> {
    return this.#transport.info({ type: 'allMids', ...dexParam(dex) }, AllMidsResponseSchema);
  }

  clearinghouseState(user: string | undefined, dex: string): Promise<ClearinghouseStateResponse> {
    return this.#transport.info(
      { type: 'clearinghouseState', user: this.requireAccount(user), ...dexParam(dex) },
      ClearinghouseStateResponseSchema,
    );
  }

  spotClearinghouseState(user: string | undefined): Promise<SpotClearinghouseStateResponse> {
    return this.#transport.info(
      { type: 'spotClearinghouseState', user: this.requireAccount(user) },
      SpotClearinghouseStateResponseSchema,
    );
  }

  userAbstraction(user: string | undefined): Promise<string> {
    return this.#transport.info(
      { type: 'userAbstraction', user: this.requireAccount(user) },
      UserAbstractionResponseSchema,
    );
  }

  userRole(user: string): Promise<UserRole> {
    return this.#transport.info(
      { type: 'userRole', user: lowerAddress(user, 'user') },
      UserRoleResponseSchema,
    );
  }

  extraAgents(user: string | undefined): Promise<ExtraAgents> {
    return this.#transport.info(
      { type: 'extraAgents', user: this.requireAccount(user) },
      ExtraAgentsResponseSchema,
    );
  }

  openOrders(user: string | undefined, dex: string): Promise<BasicOpenOrder[]> {
    return this.#transport.info(
      { type: 'openOrders', user: this.requireAccount(user), ...dexParam(dex) },
      OpenOrdersResponseSchema,
    );
  }

  frontendOpenOrders(user: string | undefined, dex: string): Promise<FrontendOpenOrder[]> {
    return this.#transport.info(
      { type: 'frontendOpenOrders', user: this.requireAccount(user), ...dexParam(dex) },
      FrontendOpenOrdersResponseSchema,
    );
  }

  userNonFundingLedgerUpdates(args: {
    startTime: number;
    endTime?: number;
    user?: string;
  }): Promise<LedgerUpdate[]> {
    return this.#ledgerUpdates(args, LedgerUpdatesResponseSchema);
  }

  /** The same read with each update left unread, so the caller parses (and refuses) each on its own. */
  userNonFundingLedgerUpdatesRaw(args: { startTime: number; endTime?: number }): Promise<unknown[]> {
    return this.#ledgerUpdates(args, LedgerUpdatesRawResponseSchema);
  }

  #ledgerUpdates<S extends z.ZodType>(
    args: { startTime: number; endTime?: number; user?: string },
    schema: S,
  ): Promise<z.output<S>> {
    return this.#transport.info(
      {
        type: 'userNonFundingLedgerUpdates',
        user: this.requireAccount(args.user),
        startTime: args.startTime,
        ...(args.endTime === undefined ? {} : { endTime: args.endTime }),
      },
      schema,
    );
  }

  userFills(user: string | undefined): Promise<UserFill[]> {
    return this.#transport.info(
      { type: 'userFills', user: this.requireAccount(user) },
      UserFillsResponseSchema,
    );
  }

  /**
   * Fills in a time range, however the venue orders and cuts its pages (each at most 2000 fills): a page
   * that may be cut short leaves two unknown stretches, before its oldest and after its newest fill, and
   * both are fetched in turn, so neither "oldest first" nor "newest first" paging can skip a fill.
   */
  async userFillsByTime(args: { startTime: number; endTime?: number; user?: string }): Promise<UserFill[]> {
    const user = this.requireAccount(args.user);
    const byKey = new Map<string, UserFill>();
    const todo: Array<{ start: number; end: number | undefined }> = [
      { start: args.startTime, end: args.endTime },
    ];
    for (let pages = 0; todo.length > 0; pages++) {
      if (pages >= 200) {
        throw new HyperliquidResponseError(
          `userFillsByTime needs more than 200 pages from ${args.startTime}`,
          {
            details: { startTime: args.startTime },
          },
        );
      }
      const range = todo.pop() as { start: number; end: number | undefined };
      const fills = await this.#transport.info(
        {
          type: 'userFillsByTime',
          user,
          startTime: range.start,
          ...(range.end === undefined ? {} : { endTime: range.end }),
        },
        UserFillsResponseSchema,
      );
      let oldest = Number.POSITIVE_INFINITY;
      let newest = Number.NEGATIVE_INFINITY;
      for (const f of fills) {
        byKey.set(fillKey(f), f);
        if (f.time < oldest) oldest = f.time;
        if (f.time > newest) newest = f.time;
      }
      // A short page is the whole range; only a page that may have been cut leaves gaps.
      if (fills.length < FILLS_PAGE_LIMIT / 4) continue;
      if (oldest === newest) {
        throw new HyperliquidResponseError(
          `userFillsByTime returned a full page of ${fills.length} fills at one timestamp (${oldest}); cannot page further without missing fills`,
          { details: { startTime: oldest } },
        );
      }
      // Inclusive bounds: the edge milliseconds are fetched again and deduplicated.
      if (oldest > range.start) todo.push({ start: range.start, end: oldest });
      if (range.end === undefined || newest < range.end) todo.push({ start: newest, end: range.end });
    }
    return [...byKey.values()].sort((a, b) => a.time - b.time || a.tid - b.tid);
  }

  l2Book(coin: string, opts: { nSigFigs?: 2 | 3 | 4 | 5; mantissa?: 1 | 2 | 5 }): Promise<L2BookResponse> {
    return this.#transport.info({ type: 'l2Book', coin, ...opts }, L2BookResponseSchema);
  }

  candleSnapshot(req: {
    coin: string;
    interval: string;
    startTime: number;
    endTime: number;
  }): Promise<Candle[]> {
    return this.#transport.info({ type: 'candleSnapshot', req }, CandleSnapshotResponseSchema);
  }

  /** By oid, or by cloid (any client order id maps to its cloid). */
  orderStatus(oid: number | string, user: string | undefined): Promise<OrderStatusResponse> {
    const id = typeof oid === 'string' ? (isCloid(oid) ? oid.toLowerCase() : this.#cloidOf(oid)) : oid;
    return this.#transport.info(
      { type: 'orderStatus', user: this.requireAccount(user), oid: id },
      OrderStatusResponseSchema,
    );
  }

  userRateLimit(user: string | undefined): Promise<UserRateLimitResponse> {
    return this.#transport.info(
      { type: 'userRateLimit', user: this.requireAccount(user) },
      UserRateLimitResponseSchema,
    );
  }
}
