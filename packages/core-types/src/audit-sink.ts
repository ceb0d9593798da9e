import type { AuditEntry, AuditEventInput } from './schemas/audit-events.js';

/**
 * Where components write audit events. `@hl-bot/audit`'s AuditLogger implements it; a component that
 * records state it must not forget awaits `append`, which resolves once the event is durable.
 */
export interface AuditSink {
  append(event: AuditEventInput): Promise<AuditEntry>;
}
