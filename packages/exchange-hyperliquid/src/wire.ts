/**
 * `@hl-bot/exchange-hyperliquid/wire`: Hyperliquid's wire format, for code that speaks it without the
 * client (a local venue such as hl-sim, offline signing, the client's low-level `sendAction`,
 * `submitOrders` and `modify`): action builders and the request/response schemas, L1 and user-signed
 * signing and signer recovery, prices and sizes as the venue's wire strings, asset ids and cloids. The tick,
 * lot and significant-figure rules themselves are core-types' (`isOnPriceGrid`, `priceDecimals`, ...).
 * Pinned by test/wire-exports.test.ts.
 */
export {
  type BatchModifyAction,
  buildBatchModifyAction,
  buildCancelAction,
  buildCancelByCloidAction,
  buildModifyAction,
  buildNoopAction,
  buildOrderAction,
  buildScheduleCancelAction,
  buildUpdateLeverageAction,
  type CancelAction,
  type CancelByCloidAction,
  type CancelResponseStatus,
  canonicalizeL1Action,
  type ExchangeRequest,
  ExchangeRequestSchema,
  type ExchangeResponse,
  ExchangeResponseSchema,
  type Grouping,
  type L1Action,
  type ModifyAction,
  type NoopAction,
  type OrderAction,
  type OrderResponseStatus,
  type OrderTypeWire,
  type OrderWire,
  type OrderWireInput,
  orderWire,
  type ScheduleCancelAction,
  type Tif,
  type UpdateLeverageAction,
} from './actions.js';
export { isCloid, randomCloid, toCloid } from './cloid.js';
export { dexAssetId, dexOfCoin, MAIN_DEX, type PerpDex, type PerpDexsResponse } from './dex.js';
export {
  type FormatPriceOptions,
  type FormatSizeOptions,
  formatPrice,
  formatSize,
  type Side,
  toWireDecimal,
} from './format.js';
export type { Address, Signature } from './private-key.js';
export {
  actionHash,
  buildUsdSendAction,
  buildWithdrawAction,
  type L1ActionHashInput,
  type PrivateKeyInput,
  recoverL1ActionSigner,
  recoverUserSignedActionSigner,
  type SignL1ActionInput,
  signL1Action,
  signUserSignedAction,
  type UserSignedAction,
  type UserSignedActionType,
} from './signing.js';
