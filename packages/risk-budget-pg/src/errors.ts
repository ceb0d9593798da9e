import { HlBotError, type HlBotErrorOptions } from '@hl-bot/core-types';

/**
 * Codes: `RISK_BUDGET_CONFIG` (invalid options or caps), `RISK_BUDGET_UNAVAILABLE` (the database could not
 * be reached or refused the write; the budget is fail-closed meanwhile), `RISK_BUDGET_CLOSED`, `RISK_BUDGET_SYMBOL_OWNED` (another bot on the
 * venue account trades the symbol; `details.owner` names it), `RISK_BUDGET_TAG_TAKEN` (another bot on the
 * venue account uses the cloid tag).
 */
export class RiskBudgetPgError extends HlBotError {
  constructor(code: string, message: string, options: HlBotErrorOptions = {}) {
    super(code, message, options);
    this.name = 'RiskBudgetPgError';
  }
}
