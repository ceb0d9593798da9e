export {
  type AuditAnchor,
  formatAuditAnchor,
  parseAuditAnchor,
  readAuditAnchor,
  writeAuditAnchor,
} from './anchor.js';
export { type AuditDurability, AuditLogger, type AuditLoggerOptions } from './audit-logger.js';
export {
  type AuditPosition,
  type BrokenCheckpoint,
  type CheckpointLink,
  type CheckpointWritten,
  type FoundCheckpoint,
  type LatestCheckpoint,
  type ReadCheckpointsOptions,
  readCheckpointAt,
  readCheckpoints,
  readLatestCheckpoint,
} from './checkpoints.js';
export { createAuditAnchor } from './create-anchor.js';
export {
  AuditClosedError,
  AuditCorruptError,
  AuditFileReplacedError,
  AuditLockError,
  AuditValidationError,
  AuditWriteError,
} from './errors.js';
export { dayFileName, GENESIS_HASH } from './format.js';
export { LOCK_FILE } from './lock.js';
export { type ReadAuditLogFilter, readAuditLog } from './read-audit-log.js';
export {
  type AuditVerifyFailure,
  type AuditVerifyOk,
  type AuditVerifyReport,
  type VerifyAuditLogOptions,
  verifyAuditLog,
} from './verify-audit-log.js';
