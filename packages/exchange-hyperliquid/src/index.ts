// What a user of the client needs. The wire format (action builders and schemas, signing, price and size
// rules, asset ids) is the `./wire` subpath (src/wire.ts); everything else is internal.
export type {
  AccountMode,
  AccountModeKind,
  DexState,
  SpotBalance,
  SpotClearinghouseStateResponse,
  VenueAccountMode,
} from './account-mode.js';
export { AccountModeError } from './account-mode.js';
export { ActionCapError, type DailyActionCap } from './action-cap.js';
export type { ExchangeResponse, Grouping, L1Action, OrderWire, OrderWireInput, Tif } from './actions.js';
export {
  HyperliquidClient,
  type HyperliquidClientOptions,
  MAINNET_API_URL,
  MAINNET_WS_URL,
  type MarketData,
  type OrderResult,
  TESTNET_API_URL,
  TESTNET_WS_URL,
} from './client.js';
export { cloidTagOf } from './cloid.js';
export type { PerpDex, PerpDexsResponse } from './dex.js';
export {
  HyperliquidActionError,
  HyperliquidClientError,
  HyperliquidHttpError,
  HyperliquidResponseError,
  OrderStateUnknownError,
  SigningError,
  UnknownAssetError,
  UnrepresentableNumberError,
} from './errors.js';
export type {
  BasicOpenOrder,
  Candle,
  ClearinghouseStateResponse,
  FrontendOpenOrder,
  L2BookResponse,
  MetaAndAssetCtxsResponse,
  MetaResponse,
  OpenOrderWire,
  OrderStatusResponse,
  PerpAssetCtx,
  PerpAssetInfo,
  UserFill,
  UserRateLimitResponse,
  WsOrderUpdate,
  WsUserFills,
} from './info-schemas.js';
export {
  type ExtraAgents,
  type KeyAuthority,
  type KeyAuthorityCode,
  KeyAuthorityError,
  type KeyAuthoritySource,
  proveKeyCanTrade,
  type UserRole,
} from './key-authority.js';
export type { LedgerChange, LedgerUpdate } from './ledger.js';
export type { OrderScope, VenueOrderRef } from './order-scope.js';
export { type Address, PrivateKeySigner, type Signature } from './private-key.js';
export type { Sleep, WeightedTokenBucket } from './rate-limit.js';
export type { SpotMetaResponse } from './spot.js';
export type { ReferencePrice } from './streams.js';
export { type AssetMap, coinToSymbol, type PerpAsset, symbolToCoin } from './symbols.js';
