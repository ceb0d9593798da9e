import type { AuditAnchor } from './anchor.js';
import { AuditCorruptError } from './errors.js';
import { verifyAuditLog } from './verify-audit-log.js';

// Not in anchor.ts: verifying a log imports anchor.ts (to check the log against an anchor), and taking an
// anchor verifies first; kept apart, the two modules do not import each other.
/**
 * Verifies a log directory and returns an anchor of its last entry.
 *
 * @throws {AuditCorruptError} code `AUDIT_CORRUPT` when the log does not verify (nothing is anchored then)
 */
export async function createAuditAnchor(dir: string): Promise<AuditAnchor & { seq: number }> {
  const report = await verifyAuditLog(dir);
  if (!report.ok) throw new AuditCorruptError(report.file, report.line, report.reason);
  return { seq: report.lastSeq, hash: report.lastHash, createdAt: new Date().toISOString() };
}
