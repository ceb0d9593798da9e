export {
  type AuditFollow,
  type AuditMirrorOptions,
  auditLineOf,
  type MirrorVerification,
  PgAuditMirror,
  verifyMirror,
} from './audit-mirror.js';
export { RiskBudgetPgError } from './errors.js';
export { mirrorLines } from './mirror-lines.js';
export type { AccountCaps, PgRiskBudgetOptions } from './options.js';
export type { AccountPeer, SymbolClaim } from './ownership.js';
export { PgRiskBudget } from './pg-risk-budget.js';
export { channelOf, SCHEMA, SCHEMA_VERSION } from './schema.js';
