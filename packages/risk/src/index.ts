export { RiskCode } from './codes.js';
export {
  RISK_CONFIG_FIELDS,
  RiskConfig,
  type RiskConfigField,
  type RiskConfigInput,
  type RiskConfigLoadOptions,
  type RiskLimits,
  riskEnvName,
} from './config.js';
export { AuditUnavailableError, RiskConfigError, type RiskConfigSource } from './errors.js';
export type {
  PnlScope,
  RiskAuditOption,
  RiskCheckResult,
  RiskManagerOptions,
  RiskManagerSettings,
  RiskRecoverOptions,
  RiskRecoverSettings,
  RiskState,
  RiskSubmitResult,
  SubmitAck,
} from './manager-types.js';
export type { Reservation, ReservationOutcome, ReservationStatus } from './reservations.js';
export { RiskManager } from './risk-manager.js';
export { tradingDayOf } from './state/trading-day.js';
