export {
  buildBatchModifyAction,
  buildCancelAction,
  buildCancelByCloidAction,
  buildModifyAction,
  buildNoopAction,
  buildOrderAction,
  buildScheduleCancelAction,
  buildUpdateLeverageAction,
  canonicalizeL1Action,
  orderWire,
} from './actions.js';
export { formatPrice, formatSize, isValidPrice, maxPriceDecimals, toWireDecimal } from './format.js';
export { type Address, PrivateKeySigner, publicKeyToAddress, type Signature } from './private-key.js';
export {
  actionHash,
  buildUsdSendAction,
  buildWithdrawAction,
  encodeAction,
  recoverL1ActionSigner,
  recoverUserSignedActionSigner,
  signL1Action,
  signUserSignedAction,
  toHex,
} from './signing.js';
