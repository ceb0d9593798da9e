import type { AuditEntry, AuditEventInput, AuditSink } from '@hl-bot/core-types';

const GENESIS = '0'.repeat(64);
// One frozen placeholder: a sink that writes nothing has no entry to describe, and allocating one per call
// would make "without audit I/O" benchmarks measure the garbage collector.
const NO_ENTRY = Object.freeze({
  type: 'note',
  message: 'not recorded (nullAuditSink)',
  seq: 0,
  timestamp: 0,
  prevHash: GENESIS,
  hash: GENESIS,
}) as AuditEntry;
const RESOLVED = Promise.resolve(NO_ENTRY);

/**
 * An `AuditSink` that writes nothing and resolves at once (always to the same placeholder entry): for
 * benchmarks without audit I/O and throwaway simulations. Never use it where positions must survive a restart.
 *
 * @example
 * const tracker = new PositionTracker(nullAuditSink);
 */
export const nullAuditSink: AuditSink = {
  append(_event: AuditEventInput): Promise<AuditEntry> {
    return RESOLVED;
  },
};
