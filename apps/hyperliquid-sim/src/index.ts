export type { OrderRecord, WireFill, WireOrderStatus, WireOrderUpdate } from './account.js';
export type { AssetCtxOverride } from './asset-ctx.js';
export { HELP, parseCli } from './cli-options.js';
export { SimError, type SimErrorCode } from './errors.js';
export type { SimFaults } from './faults.js';
export { parseCoinSpec, type SimCoin, tickAt } from './market.js';
export { NONCE_FUTURE_MS, NONCE_PAST_MS, NONCE_SET_SIZE, NonceBook } from './nonces.js';
export {
  type HyperliquidSim,
  type HyperliquidSimOptions,
  type SimStats,
  startHyperliquidSim,
} from './server.js';
