import { type AuditLogger, readAuditLog } from '@hl-bot/audit';
import type { AuditEntry, Clock, RiskBudget } from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';
import { type PnlScope, type RiskConfig, RiskManager } from '@hl-bot/risk';
import { shareRead } from './shared-read.js';

export interface RecoverFromAuditLogOptions {
  clock: Clock;
  riskConfig: RiskConfig;
  /** The account's shared budget; in-process when absent. */
  budget?: RiskBudget;
  /** `own` when other bots may trade the venue account (see `RiskManagerSettings.pnlScope`). */
  pnlScope?: PnlScope;
  /** A checkpoint that does not verify is skipped: this hears why. */
  onWarning: (message: string) => void;
}

/**
 * Positions and risk from their latest checkpoints that verify plus one read of the log after the earlier
 * of them, shared by both (a checkpoint that does not verify is skipped with a warning; without one, the
 * whole log is read once). The backfill watermark is the recovered tracker's `lastFillTime`.
 */
export async function recoverFromAuditLog(
  audit: AuditLogger,
  options: RecoverFromAuditLogOptions,
): Promise<{ tracker: PositionTracker; risk: RiskManager }> {
  const { clock, onWarning } = options;
  const positions = await PositionTracker.loadCheckpoint(audit.dir, { onWarning });
  const riskCheckpoint = await RiskManager.loadCheckpoint(audit.dir, { onWarning });
  // Reading starts after the older checkpoint; each component skips the entries its own one covers.
  const from =
    positions === null || riskCheckpoint === null
      ? undefined
      : positions.after.seq <= riskCheckpoint.after.seq
        ? positions.after
        : riskCheckpoint.after;
  const types = [...new Set([...PositionTracker.REPLAYED_TYPES, ...RiskManager.RECOVERY_TYPES])];
  const [forPositions, forRisk] = shareRead(
    readAuditLog(audit.dir, { types, ...(from === undefined ? {} : { from }) }),
    2,
  ) as [AsyncIterable<AuditEntry>, AsyncIterable<AuditEntry>];
  const [tracker, risk] = await Promise.all([
    PositionTracker.recover(audit, { clock, checkpoint: positions, entries: forPositions }),
    RiskManager.recover({
      config: options.riskConfig,
      audit,
      clock,
      checkpoint: riskCheckpoint,
      entries: forRisk,
      ...(options.budget === undefined ? {} : { budget: options.budget }),
      ...(options.pnlScope === undefined ? {} : { pnlScope: options.pnlScope }),
    }),
  ]);
  return { tracker, risk };
}
