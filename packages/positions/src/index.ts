export {
  InvalidFillError,
  InvalidFundingError,
  InvalidMarkPriceError,
  PositionAuditError,
  PositionError,
  PositionErrorCode,
  PositionNotOpenError,
  PositionRecoveryError,
  PositionTrackerHaltedError,
} from './errors.js';
export { CompactIdSet } from './id-set.js';
export { MONEY_DECIMALS } from './ledger.js';
export { nullAuditSink } from './null-audit-sink.js';
export { Position, type PositionFields } from './position.js';
export {
  type FillOutcome,
  type PositionChangeListener,
  PositionTracker,
  type PositionTrackerOptions,
  type RecoverOptions,
} from './position-tracker.js';
