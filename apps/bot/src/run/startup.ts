import { type EngineObserver, remainingOrder, TradingEngine } from '@hl-bot/engine';
import { HyperliquidClient, proveKeyCanTrade } from '@hl-bot/exchange-hyperliquid';
import type { OrderHistory } from '../order-history.js';
import { recoverFromAuditLog } from '../recover-state.js';
import type { Secret } from '../secret.js';
import type { BotCore } from './bot-core.js';

/** Positions and risk state rebuilt from the audit log (see `recoverFromAuditLog`). */
export async function recoverState(core: BotCore): Promise<void> {
  const { tracker, risk } = await recoverFromAuditLog(core.audit, {
    clock: core.clock,
    riskConfig: core.config.riskConfig,
    ...(core.budget === undefined ? {} : { budget: core.budget }),
    // Other bots may trade the venue account: this bot's limits and its share of the account's day P&L
    // are its own P&L, never the account's (which would count one bot's loss in every bot).
    ...(core.config.sharedRisk === undefined ? {} : { pnlScope: 'own' as const }),
    onWarning: (message) => core.logger.warn({ dir: core.auditDir }, message),
  });
  // One owner of positions from the start: risk indexes the recovered ones and follows every later change
  // (a reconciliation's adoption before the engine exists included). The engine wires the same again.
  risk.followPositions(tracker);
  core.tracker = tracker;
  core.risk = risk;
}

/** The venue client, told where to backfill from and which orders of earlier runs are still unresolved. */
export function openClient(core: BotCore, key: Secret, history: OrderHistory): HyperliquidClient {
  const { config, audit, clock } = core;
  const client = new HyperliquidClient({
    privateKey: key.reveal(),
    ...(config.walletAddress === undefined ? {} : { walletAddress: config.walletAddress }),
    testnet: config.network === 'testnet',
    ...(config.apiUrl === undefined ? {} : { baseUrl: config.apiUrl }),
    ...(config.wsUrl === undefined ? {} : { wsUrl: config.wsUrl }),
    audit,
    clock,
    // The venue does not replay fills: ask for everything since the last one this log holds, or since the
    // earliest order it sent whose fate it does not know.
    fillsSince: history.fillsSince ?? clock.now(),
    // The venue's mark and oracle of what the bot trades: risk holds every order to them as to the mid.
    referencePrices: config.symbols,
    // Other bots may trade the account: only this bot's orders and fills are the client's.
    ...(core.share === undefined ? {} : { orderScope: core.share }),
    ...clientTuning(core),
  });
  client.rememberClientOrderIds(history.unresolved);
  return client;
}

function clientTuning(core: BotCore): Partial<ConstructorParameters<typeof HyperliquidClient>[0]> {
  const c = core.config.client;
  return {
    ...(c.orderExpiryMs === undefined ? {} : { orderExpiryMs: c.orderExpiryMs }),
    ...(c.orderSettleMs === undefined ? {} : { orderSettleMs: c.orderSettleMs }),
    ...(c.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: c.requestTimeoutMs }),
    ...(c.weightPerMinute === undefined ? {} : { rateLimit: { weightPerMinute: c.weightPerMinute } }),
    ...(c.retryBaseDelayMs === undefined ? {} : { retry: { baseDelayMs: c.retryBaseDelayMs } }),
    ws: {
      ...(c.reconnectDelayMs === undefined ? {} : { reconnectDelayMs: c.reconnectDelayMs }),
      ...(c.maxReconnectDelayMs === undefined ? {} : { maxReconnectDelayMs: c.maxReconnectDelayMs }),
    },
  };
}

/** Refuses to start unless the venue lists the key as the account itself or an approved agent of it. */
export async function proveKeyCanTradeAccount(core: BotCore): Promise<void> {
  const { client, config, clock, audit } = core;
  const key = client.signerAddress;
  const account = client.account;
  if (key === undefined || account === undefined) throw new Error('no signing key or account to trade');
  const proof = await proveKeyCanTrade({
    source: client,
    key,
    account,
    network: config.network,
    now: clock.now(),
  });
  const until =
    proof.validUntil === undefined ? '' : `, approved until ${new Date(proof.validUntil).toISOString()}`;
  const what = proof.kind === 'account' ? 'is the account' : 'is an approved agent of';
  await audit.append({
    type: 'note',
    message: `key ${proof.key} ${what} ${proof.account} on ${config.network}${until}`,
  });
}

/** The one engine of the bot: every order of every strategy goes through it, risk and the one audit log. */
export function createEngine(core: BotCore, observer: EngineObserver): TradingEngine {
  const { client, risk, tracker, audit, clock, config } = core;
  return new TradingEngine({
    exchange: client,
    risk,
    tracker,
    audit,
    clock,
    clientOrderIdPrefix: 'bot',
    cancelOrdersOnStop: config.cancelOrdersOnShutdown,
    accountRefreshMs: config.accountRefreshMs,
    observer,
  });
}

/**
 * Orders an earlier run left working on the venue are not in this run's risk ledger. Cancelling them is the
 * safe default; `staleOrdersOnStart: "adopt"` registers them with risk so their exposure counts instead.
 */
export async function handleStaleOrders(core: BotCore): Promise<void> {
  const { client, engine, risk, config, logger } = core;
  const open = await client.getOpenOrders();
  if (open.length === 0) return;
  if (config.staleOrdersOnStart === 'cancel') {
    const n = await engine.cancelAllOrders(undefined, 'stale orders from an earlier run');
    logger.warn({ cancelled: n }, 'cancelled orders left by an earlier run');
    return;
  }
  for (const o of open) {
    risk.adoptWorkingOrder(remainingOrder(o), o.clientOrderId ?? o.orderId);
  }
  logger.warn({ adopted: open.length }, 'adopted orders left by an earlier run');
}
