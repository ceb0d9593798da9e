import { type Decimal, ExchangeError, toDecimal } from '@hl-bot/core-types';
import type { DailyActionCap } from './action-cap.js';
import {
  buildBatchModifyAction,
  buildCancelAction,
  buildCancelByCloidAction,
  buildModifyAction,
  buildOrderAction,
  buildScheduleCancelAction,
  buildUpdateLeverageAction,
  type CancelResponseStatus,
  type ExchangeResponse,
  type Grouping,
  type L1Action,
  type OrderResponseStatus,
  type OrderWire,
} from './actions.js';
import type { AssetCatalog } from './assets.js';
import { toCloid } from './cloid.js';
import { HyperliquidClientError, HyperliquidResponseError } from './errors.js';
import type { NonceManager } from './nonce.js';
import type { Address, PrivateKeySigner } from './private-key.js';
import { exchangeRequestWeight } from './rate-limit.js';
import { signL1Action } from './signing.js';
import type { Transport } from './transport.js';
import { venueError } from './venue-errors.js';

/** Result of one order in an order action. */
export type OrderResult =
  | { kind: 'resting'; oid: number; cloid?: string | undefined }
  | { kind: 'filled'; oid: number; totalSz: Decimal; avgPx: Decimal; cloid?: string | undefined }
  | { kind: 'waitingForFill' | 'waitingForTrigger' }
  | { kind: 'error'; error: ExchangeError };

/** The key that signs, or a typed refusal for a read-only client. */
export function requireSigner(signer: PrivateKeySigner | undefined): PrivateKeySigner {
  if (signer === undefined) {
    throw new HyperliquidClientError(
      'HL_INVALID_ARGUMENT',
      'this client has no privateKey; it cannot sign actions',
    );
  }
  return signer;
}

export interface ExchangeActionsDeps {
  transport: Transport;
  assets: AssetCatalog;
  nonces: NonceManager;
  actionCap: DailyActionCap;
  signer: PrivateKeySigner | undefined;
  isMainnet: boolean;
  vaultAddress: Address | undefined;
  /** The cloid a client order id is sent as (default `toCloid`, untagged). */
  cloidOf?: (clientOrderId: string) => string;
}

/**
 * Signed L1 actions (orders, cancels, modifies, leverage, the dead man's switch), each sent once: a resend
 * could execute twice, so nothing here retries. Per-order answers are mapped to typed results in request
 * order.
 */
export class ExchangeActions {
  readonly #d: ExchangeActionsDeps;

  constructor(deps: ExchangeActionsDeps) {
    this.#d = deps;
  }

  #cloid(id: string): string {
    return this.#d.cloidOf === undefined ? toCloid(id) : this.#d.cloidOf(id);
  }

  /** Signs and sends one L1 action. @throws {HyperliquidActionError} {HyperliquidHttpError} */
  async send(
    action: L1Action,
    opts: { batchLength?: number; expiresAfter?: number; weightTaken?: boolean },
  ): Promise<ExchangeResponse> {
    const d = this.#d;
    const signer = requireSigner(d.signer);
    // Wait for rate-limit capacity before the nonce and signature exist, so a throttled action is signed
    // when it can actually be sent.
    if (opts.weightTaken !== true)
      await d.transport.bucket.take(exchangeRequestWeight(opts.batchLength ?? 1));
    d.actionCap.take(action);
    const nonce = d.nonces.next();
    const signature = signL1Action({
      privateKey: signer,
      action,
      nonce,
      isMainnet: d.isMainnet,
      vaultAddress: d.vaultAddress,
      expiresAfter: opts.expiresAfter,
    });
    const body = {
      action,
      signature,
      nonce,
      ...(d.vaultAddress === undefined ? {} : { vaultAddress: d.vaultAddress }),
      ...(opts.expiresAfter === undefined ? {} : { expiresAfter: opts.expiresAfter }),
    };
    return d.transport.exchange(body, true);
  }

  async submitOrders(
    orders: readonly OrderWire[],
    opts: { grouping?: Grouping; expiresAfter?: number; weightTaken?: boolean },
  ): Promise<OrderResult[]> {
    const action = buildOrderAction(orders, opts.grouping ?? 'na');
    const res = await this.send(action, {
      batchLength: orders.length,
      ...(opts.expiresAfter === undefined ? {} : { expiresAfter: opts.expiresAfter }),
      ...(opts.weightTaken === undefined ? {} : { weightTaken: opts.weightTaken }),
    });
    return orderResults(res, orders);
  }

  /** `true` per cancelled order, else the venue's error, in request order. */
  async cancelStatuses(action: L1Action, n: number): Promise<Array<true | ExchangeError>> {
    const res = await this.send(action, { batchLength: n });
    if (res.status !== 'ok' || res.response.type !== 'cancel') {
      throw new HyperliquidResponseError(`${action.type} answered something other than cancel statuses`);
    }
    const statuses = res.response.data.statuses as CancelResponseStatus[];
    const only = statuses[0];
    if (statuses.length !== n) {
      if (statuses.length === 1 && typeof only === 'object') return Array(n).fill(venueError(only.error));
      throw new HyperliquidResponseError(
        `${action.type} answered ${statuses.length} statuses for ${n} cancels`,
      );
    }
    return statuses.map((s) => (s === 'success' ? true : venueError(s.error)));
  }

  async cancel(cancels: readonly { symbol: string; oid: number }[]): Promise<Array<true | ExchangeError>> {
    const wire = await Promise.all(
      cancels.map(async (c) => ({ asset: (await this.#d.assets.asset(c.symbol)).asset, oid: c.oid })),
    );
    return this.cancelStatuses(buildCancelAction(wire), wire.length);
  }

  async cancelByCloid(
    cancels: readonly { symbol: string; cloid: string }[],
  ): Promise<Array<true | ExchangeError>> {
    const wire = await Promise.all(
      cancels.map(async (c) => ({
        asset: (await this.#d.assets.asset(c.symbol)).asset,
        cloid: this.#cloid(c.cloid),
      })),
    );
    return this.cancelStatuses(buildCancelByCloidAction(wire), wire.length);
  }

  async modify(oid: number | string, order: OrderWire): Promise<void> {
    await this.send(buildModifyAction(typeof oid === 'string' ? this.#cloid(oid) : oid, order), {});
  }

  async batchModify(modifies: readonly { oid: number | string; order: OrderWire }[]): Promise<OrderResult[]> {
    const action = buildBatchModifyAction(
      modifies.map((m) => ({ oid: typeof m.oid === 'string' ? this.#cloid(m.oid) : m.oid, order: m.order })),
    );
    const res = await this.send(action, { batchLength: modifies.length });
    return orderResults(
      res,
      modifies.map((m) => m.order),
    );
  }

  async updateLeverage(symbol: string, leverage: number, opts: { isCross?: boolean }): Promise<void> {
    const asset = await this.#d.assets.asset(symbol);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > asset.maxLeverage) {
      throw new ExchangeError(
        'INVALID_LEVERAGE',
        `leverage must be an integer in [1, ${asset.maxLeverage}] for ${symbol}`,
        {
          details: { symbol, leverage, maxLeverage: asset.maxLeverage },
        },
      );
    }
    // Cross by default where the asset allows it; an isolated-only asset (every HIP-3 dex asset in the docs'
    // example) defaults to isolated, and asking it for cross is refused here rather than by the venue.
    if (opts.isCross === true && !asset.crossAllowed) {
      throw new ExchangeError('INVALID_LEVERAGE', `${symbol} allows isolated margin only (isCross: false)`, {
        details: { symbol, leverage },
      });
    }
    const isCross = opts.isCross ?? asset.crossAllowed;
    await this.send(buildUpdateLeverageAction(asset.asset, isCross, leverage), {});
  }

  async scheduleCancel(time: number | undefined): Promise<void> {
    await this.send(buildScheduleCancelAction(time), {});
  }
}

/**
 * One result per order of an order action, in request order. A single pre-validation error for a whole
 * batch is applied to every order.
 */
function orderResults(res: ExchangeResponse, orders: readonly OrderWire[]): OrderResult[] {
  if (res.status !== 'ok' || res.response.type !== 'order') {
    throw new HyperliquidResponseError('order action answered something other than order statuses');
  }
  const statuses = res.response.data.statuses as OrderResponseStatus[];
  const only = statuses[0];
  if (statuses.length !== orders.length) {
    if (statuses.length === 1 && only !== undefined && typeof only === 'object' && 'error' in only) {
      return orders.map((o) => ({
        kind: 'error',
        error: venueError(only.error, { cloid: o.c, asset: o.a }),
      }));
    }
    throw new HyperliquidResponseError(
      `order action answered ${statuses.length} statuses for ${orders.length} orders`,
    );
  }
  return statuses.map((s, i): OrderResult => {
    if (s === 'waitingForFill' || s === 'waitingForTrigger') return { kind: s };
    if ('resting' in s) return { kind: 'resting', oid: s.resting.oid, cloid: s.resting.cloid };
    if ('filled' in s) {
      return {
        kind: 'filled',
        oid: s.filled.oid,
        totalSz: toDecimal(s.filled.totalSz),
        avgPx: toDecimal(s.filled.avgPx),
        cloid: s.filled.cloid,
      };
    }
    return { kind: 'error', error: venueError(s.error, { cloid: orders[i]?.c, asset: orders[i]?.a }) };
  });
}
