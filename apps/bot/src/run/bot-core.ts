import { join } from 'node:path';
import type { AuditLogger } from '@hl-bot/audit';
import type { Clock } from '@hl-bot/core-types';
import type { TradingEngine } from '@hl-bot/engine';
import type { HyperliquidClient } from '@hl-bot/exchange-hyperliquid';
import type { PositionTracker } from '@hl-bot/positions';
import type { RiskManager } from '@hl-bot/risk';
import type { PgRiskBudget } from '@hl-bot/risk-budget-pg';
import type { Logger } from 'pino';
import type { BotConfig } from '../config.js';
import { Metrics } from '../metrics.js';
import type { AccountShare } from './account-share.js';
import { Scheduler } from './scheduler.js';

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The parts one running bot's modules share. `Bot` creates it; start-up fills in the parts in order (audit
 * log, then tracker and risk, then client, then engine), so a part is undefined until its step ran: code
 * that can run earlier (the kill switch, status, the control endpoint) checks before use.
 */
export class BotCore {
  readonly metrics = new Metrics();
  readonly scheduler: Scheduler;
  audit!: AuditLogger;
  tracker!: PositionTracker;
  risk!: RiskManager;
  client!: HyperliquidClient;
  engine!: TradingEngine;
  /** The account's risk budget shared with other bots (`sharedRisk`); undefined: in-process. */
  budget: PgRiskBudget | undefined;
  /** Copies the audit log to the shared database (`sharedRisk.mirrorAudit`); undefined without one. */
  auditMirror: { stop(): Promise<void> } | undefined;
  /** With `sharedRisk`: this bot's symbols and cloid tag on a venue account other bots may trade too. */
  share: AccountShare | undefined;
  /** True once recovery, backfill and the start-up reconciliation are done and the strategy runs. */
  ready = false;
  stopping = false;

  constructor(
    readonly config: BotConfig,
    readonly logger: Logger,
    readonly clock: Clock,
  ) {
    this.scheduler = new Scheduler((error) =>
      this.logger.error({ err: errorText(error) }, 'periodic task failed'),
    );
  }

  get auditDir(): string {
    return join(this.config.stateDir, 'audit');
  }
}
