import type { AuditSink, Clock, DecimalInput } from '@hl-bot/core-types';
import type { OrderScope } from './order-scope.js';
import type { PrivateKeySigner } from './private-key.js';
import type { Sleep } from './rate-limit.js';

export const MAINNET_API_URL = 'https://api.hyperliquid.xyz';
export const TESTNET_API_URL = 'https://api.hyperliquid-testnet.xyz';
export const MAINNET_WS_URL = 'wss://api.hyperliquid.xyz/ws';
export const TESTNET_WS_URL = 'wss://api.hyperliquid-testnet.xyz/ws';

export interface HyperliquidClientOptions {
  /** Key that signs actions: the account's own key or an API (agent) wallet's. Omit for a read-only client. */
  privateKey?: string | Uint8Array | PrivateKeySigner;
  /** The account queried (master or sub-account). Defaults to the key's address. */
  walletAddress?: string;
  /** Testnet URLs and testnet signing (phantom-agent source "b"). Default false (mainnet). */
  testnet?: boolean;
  /** REST base URL (default mainnet or testnet); any URL, e.g. a local server. */
  baseUrl?: string;
  /** WebSocket URL (default mainnet or testnet). */
  wsUrl?: string;
  /** Trade for this vault or sub-account: sent as `vaultAddress` and used for account queries. */
  vaultAddress?: string;
  /**
   * Where failed attempts, transport and stream errors and money moves are recorded. Order lifecycle facts
   * (submitted, accepted, rejected, cancelled) are the router's (the engine's), written once there.
   */
  audit?: AuditSink;
  /** @deprecated use `audit`, the name the engine and the other packages give this option */
  auditLogger?: AuditSink;
  clock?: Clock;
  /** Injected for tests on virtual time. */
  sleep?: Sleep;
  /** Random source in [0, 1) for backoff jitter. */
  random?: () => number;
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** Retries of reads on 429, 5xx and network errors (default 4), with exponential backoff. */
  retry?: { maxRetries?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Per-IP REST weight budget (default 1200/min) and the share left unused (default 0.2). */
  rateLimit?: { weightPerMinute?: number; headroom?: number };
  /** Protection band of market orders around the mid (default 0.05 = 5%). */
  marketSlippage?: DecimalInput;
  /** Round unrepresentable limit prices and sizes to the safe side instead of rejecting them (default false). */
  roundToValid?: boolean;
  /**
   * Every order action is signed with `expiresAfter = now + orderExpiryMs` (default 15 s), so after an
   * ambiguous failure the client can wait until a lost copy can no longer execute, then resend safely.
   * `null` disables expiry; resends then rely on `orderStatus` alone.
   */
  orderExpiryMs?: number | null;
  /** Extra wait after expiry before asking `orderStatus` (default 1 s). */
  orderSettleMs?: number;
  /** Attempts to place one order through ambiguous failures (default 3). */
  maxOrderAttempts?: number;
  /** WebSocket keepalive and reconnect tuning. */
  ws?: {
    pingIntervalMs?: number;
    pongTimeoutMs?: number;
    reconnectDelayMs?: number;
    maxReconnectDelayMs?: number;
  };
  /** Fills before this time (ms) are history, not delivered to `onFill` (default: construction time). */
  fillsSince?: number;
  /** Share of a unified account's daily action cap kept for cancels and reduce-only orders (default 0.05). */
  dailyActionReserve?: number;
  /**
   * HIP-3 perp dexes to trade and measure besides the first dex: their names, or `'all'` (default) for every
   * dex `perpDexs` lists. Positions, orders and margin on them are read like the first dex's.
   */
  dexes?: readonly string[] | 'all';
  /**
   * How long `getAccountState()` trusts the last account-mode read (default 60 s; 0 reads it every time).
   * `userAbstraction` weighs 20, ten times an account read: refreshing it on every account refresh would eat
   * the IP budget. `start()` always reads it.
   */
  accountModeTtlMs?: number;
  /**
   * Symbols whose venue mark and oracle price `onReferencePrice` delivers: read once at `start()`
   * (`metaAndAssetCtxs` per dex), then streamed (`activeAssetCtx`, one subscription per symbol). Default none.
   * A symbol not in `meta` makes `start()` throw `HL_UNKNOWN_ASSET`.
   */
  referencePrices?: readonly string[];
  /**
   * Several bots on one account: the tag this client's cloids carry and which of the account's orders and
   * fills are its own (see `OrderScope`). Default: every order and fill of the account is this client's.
   */
  orderScope?: OrderScope;
}
