import { HlBotError, type HlBotErrorOptions } from '@hl-bot/core-types';

/** Stable codes of hl-sim errors. */
export type SimErrorCode = 'SIM_INVALID_OPTION' | 'SIM_CLOSED' | 'SIM_MARKET_DATA_EXHAUSTED';

/** An invalid option or control request, a closed simulator, or a market data source that ran dry. */
export class SimError extends HlBotError {
  declare readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string, options: HlBotErrorOptions = {}) {
    super(code, message, options);
    this.name = 'SimError';
  }
}
