import { type AuditAnchor, type AuditLogger, writeAuditAnchor } from '@hl-bot/audit';

/**
 * Writes an anchor of the audit log's last durable entry to `path` (atomically, mode 0600). Kept on another
 * volume or host, it lets `hl-audit verify DIR --anchor FILE` catch a cut tail or a rewritten chain that the
 * hash chain alone cannot show.
 */
export async function writeAuditAnchorNow(audit: AuditLogger, path: string): Promise<AuditAnchor> {
  const anchor = await audit.anchor();
  await writeAuditAnchor(path, anchor);
  return anchor;
}
