import { type Clock, systemClock, toDecimal } from '@hl-bot/core-types';
import { AccountReader } from './account.js';
import { DailyActionCap } from './action-cap.js';
import { AssetCatalog } from './assets.js';
import type { HyperliquidClientOptions } from './client-options.js';
import { ClientOrderIds } from './client-order-ids.js';
import { HyperliquidClientError } from './errors.js';
import { ExchangeActions } from './exchange-actions.js';
import { ExchangePort } from './exchange-port.js';
import { FillDeduper } from './fills.js';
import { InfoReads } from './info.js';
import { NonceManager } from './nonce.js';
import type { OrderPlacementDeps } from './order-placement.js';
import { checkOrderScope } from './order-scope.js';
import type { Address, PrivateKeySigner } from './private-key.js';
import { realSleep, WeightedTokenBucket } from './rate-limit.js';
import { Reporter } from './reporter.js';
import { Streams } from './streams.js';
import { Transfers } from './transfers.js';
import { Transport } from './transport.js';

/** Who the client is: where it connects, which account it reads, which key signs. */
export interface ClientIdentity {
  baseUrl: string;
  wsUrl: string;
  isMainnet: boolean;
  account: Address | undefined;
  vaultAddress: Address | undefined;
  signer: PrivateKeySigner | undefined;
}

/** The modules behind the HyperliquidClient facade, each with one job, sharing one transport and reporter. */
export interface ClientParts {
  bucket: WeightedTokenBucket;
  actionCap: DailyActionCap;
  ids: ClientOrderIds;
  reporter: Reporter;
  reads: InfoReads;
  assets: AssetCatalog;
  accountReader: AccountReader;
  actions: ExchangeActions;
  transfers: Transfers;
  placement: OrderPlacementDeps;
  port: ExchangePort;
  streams: Streams;
}

/**
 * Builds the client's modules from its options (defaults applied here, once).
 * @throws {HyperliquidClientError} `HL_INVALID_ARGUMENT` for a slippage outside [0, 1).
 */
export function clientParts(options: HyperliquidClientOptions, id: ClientIdentity): ClientParts {
  const scope = checkOrderScope(options.orderScope);
  const ids = new ClientOrderIds(100_000, scope?.cloidTag);
  const cloidOf = (clientOrderId: string) => ids.cloidOf(clientOrderId);
  const clock: Clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const bucket = new WeightedTokenBucket({
    clock,
    sleep,
    ...(options.rateLimit?.weightPerMinute === undefined
      ? {}
      : { weightPerMinute: options.rateLimit.weightPerMinute }),
    ...(options.rateLimit?.headroom === undefined ? {} : { headroom: options.rateLimit.headroom }),
  });
  const nonces = new NonceManager(clock);
  const slippage = toDecimal(options.marketSlippage ?? '0.05', 'marketSlippage');
  if (slippage.lt(0) || slippage.gte(1)) {
    throw new HyperliquidClientError('HL_INVALID_ARGUMENT', 'marketSlippage must be in [0, 1)');
  }
  const actionCap = new DailyActionCap({
    clock,
    ...(options.dailyActionReserve === undefined ? {} : { reserve: options.dailyActionReserve }),
  });
  const transport = new Transport({
    baseUrl: id.baseUrl,
    timeoutMs: options.requestTimeoutMs ?? 10_000,
    bucket,
    sleep,
    random,
    maxRetries: options.retry?.maxRetries ?? 4,
    baseDelayMs: options.retry?.baseDelayMs ?? 250,
    maxDelayMs: options.retry?.maxDelayMs ?? 8_000,
  });
  const reporter = new Reporter(options.audit ?? options.auditLogger);
  const reads = new InfoReads(transport, id.account, cloidOf);
  const assets = new AssetCatalog(reads, options.dexes ?? 'all');
  const accountReader = new AccountReader({
    reads,
    assets,
    reporter,
    clock,
    actionCap,
    ttlMs: options.accountModeTtlMs ?? 60_000,
  });
  const actions = new ExchangeActions({
    transport,
    assets,
    nonces,
    actionCap,
    signer: id.signer,
    isMainnet: id.isMainnet,
    vaultAddress: id.vaultAddress,
    cloidOf,
  });
  const streams = new Streams({
    wsUrl: id.wsUrl,
    wsOptions: options.ws ?? {},
    random,
    clock,
    account: id.account,
    reads,
    assets,
    accountReader,
    ids,
    reporter,
    deduper: new FillDeduper({ since: options.fillsSince ?? clock.now() }),
    referenceSymbols: [...(options.referencePrices ?? [])],
    scope,
  });
  const transfers = new Transfers({
    transport,
    nonces,
    reporter,
    signer: id.signer,
    isMainnet: id.isMainnet,
  });
  const placement: OrderPlacementDeps = {
    transport,
    actions,
    reads,
    reporter,
    clock,
    sleep,
    assets,
    ids,
    rules: { reads, slippage, round: options.roundToValid === true },
    orderExpiryMs: options.orderExpiryMs === undefined ? 15_000 : options.orderExpiryMs,
    orderSettleMs: options.orderSettleMs ?? 1_000,
    maxOrderAttempts: Math.max(1, options.maxOrderAttempts ?? 3),
  };
  const port = new ExchangePort({
    reads,
    actions,
    assets,
    ids,
    reporter,
    clock,
    scope,
    deliverUpdates: (updates) => streams.deliverUpdates(updates),
  });
  return {
    bucket,
    actionCap,
    ids,
    reporter,
    reads,
    assets,
    accountReader,
    actions,
    transfers,
    placement,
    port,
    streams,
  };
}
