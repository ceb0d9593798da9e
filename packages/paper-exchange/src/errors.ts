import { type ErrorDetails, HlBotError } from '@hl-bot/core-types';

/**
 * A candle source held data that is not a valid candle stream. `file` and `line` (1-based) point at the
 * offending row when the data came from a file.
 */
export class MarketDataError extends HlBotError {
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(
    message: string,
    options: { file?: string; line?: number; cause?: unknown; details?: ErrorDetails } = {},
  ) {
    const where =
      options.file === undefined
        ? ''
        : `${options.file}${options.line === undefined ? '' : `, line ${options.line}`}: `;
    super('MARKET_DATA_INVALID', `${where}${message}`, {
      cause: options.cause,
      details: { ...(options.details ?? {}), file: options.file, line: options.line },
    });
    this.name = 'MarketDataError';
    this.file = options.file;
    this.line = options.line;
  }
}

/**
 * The paper exchange was driven wrongly (a bar out of time order, a bar for an unconfigured symbol) or
 * configured wrongly. Order refusals are ExchangeErrors instead.
 */
export class PaperExchangeError extends HlBotError {
  constructor(
    code: 'BAR_OUT_OF_ORDER' | 'INVALID_BAR' | 'INVALID_CONFIG',
    message: string,
    details: ErrorDetails = {},
  ) {
    super(code, message, { details });
    this.name = 'PaperExchangeError';
  }
}
